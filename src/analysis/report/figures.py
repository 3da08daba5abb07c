"""The house style of every figure: colours and markers per kind, labels in two languages, saving."""

from __future__ import annotations

import functools
import io
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import matplotlib as mpl
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from ..core.io import atomic_path
from .labels import (
    COOP_ORDER,
    COOP_STYLE,
    INK,
    LANGUAGES,
    MUTED,
    check_lang,
    count_text,
    label,
    load_labels,
)

__all__ = [
    "COOP_STYLE",
    "COOP_ORDER",
    "LANGUAGES",
    "INK",
    "MUTED",
    "WIDTH",
    "STYLE",
    "FONT_STYLE",
    "ReportFigure",
    "new_figure",
    "freeze_layout",
    "load_labels",
    "label",
    "check_lang",
    "count_text",
    "decimal_formatter",
    "styled",
    "add_title",
    "add_note",
    "empty_figure",
    "kinds_present",
    "add_legend",
    "bar_patch",
    "marker_handle",
    "save_figure",
]

# Each kind of cooperation is drawn with its own Okabe-Ito colour (Okabe & Ito 2008) *and* its
# own marker, line style and hatch, so the figures survive greyscale printing and every common
# colour-vision deficiency. Figures are built without pyplot (nothing global, nothing shown by
# side effect); :func:`save_figure` writes PNG and SVG with byte-stable output. Words on the
# figures come from ``data/lexicons/labels_figures.csv`` (read by :mod:`.labels`, which also
# holds the colours and markers and which this module re-exports).

WIDTH = 7.0  # inches: a full text column of an A4 brief
_PNG_DPI = 150
_INLINE_DPI = 110  # a notebook image's size (and its resolution when drawn for display only)
STYLE = {
    "font.family": "DejaVu Sans",  # ships with matplotlib: same glyphs on every machine
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "text.color": INK,
    "hatch.linewidth": 0.7,
    "figure.dpi": 100,
}
#: The fonts and frame of :data:`STYLE` alone: figures drawn in default colours (the topic
#: figures) use just these.
FONT_STYLE = {
    key: STYLE[key]
    for key in (
        "font.family",
        "font.size",
        "axes.titlesize",
        "xtick.labelsize",
        "ytick.labelsize",
        "axes.spines.top",
        "axes.spines.right",
    )
}
# Saving: SVG text as paths so the PDF brief (which embeds the SVGs) looks exactly like the
# PNG on any machine; a fixed hash salt makes the SVG element ids repeatable.
_SAVE_STYLE = {"svg.fonttype": "path", "svg.hashsalt": "coopnews-compare", "svg.image_inline": True}


def decimal_formatter(lang: str) -> FuncFormatter:
    """Tick formatter with the decimal separator of the report language (1.5 / 1,5)."""

    def fmt(value: float, _pos: int) -> str:
        text = f"{value:g}".replace("-", "\u2212")
        return text.replace(".", ",") if lang == "id" else text

    return FuncFormatter(fmt)


# --------------------------------------------------------------------------------------------
# Figure scaffolding
# --------------------------------------------------------------------------------------------


def styled(function: Callable[..., Figure]) -> Callable[..., Figure]:
    """Build the figure under the house style without touching the caller's rcParams.

    The constrained layout is solved once and then frozen: matplotlib re-solves it on every
    draw starting from the previous solution, so without freezing a second render (the SVG
    after the PNG, or the notebook image) could differ from the first by a pixel.
    """

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Figure:
        check_lang(kwargs.get("lang", "en"))
        with mpl.rc_context(STYLE):
            figure = function(*args, **kwargs)
            if figure.get_layout_engine() is not None:
                freeze_layout(figure)
        return figure

    return wrapper


def freeze_layout(figure: Figure) -> None:
    """Solve the figure's layout once, then freeze it (see :func:`styled`).

    The layout is solved by a draw that measures every artist with the Agg renderer but
    rasterises nothing (``draw_without_rendering``): the same solution as a full draw, without
    the cost of painting an image nobody keeps.
    """
    figure.draw_without_rendering()
    figure.set_layout_engine("none")


class ReportFigure(Figure):
    """A Figure that shows itself in Jupyter without pyplot (``display(fig)`` gives a PNG).

    Figures here are built without pyplot, so IPython's matplotlib hooks never see them;
    ``_repr_png_`` makes a notebook (and its HTML rendering) show the image, with the same
    byte-stable PNG settings as :func:`save_figure`. A figure :func:`save_figure` has written
    and nobody has changed since shows that PNG file's bytes (150 dpi, displayed at the size
    of a 110-dpi image) instead of being drawn a third time.
    """

    #: The PNG bytes :func:`save_figure` wrote last (None until then).
    saved_png: bytes | None = None

    def _repr_png_(self) -> tuple[bytes, dict[str, int | str]]:
        about: dict[str, int | str] = {"alt": self.alt_text()}
        if self.saved_png is not None and not self.stale:
            width, height = self.get_size_inches() * _INLINE_DPI
            return self.saved_png, {"width": round(width), "height": round(height), **about}
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=_INLINE_DPI, metadata={"Software": None})
        return buffer.getvalue(), about

    def alt_text(self) -> str:
        """The image's text alternative on a rendered page (read by screen readers): the
        figure's title, else the first axes title, else "Figure"."""
        titles = [self.get_suptitle()] + [
            ax.get_title(loc) for ax in self.axes for loc in ("left", "center", "right")
        ]
        return next((" ".join(t.split()) for t in titles if t.strip()), "Figure")


def new_figure(height: float, width: float = WIDTH) -> Figure:
    """A constrained-layout figure that displays itself in notebooks and needs no pyplot."""
    figure = ReportFigure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)  # a canvas of its own: renders and measures text without pyplot
    figure.get_layout_engine().set(w_pad=0.06, h_pad=0.06)
    return figure


def add_title(figure: Figure, text: str) -> None:
    """The figure's title, left-aligned and bold."""
    figure.suptitle(text, x=0.01, ha="left", fontsize=11, fontweight="bold")


def add_note(figure: Figure, text: str, width: float = WIDTH) -> None:
    """A caption under the plot, wrapped to the figure width, kept inside the layout."""
    chars = int(width * 72 / (7 * 0.56))
    wrapped = "\n".join(textwrap.wrap(text, chars))
    figure.supxlabel(wrapped, x=0.01, ha="left", fontsize=7, color=MUTED, linespacing=1.3)


def empty_figure(title: str, message: str) -> Figure:
    figure = new_figure(2.0)
    add_title(figure, title)
    ax = figure.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.5, message, ha="center", va="center", color=MUTED, transform=ax.transAxes)
    return figure


def kinds_present(table: pd.DataFrame, count: str | None = None) -> list[str]:
    """Kinds in codebook order; with ``count``, only kinds that have a positive total."""
    present = set(table["coop_type"])
    if count is not None:
        totals = table.groupby("coop_type")[count].sum()
        present = {k for k in present if totals.get(k, 0) > 0}
    return [k for k in COOP_ORDER if k in present]


def add_legend(ax: Any, handles: Sequence[Any], *, ncols: int) -> None:
    """Legend between the title and the plot, left-aligned with the axes (inside the layout)."""
    ax.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(0.0, 1.02),
        ncols=ncols,
        borderaxespad=0.0,
        handlelength=2.2,
        columnspacing=1.5,
        alignment="left",
    )


def bar_patch(kind: str, text: str) -> Patch:
    style = COOP_STYLE[kind]
    return Patch(
        facecolor=style["color"], hatch=style["hatch"], edgecolor=INK, linewidth=0.6, label=text
    )


def marker_handle(kind: str, text: str, line: bool = False) -> Line2D:
    style = COOP_STYLE[kind]
    return Line2D(
        [],
        [],
        color=style["color"],
        marker=style["marker"],
        markersize=7,
        markeredgecolor=INK,
        markeredgewidth=0.6,
        linestyle=style["linestyle"] if line else "none",
        linewidth=2.0,
        label=text,
    )


def save_figure(fig: Figure, stem: str, out_dir: str | Path) -> list[Path]:
    """Write ``<out_dir>/<stem>.png`` (150 dpi) and ``<out_dir>/<stem>.svg``, byte-stable.

    Two saves of the same figure give identical bytes: the SVG carries no date and a fixed
    id salt, the PNG no software/time metadata, and both files are written atomically.

    Returns:
        [png_path, svg_path].
    """
    out = Path(out_dir)
    png, svg = out / f"{stem}.png", out / f"{stem}.svg"
    with mpl.rc_context(_SAVE_STYLE):
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=_PNG_DPI, metadata={"Software": None})
        png_bytes = buffer.getvalue()
        with atomic_path(png) as tmp:
            Path(tmp).write_bytes(png_bytes)
        with atomic_path(svg) as tmp:
            # dpi only matters for rasterised layers (the grey cloud of a large log-odds plot).
            fig.savefig(tmp, format="svg", dpi=_PNG_DPI, metadata={"Date": None, "Creator": None})
    if isinstance(fig, ReportFigure):
        # Saving set and reset the figure's dpi, which marks it stale although it is as drawn;
        # from here on only a real change (a new or edited artist) marks it stale again.
        fig.saved_png = png_bytes
        fig.stale = False
    return [png, svg]
