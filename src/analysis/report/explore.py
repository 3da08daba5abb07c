"""The offline explorer: one self-contained HTML page of topics and coded articles (docs/explorer.md)."""

from __future__ import annotations

import base64
import hashlib
import html
import json
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import scipy.sparse as sp

from ..core.codebook import COOP_TYPES, SECTORS
from ..core.errors import UserError
from ..core.ids import IdSet
from ..core.io import iter_stage_batches, read_stage_parquet, write_text
from ._explore_articles import article_table, choose_listed_articles, choose_text_articles
from ._explore_topics import (
    class_tfidf,
    layout_bubbles,
    project_topics,
    readable_words,
    topic_prevalence,
)
from .labels import COOP_STYLE, load_labels

__all__ = [
    "build_explorer_data",
    "explorer_html",
    "embed_json",
    "run_explore",
    "DEFAULT_NONE_SAMPLE",
    "DEFAULT_MAX_LISTED",
    "FULL_TABLE",
    "listing_note",
]

#: Articles coded ``none`` whose text the page includes (a seeded sample).
DEFAULT_NONE_SAMPLE = 200
#: The most articles the page lists (params.yaml's explore.max_listed_articles sets it).
DEFAULT_MAX_LISTED = 50_000
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "explore"
_SCRIPTS = ("util.js", "topics.js", "time.js", "articles.js", "evidence.js", "main.js")
#: Added after the others on a page whose article list is capped (explore.max_listed_articles).
_LISTING_SCRIPT = "listing.js"
#: Where the reader finds every article when the page lists only some.
FULL_TABLE = ("data/processed/classified.parquet (document rows; titles, outlets and dates in "
              "data/processed/documents.parquet)")
_SUMMARY_ANCHOR = '<p id="summary" class="lead"></p>\n'
_UNCLASSIFIED = "unclassified"
_UNCLASSIFIED_COLOR = "#888888"
_REPRESENTATIVE_CHARS = 300
_TOPIC_TABLE_COLUMNS = ("topic", "label", "size", "top_words")
_DOCUMENT_COLUMNS = ("doc_id", "outlet", "date", "title", "url", "duplicate_of")


def embed_json(data) -> str:
    """JSON for a ``<script type="application/json">`` element: compact, sorted keys, and with
    ``<``, ``>``, ``&`` and the JavaScript line separators escaped, so no text from the data
    can close the element or start markup.

    Raises:
        ValueError: the data hold NaN or infinity (they have no JSON form).
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      allow_nan=False)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


def _labels(labels: Mapping[str, Mapping[str, str]], kinds, sectors) -> dict:
    """Human labels (en, id) for the codebook ids on the page; unknown ids read as themselves."""
    out = {}
    for prefix, ids in (("coop", kinds), ("coop_short", kinds), ("sector", sectors)):
        for ident in ids:
            key = f"{prefix}.{ident}"
            entry = labels.get(key)
            fallback = ident.replace("_", " ")
            if ident == _UNCLASSIFIED and entry is None:
                fallback = "paragraph not classified"
            out[key] = {"en": entry["en"], "id": entry["id"]} if entry else {"en": fallback,
                                                                              "id": fallback}
    for month in range(1, 13):
        entry = labels.get(f"month.{month}")
        out[f"month.{month}"] = dict(entry) if entry else {"en": str(month), "id": str(month)}
    return out


def _profiles(topics: list[int], row_of: Mapping[int, int], matrix: sp.csr_matrix) -> sp.csr_matrix:
    """c-TF-IDF rows of ``topics`` in that order; a topic without stems gets a zero row."""
    width = max(matrix.shape[1], 1)
    empty = sp.csr_matrix((1, width))
    rows = [matrix[row_of[t]] if t in row_of and matrix.shape[1] else empty for t in topics]
    return sp.csr_matrix(sp.vstack(rows)) if rows else sp.csr_matrix((0, width))


def _topic_entries(assigned: pd.DataFrame, topic_table: pd.DataFrame) -> tuple[list, dict]:
    """Topics (outliers apart) with map position, readable words and c-TF-IDF bar lengths."""
    fitted = assigned[assigned["fitted"]] if "fitted" in assigned.columns else assigned
    ids, vocabulary, matrix = class_tfidf(fitted["stems"].tolist(), fitted["topic"].tolist())
    column = {w: k for k, w in enumerate(vocabulary)}
    row_of = {t: r for r, t in enumerate(ids)}
    table = topic_table.sort_values("topic").reset_index(drop=True)
    real = table[table["topic"] >= 0].reset_index(drop=True)
    words = {int(r.topic): str(r.top_words or "").split() for r in real.itertuples()}
    readable = readable_words(assigned[assigned["topic"] >= 0], words)
    sizes = [int(s) for s in real["size"]]
    bubbles = layout_bubbles(project_topics(_profiles(real["topic"].tolist(), row_of, matrix)),
                             sizes)
    doc_counts = assigned[assigned["topic"] >= 0].groupby("topic")["doc_id"].nunique()
    by_kind: dict[int, dict[str, int]] = {}
    for (topic, kind), n in assigned.groupby(["topic", "article_kind"]).size().items():
        by_kind.setdefault(int(topic), {})[str(kind)] = int(n)
    entries = []
    for k, r in enumerate(real.itertuples()):
        topic = int(r.topic)
        scores = matrix[row_of[topic]] if topic in row_of else None
        bars = []
        for stem in words[topic]:
            score = float(scores[0, column[stem]]) if scores is not None and stem in column else 0.0
            bars.append([stem, readable.get(topic, {}).get(stem, stem.replace("_", " ")),
                         round(score, 4)])
        name = ", ".join(b[1] for b in bars[:4]) or str(r.label)
        text = getattr(r, "representative_text", "")
        text = text if isinstance(text, str) else ""
        x, y, radius = bubbles[k]
        entries.append({"id": topic, "label": str(r.label), "name": name, "size": int(r.size),
                        "articles": int(doc_counts.get(topic, 0)), "words": bars,
                        "kinds": by_kind.get(topic, {}),
                        "rep": text[:_REPRESENTATIVE_CHARS],
                        "x": x, "y": y, "r": radius})
    outliers = table[table["topic"] < 0]
    return entries, {"size": int(outliers["size"].sum()) if len(outliers) else 0}


def build_explorer_data(documents: pd.DataFrame, paragraphs: pd.DataFrame,
                        classified: pd.DataFrame, assignments: pd.DataFrame,
                        topic_table: pd.DataFrame, labels: Mapping[str, Mapping[str, str]], *,
                        seed: int, none_sample: int = DEFAULT_NONE_SAMPLE,
                        max_listed: int | None = None, kinds: pd.Series | None = None,
                        date_range: tuple[str, str] | None = None) -> dict:
    """Everything the page shows, as one JSON-ready dict (sorted, rounded: same input, same bytes).

    Args:
        documents: documents.parquet.
        paragraphs: paragraphs.parquet (``para_id``, ``doc_id``, ``para_index``, ``text``,
            ``tokens``, ``stems``).
        classified: classified.parquet.
        assignments: topics.parquet.
        topic_table: reports/tables/topics/topics.csv.
        labels: the label dictionary of ``analysis.figures.load_labels``.
        seed: seed of the sample of articles coded ``none`` whose text is included, and of
            the sample of the other articles listed when there are more than ``max_listed``.
        none_sample: size of that sample.
        max_listed: the most articles the table lists (None: all); above it the table lists
            the articles of ``choose_listed_articles`` and ``meta`` gains ``n_listed`` and
            ``max_listed``. The summary counts, topics and charts still cover every article.
        kinds: coop_type of every article, indexed by doc_id, when ``classified`` holds the
            document rows of the listed articles only (``run_explore`` at scale); by default
            they are taken from ``classified``.
        date_range: first and last publication date (``YYYY-MM-DD``, "" when none) of every
            article, when the list is capped and ``documents`` holds only some of them; by
            default taken from ``documents``.

    Returns:
        The page's data: ``meta``, ``labels``, ``topics``, ``outliers``, ``time`` and the
        article table of ``article_table``.
    """
    # Input order must not matter: every table is put in one canonical order first.
    documents = documents.sort_values("doc_id", kind="stable").reset_index(drop=True)
    paragraphs = paragraphs.sort_values(["doc_id", "para_index", "para_id"],
                                        kind="stable").reset_index(drop=True)
    classified = classified.sort_values(["doc_id", "level", "para_id"], kind="stable",
                                        na_position="first").reset_index(drop=True)
    assignments = assignments.sort_values("para_id", kind="stable").reset_index(drop=True)
    if kinds is None:
        doc_rows = classified[classified["level"] == "document"].drop_duplicates("doc_id")
        kinds_by_doc = doc_rows.set_index("doc_id")["coop_type"].astype(str)
    else:
        kinds_by_doc = kinds.sort_index(kind="stable")
    text_articles = choose_text_articles(kinds_by_doc, none_sample=none_sample, seed=seed)
    listed = choose_listed_articles(kinds_by_doc, text_articles, max_listed=max_listed, seed=seed)

    para_kind = classified[classified["level"] == "paragraph"].set_index("para_id")["coop_type"]
    by_doc = documents.drop_duplicates("doc_id").set_index("doc_id")
    dates = pd.to_datetime(by_doc["date"] if "date" in by_doc.columns else
                           pd.Series(pd.NaT, index=by_doc.index), errors="coerce")
    assigned = assignments.merge(paragraphs[["para_id", "text", "tokens", "stems"]],
                                 on="para_id", how="left")
    assigned["paragraph_kind"] = assigned["para_id"].map(para_kind).fillna(_UNCLASSIFIED).astype(str)
    assigned["article_kind"] = assigned["doc_id"].map(kinds_by_doc).fillna(_UNCLASSIFIED).astype(str)
    assigned["month"] = assigned["doc_id"].map(dates).dt.strftime("%Y-%m").fillna("")
    topics, outliers = _topic_entries(assigned, topic_table)
    time = {unit: topic_prevalence(assigned.assign(kind=assigned[f"{unit}_kind"]))
            for unit in ("article", "paragraph")}

    if listed is not None:
        classified = classified[classified["doc_id"].isin(listed)]
    table = article_table(documents, paragraphs, classified, assignments,
                          kinds=COOP_TYPES, sectors=SECTORS, text_articles=text_articles)
    extra = sorted({k for t in time.values() for k in t["kinds"]} - set(table["kinds"]))
    colors = {kind: style["color"] for kind, style in COOP_STYLE.items()}
    colors.setdefault(_UNCLASSIFIED, _UNCLASSIFIED_COLOR)
    meta = _meta(kinds_by_doc, table, text_articles, assignments, topics, seed=seed,
                 none_sample=none_sample)
    if listed is not None:  # only then: a page listing every article keeps its bytes
        if date_range is None:
            date_range = _date_range(dates[dates.index.isin(kinds_by_doc.index)])
        meta.update(date_min=date_range[0], date_max=date_range[1],
                    n_listed=len(table["articles"]["id"]), max_listed=max_listed)
    return {"meta": meta,
            "labels": _labels(labels, [*table["kinds"], *extra], table["sectors"]),
            "colors": colors, "topics": topics, "outliers": outliers, "time": time, **table}


def _date_range(dates: pd.Series) -> tuple[str, str]:
    """First and last of some publication dates as ``YYYY-MM-DD`` ("" when there is none)."""
    dates = pd.to_datetime(dates, errors="coerce").dropna()
    if dates.empty:
        return "", ""
    return dates.min().strftime("%Y-%m-%d"), dates.max().strftime("%Y-%m-%d")


def _meta(kinds_by_doc: pd.Series, table: Mapping, text_articles: set[str],
          assignments: pd.DataFrame, topics: list, *, seed: int, none_sample: int) -> dict:
    """The counts the page's summary and "About this page" print."""
    counts = kinds_by_doc.value_counts()
    dated = [d for d in table["articles"]["date"] if d]
    return {
        "n_articles": len(kinds_by_doc),
        "by_kind": {k: int(counts.get(k, 0)) for k in table["kinds"]},
        "n_text": len(text_articles),
        "n_none_text": sum(1 for d in text_articles if kinds_by_doc.get(d) == "none"),
        "none_sample": none_sample,
        "seed": seed,
        "date_min": min(dated, default=""),
        "date_max": max(dated, default=""),
        "n_paragraphs_modelled": len(assignments),
        "n_topics": len(topics),
    }


def listing_note(meta: Mapping) -> str:
    """The sentence a capped page prints under its summary: how many articles it lists, which,
    and where the full table is."""
    return (f"{meta['n_listed']:,} of {meta['n_articles']:,} articles listed (all coded "
            f"articles, a seeded sample of the rest; the full table is {FULL_TABLE}).")


def _csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def explorer_html(data: Mapping, template_dir: Path = TEMPLATE_DIR) -> str:
    """The page: the template with its CSS, scripts and ``data`` inlined.

    The Content-Security-Policy allows only these inline scripts and this stylesheet (by hash)
    and no request of any kind, so even text that slipped past escaping could neither run nor
    load anything.

    Args:
        data: the output of ``build_explorer_data``.
        template_dir: folder with ``explore.html``, ``explore.css`` and the scripts.

    Returns:
        The HTML text.
    """
    page = (template_dir / "explore.html").read_text(encoding="utf-8")
    css = (template_dir / "explore.css").read_text(encoding="utf-8")
    capped = "n_listed" in data["meta"]
    names = (*_SCRIPTS, _LISTING_SCRIPT) if capped else _SCRIPTS
    scripts = [(template_dir / name).read_text(encoding="utf-8") for name in names]
    if capped:
        if page.count(_SUMMARY_ANCHOR) != 1:
            raise RuntimeError(f"explore.html must contain {_SUMMARY_ANCHOR!r} exactly once")
        note = f'    <p id="listing-note" class="lead">{html.escape(listing_note(data["meta"]))}</p>\n'
        page = page.replace(_SUMMARY_ANCHOR, _SUMMARY_ANCHOR + note)
    csp = "; ".join([
        "default-src 'none'",
        "script-src " + " ".join(_csp_hash(s) for s in scripts),
        "style-src " + _csp_hash(css),
        "img-src data:",
        "base-uri 'none'",
        "form-action 'none'",
    ])
    script_tags = "\n".join(f"<script>{s}</script>" for s in scripts)
    replacements = {"{{CSP}}": csp, "{{CSS}}": css, "{{DATA}}": embed_json(data),
                    "{{SCRIPTS}}": script_tags}
    for marker, value in replacements.items():
        if page.count(marker) != 1:
            raise RuntimeError(f"explore.html must contain {marker} exactly once")
        page = page.replace(marker, value)
    return page


def _read_topic_table(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise UserError(f"{path}: not found; run the topics stage first (dvc repro topics)")
    try:
        table = pd.read_csv(path, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise UserError(f"{path}: not a readable CSV ({exc}); rerun the topics stage") from None
    missing = [c for c in _TOPIC_TABLE_COLUMNS if c not in table.columns]
    if missing:
        raise UserError(f"{path}: missing column(s) {', '.join(missing)} "
                        "(see docs/architecture.md); rerun the topics stage")
    table["top_words"] = table["top_words"].fillna("").astype(str)
    return table


def _present(path: Path, wanted: tuple[str, ...]) -> list[str] | None:
    """The ``wanted`` columns the file has (None when it cannot be read: the reader says why)."""
    import pyarrow.parquet as pq

    try:
        names = set(pq.read_schema(path).names)
    except Exception:  # missing or damaged: read_stage_parquet raises the message for it
        return None
    return [c for c in wanted if c in names]


def _checked_columns(path: Path, producer: str, required: tuple[str, ...],
                     optional: tuple[str, ...] = ()) -> list[str]:
    """``required`` and the ``optional`` columns the file has; a missing file or column stops
    with read_stage_parquet's message (only the schema is read)."""
    present = _present(path, (*required, *optional))
    if present is None or any(c not in present for c in required):
        read_stage_parquet(path, producer, required, columns=[], arrow=True)  # raises
    return [*required, *(c for c in optional if c in (present or ()))]


_CODING_COLUMNS = ("level", "doc_id", "para_id", "coop_type", "partners", "sectors", "evidence")
#: Read where present: document confidence and story, and a paragraph's structured cues.
_OPTIONAL_CODING_COLUMNS = ("confidence", "story_id", "cues")


_KIND_COLUMNS = ("level", "doc_id", "para_id", "coop_type")
#: Batches of the big inputs: small, and one row group at a time (core.io.iter_stage_batches).
_BATCHES = {"batch_rows": 20_000, "by_row_group": True}


def _document_kinds(path: Path) -> pd.Series:
    """coop_type of every article, indexed by doc_id in order, from the document rows of
    classified.parquet read in batches of four narrow columns (the first row of a doc_id, by
    para_id with nulls first, as ``build_explorer_data`` takes it)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    parts = [pa.Table.from_batches([b]).filter(pc.equal(b["level"], "document"))
             for b in iter_stage_batches(path, "classify", _KIND_COLUMNS, **_BATCHES)]
    rows = (pa.concat_tables(parts).to_pandas() if parts
            else pd.DataFrame(columns=list(_KIND_COLUMNS)))
    first = (rows.sort_values(["doc_id", "para_id"], kind="stable", na_position="first")
             .drop_duplicates("doc_id"))
    return first.set_index("doc_id")["coop_type"].astype(str)


def _needed_codings(path: Path, assignments: pd.DataFrame, *, shown: set[str],
                    listed: set[str] | None) -> pd.DataFrame:
    """The classified.parquet rows the page uses, read in Arrow batches of the columns it uses:
    the document rows of the listed articles (every article when ``listed`` is None), and the
    paragraph rows of the articles ``shown`` with text and of the modelled paragraphs. The
    paragraph rows of the other articles (nearly all rows at scale, each with its evidence
    note) are never held."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = _checked_columns(path, "classify", _CODING_COLUMNS, _OPTIONAL_CODING_COLUMNS)
    shown_ids = IdSet(shown)
    modelled = IdSet(assignments["para_id"].astype(str).tolist())
    listed_ids = None if listed is None else IdSet(listed)
    parts = []
    for batch in iter_stage_batches(path, "classify", columns, **_BATCHES):
        document = pc.equal(batch["level"], "document")
        if listed_ids is not None:
            document = pc.and_(document, pa.array(listed_ids.contains(batch["doc_id"])))
        paragraph = pc.and_(
            pc.equal(batch["level"], "paragraph"),
            pa.array(shown_ids.contains(batch["doc_id"]) | modelled.contains(batch["para_id"])),
        )
        keep = pc.fill_null(pc.or_(document, paragraph), False)
        parts.append(pa.Table.from_batches([batch]).filter(keep))
    if not parts:
        return pd.DataFrame(columns=columns)
    return pa.concat_tables(parts).to_pandas()


def _needed_documents(path: Path, wanted: set[str], corpus: pd.Index
                      ) -> tuple[pd.DataFrame, tuple[str, str]]:
    """The rows of the ``wanted`` doc_ids of documents.parquet (the columns the page uses),
    read in batches, and the first and last publication date of the ``corpus`` doc_ids."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = _present(path, _DOCUMENT_COLUMNS) or ["doc_id"]
    ids = IdSet(wanted)
    every = pa.array(corpus.astype(str), pa.string())
    parts, id_chunks, date_chunks = [], [], []
    for batch in iter_stage_batches(path, "ingest", ["doc_id"], optional=columns, **_BATCHES):
        wanted_rows = pa.array(ids.contains(batch["doc_id"]))
        parts.append(pa.Table.from_batches([batch]).filter(wanted_rows))
        if "date" in columns:  # two narrow columns; the corpus test runs once, below
            id_chunks.append(batch["doc_id"])
            date_chunks.append(batch["date"])
    documents = (pa.concat_tables(parts).to_pandas() if parts
                 else pd.DataFrame(columns=columns))
    if not date_chunks:
        return documents, ("", "")
    # One membership test over every doc_id: pyarrow builds the corpus's hash set per call,
    # which per batch of a million-article corpus cost most of this function's time.
    in_corpus = pc.is_in(pa.chunked_array(id_chunks), value_set=every)
    dates = pa.chunked_array(date_chunks, type=date_chunks[0].type).filter(in_corpus)
    return documents, _date_range(dates.to_pandas())


def _needed_paragraphs(path: Path, shown: set[str], assignments: pd.DataFrame) -> pd.DataFrame:
    """Only the paragraphs the page uses (modelled ones, and those of articles ``shown`` with
    text), read in batches and filtered in Arrow: at corpus scale the tokens and stems of every
    paragraph would otherwise take most of the memory."""
    import pyarrow as pa

    columns = ["para_id", "doc_id", "para_index", "text", "tokens", "stems"]
    shown_ids = IdSet(shown)
    modelled = IdSet(assignments["para_id"].tolist())
    parts = []
    for batch in iter_stage_batches(path, "preprocess", columns, **_BATCHES):
        keep = shown_ids.contains(batch["doc_id"]) | modelled.contains(batch["para_id"])
        parts.append(pa.Table.from_batches([batch]).filter(pa.array(keep)))
    if not parts:
        return pd.DataFrame(columns=columns)
    return pa.concat_tables(parts).to_pandas()


def run_explore(processed_dir: str | Path = "data/processed",
                topics_dir: str | Path = "reports/tables/topics",
                output: str | Path = "reports/explore/index.html", *,
                labels_path: str | Path | None = None, seed: int = 0,
                none_sample: int = DEFAULT_NONE_SAMPLE,
                max_listed: int | None = DEFAULT_MAX_LISTED) -> Path:
    """Read the stage outputs and write the explorer page.

    Only what the page shows is held: the document kinds of every article (two narrow
    columns), and the rows of documents.parquet, classified.parquet and paragraphs.parquet of
    the listed articles, of the articles shown with text and of the modelled paragraphs, each
    file read in batches.

    Args:
        processed_dir: folder with documents, paragraphs, classified and topics ``.parquet``.
        topics_dir: folder with ``topics.csv`` (the topics stage's table).
        output: the HTML file to write.
        labels_path: ``labels_figures.csv`` (default: the project's).
        seed: seed of the samples (articles coded ``none`` shown with text; articles listed
            in a corpus of more than ``max_listed``).
        none_sample: size of the first sample (0: none).
        max_listed: the most articles the page lists (params.yaml's
            ``explore.max_listed_articles``; None: all).

    Returns:
        The path written.

    Raises:
        UserError: an input is missing or unreadable (the message names the stage to rerun),
            ``none_sample`` is negative or ``max_listed`` is less than 1.
    """
    if none_sample < 0:
        raise UserError(f"--none-sample = {none_sample}: must be 0 or more")
    if max_listed is not None and max_listed < 1:
        raise UserError(f"--max-listed-articles = {max_listed}: must be 1 or more "
                        "(explore.max_listed_articles in params.yaml)")
    folder = Path(processed_dir)
    classified_path = folder / "classified.parquet"
    # a missing or damaged file stops before the long reads (only the schema is read)
    _checked_columns(folder / "documents.parquet", "ingest", ("doc_id",))
    _checked_columns(classified_path, "classify", _CODING_COLUMNS)
    assignments = read_stage_parquet(folder / "topics.parquet", "topics",
                                     ["para_id", "doc_id", "topic"])
    kinds = _document_kinds(classified_path)
    shown = choose_text_articles(kinds, none_sample=none_sample, seed=seed)
    listed = choose_listed_articles(kinds, shown, max_listed=max_listed, seed=seed)
    classified = _needed_codings(classified_path, assignments, shown=shown, listed=listed)
    date_range = None
    if listed is None:
        documents = read_stage_parquet(folder / "documents.parquet", "ingest", ["doc_id"],
                                       columns=_present(folder / "documents.parquet",
                                                        _DOCUMENT_COLUMNS))
    else:  # the listed articles, the modelled paragraphs' articles (time chart), all dates
        documents, date_range = _needed_documents(
            folder / "documents.parquet", listed | set(assignments["doc_id"].astype(str)),
            kinds.index)
    paragraphs = _needed_paragraphs(folder / "paragraphs.parquet", shown, assignments)
    topic_table = _read_topic_table(Path(topics_dir) / "topics.csv")
    data = build_explorer_data(documents, paragraphs, classified, assignments, topic_table,
                               load_labels(labels_path), seed=seed, none_sample=none_sample,
                               max_listed=max_listed, kinds=kinds, date_range=date_range)
    return write_text(output, explorer_html(data))
