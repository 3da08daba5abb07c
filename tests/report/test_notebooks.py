"""Executed notebooks lose their run timestamps; source notebooks are stripped."""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

from analysis.report.notebooks import clean_executed_notebook, is_stripped, strip_source_notebook


def _executed(tmp_path):
    nb = new_notebook(cells=[new_code_cell("print(1)", execution_count=1)])
    nb.cells[0].outputs = [new_output("stream", name="stdout", text="<obj at 0x7f3a2b1c9d80>\n")]
    nb.cells[0].metadata["papermill"] = {
        "duration": 0.5,
        "start_time": "2026-01-01T00:00:00",
        "end_time": "2026-01-01T00:00:01",
        "status": "completed",
    }
    nb.cells[0].metadata["execution"] = {"iopub.execute_input": "2026-01-01T00:00:00"}
    nb.metadata["papermill"] = {
        "duration": 3.0,
        "start_time": "x",
        "end_time": "y",
        "parameters": {"seed": 1},
        "environment_variables": {},
    }
    nb.metadata["language_info"] = {
        "name": "python",
        "version": "3.11.2",
        "pygments_lexer": "ipython3",
    }
    path = tmp_path / "run.ipynb"
    nbformat.write(nb, path)
    return path


def test_clean_removes_times_keeps_parameters_and_outputs(tmp_path):
    path = _executed(tmp_path)
    clean_executed_notebook(path)
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["papermill"] == {"parameters": {"seed": 1}}
    # the Python patch release is left out: 3.11.2 and 3.11.7 write the same notebook
    assert nb.metadata["language_info"] == {"name": "python", "pygments_lexer": "ipython3"}
    assert nb.cells[0].metadata["papermill"] == {"status": "completed"}
    assert "execution" not in nb.cells[0].metadata
    assert nb.cells[0].outputs[0]["text"] == "<obj at 0x…>\n"
    first = path.read_bytes()
    clean_executed_notebook(path)
    assert path.read_bytes() == first  # idempotent


def test_strip_source_notebook(tmp_path):
    path = _executed(tmp_path)
    assert not is_stripped(path)
    assert strip_source_notebook(path) is True
    assert is_stripped(path)
    assert strip_source_notebook(path) is False


def test_clean_numbers_random_cell_ids(tmp_path):
    nb = new_notebook(cells=[new_code_cell("a = 1"), new_code_cell("b = 2")])
    nb.nbformat_minor = 5
    nb.cells[0]["id"], nb.cells[1]["id"] = "3f2a9c", "b81e07"
    path = tmp_path / "ids.ipynb"
    nbformat.write(nb, path)
    clean_executed_notebook(path)
    assert [c["id"] for c in nbformat.read(path, as_version=4).cells] == ["cell-000", "cell-001"]


def test_a_user_error_in_a_notebook_shows_its_message_not_a_traceback(capsys):
    # Stage notebooks run in IPython kernels; a UserError (too few paragraphs, a bad lexicon)
    # must read like the CLI's message, not as a traceback through the package.
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    result = shell.run_cell(
        "from analysis.core.errors import UserError\n"
        "def stage():\n    raise UserError('add articles to the corpus')\n"
        "stage()"
    )
    shown = capsys.readouterr().out
    assert not result.success
    assert shown.strip() == "UserError: add articles to the corpus"
