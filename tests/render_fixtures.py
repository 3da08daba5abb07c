"""Tiny executed notebooks for the render tests: prose, code, a real PNG figure, hostile text."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

# An article title as a scraper might deliver it: if it ever reaches a page unescaped, it runs.
HOSTILE_TITLE = "Jakarta <script>alert(1)</script> gandeng Bekasi"


#: A figure title with characters the page must escape.
ALT_TEXT = 'Shares by kind: "domestic" <b>& international</b>'


def figure_png() -> bytes:
    """A small bar chart drawn by matplotlib, as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3, 2), dpi=50)
    ax.bar(["agglomeration", "international"], [3, 5], color=["#1b7837", "#762a83"])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def _dataframe_html() -> str:
    import pandas as pd

    titles = [HOSTILE_TITLE, "Sister city Jakarta–Kuala Lumpur"]
    frame = pd.DataFrame({"title": titles, "n": [1, 2]})
    return frame._repr_html_()


def make_notebook(index: int, stage: str, png: bytes) -> nbformat.NotebookNode:
    """One executed notebook in the shape the pipeline writes (papermill tags, outputs)."""
    nb = new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
    cells = [
        new_markdown_cell(
            f"# {index} · {stage.title()}: a *small* test stage\n\n"
            f"This stage reads `files` (e.g. .txt files) and writes the {stage} table. "
            "A second sentence that the index must not show.\n\n"
            "Prose with an article title <script>alert('md')</script>, an author's "
            "[link](https://example.org/codebook) and a remote image "
            '<img src="https://cdn.example.net/tracker.png">.'
        ),
        new_code_cell('raw_dir = "data/raw"', execution_count=1),
        new_code_cell('raw_dir = "data/other"', execution_count=2),
        new_code_cell(
            "documents.head()",
            execution_count=3,
            outputs=[
                new_output(
                    "execute_result",
                    execution_count=3,
                    data={"text/html": _dataframe_html(), "text/plain": "   title  n\n0  ...  1"},
                )
            ],
        ),
        new_code_cell(
            "print(title)",
            execution_count=4,
            outputs=[new_output("stream", name="stdout", text=f"Title: {HOSTILE_TITLE}\n")],
        ),
        new_code_cell(
            "fig",
            execution_count=5,
            outputs=[
                new_output(
                    "display_data",
                    data={
                        "image/png": base64.b64encode(png).decode("ascii"),
                        "text/plain": "<Figure size 150x100 with 1 Axes>",
                    },
                    # what analysis.report.figures.ReportFigure gives a notebook
                    metadata={"image/png": {"width": 300, "height": 200, "alt": ALT_TEXT}},
                )
            ],
        ),
        new_code_cell(
            "widget",
            execution_count=6,
            outputs=[
                new_output(
                    "display_data",
                    data={
                        "application/javascript": "alert(3)",
                        "text/plain": "<interactive chart>",
                    },
                )
            ],
        ),
        new_markdown_cell("## What it means\n\nThe shares are fractions of documents."),
    ]
    cells[1].metadata["tags"] = ["parameters"]
    cells[2].metadata["tags"] = ["injected-parameters"]
    for number, cell in enumerate(cells):
        cell.id = f"cell-{index}-{number}"  # executed notebooks store their ids
    nb.cells = cells
    return nb


def write_fixture_notebooks(folder: Path, png: bytes) -> list[Path]:
    """Write 01_ingest.ipynb and 02_compare.ipynb (plus a stray file render must ignore)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, stage in ((1, "ingest"), (2, "compare")):
        path = folder / f"0{index}_{stage}.ipynb"
        nbformat.write(make_notebook(index, stage, png), path)
        paths.append(path)
    (folder / "scratch.ipynb").write_text("not a pipeline notebook", encoding="utf-8")
    return paths
