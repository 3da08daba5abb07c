"""The topics stage's figures: paragraphs per topic, and topic shares by kind of cooperation."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pandas as pd

from .figures import FONT_STYLE, label, new_figure

__all__ = ["MAX_PLOTTED_TOPICS", "plot_topic_sizes", "plot_topics_by_coop_type"]

MAX_PLOTTED_TOPICS = 30


def _topic_name(topic: int, label: str) -> str:
    return label if topic == -1 else f"{topic}: {label}"


def plot_topic_sizes(topic_info: pd.DataFrame):
    """Horizontal bar chart of paragraphs per topic (outliers in grey, largest 30 topics).

    Args:
        topic_info: ``TopicsResult.topic_info`` or topics.csv (topic, label, size).

    Returns:
        A matplotlib Figure; saving it is the caller's job.
    """
    data = topic_info.sort_values(["size", "topic"], ascending=[False, True]).head(MAX_PLOTTED_TOPICS)
    data = data.iloc[::-1]  # largest at the top
    with mpl.rc_context(FONT_STYLE):
        fig = new_figure(1.2 + 0.28 * len(data), width=7.0)
        ax = fig.subplots()
        colors = ["#BBBBBB" if t == -1 else "#0072B2" for t in data["topic"]]
        ax.barh(range(len(data)), data["size"], color=colors)
        ax.set_yticks(range(len(data)),
                      [_topic_name(t, lab) for t, lab in zip(data["topic"], data["label"])])
        ax.set_xlabel("paragraphs")
        shown = "" if len(topic_info) <= MAX_PLOTTED_TOPICS else f" ({MAX_PLOTTED_TOPICS} largest)"
        ax.set_title(f"Paragraphs per topic{shown}", loc="left")
    return fig


def plot_topics_by_coop_type(table: pd.DataFrame):
    """Heatmap of each topic's share of the paragraphs of each kind of cooperation.

    Args:
        table: topics_by_coop_type.csv (coop_type, topic, topic_label, share).

    Returns:
        A matplotlib Figure; saving it is the caller's job.
    """
    wide = table.pivot_table(index=["topic", "topic_label"], columns="coop_type", values="share",
                             aggfunc="sum", fill_value=0.0).sort_index(level="topic")
    wide = wide.head(MAX_PLOTTED_TOPICS + 1)  # topics in id order: BERTopic numbers by size
    values = wide.to_numpy()
    top = max(0.01, float(values.max())) if values.size else 0.01
    with mpl.rc_context(FONT_STYLE):
        fig = new_figure(1.6 + 0.28 * len(wide), width=2.8 + 1.2 * wide.shape[1])
        ax = fig.subplots()
        image = ax.imshow(values, cmap="Blues", vmin=0, vmax=top, aspect="auto")
        ax.set_xticks(range(wide.shape[1]), [label(f"coop_short.{c}") for c in wide.columns],
                      rotation=30, ha="right")
        ax.set_yticks(range(len(wide)), [_topic_name(t, lab) for t, lab in wide.index])
        for (i, j), value in np.ndenumerate(values):
            ax.text(j, i, f"{value:.0%}", ha="center", va="center", fontsize=7,
                    color="white" if value > 0.6 * top else "black")
        fig.colorbar(image, ax=ax, label="share of the kind's paragraphs", format="{x:.0%}")
        ax.set_title("Topic share by kind of cooperation", loc="left")
    return fig
