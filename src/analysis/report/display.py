"""Show a DataFrame to readers: captioned, labelled, rounded, clipped and scrollable HTML."""

from __future__ import annotations

import html
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from ..core.codebook import COOP_TYPES, SECTORS
from .labels import label

__all__ = ["ReaderTable", "show_table", "format_cell", "coop_label", "sector_label"]

#: Columns whose floats are proportions, shown as percentages.
_SHARE_PREFIXES = ("share", "ci_low", "ci_high", "boot_", "wilson_", "rate", "prevalence")
#: Columns whose floats are z-scores or log-odds, shown with two decimals.
_Z_NAMES = ("z", "delta", "z_score", "log_odds")
_COOP_COLUMNS = ("coop_type", "gold", "predicted_type")
_SECTOR_COLUMNS = ("sector", "sectors")
_HEADERS = {
    "coop_type": "kind of cooperation",
    "n_documents": "documents",
    "n_docs": "documents",
    "n_paragraphs": "paragraphs",
    "n_outlets": "outlets",
    "n_units": "units",
    "n_words": "words",
    "n_mentioning": "mentioning",
    "share_documents": "share of documents",
    "share_paragraphs": "share of paragraphs",
    "date_min": "first date",
    "date_max": "last date",
    "doc_id": "document",
    "duplicate_of": "duplicate of",
    "top_words": "top words",
    "ci_low": "CI low",
    "ci_high": "CI high",
    "ci_method": "CI method",
}


#: Suffix of a column holding the readable form of the column named without it (topic labels:
#: ``label_readable`` beside the stems in ``label``).
_READABLE = "_readable"


def _readable_first(df: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Each ``X_readable`` column moved just before ``X``, and headers that say which is which:
    ``X_readable`` is shown as ``X``, ``X`` as ``X (stems)``."""
    names = [str(c) for c in df.columns]
    pairs = {n[: -len(_READABLE)]: n for n in names
             if n.endswith(_READABLE) and n[: -len(_READABLE)] in names}
    if not pairs:
        return df, {}
    order: list[str] = []
    for name in names:
        if name in pairs.values():
            continue
        order += [pairs[name], name] if name in pairs else [name]
    headers = {}
    for stem_column, readable in pairs.items():
        shown = _HEADERS.get(stem_column) or stem_column.replace("_", " ")
        headers[readable], headers[stem_column] = shown, f"{shown} (stems)"
    return df[order], headers


def coop_label(value: str) -> str:
    """English label of a coop_type id (unknown values are returned unchanged)."""
    return label(f"coop.{value}") if value in COOP_TYPES else value


def sector_label(value: str) -> str:
    """English label of a sector id (unknown values are returned unchanged)."""
    return label(f"sector.{value}") if value in SECTORS else value


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _kind(column: str, values: pd.Series) -> str:
    name = str(column).lower()
    if name in _COOP_COLUMNS:
        return "coop"
    if name in _SECTOR_COLUMNS:
        return "sectors"
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        return "text"
    if name.startswith(_SHARE_PREFIXES) or name.endswith("_share"):
        return "percent"
    if name in _Z_NAMES:
        return "z"
    present = [v for v in values if not _is_missing(v)]
    if all(float(v).is_integer() for v in present):
        return "count"
    return "decimal"


def format_cell(value: Any, kind: str = "text") -> str:
    """One cell as plain text for readers: missing is blank, numbers rounded by ``kind``.

    Kinds: ``percent`` (0.351852 -> "35.2%"), ``z`` and ``decimal`` (two decimals), ``count``
    (an integer), ``coop`` and ``sectors`` (codebook ids -> English labels; a list or a
    ``;``-separated string of sectors is joined with commas), ``text`` (as is; lists joined).
    """
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist") and not isinstance(
            value, (str, numbers.Number)):
        items = [v for v in (value.tolist() if hasattr(value, "tolist") else value)
                 if not _is_missing(v)]
        return ", ".join(format_cell(v, kind) for v in items)
    if _is_missing(value):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else str(value)
    if kind == "coop":
        return coop_label(str(value))
    if kind == "sectors":
        parts = [p.strip() for p in str(value).split(";") if p.strip()]
        return ", ".join(sector_label(p) for p in parts)
    if isinstance(value, bool) or not isinstance(value, numbers.Number):
        return str(value)
    if kind == "percent":
        return f"{float(value) * 100:.1f}%"
    if kind == "count":
        return f"{int(round(float(value)))}"
    if kind in ("z", "decimal"):
        return f"{float(value):.2f}"
    if isinstance(value, float) or hasattr(value, "is_integer"):  # a number among texts
        number = float(value)
        return str(int(number)) if number.is_integer() else f"{number:.3f}".rstrip("0")
    return str(value)


def _cell_html(text: str, clip: int) -> str:
    if len(text) <= clip:
        return html.escape(text)
    short = text[:clip].rsplit(" ", 1)[0] if " " in text[:clip] else text[:clip]
    return (f'<details class="cell-more"><summary>{html.escape(short)}…</summary>'
            f"{html.escape(text)}</details>")


class ReaderTable:
    """A table ready to show: ``_repr_html_`` for notebooks, ``str()`` for plain text."""

    def __init__(self, html_text: str, plain: str) -> None:
        self.html = html_text
        self.plain = plain

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.plain

    def __str__(self) -> str:
        return self.plain


def show_table(df: pd.DataFrame | pd.Series | None, caption: str, *,
               empty: str = "The table is empty.",
               columns: Sequence[str] | Mapping[str, str] | None = None,
               formats: Mapping[str, str] | None = None,
               index: bool | None = None, index_label: str | None = None,
               clip: int = 90, max_rows: int | None = None,
               total_rows: int | None = None) -> ReaderTable:
    """Render ``df`` as a captioned reader table inside a horizontally scrolling wrapper.

    Args:
        df: the table (a Series is shown as one column); ``None`` counts as empty.
        caption: what the table shows, one short sentence (always shown).
        empty: the sentence shown instead of an empty table.
        columns: the columns to show, in order; a mapping also renames them (id -> header).
            Headers not named here are the column names with ``_`` as spaces (or a known
            reader name such as ``n_documents`` -> "documents"). Default: every column, each
            ``X_readable`` column (readable topic words) just before ``X`` (the stems), headed
            ``X`` and ``X (stems)``.
        formats: column -> kind for :func:`format_cell`, overriding the guess from the
            column name and values (shares as %, z with 2 decimals, whole numbers as integers).
        index: show the index as the first column; default: only when it is named or not
            made of integers (row numbers, also those left after filtering, are not shown).
        index_label: header of the index column (default: the index name).
        clip: longer texts show their first ``clip`` characters; the full text is in a
            ``<details>`` element.
        max_rows: show only the first rows; the caption says how many were left out.
        total_rows: the row count of the whole table when ``df`` holds only its first rows
            (a table too large to read whole); default ``len(df)``.
    """
    if isinstance(df, pd.Series):
        df = df.to_frame()
    if df is None or df.empty:
        return ReaderTable(f'<p class="table-empty">{html.escape(empty)}</p>', empty)
    headers: dict[str, str] = {}
    if columns is None:  # readable topic labels first, their stems beside them
        df, headers = _readable_first(df)
    else:
        if isinstance(columns, Mapping):
            headers = {str(k): str(v) for k, v in columns.items()}
        df = df[list(columns)]
    formats = dict(formats or {})
    if index is None:  # row numbers (0, 1, 2 … or the numbers left after a filter) are not shown
        index = df.index.name is not None or not pd.api.types.is_integer_dtype(df.index)
    total = len(df) if total_rows is None else int(total_rows)
    if max_rows is not None and total > max_rows:
        df = df.head(max_rows)
        caption = f"{caption} (first {max_rows} of {total} rows)"
    names = [str(c) for c in df.columns]
    kinds = [formats.get(n) or _kind(n, df[c]) for n, c in zip(names, df.columns)]
    index_kind = "coop" if all(str(v) in COOP_TYPES for v in df.index) else "text"
    cells = [[format_cell(v, k) for v, k in zip(row, kinds)] for row in df.itertuples(index=False)]
    index_cells = [format_cell(v, index_kind) for v in df.index]
    head = [headers.get(n) or _HEADERS.get(n) or n.replace("_", " ") for n in names]
    if index:
        head = [index_label if index_label is not None else
                ("" if df.index.name is None else str(df.index.name).replace("_", " "))] + head
        cells = [[i] + row for i, row in zip(index_cells, cells)]
    numeric = [False] * (1 if index else 0) + [k in ("percent", "z", "count", "decimal")
                                                 for k in kinds]
    # short codes without spaces (ids, dates, file names) are not broken over lines
    columns_text = list(zip(*cells))
    nowrap = [all(" " not in c and len(c) <= 30 for c in col) for col in columns_text]
    parts = ['<div class="table-scroll"><table class="reader-table">',
             f"<caption>{html.escape(caption)}</caption>", "<thead><tr>"]
    parts += [f'<th{_num(n, False)}>{html.escape(h)}</th>' for h, n in zip(head, numeric)]
    parts.append("</tr></thead><tbody>")
    for row in cells:
        parts.append("<tr>" + "".join(f"<td{_num(n, w)}>{_cell_html(c, clip)}</td>"
                                      for c, n, w in zip(row, numeric, nowrap)) + "</tr>")
    parts.append("</tbody></table></div>")
    plain = "\n".join([caption, "\t".join(head)] + ["\t".join(r) for r in cells])
    return ReaderTable("".join(parts), plain)


def _num(numeric: bool, nowrap: bool) -> str:
    if numeric:
        return ' class="num"'
    return ' class="nowrap"' if nowrap else ""
