"""A loopback HTTP server for the collector tests: fixture pages, hostile answers, a request log.

The server binds 127.0.0.1 on a free port in a thread of the test process, so no test ever
touches an address off the machine. Every request is logged (arrival time, path with query,
headers) before it is answered, so a test can prove what was and was not requested, and when.
"""

from __future__ import annotations

import gzip
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
HTML = FIXTURES / "html"
EXPECTED = json.loads((HTML / "expected.json").read_text(encoding="utf-8"))["articles"]
# the fixture pages link to their made-up outlets; the server rewrites those to itself
_FIXTURE_ORIGIN = re.compile(r"https://[a-z0-9.-]*-contoh\.test")


@dataclass
class Reply:
    """What a route answers. ``body`` may be bytes or text (UTF-8)."""

    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(
        default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"}
    )
    delay: float = 0.0  # seconds before the status line
    trickle: float = 0.0  # seconds between single body bytes (a slow server)
    chunked: bool = False  # Transfer-Encoding: chunked, no Content-Length
    declared_length: int | None = None  # a Content-Length that differs from the body


@dataclass
class Logged:
    time: float
    path: str
    headers: dict[str, str]


class LoopbackServer:
    """Serve ``routes`` (path with query -> Reply or callable(server, path) -> Reply) on
    127.0.0.1; unknown paths get 404."""

    def __init__(self, routes: dict[str, Reply | Callable] | None = None):
        self.routes: dict[str, Reply | Callable] = dict(routes or {})
        self.log: list[Logged] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output clean
                pass

            def do_GET(self):  # noqa: N802 - the http.server interface
                with server.lock:
                    server.log.append(Logged(time.monotonic(), self.path, dict(self.headers)))
                route = server.routes.get(self.path) or server.routes.get(self.path.split("?")[0])
                reply = route(server, self.path) if callable(route) else route
                if reply is None:
                    reply = Reply(404, "<html><body><h1>404 Tidak ditemukan</h1></body></html>")
                server.answer(self, reply)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        body = reply.body.encode("utf-8") if isinstance(reply.body, str) else reply.body
        if reply.delay:
            time.sleep(reply.delay)
        try:
            handler.send_response(reply.status)
            for name, value in reply.headers.items():
                handler.send_header(name, value)
            if reply.chunked:
                handler.send_header("Transfer-Encoding", "chunked")
            else:
                length = reply.declared_length if reply.declared_length is not None else len(body)
                handler.send_header("Content-Length", str(length))
            handler.send_header("Connection", "close")
            handler.end_headers()
            if reply.chunked:
                for start in range(0, len(body), 65536):
                    piece = body[start : start + 65536]
                    handler.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                handler.wfile.write(b"0\r\n\r\n")
            elif reply.trickle:
                for byte in body:
                    handler.wfile.write(bytes([byte]))
                    handler.wfile.flush()
                    time.sleep(reply.trickle)
            else:
                handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeouts, size limits): that is the point of the test
        handler.close_connection = True

    def url(self, path: str) -> str:
        return self.base + path

    def paths(self) -> list[str]:
        with self.lock:
            return [entry.path for entry in self.log]

    def times(self) -> list[float]:
        with self.lock:
            return [entry.time for entry in self.log]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def fixture_page(server: LoopbackServer, name: str) -> str:
    """A fixture page's HTML with its made-up outlet origin replaced by the server's."""
    return _FIXTURE_ORIGIN.sub(server.base, (HTML / name).read_text(encoding="utf-8"))


def serve_fixture_articles(server: LoopbackServer) -> dict[str, str]:
    """Route every fixture article page at its path; returns article name -> first-page URL."""
    firsts = {}
    for name, article in EXPECTED.items():
        for page, path in zip(article["pages"], article["paths"], strict=True):
            server.routes[path] = Reply(body=fixture_page(server, page))
        firsts[name] = server.url(article["paths"][0])
    return firsts


def article_body(title: str, paragraphs: list[str]) -> str:
    """A small plain news page (for generated articles: traps, delay runs)."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html lang='id'><head><meta charset='utf-8'><title>{title}</title>"
        f"<meta property='og:title' content='{title}'></head><body><article><h1>{title}</h1>"
        f"{body}</article></body></html>"
    )


def generated_paragraphs(seed: int) -> list[str]:
    """Indonesian filler paragraphs, different per seed (enough words to be an article)."""
    places = ["Bekasi", "Depok", "Bogor", "Tangerang", "Cimahi", "Sleman", "Gresik", "Sidoarjo"]
    place = places[seed % len(places)]
    return [
        f"Pemerintah Kota {place} dan Pemerintah Provinsi DKI Jakarta membahas kerja sama nomor "
        f"{seed} di bidang transportasi dan pengelolaan sampah pada pekan ini.",
        f"Pertemuan ke-{seed} itu dihadiri pejabat dinas perhubungan dan dinas lingkungan hidup "
        f"dari kedua daerah yang sepakat menyusun rencana kerja bersama.",
        f"Warga {place} berharap kerja sama tersebut segera memberi manfaat, terutama untuk "
        "mengurangi kemacetan di jalan menuju Jakarta setiap pagi dan sore hari.",
    ]


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)
