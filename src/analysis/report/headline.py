"""The headline metrics: the few numbers of each stage's metrics file that `dvc metrics show` prints."""

from __future__ import annotations

import math
from numbers import Real
from pathlib import Path
from typing import Any

from ..core.io import read_json, write_json

__all__ = ["HEADLINE", "MAX_HEADLINE_COLUMNS", "headline", "headline_columns", "write_headline"]

#: Which numbers of ``reports/metrics/<stage>.json`` are a stage's headline, as
#: ``short name: dotted path in the full file``. The full files stay as they are (the brief, the
#: renderer and the tests read them); dvc.yaml declares only the headline files under
#: ``metrics:``, so `dvc metrics show`, `dvc metrics diff` and `dvc exp show` compare these few
#: numbers between experiments. Add a number with one line here (and keep the total at or below
#: MAX_HEADLINE_COLUMNS); a path missing from a run's metrics file is written as null, which DVC
#: shows as "-" (some keys exist only for some corpora, e.g. without the clickid gold articles).
HEADLINE: dict[str, dict[str, str]] = {
    "ingest": {
        "documents": "n_documents",
        "duplicates": "n_duplicates",
        "rejects": "n_rejects",
    },
    "preprocess": {
        "paragraphs": "n_paragraphs",
        "tokens": "n_tokens",
    },
    "classify": {
        "heldout_f1": "documents.heldout_all.macro_f1",  # gold kept aside while writing rules
        "heldout3_f1": "round4.heldout3.macro_f1",  # the split no round-4 rule was written on
        "heldout3_f1_low": "round4.heldout3.macro_f1_ci95.0",
        "heldout3_f1_high": "round4.heldout3.macro_f1_ci95.1",
        "fresh1_fp_rate": "round4.fresh1.false_positive_rate",
        "gold_f1": "documents.all.macro_f1",
        "paragraph_f1": "paragraphs.macro_f1",
    },
    "topics": {
        "topics": "n_topics",
        "stable_topics": "ensemble.n_topics_stable",
        "ari_mean": "ensemble.ari_mean",  # agreement between the seeds' solutions
        "npmi": "coherence_npmi",
        "npmi_nmf": "baselines.nmf.coherence_npmi",
        "c_v": "coherence.bertopic.fit.c_v",
        "c_v_nmf": "coherence.nmf.fit.c_v",
        "outlier_share": "outlier_share_output",
    },
    "compare": {
        "agglomeration": "coverage.documents.agglomeration",
        "domestic_other": "coverage.documents.domestic_other",
        "international": "coverage.documents.international",
        "none": "coverage.documents.none",
        "agglomeration_stories": "stories.agglomeration.n_stories",
        "international_stories": "stories.international.n_stories",
        "confident_articles": "confident_only.n_articles",
    },
}
#: `dvc metrics show` stays readable: at most this many columns over all headline files.
MAX_HEADLINE_COLUMNS = 30

_MISSING = object()


def _lookup(metrics: Any, dotted: str) -> Any:
    value = metrics
    for key in dotted.split("."):
        if isinstance(value, dict) and key in value:
            value = value[key]
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return _MISSING
    return value


def headline(stage: str, metrics: dict, mapping: dict[str, dict[str, str]] | None = None) -> dict:
    """The headline numbers of one stage, in the mapping's order.

    Args:
        stage: a stage with a headline (a key of ``mapping``).
        metrics: the content of the stage's full metrics file.
        mapping: defaults to :data:`HEADLINE`.

    Returns:
        ``{short name: number or None}``: None where the path is missing from ``metrics`` or
        holds null (or NaN), so one run's corpus lacking a key never stops a stage.

    Raises:
        TypeError: a path holds a string, a list or a mapping: the mapping names a wrong key.
    """
    found: dict[str, Any] = {}
    for name, dotted in (mapping or HEADLINE)[stage].items():
        value = _lookup(metrics, dotted)
        if value is _MISSING or value is None:
            found[name] = None
        elif isinstance(value, bool) or not isinstance(value, Real):
            raise TypeError(
                f"headline {stage}.{name}: {dotted} holds {type(value).__name__} "
                f"{str(value)[:60]!r}, not a number"
            )
        else:
            found[name] = None if math.isnan(value) else value
    return found


def headline_columns(mapping: dict[str, dict[str, str]] | None = None) -> list[str]:
    """The distinct columns `dvc metrics show` prints for the headline files (names shared
    between stages make one column)."""
    return list(dict.fromkeys(name for names in (mapping or HEADLINE).values() for name in names))


def write_headline(stage: str, metrics_file: str | Path, target: str | Path) -> Path:
    """Write the headline file of ``stage`` from its full metrics file (sorted keys, rounded)."""
    return write_json(target, headline(stage, read_json(metrics_file)))
