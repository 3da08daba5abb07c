"""The topics stage's figures: paragraphs per topic, and topic shares by kind of cooperation."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pandas as pd

from .figures import FONT_STYLE, label, new_figure

__all__ = [
    "MAX_PLOTTED_TOPICS",
    "UNSTABLE_NOTE",
    "UNSTABLE_HEATMAP_NOTE",
    "plot_topic_sizes",
    "plot_topics_by_coop_type",
]

MAX_PLOTTED_TOPICS = 30
TOPIC_COLOR, OUTLIER_COLOR, UNSTABLE_COLOR = "#0072B2", "#DDDDDD", "#999999"
UNSTABLE_NOTE = (
    "Grey, hatched: unstable topic, it does not recur in at least\n"
    "half of the other seeds' runs (not a finding)"
)
UNSTABLE_HEATMAP_NOTE = (
    "Grey labels: unstable topics, they do not recur\nin at least half of the other seeds' runs"
)


def _unstable(table: pd.DataFrame) -> set[int]:
    """Topic ids flagged unstable (``stable`` false); none when the column is absent."""
    if "stable" not in table.columns:
        return set()
    flags = table["stable"].astype(str).str.lower().isin(["false", "0"])
    return {int(t) for t in table.loc[flags, "topic"]}


def _topic_name(topic: int, label: str, stems: str = "", unstable: bool = False) -> str:
    """``"3: terkait, banjir"``; the stem label on a second line when it differs."""
    name = label if topic == -1 else f"{topic}: {label}"
    name += " (unstable)" if unstable else ""
    if stems and stems.lower() != label.lower() and topic != -1:
        name += f"\n(stems: {stems})"
    return name


def _readable(table: pd.DataFrame, readable: str, stems: str) -> tuple[pd.Series, pd.Series]:
    """The labels to show (readable where the table has them) and the stem labels beside."""
    if readable in table.columns:
        return table[readable].fillna(table[stems]).astype(str), table[stems].astype(str)
    return table[stems].astype(str), pd.Series("", index=table.index)


def _row_height(names: list[str]) -> float:
    """Inches per row: room for the stems' second line when any label has one."""
    return 0.42 if any("\n" in n for n in names) else 0.28


def plot_topic_sizes(topic_info: pd.DataFrame):
    """Horizontal bar chart of paragraphs per topic (largest 30 topics).

    Outliers are light grey; topics flagged unstable (``stable`` false) are grey and hatched,
    with their label marked and a note under the chart saying why. Topics are named by their
    readable words (``label_readable``) when the table has them, the stems on a second line.

    Args:
        topic_info: ``TopicsResult.topic_info`` or topics.csv (topic, label, size, optional
            label_readable and stable).

    Returns:
        A matplotlib Figure; saving it is the caller's job.
    """
    data = topic_info.sort_values(["size", "topic"], ascending=[False, True]).head(
        MAX_PLOTTED_TOPICS
    )
    data = data.iloc[::-1]  # largest at the top
    unstable = _unstable(data)
    labels, stems = _readable(data, "label_readable", "label")
    names = [
        _topic_name(t, lab, stem, t in unstable)
        for t, lab, stem in zip(data["topic"], labels, stems)
    ]
    with mpl.rc_context(FONT_STYLE):
        fig = new_figure(1.2 + _row_height(names) * len(data), width=7.0)
        ax = fig.subplots()
        colors = [
            OUTLIER_COLOR if t == -1 else UNSTABLE_COLOR if t in unstable else TOPIC_COLOR
            for t in data["topic"]
        ]
        bars = ax.barh(range(len(data)), data["size"], color=colors)
        for bar, topic in zip(bars, data["topic"]):
            if topic in unstable:
                bar.set_hatch("///")
        ax.set_yticks(range(len(data)), names)
        # The note goes under the axis label, so the layout makes room for it.
        ax.set_xlabel("paragraphs" + (f"\n\n{UNSTABLE_NOTE}" if unstable else ""))
        shown = "" if len(topic_info) <= MAX_PLOTTED_TOPICS else f" ({MAX_PLOTTED_TOPICS} largest)"
        ax.set_title(f"Paragraphs per topic{shown}", loc="left")
    return fig


def plot_topics_by_coop_type(
    table: pd.DataFrame, unstable: set[int] | frozenset[int] = frozenset()
):
    """Heatmap of each topic's share of the paragraphs of each kind of cooperation.

    Args:
        table: topics_by_coop_type.csv (coop_type, topic, topic_label, share, optional
            topic_label_readable: shown first, the stems on a second line).
        unstable: topics flagged unstable: their labels are grey and marked, with a note.

    Returns:
        A matplotlib Figure; saving it is the caller's job.
    """
    table = table.assign(_shown=_readable(table, "topic_label_readable", "topic_label")[0])
    wide = table.pivot_table(
        index=["topic", "_shown", "topic_label"],
        columns="coop_type",
        values="share",
        aggfunc="sum",
        fill_value=0.0,
    ).sort_index(level="topic")
    wide = wide.head(MAX_PLOTTED_TOPICS + 1)  # topics in id order: BERTopic numbers by size
    values = wide.to_numpy()
    top = max(0.01, float(values.max())) if values.size else 0.01
    has_readable = "topic_label_readable" in table.columns
    names = [
        _topic_name(t, shown, stems if has_readable else "", t in unstable)
        for t, shown, stems in wide.index
    ]
    with mpl.rc_context(FONT_STYLE):
        fig = new_figure(1.6 + _row_height(names) * len(wide), width=2.8 + 1.2 * wide.shape[1])
        ax = fig.subplots()
        image = ax.imshow(values, cmap="Blues", vmin=0, vmax=top, aspect="auto")
        ax.set_xticks(
            range(wide.shape[1]),
            [label(f"coop_short.{c}") for c in wide.columns],
            rotation=30,
            ha="right",
        )
        ax.set_yticks(range(len(wide)), names)
        for tick, (topic, _, _) in zip(ax.get_yticklabels(), wide.index):
            if topic in unstable:
                tick.set_color(UNSTABLE_COLOR)
        for (i, j), value in np.ndenumerate(values):
            ax.text(
                j,
                i,
                f"{value:.0%}",
                ha="center",
                va="center",
                fontsize=7,
                color="white" if value > 0.6 * top else "black",
            )
        fig.colorbar(image, ax=ax, label="share of the kind's paragraphs", format="{x:.0%}")
        ax.set_title("Topic share by kind of cooperation", loc="left")
        if set(unstable) & {int(t) for t, _, _ in wide.index}:
            ax.set_xlabel(UNSTABLE_HEATMAP_NOTE)
    return fig
