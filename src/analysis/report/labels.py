"""The words and colours of the reports without matplotlib: figure labels (en, id) and kind styles."""

from __future__ import annotations

import csv
import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..core.codebook import COOP_DISPLAY_ORDER
from ..core.errors import UserError
from ..core.paths import default_paths

# Tables in the notebooks (report/display.py) and the explorer page need these labels and
# colours but draw nothing, so they import this module instead of report/figures.py, which loads
# matplotlib (about half a second of every stage's start-up); figures.py re-exports every name.

__all__ = [
    "COOP_STYLE",
    "COOP_ORDER",
    "LANGUAGES",
    "INK",
    "MUTED",
    "load_labels",
    "label",
    "check_lang",
    "count_text",
]

LANGUAGES = ("en", "id")

#: Colour (Okabe-Ito), marker, line style and hatch per kind of cooperation.
COOP_STYLE: dict[str, dict[str, str]] = {
    "agglomeration": {"color": "#0072B2", "marker": "o", "linestyle": "-", "hatch": ""},
    "international": {"color": "#E69F00", "marker": "s", "linestyle": "--", "hatch": "//"},
    "domestic_other": {"color": "#D55E00", "marker": "^", "linestyle": ":", "hatch": ".."},
    "none": {"color": "#BBBBBB", "marker": "D", "linestyle": "-.", "hatch": "xx"},
}
#: The order kinds are drawn and listed in (the codebook's display order).
COOP_ORDER = COOP_DISPLAY_ORDER
INK = "#222222"
MUTED = "#666666"


# --------------------------------------------------------------------------------------------
# Labels
# --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _read_labels(path: str) -> dict[str, dict[str, str]]:
    source = Path(path)
    if not source.is_file():
        raise UserError(
            f"{source}: figure label file not found; restore "
            "data/lexicons/labels_figures.csv from git"
        )
    lines = [
        line
        for line in source.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    reader = csv.DictReader(lines)
    if reader.fieldnames != ["key", *LANGUAGES]:
        raise UserError(
            f"{source}: header must be key,{','.join(LANGUAGES)} "
            f"(found {','.join(reader.fieldnames or [])})"
        )
    labels: dict[str, dict[str, str]] = {}
    for number, row in enumerate(reader, start=1):
        key = (row["key"] or "").strip()
        if not key or any(not (row.get(lang) or "").strip() for lang in LANGUAGES):
            raise UserError(
                f"{source}: entry {number} ({key or 'no key'}) needs a key and a "
                f"non-empty text for each of {', '.join(LANGUAGES)}"
            )
        if key in labels:
            raise UserError(f"{source}: key {key!r} appears twice; keep one")
        labels[key] = {lang: row[lang].strip() for lang in LANGUAGES}
    return labels


def load_labels(path: str | Path | None = None) -> dict[str, dict[str, str]]:
    """Read the figure label dictionary: key -> {"en": text, "id": text}.

    Args:
        path: the CSV (``key,en,id``; ``#`` lines are comments); default
            ``data/lexicons/labels_figures.csv`` of this project.

    Raises:
        UserError: file missing, wrong header, empty text or repeated key.
    """
    default = default_paths().lexicons / "labels_figures.csv"
    return _read_labels(str(Path(path) if path is not None else default))


def check_lang(lang: str) -> None:
    """Raise UserError unless ``lang`` is one of :data:`LANGUAGES`."""
    if lang not in LANGUAGES:
        raise UserError(f"lang = {lang!r}: figures are available in {', '.join(LANGUAGES)}")


def label(
    key: str,
    lang: str = "en",
    *,
    labels: Mapping[str, Mapping[str, str]] | None = None,
    **values: Any,
) -> str:
    """The text for ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``.

    Sector, kind and topic keys that the dictionary lacks fall back to the id itself (with
    underscores as spaces), so a new codebook sector still draws; every other key must exist.
    """
    check_lang(lang)
    table = labels if labels is not None else load_labels()
    entry = table.get(key)
    if entry is None:
        prefix, _, ident = key.partition(".")
        if prefix in ("sector", "coop", "coop_short"):
            return ident.replace("_", " ")
        raise KeyError(f"no figure label {key!r} in labels_figures.csv")
    text = entry[lang]
    return text.format(**values) if values else text


def count_text(n: int, unit: str, lang: str) -> str:
    """``n`` articles/paragraphs in words (singular or plural) in ``lang``."""
    return label(f"common.n_{unit}_{'one' if n == 1 else 'many'}", lang, n=n)
