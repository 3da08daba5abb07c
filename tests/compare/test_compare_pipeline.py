"""run_compare on seed-like inputs: files, the compare.json contract, findings, reproducibility."""

from __future__ import annotations

import json
import re
from pathlib import Path

import compare_fixtures as fx
import pytest
from stage_helpers import run_compare

from analysis.core.errors import UserError

ROOT = Path(__file__).resolve().parents[2]
FIGURE_NAMES = ["coverage", "coverage_monthly", "log_odds", "partners", "sectors", "topics"]
TABLE_NAMES = [
    "coverage",
    "coverage_monthly",
    "coverage_monthly_wide",
    "coverage_outlet",
    "distinctive_terms",
    "log_odds",
    "log_odds_sensitivity",
    "partner_counts",
    "partners",
    "sectors",
    "sectors_paragraphs",
    "stories",
    "topic_prevalence",
]


def _run(inputs: dict[str, Path], out: Path, **kwargs):
    return run_compare(
        **inputs,
        figures_dir=out / "figures",
        tables_dir=out / "tables",
        metrics_path=out / "metrics" / "compare.json",
        n_bootstrap=300,
        top_terms=5,
        **kwargs,
    )


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    base = tmp_path_factory.mktemp("compare")
    inputs = fx.write_inputs(base / "processed")
    result = _run(inputs, base / "out")
    return inputs, base / "out", result


def _documented_keys() -> dict[str, list[str]]:
    """Top-level keys of compare.json and the corpus sub-keys, read from docs/architecture.md."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = text.split("### `reports/metrics/compare.json`", 1)[1].split("```", 2)[1]
    keys = re.findall(r"^(\w+):", block, flags=re.M)
    corpus = re.search(r"^corpus:\s*\{([^}]*)\}", block, flags=re.M).group(1)
    return {
        "top": keys,
        "corpus": [
            k.split(":")[0].strip()
            for k in corpus.split(",")
            if k.strip() and not k.strip().startswith("..")
        ],
    }


def test_every_file_is_written(run):
    _, out, result = run
    for name in FIGURE_NAMES:
        for ext in ("png", "svg"):
            assert (out / "figures" / f"{name}.{ext}").is_file(), name
            assert (out / "figures" / "id" / f"{name}.{ext}").is_file(), name
    assert sorted(p.stem for p in (out / "tables").glob("*.csv")) == TABLE_NAMES
    assert sorted(result.tables) == TABLE_NAMES
    assert sorted(result.figures) == FIGURE_NAMES
    assert (
        result.figures["sectors"].get_suptitle() == "Sectors mentioned by each kind of cooperation"
    )
    assert all(p.is_file() for p in result.written)


def test_metrics_follow_the_documented_contract(run):
    _, out, result = run
    metrics = json.loads((out / "metrics" / "compare.json").read_text(encoding="utf-8"))
    documented = _documented_keys()
    assert set(documented["top"]) == {
        "corpus",
        "coverage",
        "sectors",
        "top_sectors",
        "distinctive_terms",
        "partners",
        "topics",
        "stories",
        "confident_only",
    }
    assert set(documented["top"]) <= set(metrics)
    assert set(documented["corpus"]) <= set(metrics["corpus"])
    assert metrics["corpus"]["n_documents"] == 5 and metrics["corpus"]["n_paragraphs"] == 13
    assert metrics["corpus"]["outlets"] == sorted(fx.DOCUMENTS[d][0] for d in fx.DOCUMENTS)
    assert (metrics["corpus"]["date_min"], metrics["corpus"]["date_max"]) == (
        "2025-04-09",
        "2025-08-21",
    )
    assert metrics["coverage"]["documents"] == {
        "agglomeration": 2,
        "international": 3,
        "domestic_other": 0,
        "none": 0,
    }
    assert metrics["coverage"]["paragraphs"]["none"] == 3
    transport = metrics["sectors"]["agglomeration"]["transport"]
    assert set(transport) >= {"share", "ci_low", "ci_high", "n_docs"}
    assert (transport["share"], transport["n_docs"], transport["n_mentioning"]) == (1.0, 2, 2)
    assert transport["ci_low"] == pytest.approx(0.34238, abs=1e-5) and transport["ci_high"] == 1.0
    assert metrics["top_sectors"]["agglomeration"][:2] == ["transport", "waste"]
    assert set(metrics["top_sectors"]["international"][:4]) == {
        "culture_tourism",
        "environment_climate",
        "health",
        "transport",
    }
    terms = metrics["distinctive_terms"]
    assert set(terms) == {"agglomeration", "international"}
    assert (
        terms["international"][0]["term"] == "kuala_lumpur" and terms["international"][0]["z"] < 0
    )
    assert {t["term"] for t in terms["agglomeration"][:2]} == {"banten", "bekasi"}
    assert set(terms["agglomeration"][0]) == {"term", "z", "count"}
    assert metrics["partners"]["international"] == [
        {"partner": "Kuala Lumpur", "n_documents": 2},
        {"partner": "Ankara", "n_documents": 1},
    ]
    assert metrics["topics"]["agglomeration"][0] == {
        "topic": 0,
        "label": "0_mobilitas_macet",
        "share": 0.5,
        "n_paragraphs": 2,
    }
    assert metrics["parameters"]["alpha_0"] == pytest.approx(2.6)  # 0.1 x (11 + 15) stem tokens


def test_findings_state_the_numbers(run):
    _, _, result = run
    text = " ".join(result.findings)
    assert "5 articles from 5 outlets" in text
    assert "2 on agglomeration cooperation, 3 on international cooperation" in text
    assert "transport (2 of 2; 95% CI 34%-100%)" in text
    assert "every pair of 95% intervals overlaps" in text
    assert "Kuala Lumpur (2 articles)" in text


def test_tables_and_metrics_are_byte_identical_on_rerun(run, tmp_path):
    inputs, out, _ = run
    _run(inputs, tmp_path)
    for first in sorted((out / "tables").glob("*.csv")) + [out / "metrics" / "compare.json"]:
        second = tmp_path / first.relative_to(out)
        assert first.read_bytes() == second.read_bytes(), first.name


def test_figures_are_the_same_bytes_drawn_in_one_process_or_two(run, tmp_path):
    # The fixture's run drew the Indonesian figures in a second process (n_jobs 2, the
    # default); here every figure is drawn in this one.
    inputs, out, result = run
    again = _run(inputs, tmp_path, n_jobs=1)
    files = sorted(p.relative_to(out / "figures") for p in (out / "figures").rglob("*.*"))
    assert len(files) == 2 * 2 * len(FIGURE_NAMES)  # PNG and SVG, English and Indonesian
    for name in files:
        assert (tmp_path / "figures" / name).read_bytes() == (out / "figures" / name).read_bytes()
    assert [p.name for p in again.written] == [p.name for p in result.written]


def test_plots_csv_for_dvc(run):
    _, out, _ = run
    monthly = (out / "tables" / "coverage_monthly.csv").read_text(encoding="utf-8").splitlines()
    assert monthly[0] == "month,coop_type,n_documents"
    assert "2025-05,agglomeration,0" in monthly
    wide = (out / "tables" / "coverage_monthly_wide.csv").read_text(encoding="utf-8").splitlines()
    assert wide[0] == "month,month_index,agglomeration,international"
    assert wide[2] == "2025-05,2,0,0"
    header = (out / "tables" / "log_odds.csv").read_text(encoding="utf-8").splitlines()[0]
    assert {"term", "z", "log_frequency"} <= set(header.split(","))


def test_missing_or_stale_inputs_stop_with_a_message(run, tmp_path):
    inputs, _, _ = run
    with pytest.raises(UserError, match="topics.parquet: not found; run the topics stage"):
        _run({**inputs, "topics_path": tmp_path / "topics.parquet"}, tmp_path)
    stale = fx.topics()
    stale.loc[0, "para_id"] = "seed-999:p000"
    stale.to_parquet(tmp_path / "stale.parquet", index=False)
    with pytest.raises(UserError, match="not in paragraphs.parquet.*seed-999:p000"):
        _run({**inputs, "topics_path": tmp_path / "stale.parquet"}, tmp_path)
