"""The compare stage's figures: coverage, sector and topic shares, log-odds, the partner network."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib as mpl
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator, PercentFormatter

from .figures import (
    COOP_ORDER,
    COOP_STYLE,
    INK,
    MUTED,
    WIDTH,
    add_legend,
    add_note,
    add_title,
    bar_patch,
    count_text,
    decimal_formatter,
    empty_figure,
    freeze_layout,
    kinds_present,
    label,
    marker_handle,
    new_figure,
    styled,
)

__all__ = [
    "plot_coverage",
    "plot_coverage_monthly",
    "plot_sector_shares",
    "plot_log_odds",
    "plot_topic_prevalence",
    "plot_partner_network",
]

# Every ``plot_*`` function takes a table from :mod:`analysis.compare.tables` and ``lang`` ("en"
# or "id") and returns a :class:`matplotlib.figure.Figure`; saving it is the caller's job.


# --------------------------------------------------------------------------------------------
# Coverage
# --------------------------------------------------------------------------------------------

@styled
def plot_coverage(coverage_outlet: pd.DataFrame, *, lang: str = "en",
                  max_outlets: int = 25) -> Figure:
    """Articles per outlet, stacked by kind of cooperation (horizontal bars).

    Args:
        coverage_outlet: :func:`analysis.compare.coverage_by_outlet` output.
        lang: "en" or "id".
        max_outlets: outlets beyond this many (the smallest) are not drawn; the caption says so.
    """
    title = label("coverage.title", lang)
    kinds = kinds_present(coverage_outlet, "n_documents")
    if not kinds:
        return empty_figure(title, label("common.no_data", lang))
    counts = coverage_outlet.pivot(index="outlet", columns="coop_type", values="n_documents")
    order = list(dict.fromkeys(coverage_outlet["outlet"]))[:max_outlets]
    counts = counts.loc[order, kinds].fillna(0)
    names = [label("common.unknown_outlet", lang) if o == "(unknown)" else o for o in order]
    figure = new_figure(1.5 + 0.32 * len(order))
    add_title(figure, title)
    ax = figure.add_subplot()
    y = np.arange(len(order))[::-1]
    left = np.zeros(len(order))
    for kind in kinds:
        style = COOP_STYLE[kind]
        ax.barh(y, counts[kind].to_numpy(), left=left, height=0.62, color=style["color"],
                hatch=style["hatch"], edgecolor=INK, linewidth=0.6)
        left += counts[kind].to_numpy()
    for yy, total in zip(y, left):
        ax.text(total, yy, f" {int(total)}", va="center", ha="left", fontsize=8)
    ax.set_yticks(y, names)
    ax.set_xlim(0, max(left.max() * 1.12, 1))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(label("coverage.xlabel", lang))
    ax.set_ylabel(label("coverage.ylabel", lang))
    add_legend(ax, [bar_patch(k, label(f"coop.{k}", lang)) for k in kinds], ncols=2)
    return figure


def _month_label(month: str, lang: str) -> str:
    year, number = month.split("-")
    return f"{label(f'month.{int(number)}', lang)}\n{year}"


@styled
def plot_coverage_monthly(coverage_monthly: pd.DataFrame, *, lang: str = "en",
                          n_undated: int = 0) -> Figure:
    """Articles per month and kind (grouped bars); empty months show an explicit 0.

    Args:
        coverage_monthly: :func:`analysis.compare.coverage_monthly` output (months already
            filled, including months without articles).
        lang: "en" or "id".
        n_undated: articles without a date, named in the caption when > 0.
    """
    title = label("coverage_monthly.title", lang)
    kinds = kinds_present(coverage_monthly, "n_documents")
    if coverage_monthly.empty or not kinds:
        return empty_figure(title, label("common.no_data", lang))
    counts = coverage_monthly.pivot(index="month", columns="coop_type", values="n_documents")
    counts = counts.sort_index()[kinds].fillna(0)
    months = list(counts.index)
    figure = new_figure(3.4)
    add_title(figure, title)
    ax = figure.add_subplot()
    x = np.arange(len(months))
    width = 0.8 / len(kinds)
    # Numbers on the bars only while they fit; the table has them all.
    annotate = len(months) * len(kinds) <= 24 and counts.to_numpy().max() < 1000
    for j, kind in enumerate(kinds):
        style = COOP_STYLE[kind]
        offset = (j - (len(kinds) - 1) / 2) * width
        values = counts[kind].to_numpy()
        ax.bar(x + offset, values, width=width * 0.92, color=style["color"], hatch=style["hatch"],
               edgecolor=INK, linewidth=0.6)
        if annotate:
            for xx, value in zip(x + offset, values):
                ax.text(xx, value, f"{int(value)}", ha="center", va="bottom", fontsize=7,
                        color=INK if value else MUTED)
    step = max(1, math.ceil(len(months) / 12))
    ax.set_xticks(x[::step], [_month_label(m, lang) for m in months[::step]])
    ax.set_xlim(-0.6, len(months) - 0.4)
    ax.set_ylim(0, max(counts.to_numpy().max() * 1.18, 1))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(label("coverage_monthly.xlabel", lang))
    ax.set_ylabel(label("coverage_monthly.ylabel", lang))
    add_legend(ax, [bar_patch(k, label(f"coop.{k}", lang)) for k in kinds], ncols=2)
    if n_undated:
        add_note(figure, label("coverage_monthly.undated", lang, n=n_undated))
    return figure


# --------------------------------------------------------------------------------------------
# Shares with intervals (sectors, topics)
# --------------------------------------------------------------------------------------------

def _dot_whisker(figure: Figure, table: pd.DataFrame, item: str, item_labels: Mapping[Any, str],
                 order: Sequence[Any], kinds: Sequence[str], *, lang: str, xlabel: str,
                 unit: str, count: str = "n_mentioning") -> None:
    """Dots (share) and whiskers (interval) per item and kind, with k/n columns on the right.

    The counts sit in a narrow axes of their own, sized from the longest "k/n" text, each on
    its dot's row after that kind's marker, so they never run into the plot or into each
    other whatever the sample size.

    One piece: the two axes share rows, limits and styles that are set together.
    """
    n_items, n_kinds = len(order), len(kinds)
    rows = {value: n_items - 1 - i for i, value in enumerate(order)}  # first item on top
    band = 0.72 / n_kinds
    subset = table[table["coop_type"].isin(kinds) & table[item].isin(rows)]
    longest = max((len(f"{int(k)}/{int(n)}") for k, n in zip(subset[count], subset["n_units"])),
                  default=3)
    side = max(0.65, longest * 7.5 * 0.58 / 72 + 0.4)  # inches: a marker and the longest "k/n"
    # The legend gets a row of its own above both axes: anchored to the plot it would push
    # the count column away whenever a legend entry is wider than the plot.
    legend_height = 0.2 * n_kinds + 0.05
    plot_height = max(figure.get_figheight() - 1.4 - legend_height, 1.0)
    grid = figure.add_gridspec(2, 2, width_ratios=[max(WIDTH - 2.2 - side, 1.5), side],
                               height_ratios=[legend_height, plot_height], wspace=0.02,
                               hspace=0.01)
    legend_ax = figure.add_subplot(grid[0, :])
    legend_ax.set_axis_off()
    ax = figure.add_subplot(grid[1, 0])
    counts_ax = figure.add_subplot(grid[1, 1], sharey=ax)
    for i in range(n_items):
        if i % 2 == 0:
            for target in (ax, counts_ax):
                target.axhspan(i - 0.5, i + 0.5, color="#F2F2F2", zorder=0, linewidth=0)
    for j, kind in enumerate(kinds):
        style = COOP_STYLE[kind]
        rows_kind = table[(table["coop_type"] == kind) & table[item].isin(rows)]
        y = rows_kind[item].map(rows).to_numpy(dtype=float) + (
            (n_kinds - 1) / 2 - j) * band
        share = rows_kind["share"].to_numpy(dtype=float)
        for method, dashes in (("bootstrap", "-"), ("wilson", "--")):
            mask = (rows_kind["ci_method"] == method).to_numpy() & np.isfinite(share)
            if mask.any():
                low = rows_kind["ci_low"].to_numpy(dtype=float)[mask]
                high = rows_kind["ci_high"].to_numpy(dtype=float)[mask]
                bars = ax.errorbar(share[mask], y[mask],
                                   xerr=[share[mask] - low, high - share[mask]], fmt="none",
                                   ecolor=style["color"], elinewidth=1.6, capsize=2.5,
                                   capthick=1.2, zorder=2)
                bars.lines[2][0].set_linestyle(dashes)
        ax.plot(share, y, linestyle="none", marker=style["marker"], markersize=6.5,
                color=style["color"], markeredgecolor=INK, markeredgewidth=0.7, zorder=3)
        # One column: each count on its dot's row, after that kind's marker.
        counts_ax.plot(np.full(len(y), 0.16 / side), y, linestyle="none", marker=style["marker"],
                       markersize=4.5, color=style["color"], markeredgecolor=INK,
                       markeredgewidth=0.5, clip_on=False)
        for yy, k, n in zip(y, rows_kind[count], rows_kind["n_units"]):
            counts_ax.text(0.28 / side, yy, f"{int(k)}/{int(n)}", ha="left", va="center",
                           fontsize=7.5)
    ax.set_xlim(-0.03, 1.03)
    ax.set_ylim(-0.6, n_items - 0.4)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_yticks(range(n_items), [item_labels[v] for v in reversed(order)])
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel(xlabel)
    ax.spines["left"].set_visible(False)
    counts_ax.set_xlim(0, 1)
    counts_ax.set_xticks([])
    counts_ax.tick_params(axis="y", left=False, labelleft=False)
    for spine in ("top", "right", "bottom"):
        counts_ax.spines[spine].set_visible(False)
    counts_ax.spines["left"].set_color(MUTED)
    counts_ax.spines["left"].set_linewidth(0.6)
    handles = []
    for kind in kinds:
        rows_kind = table.loc[table["coop_type"] == kind]
        n_units, n_docs = int(rows_kind["n_units"].max()), int(rows_kind["n_docs"].max())
        text = count_text(n_docs, "articles", lang)
        if unit != "articles":
            text += ", " + count_text(n_units, unit, lang)
        handles.append(marker_handle(kind, f"{label(f'coop.{kind}', lang)} (n = {text})"))
    legend_ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, 1.0), ncols=1,
                     borderaxespad=0.0, handlelength=2.2, alignment="left")


def _number(value: float, lang: str) -> str:
    text = f"{value:g}"
    return text.replace(".", ",") if lang == "id" else text


@styled
def plot_sector_shares(sectors: pd.DataFrame, *, lang: str = "en", ci_level: float,
                       n_bootstrap: int, min_bootstrap_docs: int,
                       max_sectors: int = 13, stories: pd.DataFrame | None = None) -> Figure:
    """Dot-and-whisker chart: share of each kind's articles (or paragraphs) mentioning a sector.

    The interval of each dot is the one in the table: solid for a percentile bootstrap
    interval, dashed for a Wilson interval (small kinds, or a degenerate bootstrap). A k/n
    column prints the counts behind every dot, so two articles out of two is never mistaken
    for a large sample.

    Args:
        sectors: :func:`analysis.compare.sector_shares` output (one ``level``).
        lang: "en" or "id".
        ci_level, n_bootstrap, min_bootstrap_docs: as used for the table (for the caption).
        max_sectors: sectors beyond this many (lowest share) are not drawn.
        stories: :func:`analysis.compare.stories.story_table` output; when given, the note
            says how many articles and how many stories (one event, counted once) each kind has.
    """
    title = label("sectors.title", lang)
    kinds = kinds_present(sectors, "n_units") if len(sectors) else []
    if not kinds:
        return empty_figure(title, label("common.no_data", lang))
    level = str(sectors["level"].iloc[0]) if "level" in sectors else "document"
    mean_share = sectors[sectors["coop_type"].isin(kinds)].groupby("sector")["share"].mean()
    order = sorted(mean_share.index, key=lambda s: (-mean_share[s], label(f"sector.{s}", lang)))
    order = order[:max_sectors]
    names = {s: label(f"sector.{s}", lang) for s in order}
    figure = new_figure(1.9 + 0.36 * len(order) * max(1.0, len(kinds) / 2))
    add_title(figure, title)
    unit = "articles" if level == "document" else "paragraphs"
    _dot_whisker(figure, sectors, "sector", names, order, kinds, lang=lang,
                 xlabel=label(f"sectors.xlabel_{level}", lang), unit=unit)
    note = label("sectors.note", lang, ci=_number(100 * ci_level, lang), b=n_bootstrap,
                 m=min_bootstrap_docs) + " " + label(f"sectors.kn_{level}", lang)
    if stories is not None and len(stories):
        parts = [label("sectors.story_part", lang, kind=label(f"coop_short.{r.coop_type}", lang),
                       a=int(r.n_articles), s=int(r.n_stories))
                 for r in stories.itertuples(index=False) if r.coop_type in kinds]
        note += " " + label("sectors.stories", lang, parts="; ".join(parts))
    add_note(figure, note)
    return figure


def _topic_name(topic: int, raw: str, lang: str, readable: str = "") -> str:
    """'3: terkait, banjir' (shortened): the readable label where topics.parquet has one, else
    the stem label as the topics stage wrote it; outliers get the dictionary label.

    A label of the older ``3_kerja_sama_kota`` form loses its ``3_`` prefix; its underscores
    are left, since they join both words and multiword expressions.
    """
    if topic < 0:
        return label("topics.outlier", lang)
    words = readable or re.sub(rf"^{topic}_", "", raw)
    text = f"{topic}: {words}"
    return text if len(text) <= 40 else text[:38] + "…"


@styled
def plot_topic_prevalence(prevalence: pd.DataFrame, *, lang: str = "en", ci_level: float,
                          n_bootstrap: int, min_bootstrap_docs: int,
                          max_topics: int = 15) -> Figure:
    """Dot-and-whisker chart: share of each kind's paragraphs in each topic.

    Args:
        prevalence: :func:`analysis.compare.topic_prevalence` output.
        lang: "en" or "id".
        ci_level, n_bootstrap, min_bootstrap_docs: as used for the table (for the caption).
        max_topics: topics beyond this many (lowest share) are not drawn; outliers always are.
    """
    title = label("topics.title", lang)
    kinds = kinds_present(prevalence, "n_units") if len(prevalence) else []
    if not kinds:
        return empty_figure(title, label("common.no_data", lang))
    shown = prevalence[prevalence["coop_type"].isin(kinds)]
    best = shown.groupby("topic")["share"].max()
    real = sorted((t for t in best.index if t >= 0), key=lambda t: (-best[t], t))[:max_topics]
    order = sorted(real) + [t for t in best.index if t < 0]
    first = shown.drop_duplicates("topic").set_index("topic")
    readable = (first["topic_label_readable"].fillna("").astype(str)
                if "topic_label_readable" in first.columns else pd.Series("", index=first.index))
    names = {t: _topic_name(int(t), str(first.at[t, "topic_label"]), lang, readable[t])
             for t in order}
    figure = new_figure(1.9 + 0.36 * len(order) * max(1.0, len(kinds) / 2))
    add_title(figure, title)
    _dot_whisker(figure, shown, "topic", names, order, kinds, lang=lang,
                 xlabel=label("topics.xlabel", lang), unit="paragraphs", count="n_paragraphs")
    add_note(figure, label("topics.note", lang, ci=_number(100 * ci_level, lang), b=n_bootstrap,
                        m=min_bootstrap_docs))
    return figure


# --------------------------------------------------------------------------------------------
# Distinctive vocabulary
# --------------------------------------------------------------------------------------------

def _overlaps(box: Any, others: Sequence[Any]) -> float:
    """Total overlap area (display units) between one bbox and a list of bboxes."""
    area = 0.0
    for other in others:
        width = min(box.x1, other.x1) - max(box.x0, other.x0)
        height = min(box.y1, other.y1) - max(box.y0, other.y0)
        if width > 0 and height > 0:
            area += width * height
    return area


def _place_labels(ax: Any, points: Sequence[tuple[float, float, str]], *, fontsize: float = 7.5,
                  obstacles: Sequence[tuple[float, float]] = ()) -> None:
    """Label points without overlaps: try offsets around each point, keep the first free one.

    Deterministic greedy placement: labels are placed in the given order (most important
    first); each tries offsets at growing distances and directions and takes the first whose
    box stays inside the axes and clear of earlier labels and of the labelled points; if none
    is free, the least-overlapping candidate wins. Far labels get a thin leader line.
    """
    figure = ax.figure
    renderer = figure.canvas.get_renderer()
    inside = ax.get_window_extent(renderer)
    scale = figure.dpi / 72.0
    marker_boxes = []
    for x, y in [(p[0], p[1]) for p in points] + list(obstacles):
        cx, cy = ax.transData.transform((x, y))
        r = 3.5 * scale
        marker_boxes.append(mpl.transforms.Bbox([[cx - r, cy - r], [cx + r, cy + r]]))
    directions = [(1, 0), (-1, 0), (1, 1), (-1, 1), (1, -1), (-1, -1), (0, 1), (0, -1)]
    radii = [5, 10, 16, 24, 34, 46, 60]
    placed: list[Any] = []
    text_style = {"fontsize": fontsize, "zorder": 5,
                  "bbox": {"boxstyle": "square,pad=0.1", "facecolor": "white",
                           "edgecolor": "none", "alpha": 0.8}}
    for x, y, text in points:
        probe = ax.annotate(text, (x, y), xytext=(0, 0), textcoords="offset points", **text_style)
        best: tuple[float, tuple[float, float], str, str, Any] | None = None
        for radius in radii:
            for dx, dy in directions:
                norm = math.hypot(dx, dy)
                offset = (radius * dx / norm, radius * dy / norm)
                ha = "left" if dx > 0 else "right" if dx < 0 else "center"
                va = "bottom" if dy > 0 else "top" if dy < 0 else "center"
                probe.set_position(offset)
                probe.set_ha(ha)
                probe.set_va(va)
                box = probe.get_window_extent(renderer).padded(2.5 * scale)
                outside = (box.x0 < inside.x0 or box.x1 > inside.x1 or box.y0 < inside.y0
                           or box.y1 > inside.y1)
                cost = _overlaps(box, placed) + _overlaps(box, marker_boxes) + (1e9 if outside else 0)
                if best is None or cost < best[0]:
                    best = (cost, offset, ha, va, box)
                if cost == 0:
                    break
            if best is not None and best[0] == 0:
                break
        assert best is not None
        probe.remove()
        _, offset, ha, va, box = best
        leader = ({"arrowstyle": "-", "color": MUTED, "linewidth": 0.5, "shrinkA": 0,
                   "shrinkB": 2.5} if math.hypot(*offset) > 12 else None)
        ax.annotate(text, (x, y), xytext=offset, textcoords="offset points", ha=ha, va=va,
                    arrowprops=leader, **text_style)
        placed.append(box)


@styled
def plot_log_odds(log_odds: pd.DataFrame, *, lang: str = "en",
                  groups: tuple[str, str] = ("agglomeration", "international"),
                  n_labels: int = 10, threshold: float = 1.96) -> Figure:
    """z-score of each stem's weighted log-odds against its frequency, top stems labelled.

    Stems above ``+threshold`` lean to ``groups[0]``, below ``-threshold`` to ``groups[1]``;
    they are drawn in that kind's colour and marker, every other stem as a small grey dot.

    Args:
        log_odds: :func:`analysis.compare.log_odds_dirichlet` output.
        lang: "en" or "id".
        groups: the (positive, negative) kinds, as passed to the log-odds.
        n_labels: stems labelled per side (the most extreme z).
        threshold: |z| drawn as dashed reference lines.
    """
    title = label("log_odds.title", lang)
    if log_odds is None or log_odds.empty:
        return empty_figure(title, label("common.no_data", lang))
    figure = new_figure(5.2)
    add_title(figure, title)
    ax = figure.add_subplot()
    # Stems with the same two counts share one point: draw each point once. Tens of
    # thousands of grey points are rasterised so the SVG for the brief stays small.
    points = log_odds[["log_frequency", "z"]].drop_duplicates()
    x = points["log_frequency"].to_numpy(dtype=float)
    z = points["z"].to_numpy(dtype=float)
    plain = np.abs(z) <= threshold
    ax.scatter(x[plain], z[plain], s=6, color="#AAAAAA", linewidths=0, zorder=1,
               rasterized=bool(plain.sum() > 2000))
    handles = []
    for sign, kind in ((1, groups[0]), (-1, groups[1])):
        style = COOP_STYLE[kind]
        mask = sign * z > threshold
        ax.scatter(x[mask], z[mask], s=22, marker=style["marker"], color=style["color"],
                   edgecolors=INK, linewidths=0.5, zorder=3)
        handles.append(marker_handle(kind, label(
            "log_odds.more_typical", lang, group=label(f"coop_short.{kind}", lang))))
    handles.append(Line2D([], [], color="#AAAAAA", marker="o", markersize=3, linestyle="none",
                          label=label("log_odds.other_terms", lang)))
    for level in (threshold, -threshold):
        ax.axhline(level, color=MUTED, linewidth=0.7, linestyle="--", zorder=0)
    ax.axhline(0, color=MUTED, linewidth=0.5, zorder=0)
    limit = max(float(np.abs(z).max()) * 1.12, threshold * 1.5)
    ax.set_ylim(-limit, limit)
    span = max(float(x.max()) - float(x.min()), 0.5)
    ax.set_xlim(float(x.min()) - 0.06 * span, float(x.max()) + 0.18 * span)
    ax.xaxis.set_major_formatter(decimal_formatter(lang))
    ax.yaxis.set_major_formatter(decimal_formatter(lang))
    ax.set_xlabel(label("log_odds.xlabel", lang))
    ax.set_ylabel(label("log_odds.ylabel", lang))
    add_legend(ax, handles, ncols=2)
    add_note(figure, label("log_odds.note", lang))
    # Fix the layout before measuring label boxes, then freeze it so labels cannot move it.
    freeze_layout(figure)
    top = log_odds[log_odds["z"] > 0].head(n_labels)
    bottom = log_odds[log_odds["z"] < 0].sort_values("z", kind="stable").head(n_labels)
    ranked = pd.concat([top, bottom])
    ranked = ranked.reindex(ranked["z"].abs().sort_values(ascending=False, kind="stable").index)
    # Stems with the same counts sit on the same point: one label lists them all.
    together: dict[tuple[float, float], list[str]] = {}
    for row in ranked.itertuples():
        key = (round(float(row.log_frequency), 9), round(float(row.z), 9))
        together.setdefault(key, []).append(str(row.term))
    points = [(x0, z0, ", ".join(terms[:4]) + (f" +{len(terms) - 4}" if len(terms) > 4 else ""))
              for (x0, z0), terms in together.items()]
    _place_labels(ax, points)
    return figure


# --------------------------------------------------------------------------------------------
# Partner network
# --------------------------------------------------------------------------------------------

def _fan_layout(focal: str, partners: Sequence[str], kinds: Mapping[str, str]
                ) -> dict[str, tuple[float, float]]:
    """Focal government on the left, partners in one column on the right, top to bottom.

    Partners keep the given order (kind, then articles, then name); a half-row gap separates
    kinds. One row per partner means labels cannot collide however many partners there are.
    """
    pos: dict[str, tuple[float, float]] = {}
    y = 0.0
    previous = None
    for partner in partners:
        if previous is not None and kinds[partner] != previous:
            y -= 0.5
        pos[partner] = (1.0, y)
        previous = kinds[partner]
        y -= 1.0
    centre = (max(p[1] for p in pos.values()) + min(p[1] for p in pos.values())) / 2 if pos else 0.0
    pos[focal] = (0.0, centre)
    return pos


@styled
def plot_partner_network(edges: pd.DataFrame, *, focal: str, lang: str = "en",
                         max_partners: int = 15, max_sectors: int = 4) -> Figure:
    """The focal government and its partners: one line per (partner, kind) of cooperation.

    A fan layout (focal government on the left, partners in a column on the right, grouped by
    kind) keeps every label on its own row, so labels never overlap and reruns draw the same
    picture. Line width grows with the number of articles, printed on the line; colour, line
    style and node marker give the kind; under each partner, the sectors its articles mention
    most often (up to ``max_sectors``, then "+k").

    Args:
        edges: :func:`analysis.compare.partner_edges` output.
        focal: name of the focal government.
        lang: "en" or "id".
        max_partners: partners beyond this many (fewest articles) are left out; the caption
            says how many; the table has them all.
        max_sectors: sectors named per partner.

    One piece: one drawing pass: edges, nodes and labels are placed, the layout is frozen,
    then the labels are measured and the x range widened to fit them.
    """
    title = label("partners.title", lang, focal=focal)
    if edges is None or edges.empty:
        return empty_figure(title, label("partners.empty", lang, focal=focal))
    rank = {k: i for i, k in enumerate(COOP_ORDER)}
    totals = edges.groupby("partner")["n_documents"].sum()
    first_kind = edges.assign(r=edges["coop_type"].map(rank)).groupby("partner")["r"].min()
    keep = sorted(totals.index, key=lambda p: (-totals[p], p))[:max_partners]
    hidden = len(totals) - len(keep)
    partners = sorted(keep, key=lambda p: (first_kind[p], -totals[p], p))
    main_kind = {p: COOP_ORDER[first_kind[p]] for p in partners}
    shown = edges[edges["partner"].isin(partners)]

    graph = nx.MultiGraph()
    graph.add_node(focal)
    for row in shown.itertuples(index=False):
        graph.add_edge(focal, row.partner, key=row.coop_type, n=int(row.n_documents),
                       sector_counts=row.sector_counts)
    pos = _fan_layout(focal, partners, main_kind)
    rows_span = max(1.0, -min(y for _, y in pos.values()))

    figure = new_figure(1.9 + 0.42 * (rows_span + 1))
    add_title(figure, title)
    ax = figure.add_subplot()
    ax.set_axis_off()
    most = max(int(shown["n_documents"].max()), 1)
    labels: list[Any] = []
    for partner in partners:
        kinds = sorted((k for _, _, k in graph.edges(partner, keys=True)), key=rank.get)
        for i, kind in enumerate(kinds):
            data = graph.get_edge_data(focal, partner, key=kind)
            style = COOP_STYLE[kind]
            # Several kinds for one partner: parallel straight lanes, counts staggered along them.
            lane = (i - (len(kinds) - 1) / 2) * 0.16
            (x0, y0), (x1, y1) = pos[focal], pos[partner]
            lane_pos = {focal: (x0, y0 + lane), partner: (x1, y1 + lane)}
            width = 1.5 + 3.5 * (data["n"] - 1) / max(most - 1, 1)
            nx.draw_networkx_edges(graph, lane_pos, edgelist=[(focal, partner)], ax=ax,
                                   edge_color=style["color"], width=width,
                                   style=style["linestyle"], node_size=0)
            where = 0.82 - 0.16 * i
            ax.text(x0 + where * (x1 - x0), y0 + lane + where * (y1 - y0), str(data["n"]),
                    ha="center", va="center", fontsize=7, zorder=4,
                    bbox={"boxstyle": "round,pad=0.2", "facecolor": "white",
                          "edgecolor": style["color"], "linewidth": 1.0})
    nx.draw_networkx_nodes(graph, pos, nodelist=[focal], ax=ax, node_color=INK,
                           node_size=max(900, (5.2 * len(focal) + 10) ** 2), node_shape="o")
    ax.text(*pos[focal], focal, ha="center", va="center", color="white", fontsize=7.5,
            fontweight="bold", zorder=6)
    for partner in partners:
        style = COOP_STYLE[main_kind[partner]]
        nx.draw_networkx_nodes(graph, pos, nodelist=[partner], ax=ax, node_color=style["color"],
                               node_shape=style["marker"], node_size=200, edgecolors=INK,
                               linewidths=0.8)
        counts: dict[str, int] = {}
        for _, _, data in graph.edges(partner, data=True):
            for item in str(data["sector_counts"]).split(";"):
                if item:
                    sector, _, n = item.partition("=")
                    counts[sector] = counts.get(sector, 0) + int(n)
        sectors = sorted(counts, key=lambda s: (-counts[s], s))
        names = [label(f"sector.{s}", lang) for s in sectors[:max_sectors]]
        if len(sectors) > max_sectors:
            names.append(f"+{len(sectors) - max_sectors}")
        x, y = pos[partner]
        labels.append(ax.annotate(partner, (x, y), xytext=(9, 1), textcoords="offset points",
                                  ha="left", va="bottom", fontsize=8, fontweight="bold",
                                  zorder=5))
        if names:
            labels.append(ax.annotate(" · ".join(names), (x, y), xytext=(9, -1),
                                      textcoords="offset points", ha="left", va="top",
                                      fontsize=7, color=MUTED, zorder=5))
    for text in labels:
        text.set_in_layout(False)  # placed below by widening the x range, not by the layout
    x_low = -0.35
    ax.set_xlim(x_low, 3.2)
    ax.set_ylim(-rows_span - 0.6, 0.6)
    kinds_shown = [k for k in COOP_ORDER if k in set(shown["coop_type"])]
    add_legend(ax, [marker_handle(k, label(f"coop.{k}", lang), line=True) for k in kinds_shown],
            ncols=min(len(kinds_shown), 2))
    note = label("partners.note", lang)
    if hidden:
        note += " " + label("partners.more", lang, n=hidden)
    add_note(figure, note)
    # Labels have a fixed size in points: once the layout is final, widen the x range just
    # enough that the longest label ends inside the axes, then freeze the layout.
    freeze_layout(figure)
    renderer = figure.canvas.get_renderer()
    axes_box = ax.get_window_extent(renderer)
    column = ax.transData.transform((1.0, 0.0))[0]
    widest = max(t.get_window_extent(renderer).x1 for t in labels) - column
    room = axes_box.x1 - column
    if widest > 0.96 * room:
        share = (column - axes_box.x0) / axes_box.width  # where the column sits, 0..1
        # 4% spare: text measured at screen dpi is a little narrower than at 150 dpi.
        needed = (0.96 * axes_box.width - widest) / axes_box.width  # the column's new place
        x_high = x_low + (1.0 - x_low) / max(min(share, needed), 0.15)
        ax.set_xlim(x_low, x_high)
    return figure
