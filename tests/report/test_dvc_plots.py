"""`dvc plots show` and `dvc plots diff` give pages that draw every plot with the network off.

DVC's default page loads Vega from a CDN and stays blank offline; the project's template
(templates/dvc_plots/offline.html, set as plots.html_template in .dvc/config) draws DVC's line
and scatter plots itself. Needs Chromium (skipped when it is absent; CI installs it).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from test_render_browser import browser_check, chromium_available  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
DVC = str(Path(sys.executable).parent / "dvc")
# Appended to the page by browser_check's copy: what each DVC plot div holds after drawing.
_PLOTS = """<script>
window.addEventListener("load", function () {
  var out = document.createElement("pre");
  out.id = "plot-check";
  out.textContent = JSON.stringify(Array.from(document.querySelectorAll(".dvc-offline-plot"))
    .map(function (div) { return {id: div.id, svg: div.querySelectorAll("svg").length,
      lines: div.querySelectorAll("polyline").length, points: div.querySelectorAll("circle").length,
      legend: Array.from(div.querySelectorAll(".legend span")).map(function (s) {
        return s.textContent; })}; }));
  document.body.appendChild(out);
});
</script>"""


def _render(args: list[str], out: Path) -> Path:
    proc = subprocess.run(
        [DVC, "plots", *args, "-o", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    page = out / "index.html"
    assert page.is_file()
    return page


def test_template_is_the_configured_one_and_loads_nothing_from_the_web():
    config = (ROOT / ".dvc" / "config").read_text(encoding="utf-8")
    assert re.search(r"html_template\s*=\s*\.\./templates/dvc_plots/offline\.html", config)
    template = (ROOT / "templates" / "dvc_plots" / "offline.html").read_text(encoding="utf-8")
    assert "{plot_divs}" in template and "{scripts}" not in template
    assert not re.search(r"<script[^>]+src=", template)
    assert "/dvc_plots/" in (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    tracked = subprocess.run(
        ["git", "ls-files", "templates/dvc_plots/offline.html"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert tracked == ["templates/dvc_plots/offline.html"]  # not caught by the ignore rule


def test_plots_show_draws_every_plot_offline(tmp_path, chromium_available):
    page = _render(["show"], tmp_path / "show")
    assert "cdn.jsdelivr" not in page.read_text(encoding="utf-8")
    drawn = _drawn(page, tmp_path)
    assert {d["id"] for d in drawn} == {"coverage_monthly", "distinctive_terms"}
    by_id = {d["id"]: d for d in drawn}
    monthly = by_id["coverage_monthly"]
    assert monthly["svg"] == 1 and monthly["lines"] == 2  # agglomeration and international
    assert monthly["legend"] == ["workspace · agglomeration", "workspace · international"]
    assert by_id["distinctive_terms"]["points"] > 20


def test_plots_diff_draws_both_revisions(tmp_path, chromium_available):
    page = _render(["diff", "HEAD"], tmp_path / "diff")
    drawn = {d["id"]: d for d in _drawn(page, tmp_path)}
    legend = drawn["coverage_monthly"]["legend"]
    assert any(item.startswith("HEAD") for item in legend), legend
    assert any(item.startswith("workspace") for item in legend), legend


def _drawn(page: Path, workdir: Path) -> list[dict]:
    import json

    html = page.read_text(encoding="utf-8")
    probe = page.with_name("probe.html")
    probe.write_text(html.replace("</body>", _PLOTS + "</body>"), encoding="utf-8")
    result = browser_check(probe, page.parent)  # its copy must sit beside static/
    assert [r for r in result["requests"] if not r.startswith("file://")] == []
    assert result["broken"] == []
    dom = _dump(probe, workdir)
    match = re.search(r'<pre id="plot-check">(.*?)</pre>', dom, flags=re.S)
    assert match, "the plot check did not run"
    return json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))


def _dump(page: Path, workdir: Path) -> str:
    from test_render_browser import _chromium

    proc = subprocess.run(
        [
            _chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            f"--user-data-dir={workdir / 'chromium-dump'}",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--virtual-time-budget=5000",
            "--dump-dom",
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return proc.stdout
