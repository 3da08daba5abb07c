"""Statistics of the compare stage on hand-checked examples: log-odds, intervals, shares, coverage."""

from __future__ import annotations

import math

import compare_fixtures as fx
import numpy as np
import pandas as pd
import pytest

from analysis.compare.stats import (
    bootstrap_share_ci,
    distinctive_terms,
    log_odds_dirichlet,
    log_odds_sensitivity,
    stem_counts,
    wilson_interval,
)
from analysis.compare.tables import (
    coverage_by_outlet,
    coverage_monthly,
    coverage_table,
    document_frame,
    paragraph_frame,
    partner_counts,
    partner_edges,
    sector_shares,
    topic_prevalence,
)
from analysis.core.errors import UserError


@pytest.fixture(scope="module")
def docs() -> pd.DataFrame:
    return document_frame(fx.documents(), fx.classified())


@pytest.fixture(scope="module")
def paras(docs) -> pd.DataFrame:
    return paragraph_frame(fx.paragraphs(), fx.classified(), docs)


# ---------------------------------------------------------------------------------- log-odds


def test_identical_corpora_give_zero_z():
    counts = {"kota": 7, "air": 3, "banjir": 1, "sister_city": 12}
    table = log_odds_dirichlet(counts, dict(counts))
    assert len(table) == 4
    assert np.all(np.abs(table["z"]) < 1e-9)
    assert np.all(np.abs(table["delta"]) < 1e-12)


def test_swapping_groups_flips_every_sign_exactly():
    a = {"bekasi": 9, "mobilitas": 4, "kota": 6, "air": 1}
    b = {"kuala_lumpur": 8, "kota": 5, "air": 3, "budaya": 2, "mobilitas": 1}
    ab = log_odds_dirichlet(a, b).set_index("term")
    ba = log_odds_dirichlet(b, a).set_index("term").loc[ab.index]
    assert (ab["z"].to_numpy() == -ba["z"].to_numpy()).all()
    assert (ab["delta"].to_numpy() == -ba["delta"].to_numpy()).all()
    assert (ab["variance"].to_numpy() == ba["variance"].to_numpy()).all()
    assert (ab["count_a"] == ba["count_b"]).all()


def test_hand_computed_two_term_example():
    # a = {x: 2, y: 0}, b = {x: 1, y: 1}; prior = combined counts (x 3, y 1), alpha_0 = 4.
    # x: log((2+3)/(2+4-2-3)) - log((1+3)/(2+4-1-3)) = log 5 - log 2;  var = 1/5 + 1/4
    # y: log((0+1)/(2+4-0-1)) - log((1+1)/(2+4-1-1)) = log(1/5) - log(1/2);  var = 1/1 + 1/2
    table = log_odds_dirichlet({"x": 2, "y": 0}, {"x": 1, "y": 1}, alpha_0=4).set_index("term")
    assert table.loc["x", "prior"] == pytest.approx(3.0)
    assert table.loc["y", "prior"] == pytest.approx(1.0)
    assert table.loc["x", "delta"] == pytest.approx(0.916290732, abs=1e-9)
    assert table.loc["x", "variance"] == pytest.approx(0.45)
    assert table.loc["x", "z"] == pytest.approx(0.916290732 / math.sqrt(0.45), abs=1e-9)
    assert table.loc["x", "z"] == pytest.approx(1.365926, abs=1e-6)
    assert table.loc["y", "delta"] == pytest.approx(-0.916290732, abs=1e-9)
    assert table.loc["y", "z"] == pytest.approx(-0.748148, abs=1e-6)
    assert list(table.index) == ["x", "y"]  # sorted by z, descending
    assert table.loc["x", "count"] == 3 and table.loc["x", "log_frequency"] == pytest.approx(
        math.log10(3)
    )


def test_alpha_0_scales_the_prior_and_is_recorded():
    table = log_odds_dirichlet({"x": 2, "y": 0}, {"x": 1, "y": 1}, alpha_0=0.4)
    assert table.set_index("term")["prior"].to_dict() == pytest.approx({"x": 0.3, "y": 0.1})
    assert table.attrs["alpha_0"] == pytest.approx(0.4)
    default = log_odds_dirichlet({"x": 2, "y": 0}, {"x": 1, "y": 1})
    assert default.attrs["alpha_0"] == pytest.approx(0.4)  # PRIOR_SCALE x 4 compared tokens


def test_sensitivity_reports_z_under_three_priors():
    a, b = {"x": 2, "y": 0}, {"x": 1, "y": 1}
    table = log_odds_sensitivity(a, b, ["y", "x"])
    assert list(table.columns) == ["term", "z_0.01", "z_0.1", "z_1"]
    assert table["term"].tolist() == ["y", "x"]
    assert table.loc[1, "z_1"] == pytest.approx(1.365926, abs=1e-6)  # alpha_0 = 4: hand example


def test_log_odds_rejects_a_prior_without_mass_and_a_single_term():
    with pytest.raises(ValueError, match="no mass for term 'y'"):
        log_odds_dirichlet({"x": 2, "y": 1}, {"x": 1}, prior={"x": 5})
    with pytest.raises(ValueError, match="two distinct terms"):
        log_odds_dirichlet({"x": 2}, {"x": 1})


def test_log_odds_on_50k_terms_is_vectorised():
    rng = np.random.default_rng(1)
    terms = [f"t{i}" for i in range(50_000)]
    a = pd.Series(rng.poisson(2.0, len(terms)) + 1, index=terms)
    b = pd.Series(rng.poisson(2.0, len(terms)) + 1, index=terms)
    table = log_odds_dirichlet(a, b)
    assert len(table) == 50_000 and table["z"].notna().all()


def test_distinctive_terms_take_each_side_in_order():
    table = log_odds_dirichlet(
        {"bekasi": 6, "kota": 4, "air": 1}, {"ankara": 5, "kota": 3, "air": 2}
    )
    top = distinctive_terms(table, top_n=2)
    agg = top[top["coop_type"] == "agglomeration"]
    intl = top[top["coop_type"] == "international"]
    assert agg["term"].tolist()[0] == "bekasi" and (agg["z"] > 0).all()
    assert intl["term"].tolist()[0] == "ankara" and (intl["z"] < 0).all()
    assert agg["rank"].tolist() == [1, 2] and intl["count_side"].iloc[0] == 5


def test_stem_counts_by_kind(paras):
    agg = stem_counts(paras, "agglomeration")
    assert agg.to_dict() == {
        "air_bersih": 1,
        "banten": 2,
        "bekasi": 2,
        "jaki": 1,
        "kerja_sama": 2,
        "mobilitas": 2,
        "sampah": 1,
    }
    assert stem_counts(paras, "international")["kuala_lumpur"] == 4  # the duplicate adds none


# ---------------------------------------------------------------------------------- intervals


def test_wilson_interval_known_values():
    low, high = wilson_interval(2, 2, ci_level=0.95)
    assert float(low) == pytest.approx(0.3424, abs=1e-4) and float(high) == 1.0
    low, high = wilson_interval(0, 10, ci_level=0.95)
    assert float(low) == 0.0 and float(high) == pytest.approx(0.2775, abs=1e-4)
    low, high = wilson_interval(1, 2, ci_level=0.95)
    assert float(low) == pytest.approx(0.0945, abs=1e-4)
    assert float(high) == pytest.approx(0.9055, abs=1e-4)


def test_bootstrap_contains_the_share_and_shrinks_with_n():
    widths = {}
    for n in (10, 1000):
        successes = np.zeros(n)
        successes[: int(0.3 * n)] = 1
        ci = bootstrap_share_ci(successes, n_bootstrap=2000, ci_level=0.95, seed=7)
        assert ci["share"][0] == pytest.approx(0.3)
        assert ci["low"][0] <= 0.3 <= ci["high"][0]
        assert not ci["degenerate"][0]
        widths[n] = ci["high"][0] - ci["low"][0]
    assert widths[1000] < widths[10] / 4
    # sqrt(p(1-p)/n) x 2 x 1.96 = 0.057 at n = 1000: the bootstrap agrees with the normal theory
    assert widths[1000] == pytest.approx(0.0568, abs=0.008)


def test_bootstrap_is_seeded_and_flags_degenerate_samples():
    successes = np.array([[1, 0], [1, 1], [1, 0], [1, 0]])
    first = bootstrap_share_ci(successes, n_bootstrap=500, ci_level=0.95, seed=3)
    again = bootstrap_share_ci(successes, n_bootstrap=500, ci_level=0.95, seed=3)
    assert np.array_equal(first["low"], again["low"]) and np.array_equal(
        first["high"], again["high"]
    )
    assert first["degenerate"].tolist() == [True, False]  # every article mentions the first item
    assert (first["low"][0], first["high"][0]) == (1.0, 1.0)
    single = bootstrap_share_ci([1.0], n_bootstrap=100, ci_level=0.95, seed=1)
    assert single["degenerate"][0]


def test_cluster_bootstrap_uses_ratio_of_sums():
    # Two articles: 1 of 1 paragraph and 1 of 3 paragraphs mention the item: share = 2/4.
    ci = bootstrap_share_ci([1, 1], [1, 3], n_bootstrap=4000, ci_level=0.95, seed=5)
    assert ci["share"][0] == pytest.approx(0.5)
    # Replicates can only be 1 (first twice), 1/3 (second twice) or 1/2: percentiles are ends.
    assert ci["low"][0] == pytest.approx(1 / 3) and ci["high"][0] == pytest.approx(1.0)


# ---------------------------------------------------------------------------------- shares


def test_document_sector_shares_equal_hand_counts(docs):
    table = sector_shares(
        docs, n_bootstrap=200, seed=1, ci_level=0.95, min_bootstrap_docs=10
    ).set_index(["coop_type", "sector"])
    expected = {
        ("agglomeration", "transport"): (2, 2),
        ("agglomeration", "waste"): (2, 2),
        ("agglomeration", "water"): (1, 2),
        ("agglomeration", "flood"): (1, 2),
        ("agglomeration", "culture_tourism"): (0, 2),
        ("international", "culture_tourism"): (3, 3),
        ("international", "health"): (3, 3),
        ("international", "flood"): (2, 3),
        ("international", "water"): (1, 3),
        ("international", "education_youth_sport"): (1, 3),
    }
    for key, (k, n) in expected.items():
        row = table.loc[key]
        assert (row["n_mentioning"], row["n_docs"], row["n_units"]) == (k, n, n), key
        assert row["share"] == pytest.approx(k / n), key
    assert len(table) == 2 * 9  # nine sectors seen, both kinds
    # Fewer than 10 articles: every reported interval is the Wilson interval on n articles.
    assert set(table["ci_method"]) == {"wilson"}
    assert table.loc[("agglomeration", "transport"), "ci_low"] == pytest.approx(0.3424, abs=1e-4)
    assert (table["ci_low"] <= table["share"]).all() and (table["share"] <= table["ci_high"]).all()


def test_bootstrap_is_reported_when_allowed_and_varying(docs):
    table = sector_shares(docs, n_bootstrap=400, seed=1, min_bootstrap_docs=1, ci_level=0.95)
    table = table.set_index(["coop_type", "sector"])
    assert table.loc[("international", "flood"), "ci_method"] == "bootstrap"  # 2 of 3
    assert table.loc[("international", "health"), "ci_method"] == "wilson"  # 3 of 3
    row = table.loc[("international", "flood")]
    assert (row["ci_low"], row["ci_high"]) == (row["boot_low"], row["boot_high"])


def test_paragraph_sector_shares_equal_hand_counts(docs, paras):
    table = sector_shares(
        docs,
        paras,
        level="paragraph",
        n_bootstrap=200,
        seed=1,
        ci_level=0.95,
        min_bootstrap_docs=10,
    )
    table = table.set_index(["coop_type", "sector"])
    assert table.loc[
        ("agglomeration", "transport"), ["n_mentioning", "n_units", "n_docs"]
    ].tolist() == [2, 4, 2]
    assert table.loc[
        ("international", "transport"), ["n_mentioning", "n_units", "n_docs"]
    ].tolist() == [2, 6, 3]
    assert table.loc[("international", "health"), "share"] == pytest.approx(1 / 6)


def test_sector_shares_are_reproducible_and_independent_of_other_kinds(docs):
    both = sector_shares(docs, n_bootstrap=300, seed=11, min_bootstrap_docs=1, ci_level=0.95)
    alone = sector_shares(
        docs,
        n_bootstrap=300,
        seed=11,
        min_bootstrap_docs=1,
        coop_types=["international"],
        ci_level=0.95,
    )
    left = both[both["coop_type"] == "international"].reset_index(drop=True)
    pd.testing.assert_frame_equal(left, alone.reset_index(drop=True))


# ---------------------------------------------------------------------------------- coverage


def test_monthly_coverage_fills_empty_months(docs):
    table = coverage_monthly(docs)
    assert table["month"].unique().tolist() == [
        "2025-04",
        "2025-05",
        "2025-06",
        "2025-07",
        "2025-08",
    ]
    wide = table.pivot(index="month", columns="coop_type", values="n_documents")
    assert wide["agglomeration"].tolist() == [1, 0, 0, 1, 0]
    assert wide["international"].tolist() == [0, 0, 0, 0, 3]
    assert table["n_documents"].sum() == 5


def test_monthly_coverage_single_month_and_undated(docs):
    one = docs[docs["doc_id"] == "seed-001"].copy()
    table = coverage_monthly(one)
    assert table.to_dict("records") == [
        {"month": "2025-04", "coop_type": "agglomeration", "n_documents": 1},
        {"month": "2025-04", "coop_type": "international", "n_documents": 0},
    ]
    undated = docs.copy()
    undated.loc[undated["doc_id"] == "seed-001", "date"] = pd.NaT
    table = coverage_monthly(undated)
    assert table["month"].iloc[0] == "2025-07" and table["n_documents"].sum() == 4
    assert coverage_monthly(undated.assign(date=pd.NaT)).empty


def test_coverage_tables(docs, paras):
    table = coverage_table(docs, paras).set_index("coop_type")
    assert table["n_documents"].to_dict() == {
        "agglomeration": 2,
        "international": 3,
        "domestic_other": 0,
        "none": 0,
    }
    assert table["n_paragraphs"].to_dict() == {
        "agglomeration": 4,
        "international": 6,
        "domestic_other": 0,
        "none": 3,
    }
    assert table.loc["international", "date_min"] == "2025-08-11"
    outlets = coverage_by_outlet(docs)
    assert len(outlets) == 5 * 2 and outlets["n_documents"].sum() == 5
    assert "copy.example" not in set(outlets["outlet"])  # the duplicate's outlet


# ---------------------------------------------------------------------------------- inputs


def test_duplicates_are_excluded_and_bad_inputs_stop_with_a_message():
    docs = document_frame(fx.documents(), fx.classified())
    assert fx.DUPLICATE not in set(docs["doc_id"]) and len(docs) == 5
    coded = fx.classified()
    missing = coded[~((coded["level"] == "document") & (coded["doc_id"] == "seed-003"))]
    with pytest.raises(UserError, match="no document-level coding.*seed-003"):
        document_frame(fx.documents(), missing)
    wrong = coded.copy()
    wrong.loc[0, "coop_type"] = "sister_city"
    with pytest.raises(UserError, match="sister_city is not a codebook id"):
        document_frame(fx.documents(), wrong)
    no_paragraph = coded[coded["para_id"] != "seed-002:p001"]
    with pytest.raises(UserError, match="paragraph-level coding.*seed-002:p001"):
        paragraph_frame(fx.paragraphs(), no_paragraph, docs)


def test_document_labels_can_be_inherited_by_paragraphs(docs):
    paras = paragraph_frame(fx.paragraphs(), fx.classified(), docs, paragraph_labels="document")
    assert (paras["coop_type"] == "agglomeration").sum() == 6
    assert (paras["coop_type"] == "none").sum() == 0


# ---------------------------------------------------------------------------------- topics, partners


def test_topic_prevalence_hand_counts(paras):
    table = topic_prevalence(
        fx.topics(), paras, n_bootstrap=200, seed=1, ci_level=0.95, min_bootstrap_docs=10
    )
    agg = table[table["coop_type"] == "agglomeration"].set_index("topic")
    intl = table[table["coop_type"] == "international"].set_index("topic")
    assert agg["n_paragraphs"].to_dict() == {0: 2, 1: 1, 2: 0, -1: 1}
    assert intl["n_paragraphs"].to_dict() == {0: 2, 1: 2, 2: 1, -1: 1}
    assert list(agg.index) == [0, 1, 2, -1]  # outliers last
    assert agg["share"].sum() == pytest.approx(1.0) and intl["share"].sum() == pytest.approx(1.0)
    assert intl.loc[2, "topic_label"] == "2_budaya_sister_city"
    assert (agg["n_units"] == 4).all() and (agg["n_docs"] == 2).all()


def test_partner_edges_from_the_focal_government(docs):
    edges = partner_edges(docs, focal="Jakarta")
    assert edges[["partner", "coop_type", "n_documents"]].values.tolist() == [
        ["Banten", "agglomeration", 1],
        ["Bekasi", "agglomeration", 1],
        ["Kuala Lumpur", "international", 2],
        ["Ankara", "international", 1],
    ]
    kl = edges.set_index("partner").loc["Kuala Lumpur"]
    assert kl["sectors"] == "culture_tourism;environment_climate;flood;health;transport;waste"
    assert kl["doc_ids"] == "seed-002;seed-004"
    assert partner_edges(docs, focal="jakarta")["n_documents"].sum() == 5  # case-insensitive
    assert partner_edges(docs, focal="Surabaya").empty


def test_partner_edges_skip_non_cooperation_news_and_rank_sectors(docs):
    extra = pd.DataFrame(
        [
            {
                "doc_id": "x-1",
                "outlet": None,
                "date": pd.NaT,
                "coop_type": "none",
                "partners": ["Jakarta", "Bekasi"],
                "sectors": ["health"],
            },
            {
                "doc_id": "x-2",
                "outlet": None,
                "date": pd.NaT,
                "coop_type": "agglomeration",
                "partners": ["Bekasi", "Jakarta"],
                "sectors": ["flood", "water"],
            },
        ]
    )
    edges = partner_edges(pd.concat([docs, extra], ignore_index=True), focal="Jakarta").set_index(
        "partner"
    )
    bekasi = edges.loc["Bekasi"]
    assert bekasi["n_documents"] == 2 and bekasi["doc_ids"] == "seed-000;x-2"
    assert bekasi["sectors"] == "water;flood;transport;waste"  # water in 2 articles first
    assert bekasi["sector_counts"] == "water=2;flood=1;transport=1;waste=1"


def test_partner_counts_leave_out_the_focal(docs):
    counts = partner_counts(docs, exclude=("Jakarta",))
    assert counts.values.tolist() == [
        ["agglomeration", "Banten", 1],
        ["agglomeration", "Bekasi", 1],
        ["international", "Kuala Lumpur", 2],
        ["international", "Ankara", 1],
    ]


def test_story_table_counts_articles_and_stories_per_kind():
    from analysis.compare.stories import story_metrics, story_table

    docs = pd.DataFrame(
        {
            "doc_id": ["a", "b", "c", "d", "e", "f"],
            "coop_type": ["domestic_other"] * 4 + ["agglomeration", "none"],
            "story_id": ["a", "a", "a", "d", "e", None],
            "confidence": ["high", "low", "high", "low", "high", None],
        }
    )
    table = story_table(docs).set_index("coop_type")
    dom = table.loc["domestic_other"]
    assert (dom.n_articles, dom.n_stories, dom.largest_story, dom.largest_story_articles) == (
        4,
        2,
        "a",
        3,
    )
    assert dom.largest_story_share == 0.75
    assert (dom.n_articles_high, dom.n_stories_high) == (2, 1)
    assert table.loc["international"].n_articles == 0
    assert "none" not in table.index
    metrics = story_metrics(story_table(docs))
    assert metrics["stories"]["agglomeration"]["n_stories"] == 1
    assert metrics["confident_only"]["n_articles"] == 3
    assert metrics["confident_only"]["n_articles_all"] == 5
    assert metrics["confident_only"]["by_kind"]["domestic_other"]["share_of_coded"] == 2 / 3
    # a classified table from before round 4: every article is its own story, all confident
    old = story_table(docs.drop(columns=["story_id", "confidence"])).set_index("coop_type")
    assert (
        old.loc["domestic_other"].n_stories == 4 and old.loc["domestic_other"].n_articles_high == 4
    )
