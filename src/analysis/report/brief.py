"""Build the English and Indonesian PDF policy briefs from the metrics and figures, with Typst."""

from __future__ import annotations

import json
import shutil
import string
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import yaml

from ..core.codebook import COOP_TYPES
from ..core.config import load_params
from ..core.errors import UserError
from ..core.io import atomic_path

__all__ = [
    "LANGUAGES",
    "NumberFormat",
    "build_briefs",
    "brief_data",
    "load_strings",
    "load_metrics",
    "load_citation",
    "source_commit",
]

LANGUAGES = ("en", "id")
# A brief reports on the pipeline that made it: the newest commit touching any of these is the
# one a reader must check out to get the same numbers. reports/ is left out, so committing a
# regenerated brief does not make the commit printed inside it stale.
PIPELINE_INPUTS = ("src", "notebooks", "data/raw", "data/lexicons", "params.yaml", "dvc.yaml",
                   "templates")

# Keys the brief cannot be written without. Everything else it reads is optional: when a key
# is missing, the sentences that need it are left out.
REQUIRED_COMPARE_KEYS = (
    ("corpus", "n_documents"),
    ("corpus", "n_outlets"),
    ("coverage", "documents"),
)

# How much of each list is printed: enough to inform, short enough for 2-4 pages.
_TOP_SECTORS = 3
_TOP_PARTNERS = 3
_TOP_TERMS = 6
_TOP_OUTLETS = 8

_NBSP = "\u00a0"
_WORD_JOINER = "\u2060"


# ---------------------------------------------------------------------------------------------
# Numbers: one formatter per kind, used both to write the brief and by the tests that read it.


@dataclass(frozen=True)
class NumberFormat:
    """How one language writes counts, decimals, shares and dates (``format`` in its strings)."""

    thousands: str
    decimal_mark: str
    percent_pattern: str  # "{value}%" / "{value} persen"
    range_pattern: str  # "{low}–{high}%" / "{low}–{high} persen"
    below_one_pattern: str  # what a share under half a percent prints as
    months: tuple[str, ...]
    date_pattern: str  # "{day} {month} {year}"

    @classmethod
    def from_strings(cls, strings: Mapping[str, Any]) -> NumberFormat:
        block = strings["format"]
        # A number and its unit stay on one line: "45 persen" never breaks after "45".
        return cls(
            thousands=block["thousands"],
            decimal_mark=block["decimal"],
            percent_pattern=block["percent"].replace(" ", _NBSP),
            range_pattern=block["percent_range"].replace(" ", _NBSP),
            below_one_pattern=block["below_one_percent"].replace(" ", _NBSP),
            months=tuple(block["months"]),
            date_pattern=block["date"],
        )

    def count(self, value: int) -> str:
        """A whole number with the thousands separator: ``1,234`` / ``1.234``."""
        return f"{int(value):,}".replace(",", self.thousands)

    def decimal(self, value: float, digits: int = 2) -> str:
        """A score such as macro-F1, rounded half up: ``0.85`` / ``0,85``."""
        rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
        whole, _, fraction = f"{rounded:f}".partition(".")
        sign = "-" if whole.startswith("-") else ""
        whole = sign + self.count(int(whole.lstrip("-")))
        return f"{whole}{self.decimal_mark}{fraction}" if fraction else whole

    @staticmethod
    def _whole_percent(share: float) -> int:
        return int(Decimal(str(share)).scaleb(2).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def percent(self, share: float) -> str:
        """A share in [0, 1] as a whole percentage: ``45%`` / ``45 persen``."""
        if 0 < share < 0.005:
            return self.below_one_pattern
        return self.percent_pattern.format(value=self._whole_percent(share))

    def percent_range(self, low: float, high: float) -> str:
        """A confidence interval of shares: ``30–60%`` / ``30–60 persen``."""
        text = self.range_pattern.format(low=self._whole_percent(low),
                                         high=self._whole_percent(high))
        return text.replace("–", "–" + _WORD_JOINER)  # never break a line inside the range

    def date(self, iso_date: str) -> str:
        """An ISO date (time part ignored) as ``11 August 2025`` / ``11 Agustus 2025``."""
        try:
            year, month, day = (int(part) for part in str(iso_date)[:10].split("-"))
            month_name = self.months[month - 1]
        except (ValueError, IndexError):
            raise UserError(f"date {iso_date!r} in the metrics is not YYYY-MM-DD") from None
        return self.date_pattern.format(day=day, month=month_name, year=year)


# ---------------------------------------------------------------------------------------------
# Inputs: strings, metrics, commit.


def load_strings(template_dir: str | Path, language: str) -> dict[str, Any]:
    """Read ``strings_<language>.yaml`` from the template folder.

    Raises:
        UserError: the file is missing or is not a YAML mapping with a ``format`` block.
    """
    path = Path(template_dir) / f"strings_{language}.yaml"
    if not path.is_file():
        raise UserError(f"{path}: strings for the {language!r} brief not found")
    try:
        strings = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise UserError(f"{path}: not valid YAML ({exc})") from None
    missing = [key for key in ("format", "text", "figures", "figures_dir", "sectors", "items")
               if not isinstance(strings, dict) or key not in strings]
    if missing:
        raise UserError(f"{path}: missing top-level key(s) {', '.join(missing)}")
    return strings


def load_metrics(metrics_dir: str | Path) -> dict[str, dict[str, Any]]:
    """Read ``compare.json`` (required) and ``ingest``/``classify``/``topics.json`` (optional).

    Returns:
        ``{"compare": {...}, "ingest": {...}, ...}``; a missing optional file gives ``{}``.

    Raises:
        UserError: compare.json or one of its required keys is missing, or a file is not JSON.
    """
    metrics_dir = Path(metrics_dir)
    metrics: dict[str, dict[str, Any]] = {}
    for name in ("compare", "ingest", "classify", "topics"):
        path = metrics_dir / f"{name}.json"
        if not path.is_file():
            if name == "compare":
                raise UserError(f"{path}: not found; run the compare stage (dvc repro compare)")
            metrics[name] = {}
            continue
        try:
            value = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise UserError(f"{path}: not valid JSON ({exc})") from None
        if not isinstance(value, dict):
            raise UserError(f"{path}: expected a JSON object, got {type(value).__name__}")
        metrics[name] = value
    compare_path = metrics_dir / "compare.json"
    for keys in REQUIRED_COMPARE_KEYS:
        if _dig(metrics["compare"], *keys) is None:
            raise UserError(
                f"{compare_path}: required key {'.'.join(keys)} is missing; the brief needs it "
                "(see docs/architecture.md, reports/metrics/compare.json)"
            )
    return metrics


def source_commit(project_root: str | Path) -> tuple[str | None, bool]:
    """The commit a reader must check out to rebuild the brief, and whether it has local edits.

    Returns:
        ``(hash, dirty)``: the first 12 hex digits of the newest commit that touched a pipeline
        input (``PIPELINE_INPUTS``), and True when ``git status`` shows uncommitted changes to
        those inputs. ``(None, False)`` outside a git checkout or when git is unavailable.
    """
    root = Path(project_root)

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(root), *args], capture_output=True,
                                  text=True, check=False, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout if done.returncode == 0 else None

    top = git("rev-parse", "--show-toplevel")
    if top is None or Path(top.strip()).resolve() != root.resolve():
        return None, False  # not a checkout, or the project is a sub-folder of another repo
    log = git("log", "-1", "--format=%H", "--", *PIPELINE_INPUTS)
    if not log or not log.strip():
        return None, False
    status = git("status", "--porcelain", "--untracked-files=all", "--", *PIPELINE_INPUTS)
    return log.strip()[:12], bool(status and status.strip())


# ---------------------------------------------------------------------------------------------
# From metrics to the brief's sentences.


def _dig(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, Mapping) or key not in data:
            return None
        data = data[key]
    return data


def _number(value: Any) -> float | None:
    """A usable number, or None (missing, null, NaN, text)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if value != value:  # NaN
        return None
    return value


def _readable(token: str) -> str:
    """A joined multiword token (``kuala_lumpur``) as words, for readers."""
    return " ".join(token.replace("_", " ").split())


def _topic_names(entry: Mapping[str, Any]) -> tuple[str, str]:
    """A compare.json topic's label in readable words (``label_readable``, from topics.csv;
    the stems where an older compare.json lacks it) and its stem label."""
    stems = _readable(str(entry["label"]))
    readable = entry.get("label_readable")
    if isinstance(readable, str) and readable.strip():
        return _readable(readable), stems
    return stems, stems


def _join(items: list[str], strings: Mapping[str, Any]) -> str:
    fmt = strings["format"]
    if len(items) <= 1:
        return "".join(items)
    return fmt["list_sep"].join(items[:-1]) + fmt["list_and"] + items[-1]


def _fill(template: str, facts: Mapping[str, str]) -> str | None:
    """Fill ``{name}`` fields from ``facts``; None when any field has no value."""
    fields = [name for _, name, _, _ in string.Formatter().parse(template) if name]
    if any(facts.get(name) in (None, "") for name in fields):
        return None
    return template.format(**{name: facts[name] for name in fields})


def _fill_all(templates: list[str], facts: Mapping[str, str]) -> list[str]:
    return [text for text in (_fill(t, facts) for t in templates) if text is not None]


def load_citation(project_root: str | Path) -> dict[str, str]:
    """Title, authors and version from the project's CITATION.cff; ``{}`` when it is absent.

    Raises:
        UserError: the file exists but is not valid YAML.
    """
    path = Path(project_root) / "CITATION.cff"
    if not path.is_file():
        return {}
    try:
        cff = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise UserError(f"{path}: not valid YAML ({exc})") from None
    names = []
    for author in cff.get("authors") or []:
        if isinstance(author, Mapping):
            name = author.get("name") or " ".join(
                str(author[k]) for k in ("given-names", "family-names") if author.get(k))
            if name:
                names.append(str(name))
    citation = {"cite_title": cff.get("title"), "cite_version": cff.get("version"),
                "cite_authors": ", ".join(names)}
    return {key: str(value) for key, value in citation.items() if value}


def _facts(metrics: Mapping[str, Mapping[str, Any]], params: Any,
           strings: Mapping[str, Any], commit: tuple[str | None, bool],
           citation: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every value a sentence may use, already formatted for the language; missing ones absent.

    One piece: a flat list of facts, each formatted from one metrics key.
    """
    fmt = NumberFormat.from_strings(strings)
    items = strings["items"]
    compare = metrics["compare"]
    facts: dict[str, str] = {"focal": params.compare.focal, **(citation or {})}

    def put(name: str, value: str | None) -> None:
        if value not in (None, ""):
            facts[name] = value

    n_documents = _number(_dig(compare, "corpus", "n_documents"))
    if not n_documents:
        raise UserError("compare.json: corpus.n_documents is 0 or not a number; nothing to brief")
    put("n_documents", fmt.count(n_documents))
    n_outlets = _number(_dig(compare, "corpus", "n_outlets"))
    put("n_outlets", fmt.count(n_outlets) if n_outlets is not None else None)
    n_paragraphs = _number(_dig(compare, "corpus", "n_paragraphs"))
    put("n_paragraphs", fmt.count(n_paragraphs) if n_paragraphs is not None else None)
    outlets = [str(o) for o in (_dig(compare, "corpus", "outlets") or []) if o]
    if outlets:
        shown = outlets[:_TOP_OUTLETS]
        if len(outlets) > len(shown):
            shown.append(items["more"].format(n=fmt.count(len(outlets) - len(shown))))
        put("outlets_list", _join(shown, strings))
    for key in ("date_min", "date_max"):
        value = _dig(compare, "corpus", key)
        put(key, fmt.date(value) if value else None)

    documents = _dig(compare, "coverage", "documents")
    if not isinstance(documents, Mapping):
        raise UserError("compare.json: coverage.documents must map coop_type to a count")
    # A kind with no article gets no count ("0 (0%)" reads badly); sentences written for zero
    # use all_if_no_<kind> (the number of articles) instead, so each count has its own wording.
    counts = {coop: _number(documents.get(coop, 0)) or 0 for coop in COOP_TYPES}
    for coop, count in counts.items():
        if count:
            put(f"n_{coop}", fmt.count(count))
            put(f"share_{coop}", fmt.percent(count / n_documents))
        else:
            put(f"all_if_no_{coop}", fmt.count(n_documents))
    if not counts["agglomeration"] and not counts["international"]:
        put("all_if_no_contrast", fmt.count(n_documents))

    for coop in ("agglomeration", "international"):
        sectors = _dig(compare, "sectors", coop) or {}
        described = []
        for sector in (_dig(compare, "top_sectors", coop) or [])[:_TOP_SECTORS]:
            stats = sectors.get(sector, {}) if isinstance(sectors, Mapping) else {}
            share, low, high = (_number(stats.get(k)) for k in ("share", "ci_low", "ci_high"))
            name = strings["sectors"].get(sector, str(sector).replace("_", " "))
            if share is None:
                described.append(name)
            elif low is None or high is None:
                described.append(items["sector_share"].format(
                    sector=name, share=fmt.percent(share)))
            else:
                described.append(items["sector_share_ci"].format(
                    sector=name, share=fmt.percent(share), ci=fmt.percent_range(low, high)))
        put(f"top_sectors_{coop}", _join(described, strings) if described else None)

        terms = [str(t.get("term")) for t in (_dig(compare, "distinctive_terms", coop) or [])
                 if isinstance(t, Mapping) and t.get("term")][:_TOP_TERMS]
        put(f"terms_{coop}", _join([items["term"].format(term=_readable(t)) for t in terms],
                                   strings))

        partners = []
        for entry in (_dig(compare, "partners", coop) or [])[:_TOP_PARTNERS]:
            n = _number(entry.get("n_documents")) if isinstance(entry, Mapping) else None
            if not isinstance(entry, Mapping) or not entry.get("partner") or n is None:
                continue
            template = items["partner_one"] if n == 1 else items["partner_many"]
            partners.append(template.format(partner=entry["partner"], n=fmt.count(n)))
        put(f"partners_{coop}", _join(partners, strings) if partners else None)

        # Only stable topics (topics.json topic_stability) are named as findings.
        unstable = _unstable_topics(metrics.get("topics", {}))
        topics = [t for t in (_dig(compare, "topics", coop) or [])
                  if isinstance(t, Mapping) and t.get("label") and _number(t.get("share"))
                  is not None and t.get("topic") != -1 and str(t.get("topic")) not in unstable]
        if topics:
            top = max(topics, key=lambda t: t["share"])
            shown, stems = _topic_names(top)
            put(f"topic_{coop}", shown)
            put(f"topic_share_{coop}", fmt.percent(top["share"]))
            if "topic_named" not in facts and stems.lower() != shown.lower():
                # one example of a readable label and the stems it stands for (method section)
                put("topic_named", shown)
                put("topic_named_stems", stems)

    ingest = metrics.get("ingest", {})
    for key, phrase in (("n_duplicates", "duplicates"), ("n_rejects", "rejects")):
        value = _number(ingest.get(key))
        put(key, fmt.count(value) if value is not None else None)
        if value is not None:
            form = "none" if value == 0 else "one" if value == 1 else "many"
            put(f"{phrase}_set_aside", items[f"{phrase}_{form}"].format(n=fmt.count(value)))

    # The honest accuracy figure for readers is the one on gold articles kept aside while the
    # rules were written (classify.json documents.heldout_all), not the score on all gold
    # articles, which includes those the rules were developed on.
    classify = metrics.get("classify", {})
    documents_eval = classify.get("documents", {}) if isinstance(classify, Mapping) else {}
    heldout = documents_eval.get("heldout_all") if isinstance(documents_eval, Mapping) else None
    if isinstance(heldout, Mapping) and _number(heldout.get("macro_f1")) is not None:
        macro_f1, n_gold = _number(heldout.get("macro_f1")), _number(heldout.get("n"))
    else:
        macro_f1 = _number(_first(classify, ("macro_f1",), ("gold", "macro_f1")))
        n_gold = _number(_first(classify, ("n_gold",), ("gold", "n_documents"), ("gold", "n")))
    put("macro_f1", fmt.decimal(macro_f1) if macro_f1 is not None else None)
    put("n_gold", fmt.count(n_gold) if n_gold is not None else None)

    # round 4: articles vs stories, and the articles with strong evidence (compare.json)
    stories = _dig(compare, "stories")
    if isinstance(stories, Mapping) and stories:
        n_stories = sum(_number(v.get("n_stories")) or 0 for v in stories.values()
                        if isinstance(v, Mapping))
        put("n_stories", fmt.count(n_stories))
    for name, key in (("n_coded", "n_articles_all"), ("n_confident", "n_articles")):
        value = _number(_dig(compare, "confident_only", key))
        put(name, fmt.count(value) if value is not None else None)

    topics_metrics = metrics.get("topics", {})
    n_topics = _number(_first(topics_metrics, ("n_topics",)))
    put("n_topics", fmt.count(n_topics) if n_topics is not None else None)
    for name, value in _topic_quality_facts(topics_metrics, fmt, items).items():
        put(name, value)

    put("ci_level", fmt.percent(params.compare.ci_level))
    put("n_bootstrap", fmt.count(params.compare.n_bootstrap))
    put("min_bootstrap_docs", fmt.count(params.compare.min_bootstrap_docs))

    commit_hash, dirty = commit
    if commit_hash is None:
        put("commit", strings["text"]["commit_unknown"])
    else:
        put("commit_hash", commit_hash)
        put("commit", commit_hash + (strings["text"]["commit_dirty"] if dirty else ""))
    return facts


def _unstable_topics(topics_metrics: Mapping[str, Any]) -> set[str]:
    """Ids (as strings) of the topics topics.json flags unstable (``topic_stability``)."""
    stability = _dig(topics_metrics, "topic_stability")
    if not isinstance(stability, Mapping):
        return set()
    return {str(k) for k, v in stability.items() if isinstance(v, Mapping) and v.get("stable") is False}


def _topic_quality_facts(topics_metrics: Mapping[str, Any], fmt: NumberFormat,
                         items: Mapping[str, str]) -> dict[str, str | None]:
    """The topic-stability and coherence facts of the method sentences (topics.json).

    Stability: the ensemble's size and mean pairwise ARI, and how many topics of the published
    run recur (``n_topics_unstable`` only when some do not, ``n_topics_all_stable`` only when
    all do). Coherence: C_V of BERTopic and NMF against the larger reference when there is
    one, as ``cv_bertopic``/``cv_nmf`` when BERTopic is at least as coherent on C_V and NPMI,
    else as ``cv_bertopic_behind``/``cv_nmf_ahead`` (the sentence that states the loss).
    """
    facts: dict[str, str | None] = {}
    ensemble = _dig(topics_metrics, "ensemble")
    if isinstance(ensemble, Mapping) and (_number(ensemble.get("n_seeds")) or 0) > 1:
        ari = _number(ensemble.get("ari_mean"))
        facts["n_seeds"] = fmt.count(_number(ensemble["n_seeds"]))
        facts["ari_mean"] = fmt.decimal(ari) if ari is not None else None
        stable, unstable = (_number(ensemble.get(k)) for k in ("n_topics_stable", "n_topics_unstable"))
        if stable is not None and unstable is not None:
            facts["n_topics_stable"] = fmt.count(stable)
            facts["n_topics_unstable" if unstable else "n_topics_all_stable"] = (
                fmt.count(unstable) if unstable else fmt.count(stable))
    verdict = _dig(topics_metrics, "coherence_verdict")
    coherence = _dig(topics_metrics, "coherence")
    if isinstance(verdict, Mapping) and isinstance(coherence, Mapping):
        ref = str(verdict.get("reference"))
        ours = _number(_dig(coherence, "bertopic", ref, "c_v"))
        nmf = _number(_dig(coherence, "nmf", ref, "c_v"))
        n_ref = _number(_dig(coherence, "references", ref, "n_paragraphs"))
        if ours is not None and nmf is not None and n_ref is not None:
            facts["coherence_reference"] = items["reference_large" if ref == "reference"
                                                 else "reference_fit"].format(n=fmt.count(n_ref))
            wins = verdict.get("bertopic_at_least_nmf") is True
            facts["cv_bertopic" if wins else "cv_bertopic_behind"] = fmt.decimal(ours)
            facts["cv_nmf" if wins else "cv_nmf_ahead"] = fmt.decimal(nmf)
    return facts


def _first(data: Mapping[str, Any], *paths: tuple[str, ...]) -> Any:
    """The value at the first of several key paths that exists (schemas still settling)."""
    for path in paths:
        value = _dig(data, *path)
        if value is not None:
            return value
    return None


def brief_data(metrics: Mapping[str, Mapping[str, Any]], params: Any,
               strings: Mapping[str, Any], commit: tuple[str | None, bool],
               citation: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Everything the Typst template prints, as final text for one language.

    Sentences come from the strings file with ``{placeholders}`` filled by formatted values
    from the metrics; a sentence whose value is missing is left out, so the brief never
    prints "None" or an empty number.

    Args:
        metrics: as returned by ``load_metrics``.
        params: validated params.yaml (``compare.ci_level``, ``n_bootstrap``, ``focal``).
        strings: as returned by ``load_strings``.
        commit: as returned by ``source_commit``.
        citation: as returned by ``load_citation`` (optional).

    Returns:
        A JSON-ready dict (see templates/brief/brief.typ for how each key is laid out).
    """
    facts = _facts(metrics, params, strings, commit, citation)
    text = strings["text"]
    sections = {
        name: _fill_all(text[name], facts)
        for name in ("question", "findings", "data", "method", "limitations", "reproduce")
    }
    return {
        "language": strings["language"],
        "kicker": text["kicker"],
        "title": text["title"],
        "subtitle": _fill(text["subtitle"], facts) or "",
        "findings_note": _fill(text.get("findings_note", ""), facts) or "",
        "headings": dict(text["headings"]),
        "figure_supplement": text["figure_supplement"],
        "page_label": text["page_label"],
        **sections,
        "commands": _fill_all(text["commands"], facts),
        "citation": next(iter(_fill_all(text["citation"], facts)), ""),
        "figures": [
            {"name": figure["name"], "caption": _fill(figure["caption"], facts) or ""}
            for figure in strings["figures"]
        ],
        "facts": facts,
    }


# ---------------------------------------------------------------------------------------------
# Typst.


def _figure_paths(reports_dir: Path, strings: Mapping[str, Any]) -> list[Path]:
    paths = []
    for figure in strings["figures"]:
        path = reports_dir / strings["figures_dir"] / f"{figure['name']}.svg"
        if not path.is_file():
            raise UserError(
                f"{path}: figure {figure['name']!r} for the {strings['language']} brief not "
                "found; run the compare stage (dvc repro compare) or change the figure list "
                "in the brief's strings file"
            )
        paths.append(path)
    return paths


def _compile(template_dir: Path, data: dict[str, Any], figures: list[Path]) -> bytes:
    import typst

    template = template_dir / "brief.typ"
    if not template.is_file():
        raise UserError(f"{template}: brief template not found")
    fonts = template_dir / "fonts"
    with tempfile.TemporaryDirectory(prefix="brief-") as tmp:
        # Typst reads files only below its root; one scratch folder holds the template, the
        # data and the figures, wherever reports/ and templates/ live.
        build = Path(tmp)
        shutil.copy(template, build / "brief.typ")
        data = {**data, "figures": [
            {**figure, "file": f"figure-{i}.svg"} for i, figure in enumerate(data["figures"])]}
        for i, path in enumerate(figures):
            shutil.copy(path, build / f"figure-{i}.svg")
        (build / "data.json").write_text(json.dumps(data, ensure_ascii=False, indent=1),
                                         encoding="utf-8")
        try:
            return typst.compile(
                str(build / "brief.typ"),
                root=str(build),
                font_paths=[str(fonts)] if fonts.is_dir() else [],
                ignore_system_fonts=True,  # same fonts, same line breaks, on every machine
                sys_inputs={"data": "data.json"},
            )
        except typst.TypstError as exc:
            raise UserError(f"{template}: Typst could not build the brief: {exc}") from None


def build_briefs(reports_dir: str | Path = "reports", template_dir: str | Path = "templates/brief",
                 params_file: str | Path = "params.yaml") -> list[Path]:
    """Write ``brief_en.pdf`` and ``brief_id.pdf`` into ``reports_dir``.

    Every number comes from ``reports_dir/metrics/*.json`` (and the confidence level from
    params.yaml); figures are ``<figures_dir>/<name>.svg`` as listed in each language's strings
    file. Output is byte-identical across runs: no dates in the PDF, bundled fonts only.

    Args:
        reports_dir: folder with ``metrics/`` and ``figures/``; the PDFs are written here.
        template_dir: folder with ``brief.typ`` and ``strings_<language>.yaml``.
        params_file: params.yaml; its folder is the project root, whose commit and
            CITATION.cff (title, authors, version) the brief prints.

    Returns:
        The two PDF paths, English first.

    Raises:
        UserError: a metrics file, required key, figure, strings file or the template is
            missing or unusable.
    """
    reports_dir, template_dir = Path(reports_dir), Path(template_dir)
    params_file = Path(params_file)
    params = load_params(params_file, check_paths=False)
    metrics = load_metrics(reports_dir / "metrics")
    project_root = params_file.resolve().parent
    commit = source_commit(project_root)
    citation = load_citation(project_root)
    written = []
    for language in LANGUAGES:
        strings = load_strings(template_dir, language)
        data = brief_data(metrics, params, strings, commit, citation)
        pdf = _compile(template_dir, data, _figure_paths(reports_dir, strings))
        target = reports_dir / f"brief_{language}.pdf"
        written.append(_write_bytes(target, pdf))
    return written


def _write_bytes(target: Path, payload: bytes) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_bytes(payload)
    return target
