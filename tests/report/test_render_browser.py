"""Reader pages in a real headless browser: no requests leave the page and every figure decodes.

Needs Chromium (`apt-get install -y chromium`); skipped when it is not installed. The command is
documented in docs/rendering.md.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from render_fixtures import figure_png, write_fixture_notebooks

from analysis.report.render import render_site

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]

# Appended to a *copy* of each page: after the load event it records how many images the page
# has, which did not decode, and every resource the browser requested that was not inline.
_CHECK_SCRIPT = """<script>
window.addEventListener("load", function () {
  var images = Array.from(document.images);
  var broken = images.filter(function (i) { return !(i.complete && i.naturalWidth > 0); })
                     .map(function (i) {  // shorten embedded images, keep file paths whole
                       return i.src.indexOf("data:") === 0 ? i.src.slice(0, 80) : i.src; });
  var requests = performance.getEntriesByType("resource").map(function (e) { return e.name; })
                     .filter(function (name) { return name.indexOf("data:") !== 0; });
  var out = document.createElement("pre");
  out.id = "browser-check";
  out.textContent = JSON.stringify({images: images.length, broken: broken, requests: requests});
  document.body.appendChild(out);
});
</script>"""


def _chromium() -> str | None:
    for name in (os.environ.get("CHROMIUM", ""), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def browser_check(page: Path, workdir: Path) -> dict:
    """Load a copy of ``page`` with the check script, made in ``workdir``, and return the result.

    Pages embed their figures and link nothing else they need, so the copy shows the same.
    """
    chromium = _chromium()
    probe = workdir / f"browser-check-{page.name}"
    text = page.read_text(encoding="utf-8")
    probe.write_text(text.replace("</body>", _CHECK_SCRIPT + "</body>"), encoding="utf-8")
    try:
        result = subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update", "--no-first-run",
             f"--user-data-dir={workdir / 'chromium-profile'}",
             # any host name fails to resolve, so nothing can load from the web by accident
             "--host-resolver-rules=MAP * ~NOTFOUND",
             "--virtual-time-budget=5000", "--dump-dom", probe.resolve().as_uri()],
            capture_output=True, text=True, timeout=120, check=False,
        )
    finally:
        probe.unlink()
    match = re.search(r'<pre id="browser-check">(.*?)</pre>', result.stdout, flags=re.S)
    assert match, f"no check result from Chromium for {page}: {result.stderr[-2000:]}"
    return json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))


@pytest.fixture(scope="module")
def chromium_available() -> None:
    if _chromium() is None:
        if os.environ.get("CI"):  # .ci/run installs it: a skip there would prove nothing
            pytest.fail("Chromium not installed in CI (.ci/run installs Debian's chromium)")
        pytest.skip("Chromium not installed (apt-get install -y chromium)")


def test_fixture_pages_load_offline_with_figures_decoded(tmp_path, chromium_available):
    folder = tmp_path / "notebooks"
    write_fixture_notebooks(folder, figure_png())
    for page in render_site(folder):
        check = browser_check(page, tmp_path)
        assert check["requests"] == [], page.name
        assert check["broken"] == [], page.name
        expected_images = 0 if page.name == "index.html" else 1
        assert check["images"] == expected_images, page.name


def test_the_check_catches_remote_and_broken_images(tmp_path, chromium_available):
    page = tmp_path / "site" / "bad.html"
    page.parent.mkdir()
    page.write_text(
        '<!DOCTYPE html><html><head><link rel="stylesheet" href="https://cdn.example/x.css">'
        '</head><body><img src="missing.png"></body></html>', encoding="utf-8")
    check = browser_check(page, tmp_path)
    assert check["requests"] == ["https://cdn.example/x.css"]
    assert check["broken"] == [(tmp_path / "missing.png").as_uri()]


def _committed_pages() -> list[Path]:
    folder = ROOT / "reports" / "notebooks"
    return sorted(folder.glob("*.html")) if folder.is_dir() else []


@pytest.mark.skipif(not _committed_pages(), reason="no rendered pages in reports/notebooks yet")
@pytest.mark.parametrize("page", _committed_pages(), ids=lambda p: p.name)
def test_committed_pages_load_offline_with_figures_decoded(page, tmp_path, chromium_available):
    check = browser_check(page, tmp_path)
    assert check["requests"] == []
    assert check["broken"] == []
