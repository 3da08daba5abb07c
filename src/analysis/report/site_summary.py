"""What the reader index says about the results, taken from the brief's own computation."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core.config import load_params
from .brief import brief_data, load_citation, load_metrics, load_strings, source_commit

__all__ = ["SiteSummary", "site_summary"]


@dataclass(frozen=True)
class SiteSummary:
    """Plain-text facts for the index page (escaped by its template)."""

    findings: tuple[str, ...]
    n_documents: str
    date_min: str
    date_max: str
    commit: str
    briefs: tuple[tuple[str, str], ...]  # (label, href relative to the index page)


def site_summary(
    reports_dir: str | Path, template_dir: str | Path, params_file: str | Path, language: str = "en"
) -> SiteSummary:
    """The brief's key findings, corpus size, date range and commit, in ``language``.

    The sentences come from :func:`analysis.report.brief.brief_data` on the same metrics files
    as the PDF briefs, so the index and the briefs cannot disagree.

    Args:
        reports_dir: folder with ``metrics/*.json`` and the PDF briefs.
        template_dir: the brief's template folder (``strings_<language>.yaml``).
        params_file: params.yaml; its folder is the project root whose commit is printed.
        language: language of the sentences.
    """
    reports_dir, params_file = Path(reports_dir), Path(params_file)
    params = load_params(params_file, check_paths=False)
    metrics = load_metrics(reports_dir / "metrics")
    root = params_file.resolve().parent
    data = brief_data(
        metrics,
        params,
        load_strings(template_dir, language),
        source_commit(root),
        load_citation(root),
    )
    facts = data["facts"]
    briefs = (
        ("Policy brief (English, PDF)", "../brief_en.pdf"),
        ("Ringkasan kebijakan (Bahasa Indonesia, PDF)", "../brief_id.pdf"),
    )
    return SiteSummary(
        findings=tuple(data["findings"]),
        n_documents=facts.get("n_documents", ""),
        date_min=facts.get("date_min", ""),
        date_max=facts.get("date_max", ""),
        commit=facts.get("commit", ""),
        briefs=briefs,
    )
