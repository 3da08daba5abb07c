"""Stage notebooks run in the stage's process exactly as in a kernel; executed notebooks lose
their run timestamps; source notebooks are stripped."""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from analysis.core.errors import UserError
from analysis.report.notebooks import (
    KERNEL_ENV,
    clean_executed_notebook,
    in_process,
    is_stripped,
    strip_source_notebook,
)

SRC = Path(__file__).resolve().parents[2] / "src"


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


# --- executing a notebook in the stage's own process vs. in Papermill's ordinary kernel -------

# Every kind of output a kernel produces. Sleeps longer than ipykernel's 0.2 s flush interval
# separate what a kernel sends as separate stream outputs, so the split does not depend on timing.
_CELLS = [
    "n = 1",  # parameters
    "import os, subprocess, sys, time, warnings\n"
    "print('hello', n)\nprint('world')\nsys.stderr.write('to stderr\\n')\nn + 1",
    "from IPython.display import HTML, Markdown, display\n"
    "display(Markdown('**bold**'))\nprint('after a display')\n"
    "handle = display(HTML('<b>first</b>'), display_id=True)\n"
    "handle.update(HTML('<b>updated</b>'))\nwarnings.warn('careful')",
    "",
    "from analysis.report.figures import new_figure\n"
    "figure = new_figure(1.0)\nfigure.add_subplot().plot([1, 3, 2])\ndisplay(figure)\n"
    "import matplotlib.pyplot as plt\nplt.plot([2, 1])\ntime.sleep(0.5)",
    "print('a')\ntime.sleep(0.5)\nprint('b')\nsys.stderr.write('e')\ntime.sleep(0.5)\nprint('c')",
    "os.write(1, b'fd one\\n')\ntime.sleep(0.5)\nos.write(2, b'fd two\\n')\ntime.sleep(0.5)\n"
    "subprocess.run(['echo', 'from a child'], check=True)\ntime.sleep(0.5)\nprint('end')",
    "import pandas as pd\npd.DataFrame({'a': [1, 2], 'b': ['x', 'y']})",
    "def broken():\n    raise ValueError('broken on purpose')\nprint('before')\nbroken()",
    "print('never runs')",
]

_EXECUTE = """
import sys
from papermill.exceptions import PapermillExecutionError
from analysis.report.notebooks import clean_executed_notebook, execute_notebook
try:
    execute_notebook("source.ipynb", sys.argv[1], {"n": 5})
except PapermillExecutionError as exc:
    print(f"failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue}")
clean_executed_notebook(sys.argv[1])
"""


def _execute_both_ways(tmp_path, cells: list[str]) -> dict[str, tuple[str, str]]:
    nb = new_notebook(cells=[new_code_cell(source) for source in cells])
    nb.cells[0].metadata["tags"] = ["parameters"]
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3",
        "language": "python",
        "name": "python3",
    }
    nbformat.write(nb, tmp_path / "source.ipynb")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_CURRENT_TEST", "MPLBACKEND")}
    env["PYTHONPATH"] = str(SRC)  # not under pytest: file descriptors are captured, as in a stage
    found = {}
    for kernel in ("in-process", "subprocess"):
        env[KERNEL_ENV] = kernel
        proc = subprocess.run(
            [sys.executable, "-c", _EXECUTE, "executed.ipynb"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr
        text = (tmp_path / "executed.ipynb").read_text(encoding="utf-8")
        # a warning names the cell's file, which holds the kernel's process id
        found[kernel] = (re.sub(r"ipykernel_\d+", "ipykernel_PID", text), proc.stdout)
    return found


def test_a_notebook_runs_in_process_exactly_as_in_a_kernel(tmp_path):
    found = _execute_both_ways(tmp_path, _CELLS)
    assert found["in-process"] == found["subprocess"]
    text, printed = found["in-process"]
    # what went to file descriptor 1 is echoed to the terminal too, as ipykernel does
    assert printed.splitlines() == [
        "fd one",
        "from a child",
        "failed in cell 9: ValueError: broken on purpose",
    ]
    cells = [c for c in nbformat.reads(text, as_version=4).cells if c.cell_type == "code"]
    outputs = {c.source.split("\n")[0]: c.outputs for c in cells}

    def streams(key):
        return [(o.name, o.text) for o in outputs[key] if o.output_type == "stream"]

    assert outputs["# Parameters"] == []  # the injected cell
    assert streams("import os, subprocess, sys, time, warnings") == [
        ("stdout", "hello 5\nworld\n"),
        ("stderr", "to stderr\n"),
    ]
    assert streams("print('a')") == [("stdout", "a\n"), ("stdout", "b\n"), ("stderr", "e")] + [
        ("stdout", "c\n")
    ]
    assert streams("os.write(1, b'fd one\\n')") == [
        ("stdout", "fd one\n"),
        ("stderr", "fd two\n"),
        ("stdout", "from a child\n"),
        ("stdout", "end\n"),
    ]
    display_cell = outputs["from IPython.display import HTML, Markdown, display"]
    assert [o.output_type for o in display_cell] == ["display_data", "stream"] + [
        "display_data",
        "stream",
    ]
    assert display_cell[2].data["text/html"] == "<b>updated</b>"
    assert "UserWarning: careful" in display_cell[3].text
    figures = outputs["from analysis.report.figures import new_figure"]
    assert [sorted(o.data) for o in figures] == [["image/png", "text/plain"]] * 2
    assert outputs["import pandas as pd"][0].execution_count == 8
    error = outputs["def broken():"][-1]
    assert (error.output_type, error.ename, error.evalue) == (
        "error",
        "ValueError",
        "broken on purpose",
    )
    assert any("broken()" in line for line in error.traceback)
    assert outputs["print('never runs')"] == []


def test_the_kernel_setting_is_checked(monkeypatch):
    monkeypatch.setenv(KERNEL_ENV, "subprocess")
    assert not in_process()
    monkeypatch.delenv(KERNEL_ENV)
    assert in_process()
    monkeypatch.setenv(KERNEL_ENV, "threads")
    with pytest.raises(UserError, match="COOPNEWS_NOTEBOOK_KERNEL='threads' is not allowed"):
        in_process()


def test_an_action_runs_after_a_later_import_and_at_once_for_an_imported_module(tmp_path):
    from analysis.report import notebooks

    (tmp_path / "coopnews_probe_module.py").write_text("VALUE = 41\n", encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    seen: list = []
    try:
        notebooks._when_imported("coopnews_probe_module", lambda m: seen.append(m.VALUE + 1))
        assert seen == []  # nothing imported yet
        importlib.import_module("coopnews_probe_module")  # written into tmp_path above

        assert seen == [42]  # after the module's own code ran
        assert not any(isinstance(f, notebooks._AfterImport) for f in sys.meta_path)
        notebooks._when_imported("coopnews_probe_module", lambda m: seen.append(m.VALUE))
        assert seen == [42, 41]  # already imported: at once
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("coopnews_probe_module", None)


def test_setup_notebook_sets_figure_defaults_without_importing_matplotlib(project_root):
    code = (
        "import sys\n"
        "from analysis.report.notebooks import setup_notebook\n"
        "setup_notebook()\n"
        "print('matplotlib' in sys.modules)\n"
        "import matplotlib\n"
        "print(matplotlib.rcParams['svg.hashsalt'], matplotlib.rcParams['figure.dpi'])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=project_root, capture_output=True, text=True, check=True
    )
    assert done.stdout.split("\n")[:2] == ["False", "coopnews 100.0"]
