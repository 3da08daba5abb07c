"""Topic words re-ranked by centrality + coverage: hand-checked coverage, order and determinism."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.topics import words as W

DOCS = [
    "banjir sampah kelola kota",
    "banjir sampah kelola",
    "banjir kelola air_bersih",
    "banjir festival",  # festival: in one paragraph of topic 0 only
    "kuala_lumpur sister_city kerja_sama",
    "kuala_lumpur sister_city budaya",
    "kuala_lumpur kerja_sama budaya",
]
LABELS = [0, 0, 0, 0, 1, 1, 1]


@pytest.fixture(scope="module")
def space():
    return W.stem_space(DOCS, seed=3)


def test_stem_space_shapes_and_presence(space):
    assert len(space.index) == 10
    assert space.paragraph_vectors.shape[0] == len(DOCS)
    np.testing.assert_allclose(np.linalg.norm(space.word_vectors, axis=1), 1.0)
    row = space.presence[0].toarray().ravel()
    assert row.sum() == 4 and row[space.index["banjir"]] == 1


def test_candidate_words_rank_positive_scores_with_alphabetical_ties():
    scores = np.array([[0.5, 0.0, 0.5, 0.1], [0.0, 0.3, 0.0, 0.0]])
    assert W.candidate_words(scores, ["kota", "pasar", "banjir", "air"], n=3) == [
        ["banjir", "kota", "air"],
        ["pasar"],
    ]


def test_words_in_every_paragraph_of_a_topic_come_first(space):
    # festival and air_bersih would lead by c-TF-IDF (rare, specific), but each is in 1 of the
    # topic's 4 paragraphs while banjir is in all 4 and kelola in 3 (coverage 0.25/1.0/0.75).
    words = W.central_words(
        space,
        LABELS,
        {0: ["festival", "air_bersih", "kelola", "banjir"], 1: ["budaya", "kuala_lumpur"]},
        n_words=4,
    )
    assert words[0][:2] == ["banjir", "kelola"]
    assert set(words[0][2:]) == {"festival", "air_bersih"}
    assert W.central_words(space, LABELS, {0: ["festival", "kelola"]}, n_words=1) == {0: ["kelola"]}
    assert words[1] == ["kuala_lumpur", "budaya"]


def test_unknown_candidates_and_empty_topics_are_dropped(space):
    words = W.central_words(space, LABELS, {0: ["absent", "banjir"], 5: ["banjir"]})
    assert words == {0: ["banjir"]}
    with pytest.raises(ValueError, match="same paragraphs"):
        W.central_words(space, LABELS[:3], {0: ["banjir"]})


def test_the_same_inputs_give_the_same_words():
    first = W.central_words(W.stem_space(DOCS, seed=3), LABELS, {0: DOCS[0].split()})
    again = W.central_words(W.stem_space(DOCS, seed=3), LABELS, {0: DOCS[0].split()})
    assert first == again
