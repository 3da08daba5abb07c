"""Seed-ensemble agreement: ARI, Hungarian topic matching, medoid and per-topic stability on hand-checked solutions."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.topics import stability as S

# Four solutions over nine paragraphs. Solution 1 is solution 0 with topics renumbered (and
# one topic's words changed); solution 2 moves paragraph 2 from topic 0 to topic 1; solution 3
# merges topics 0 and 1.
SOLUTIONS = [
    [0, 0, 0, 1, 1, 1, 2, 2, 2],
    [1, 1, 1, 0, 0, 0, 2, 2, 2],
    [0, 0, 1, 1, 1, 1, 2, 2, 2],
    [0, 0, 0, 0, 0, 0, 1, 1, 1],
]
WORDS = [
    {0: ["a", "b"], 1: ["c", "d"], 2: ["e", "f"]},
    {1: ["a", "b"], 0: ["c", "x"], 2: ["e", "f"]},
    {0: ["a"], 1: ["c", "d"], 2: ["e", "f"]},
    {0: ["a", "c"], 1: ["e", "f"]},
]


def test_ensemble_seeds_start_with_the_seed_and_are_fixed():
    assert S.ensemble_seeds(20250811, 1) == [20250811]
    assert S.ensemble_seeds(20250811, 5) == [20250811, 325864679, 722643870, 1219827768, 1260947267]
    seeds = S.ensemble_seeds(7, 20)
    assert len(set(seeds)) == 20 and all(0 <= s < 2**31 - 1 for s in seeds)
    assert S.ensemble_seeds(7, 3) == seeds[:3]  # a larger ensemble extends a smaller one
    with pytest.raises(ValueError, match="n_seeds"):
        S.ensemble_seeds(7, 0)


def test_pairwise_ari_hand_checked():
    ari = S.pairwise_ari([[0, 0, 1, 1], [5, 5, 9, 9], [0, 0, 0, 1]])
    assert ari[0, 1] == pytest.approx(1.0)  # the same grouping under other numbers
    # contingency 2,1,1: sum C(n_ij,2) = 1, expected = C-rows 2 * C-cols 3 / C(4,2) = 1 -> 0
    assert ari[0, 2] == pytest.approx(0.0)
    three = S.pairwise_ari([[0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]])
    assert three[0, 1] == pytest.approx((2 - 1.2) / (4.5 - 1.2))
    np.testing.assert_array_equal(np.diag(ari), [1, 1, 1])
    with pytest.raises(ValueError, match="same paragraphs"):
        S.pairwise_ari([[0, 1], [0, 1, 1]])


def test_member_jaccard_and_hungarian_matching():
    a = [0, 0, 0, 1, 1, 1, 2, 2, -1]
    b = [5, 5, 5, 7, 7, -1, 3, 3, 3]
    topics_a, topics_b, matrix = S.member_jaccard(a, b)
    assert topics_a == [0, 1, 2] and topics_b == [3, 5, 7]  # outliers are not a topic
    np.testing.assert_allclose(matrix, [[0, 1, 0], [0, 0, 2 / 3], [2 / 3, 0, 0]])
    matches = S.match_topics(a, b)
    assert [(m.topic_a, m.topic_b) for m in matches] == [(0, 5), (1, 7), (2, 3)]
    assert [m.size_b for m in matches] == [3, 2, 3]


def test_matching_leaves_topics_without_common_paragraphs_unmatched():
    matches = S.match_topics([0, 0, 1, 1, 2, 2], [0, 0, 0, 0, -1, -1])
    assert len(matches) == 1 and matches[0].topic_b == 0
    assert S.match_topics([-1, -1], [0, 0]) == []


def test_top_word_overlap():
    assert S.top_word_overlap(["a", "b", "c", "d"], ["b", "d", "x", "y"]) == 0.5
    assert S.top_word_overlap(["a"], ["a", "b"]) == 0.5
    assert S.top_word_overlap([], []) == 0.0


def test_medoid_is_most_central_and_ties_go_to_the_earlier_solution():
    ari = S.pairwise_ari(SOLUTIONS)
    # Solutions 0 and 1 are identical groupings, so they tie; 0 comes first.
    assert S.choose_medoid(ari) == 0
    assert S.choose_medoid(np.array([[1.0, 0.2, 0.9], [0.2, 1.0, 0.3], [0.9, 0.3, 1.0]])) == 2
    assert S.choose_medoid(np.eye(1)) == 0


def test_topic_stability_hand_checked():
    table = S.topic_stability(SOLUTIONS, WORDS, published=0)
    assert table["topic"].tolist() == [0, 1, 2]
    assert table["size"].tolist() == [3, 3, 3]
    # topic 0 ({0,1,2}): Jaccard 1 (sol 1), 2/3 (sol 2: {0,1}), 1/2 (sol 3: {0..5}) -> recurs in all
    # topic 1 ({3,4,5}): 1, 3/4 ({2..5}), unmatched in sol 3 (its merged topic went to topic 0)
    np.testing.assert_allclose(
        table["mean_jaccard"], [(1 + 2 / 3 + 1 / 2) / 3, (1 + 3 / 4) / 3, 1.0]
    )
    np.testing.assert_allclose(table["recurrence"], [1.0, 2 / 3, 1.0])
    np.testing.assert_allclose(
        table["mean_word_overlap"], [(1 + 1 / 2 + 1 / 2) / 3, (1 / 2 + 1) / 3, 1.0]
    )
    assert table["stable"].tolist() == [True, True, True]


def test_a_topic_that_does_not_recur_is_flagged():
    solutions = [[0, 0, 1, 1, 2, 2], [0, 0, 0, 1, 1, 1], [1, 1, 1, 0, 0, 0], [0, 1, 0, 1, 2, 2]]
    words = [
        {0: ["a"], 1: ["b"], 2: ["c"]},
        {0: ["a"], 1: ["c"]},
        {1: ["a"], 0: ["c"]},
        {0: ["a"], 1: ["b"], 2: ["c"]},
    ]
    table = S.topic_stability(solutions, words, published=0).set_index("topic")
    # topic 1 ({2,3}) is split in every other solution: unmatched in solutions 1 and 2 (their
    # two topics go to topics 0 and 2, Jaccard 2/3 each), Jaccard 1/3 in solution 3
    assert table["stable"].to_dict() == {0: True, 1: False, 2: True}
    assert table.loc[1, "recurrence"] == 0.0
    assert table.loc[1, "mean_jaccard"] == pytest.approx(1 / 9)
    np.testing.assert_allclose(table["recurrence"], [2 / 3, 0, 1])


def test_single_solution_has_no_stability():
    table = S.topic_stability([[0, 0, 1]], [{0: ["a"], 1: ["b"]}], published=0)
    assert table["recurrence"].isna().all() and not table["stable"].any()
    summary = S.ensemble_agreement([[0, 0, 1]], [{0: ["a"], 1: ["b"]}])
    assert summary["ari_mean"] is None and summary["medoid"] == 0


def test_ensemble_agreement_summary():
    summary = S.ensemble_agreement(SOLUTIONS, WORDS)
    assert summary["n_solutions"] == 4 and summary["n_topics"] == [3, 3, 3, 2]
    assert summary["medoid"] == 0
    assert summary["ari_max"] == pytest.approx(1.0)
    assert summary["ari_min"] == pytest.approx(0.5)
    pairs = np.asarray(summary["pairwise_ari"])[np.triu_indices(4, k=1)]
    assert summary["ari_mean"] == pytest.approx(pairs.mean())
    # sol 0 vs 1: word overlaps 1, 1/2, 1 over 3 topics -> 5/6
    assert summary["word_overlap_mean"] > 0.5
