"""Coherence measures: hand-checked counts and values, and agreement with gensim's CoherenceModel."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from analysis.topics import coherence as C

FIXTURE = Path(__file__).parent / "fixtures" / "coherence_gensim.json"
TOLERANCE = 1e-6


@pytest.fixture(scope="module")
def gensim_fixture() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def _measure(case: dict):
    return C.c_npmi if case["coherence"] == "c_npmi" else C.c_v


def _assert_close(got, expected) -> None:
    assert len(got) == len(expected)
    for value, reference in zip(got, expected):
        if reference is None:
            assert value is None
        else:
            assert value == pytest.approx(reference, abs=TOLERANCE)


def test_agrees_with_stored_gensim_values(gensim_fixture):
    corpus = C.reference_corpus(doc.split() for doc in gensim_fixture["corpus"])
    assert gensim_fixture["gensim_version"] == "4.4.0"
    for case in gensim_fixture["expected"].values():
        got = _measure(case)(gensim_fixture["topics"], corpus, window_size=case["window_size"])
        _assert_close(got, case["by_topic"])


def test_whole_paragraph_window_equals_a_window_longer_than_every_document(gensim_fixture):
    topics = gensim_fixture["topics"]
    corpus = [doc.split() for doc in gensim_fixture["corpus"]]
    assert C.c_npmi(topics, corpus, window_size=None) == C.c_npmi(
        topics, corpus, window_size=10_000
    )
    _assert_close(
        C.coherence(topics, corpus, ["c_npmi_paragraph"])["c_npmi_paragraph"]["by_topic"],
        gensim_fixture["expected"]["c_npmi_paragraph"]["by_topic"],
    )


def test_gensim_sliding_window_forgets_a_word_whose_first_occurrence_left():
    # "a b a c", window 3: windows [a b a] and [b a c]. gensim drops "a" at the step that moves
    # its first occurrence out, although the second is still inside: a counts 1 window, not 2.
    counts = C.count_windows([["a", "b", "a", "c"]], ["a", "b", "c"], 3)
    assert counts.n_windows == 2
    assert counts.words == ("a", "b", "c")
    np.testing.assert_array_equal(counts.counts, [[1, 1, 0], [1, 2, 1], [0, 1, 1]])


def test_short_and_empty_documents_are_one_window_each():
    counts = C.count_windows([["a", "b"], [], ["b", "c", "d", "b"]], ["b", "d", "zz"], 3)
    # 1 (shorter than the window) + 1 (empty) + 2 (4 tokens, window 3)
    assert counts.n_windows == 4
    assert counts.words == ("b", "d")  # an absent word is not counted
    assert "zz" in counts.requested
    # doc 3: [b c d] then the first b leaves and the last b enters: b in both windows, d in both
    np.testing.assert_array_equal(counts.counts, [[3, 2], [2, 2]])


def test_npmi_document_hand_checked():
    docs = [["a", "b"], ["a", "b", "a"], ["c"], ["a"]]
    # N=4, P(a)=3/4, P(b)=1/2, P(a,b)=1/2: NPMI = ln(0.5/0.375)/ln 2; a-c and b-c never co-occur.
    ab = math.log(0.5 / 0.375) / math.log(2)
    scores = C.npmi_document([["a", "b", "c"], ["a", "b"], ["a", "missing"], ["b", "b"]], docs)
    assert scores[0] == pytest.approx((ab - 1 - 1) / 3, abs=1e-12)
    assert scores[1] == pytest.approx(0.4150374992788438, abs=1e-12)
    assert scores[2] is None  # the only pair has a word absent from the reference
    assert scores[3] is None  # one distinct word


def test_npmi_document_limits_without_epsilon():
    docs = [["a", "b"], ["a", "b"]]
    assert C.npmi_document([["a", "b"]], docs) == [1.0]
    # gensim's epsilon gives a value near, not at, the limit for a never-co-occurring pair.
    apart = [["a"], ["b"], ["c"]]
    assert C.npmi_document([["a", "b"]], apart) == [-1.0]
    eps = C.c_npmi([["a", "b"]], apart, window_size=None)[0]
    expected = math.log(1e-12 / (1 / 9)) / -math.log(1e-12)
    assert eps == pytest.approx(expected, abs=1e-12)
    assert -1.0 < eps < -0.9


def _npmi_by_brute_force(topic, docs):
    """Document NPMI written out pair by pair from its definition (no shared code)."""
    sets = [set(d) for d in docs]
    n = len(sets)
    words = [w for w in dict.fromkeys(topic) if any(w in s for s in sets)]
    values = []
    for i, a in enumerate(words):
        for b in words[i + 1 :]:
            both = sum(a in s and b in s for s in sets)
            if both == 0:
                values.append(-1.0)
            elif both == n:
                values.append(1.0)
            else:
                pa, pb, pab = (
                    sum(a in s for s in sets) / n,
                    sum(b in s for s in sets) / n,
                    both / n,
                )
                values.append(math.log(pab / (pa * pb)) / -math.log(pab))
    return sum(values) / len(values) if values else None


def test_npmi_document_matches_its_definition_on_the_fixture(gensim_fixture):
    """The stage's named NPMI (document co-occurrence) against a pair-by-pair computation."""
    docs = [doc.split() for doc in gensim_fixture["corpus"]]
    topics = gensim_fixture["topics"]
    ours = C.npmi_document(topics, docs)
    expected = [_npmi_by_brute_force(t, docs) for t in topics]
    assert [v is None for v in ours] == [v is None for v in expected]
    assert any(v is not None for v in ours)
    for a, b in zip(ours, expected):
        if a is not None:
            assert a == pytest.approx(b, abs=1e-12)


def test_counts_are_reused_only_for_their_window_and_words():
    docs = [["a", "b", "c"], ["a", "c"]]
    counts = C.count_windows(docs, ["a", "b"], 10)
    assert C.c_npmi([["a", "b"]], counts=counts) == C.c_npmi([["a", "b"]], docs)
    with pytest.raises(ValueError, match="window_size"):
        C.c_v([["a", "b"]], counts=counts)
    with pytest.raises(ValueError, match="other words"):
        C.c_npmi([["a", "c"]], counts=counts)
    with pytest.raises(ValueError, match="window_size must be"):
        C.count_windows(docs, ["a"], 0)
    with pytest.raises(ValueError, match="unknown coherence measure"):
        C.coherence([["a", "b"]], docs, ["u_mass"])


def test_chunking_does_not_change_counts(gensim_fixture):
    corpus = C.reference_corpus(doc.split() for doc in gensim_fixture["corpus"])
    words = {w for topic in gensim_fixture["topics"] for w in topic}
    whole = C.count_windows(corpus, words, 4)
    chunked = C.count_windows(corpus, words, 4, chunk_documents=3)
    assert whole.n_windows == chunked.n_windows
    np.testing.assert_array_equal(whole.counts, chunked.counts)


def test_live_gensim_on_random_corpora(gensim_fixture):
    gensim = pytest.importorskip("gensim")
    from gensim.corpora import Dictionary
    from gensim.models.coherencemodel import CoherenceModel

    rng = np.random.default_rng(15)
    cases = [([doc.split() for doc in gensim_fixture["corpus"]], gensim_fixture["topics"])]
    for _ in range(30):
        vocab = [f"w{i}" for i in range(int(rng.integers(4, 12)))]
        docs = [
            [vocab[j] for j in rng.integers(0, len(vocab), size=int(rng.integers(0, 30)))]
            for _ in range(int(rng.integers(2, 10)))
        ]
        present = sorted({w for d in docs for w in d})
        if len(present) < 2:
            continue
        topics = [[present[0], *rng.choice(vocab + ["absent"], size=3)] for _ in range(3)]
        cases.append((docs, [list(map(str, t)) for t in topics]))
    for docs, topics in cases:
        dictionary = Dictionary(docs)
        for measure, function in (("c_npmi", C.c_npmi), ("c_v", C.c_v)):
            window = int(rng.integers(2, 25))
            model = CoherenceModel(
                topics=topics,
                texts=docs,
                dictionary=dictionary,
                coherence=measure,
                window_size=window,
                topn=50,
                processes=1,
            )
            with np.errstate(all="ignore"):
                expected = [None if math.isnan(v) else v for v in model.get_coherence_per_topic()]
            _assert_close(function(topics, docs, window_size=window), expected)
    assert gensim.__version__
