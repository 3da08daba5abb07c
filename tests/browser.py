"""A small headless-Chromium driver over the DevTools protocol, for the browser tests, network off.

Chromium (Debian package ``chromium``) is started with remote debugging on a free local port
and a fresh profile; the driver talks to it over one WebSocket (``websocket-client``), so no
chromedriver, Selenium or download is involved. Every host name fails to resolve
(``--host-resolver-rules``) and the page's network is emulated offline, so a page that tries
to fetch anything records a request and a failure, which the tests assert away.

Also a script, to take screenshots of a page at several widths::

    PYTHONPATH=src python tests/browser.py reports/explore/index.html docs/img/explore 1280 390
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = ["find_chromium", "Chromium", "Page", "BrowserError"]

_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--no-first-run",
    "--no-default-browser-check",
    "--metrics-recording-only",
    "--mute-audio",
    "--force-device-scale-factor=1",
    "--hide-scrollbars",
    # any host name fails to resolve, so nothing can load from the web by accident
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--remote-debugging-port=0",
    "--remote-debugging-address=127.0.0.1",
)
_NAMES = ("chromium", "chromium-browser", "google-chrome")


class BrowserError(RuntimeError):
    """Chromium did not start, answered with an error, or a wait timed out."""


def find_chromium() -> str | None:
    """Path of the Chromium binary (``$CHROMIUM`` first), or None."""
    for name in (os.environ.get("CHROMIUM", ""), *_NAMES):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


class Chromium:
    """A headless Chromium process and its DevTools connection; use as a context manager."""

    def __init__(self, binary: str | None = None, *, timeout: float = 30.0) -> None:
        import websocket  # websocket-client

        self.binary = binary or find_chromium()
        if not self.binary:
            raise BrowserError("Chromium not found (apt-get install -y chromium)")
        self.timeout = timeout
        self._profile = tempfile.mkdtemp(prefix="chromium-profile-")
        self._process = subprocess.Popen(
            [self.binary, *_FLAGS, f"--user-data-dir={self._profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        endpoint = self._endpoint()
        self._ws = websocket.create_connection(endpoint, timeout=timeout, suppress_origin=True)
        self._next_id = 0
        self.events: list[dict] = []

    def _endpoint(self) -> str:
        port_file = Path(self._profile) / "DevToolsActivePort"
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                err = self._process.stderr.read().decode("utf-8", "replace")[-2000:]
                raise BrowserError(f"Chromium exited at start: {err}")
            if port_file.is_file():
                lines = port_file.read_text(encoding="utf-8").split("\n")
                if len(lines) >= 2 and lines[0].strip() and lines[1].strip():
                    return f"ws://127.0.0.1:{lines[0].strip()}{lines[1].strip()}"
            time.sleep(0.05)
        raise BrowserError("Chromium did not open its DevTools port in time")

    def send(
        self,
        method: str,
        params: dict | None = None,
        session: str | None = None,
        timeout: float | None = None,
    ) -> dict:
        """Send one DevTools command and return its result; events seen meanwhile are kept."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._ws.send(json.dumps(message))
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def _receive(self, deadline: float) -> dict:
        import websocket

        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise BrowserError("timed out waiting for Chromium")
        self._ws.settimeout(remaining)
        try:
            reply = json.loads(self._ws.recv())
        except websocket.WebSocketTimeoutException:
            raise BrowserError("timed out waiting for Chromium") from None
        if "method" in reply:
            self.events.append(reply)
        return reply

    def pump(self, seconds: float) -> None:
        """Collect events for ``seconds`` without sending anything."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                self._receive(deadline)
            except BrowserError:
                return

    def new_page(self, width: int = 1280, height: int = 900, *, mobile: bool = False) -> Page:
        """Open a tab with the network off, console and requests recorded."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        page = Page(self, session)
        for domain in ("Page", "Runtime", "Network", "Log"):
            self.send(f"{domain}.enable", {}, session)
        self.send(
            "Network.emulateNetworkConditions",
            {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
            session,
        )
        page.set_viewport(width, height, mobile=mobile)
        return page

    def close(self) -> None:
        try:
            self._ws.close()
        finally:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            if self._process.stderr:
                self._process.stderr.close()
            shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Page:
    """One tab: navigate, run JavaScript, click/hover/type like a user, take screenshots."""

    def __init__(self, browser: Chromium, session: str) -> None:
        self.browser = browser
        self.session = session

    def send(self, method: str, params: dict | None = None) -> dict:
        return self.browser.send(method, params, self.session)

    def close(self) -> None:
        """Close the tab."""
        target = self.send("Target.getTargetInfo")["targetInfo"]["targetId"]
        self.browser.send("Target.closeTarget", {"targetId": target})

    def _events(self, method: str) -> list[dict]:
        return [
            e["params"]
            for e in self.browser.events
            if e.get("sessionId") == self.session and e["method"] == method
        ]

    def set_viewport(self, width: int, height: int, *, mobile: bool = False) -> None:
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
        )

    def goto(self, url: str, timeout: float = 30.0) -> None:
        """Load ``url`` and wait for its load event."""
        before = len(self._events("Page.loadEventFired"))
        self.send("Page.navigate", {"url": url})
        deadline = time.monotonic() + timeout
        while len(self._events("Page.loadEventFired")) <= before:
            self.browser._receive(deadline)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression (promises awaited); a thrown error raises."""
        result = self.send(
            "Runtime.evaluate",
            {
                "expression": expression,
                "returnByValue": True,
                "awaitPromise": True,
                "userGesture": True,
            },
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise BrowserError(f"JavaScript error: {text}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 10.0) -> Any:
        """Poll a JavaScript expression until it is truthy; return its value."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            self.browser.pump(0.05)
        raise BrowserError(f"timed out waiting for: {expression}")

    def _centre(self, selector: str) -> tuple[float, float]:
        box = self.evaluate(
            "(() => { const e = document.querySelector(%s); if (!e) return null;"
            " e.scrollIntoView({block: 'center', inline: 'center'});"
            " const r = e.getBoundingClientRect();"
            " return [r.left + r.width / 2, r.top + r.height / 2]; })()" % json.dumps(selector)
        )
        if box is None:
            raise BrowserError(f"no element matches {selector}")
        return box[0], box[1]

    def hover(self, selector: str) -> None:
        """Move the mouse onto the centre of the element."""
        x, y = self._centre(selector)
        self.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y})

    def click(self, selector: str) -> None:
        """Press and release the left mouse button on the centre of the element."""
        x, y = self._centre(selector)
        self.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y})
        for kind in ("mousePressed", "mouseReleased"):
            self.send(
                "Input.dispatchMouseEvent",
                {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1},
            )

    def type(self, selector: str, text: str) -> None:
        """Focus the element and type ``text`` into it (input events fire as for a user)."""
        self.evaluate("document.querySelector(%s).focus()" % json.dumps(selector))
        self.send("Input.insertText", {"text": text})

    def press(self, key: str) -> None:
        """Press and release a named key: Enter, Escape, Tab or a space."""
        codes = {"Enter": 13, "Escape": 27, "Tab": 9, " ": 32}
        params = {
            "key": key,
            "code": "Space" if key == " " else key,
            "windowsVirtualKeyCode": codes[key],
        }
        if key in ("Enter", " "):
            params["text"] = "\r" if key == "Enter" else " "
        self.send("Input.dispatchKeyEvent", {"type": "keyDown", **params})
        self.send("Input.dispatchKeyEvent", {"type": "keyUp", **params})

    def screenshot(self, path: str | Path, *, full_page: bool = True) -> Path:
        """Save a PNG of the page (the whole scrolled length with ``full_page``)."""
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            size = self.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
            )
            params.update(
                captureBeyondViewport=True,
                clip={"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1},
            )
        data = self.send("Page.captureScreenshot", params)["data"]
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    # ------------------------------------------------------------------ what happened

    def requests(self) -> list[str]:
        """Every URL the page asked for, except ``file:`` and ``data:`` ones."""
        urls = [e["request"]["url"] for e in self._events("Network.requestWillBeSent")]
        return [u for u in urls if not u.startswith(("file:", "data:"))]

    def failed_requests(self) -> list[str]:
        return [
            f"{e.get('errorText')} ({e.get('requestId')})"
            for e in self._events("Network.loadingFailed")
        ]

    def console_errors(self) -> list[str]:
        """Console errors, uncaught exceptions and error log entries (CSP violations, failed loads)."""
        errors = [
            " ".join(str(a.get("value", a.get("description", ""))) for a in e.get("args", []))
            for e in self._events("Runtime.consoleAPICalled")
            if e["type"] in ("error", "assert")
        ]
        errors += [
            e["exceptionDetails"].get("exception", {}).get("description")
            or e["exceptionDetails"].get("text", "")
            for e in self._events("Runtime.exceptionThrown")
        ]
        errors += [
            e["entry"]["text"]
            for e in self._events("Log.entryAdded")
            if e["entry"]["level"] == "error"
        ]
        return errors


def _small_png(path: Path) -> None:
    """Reduce a screenshot to 256 colours (about a third of the bytes; text stays sharp)."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(
            colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
    small.save(path, optimize=True)


def _screenshots(page_file: str, prefix: str, widths: list[int]) -> None:
    """Full-page screenshots ``{prefix}_{width}.png`` and, when the page is the explorer, one of
    its first titled article's evidence ``{prefix}_evidence_{width}.png`` (the window's height),
    in 256 colours."""
    url = Path(page_file).resolve().as_uri()
    with Chromium() as browser:
        for width in widths:
            page = browser.new_page(width, 900 if width >= 700 else 844, mobile=width < 700)
            page.goto(url)
            shots = [page.screenshot(f"{prefix}_{width}.png")]
            # the first article with a title (the table's order: newest first)
            titled = page.evaluate(
                "(() => { const b = Array.from(document.querySelectorAll('#article-rows button.open'))"
                ".find(b => b.textContent !== '(untitled article)');"
                " return b ? b.getAttribute('data-row') : null; })()"
            )
            if titled is not None:
                page.click(f'#article-rows button.open[data-row="{titled}"]')
                page.wait_for("document.getElementById('article-dialog').open")
                shots.append(page.screenshot(f"{prefix}_evidence_{width}.png", full_page=False))
            for shot in shots:
                _small_png(shot)
            problems = page.console_errors() + page.requests()
            print(*shots, "; ".join(problems) or "no console error, no request")
            page.close()


if __name__ == "__main__":
    if len(sys.argv) < 4:
        raise SystemExit(__doc__)
    _screenshots(sys.argv[1], sys.argv[2], [int(w) for w in sys.argv[3:]])
