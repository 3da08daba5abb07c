"""One HTTP GET with hard limits: a deadline, a body-size cap, content-type checks, no redirects."""

# :func:`http_get` never follows redirects and never retries: the crawler decides (it checks
# robots.txt and the per-host delay before every hop, and counts retries). Whatever happens, it
# returns an :class:`Exchange` describing the request and what came back, which the crawler
# archives in the WARC file and summarises in the manifest. Bodies are kept exactly as received
# (content-encoded, de-chunked); :func:`decoded_body` removes gzip/deflate with the same size cap,
# so a compression bomb stops at ``max_bytes``.

from __future__ import annotations

import datetime as dt
import email.utils
import http.client
import ssl
import time
import zlib
from dataclasses import dataclass, field
from urllib.parse import urlsplit

__all__ = [
    "FetchLimits",
    "Exchange",
    "BodyError",
    "http_get",
    "decoded_body",
    "retry_after_seconds",
    "HTML_TYPES",
    "LISTING_TYPES",
    "REDIRECT_STATUSES",
]

HTML_TYPES = ("text/html", "application/xhtml+xml")
LISTING_TYPES = (
    "application/xml",
    "text/xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/x-gzip",
    "application/gzip",
    "text/plain",
    "application/octet-stream",
)
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
# The body of a redirect or error page is archived, but only this much of it is read.
_SMALL_BODY = 64 * 1024
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class FetchLimits:
    """Per-request limits.

    Attributes:
        timeout: seconds from opening the connection to the last byte of the body; a server
            that trickles a page slowly is cut off too (WARC-Truncated: time).
        max_bytes: largest body read, before and after content decoding (WARC-Truncated: length).
    """

    timeout: float = 30.0
    max_bytes: int = 10_000_000


@dataclass
class Exchange:
    """One request and its response, or the failure to get one.

    Attributes:
        url: the URL requested.
        request_headers: the headers sent, in order.
        status, reason, headers: the response's status line and headers (None/""/[] when no
            response arrived).
        body: the body as received (content-encoded), possibly cut short.
        truncated: ``length``, ``time`` or ``disconnect`` when the body is incomplete (the WARC
            ``WARC-Truncated`` value), ``unspecified`` when it was deliberately not read (a type
            the crawler does not want), else None.
        error: None, or ``timeout``, ``connection_error``, ``too_large``, ``wrong_content_type``.
        detail: what happened, in words, for the manifest.
        started_at: UTC time the request started (ISO 8601, seconds).
        elapsed: seconds from the start to the end of the exchange.
    """

    url: str
    request_headers: list[tuple[str, str]]
    status: int | None = None
    reason: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    truncated: str | None = None
    error: str | None = None
    detail: str = ""
    started_at: str = ""
    elapsed: float = 0.0

    def header(self, name: str) -> str | None:
        """The first value of a response header (case-insensitive), or None."""
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)

    @property
    def media_type(self) -> str:
        """The Content-Type without parameters, lower-cased ("" when absent)."""
        return (self.header("Content-Type") or "").split(";", 1)[0].strip().lower()


class BodyError(Exception):
    """A body that cannot be decoded (bad or unsupported Content-Encoding, or too large)."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason


def _utc_now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _connection(url: str, timeout: float) -> tuple[http.client.HTTPConnection, str]:
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if parts.scheme == "https":
        context = ssl.create_default_context()
        return http.client.HTTPSConnection(
            parts.hostname, parts.port, timeout=timeout, context=context
        ), target
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout), target


def _read_body(response, connection, deadline: float, limit: int, exchange: Exchange) -> None:
    """Read the body in pieces, each under the time left, until EOF, the limit or the deadline."""
    chunks, size = [], 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            exchange.truncated, exchange.error = "time", "timeout"
            exchange.detail = "the body did not arrive within the timeout"
            break
        if connection.sock is not None:
            connection.sock.settimeout(left)
        try:
            chunk = response.read1(_CHUNK)
        except TimeoutError:
            exchange.truncated, exchange.error = "time", "timeout"
            exchange.detail = "the body did not arrive within the timeout"
            break
        except (OSError, http.client.HTTPException) as exc:
            exchange.truncated, exchange.error = "disconnect", "connection_error"
            exchange.detail = f"the connection broke while reading the body ({exc!r})"
            break
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            exchange.truncated = "length"
            break
    exchange.body = b"".join(chunks)[:limit]


def http_get(
    url: str, *, headers: dict[str, str], limits: FetchLimits, accept: tuple[str, ...] | None = None
) -> Exchange:
    """GET one URL without following redirects.

    Args:
        url: an http(s) URL (normalised).
        headers: request headers (User-Agent, Accept, ...); ``Accept-Encoding`` and
            ``Connection`` are set here.
        limits: timeout and body-size cap.
        accept: media types wanted for a 2xx body; another declared type is not read
            (``error`` ``wrong_content_type``). None accepts any type.

    Returns:
        The exchange; ``error`` is set when no usable response arrived or a limit was hit.
    """
    sent = dict(headers, **{"Accept-Encoding": "gzip, deflate", "Connection": "close"})
    exchange = Exchange(url, list(sent.items()), started_at=_utc_now())
    start = time.monotonic()
    deadline = start + limits.timeout
    connection, target = _connection(url, limits.timeout)
    try:
        connection.request("GET", target, headers=sent)
        if connection.sock is not None:
            connection.sock.settimeout(max(0.001, deadline - time.monotonic()))
        response = connection.getresponse()
        exchange.status, exchange.reason = response.status, response.reason
        exchange.headers = [(k, v) for k, v in response.msg.items()]
        _after_headers(response, connection, deadline, limits, accept, exchange)
    except TimeoutError:
        exchange.error, exchange.detail = (
            "timeout",
            (
                f"no response within {limits.timeout:g} s"
                if exchange.status is None
                else "the body did not arrive within the timeout"
            ),
        )
    except (OSError, http.client.HTTPException, ValueError) as exc:
        exchange.error, exchange.detail = "connection_error", f"{type(exc).__name__}: {exc}"
    finally:
        connection.close()
        exchange.elapsed = time.monotonic() - start
    return exchange


def _after_headers(
    response,
    connection,
    deadline: float,
    limits: FetchLimits,
    accept: tuple[str, ...] | None,
    exchange: Exchange,
) -> None:
    status = exchange.status
    declared = exchange.header("Content-Length")
    length = int(declared) if declared and declared.strip().isdigit() else None
    if 200 <= status < 300:
        if accept is not None and exchange.media_type and exchange.media_type not in accept:
            exchange.truncated, exchange.error = "unspecified", "wrong_content_type"
            exchange.detail = (
                f"Content-Type {exchange.media_type!r}; expected one of "
                f"{', '.join(accept)}; the body was not read"
            )
            return
        if length is not None and length > limits.max_bytes:
            exchange.truncated, exchange.error = "length", "too_large"
            exchange.detail = (
                f"Content-Length {length:,} bytes; the limit is "
                f"{limits.max_bytes:,}; the body was not read"
            )
            return
        _read_body(response, connection, deadline, limits.max_bytes, exchange)
        if exchange.truncated == "length":
            exchange.error = "too_large"
            exchange.detail = f"the body is larger than the limit of {limits.max_bytes:,} bytes"
    else:
        # redirects and errors: a little of the body is archived, the rest is not wanted
        _read_body(response, connection, deadline, _SMALL_BODY, exchange)
        if exchange.error == "timeout" or exchange.truncated == "length":
            exchange.error, exchange.detail = None, ""
            exchange.truncated = exchange.truncated or "time"


def decoded_body(body: bytes, content_encoding: str | None, max_bytes: int) -> bytes:
    """Remove gzip/deflate content encoding, reading at most ``max_bytes`` of output.

    Raises:
        BodyError: ``too_large`` past the cap, ``bad_encoding`` for corrupt data or an encoding
            other than gzip, deflate and identity.
    """
    encoding = (content_encoding or "identity").strip().lower()
    if encoding in ("identity", ""):
        return body
    if encoding in ("gzip", "x-gzip"):
        candidates = (16 + zlib.MAX_WBITS,)
    elif encoding == "deflate":
        candidates = (zlib.MAX_WBITS, -zlib.MAX_WBITS)  # zlib-wrapped, or raw as some servers send
    else:
        raise BodyError(
            "bad_encoding",
            f"Content-Encoding {encoding!r} is not supported (only gzip and deflate are requested)",
        )
    for wbits in candidates:
        decompressor = zlib.decompressobj(wbits)
        try:
            out = decompressor.decompress(body, max_bytes + 1)
        except zlib.error as exc:
            error = exc
            continue
        if len(out) > max_bytes or decompressor.unconsumed_tail:
            raise BodyError(
                "too_large",
                f"the body is larger than {max_bytes:,} bytes once decompressed ({encoding})",
            )
        return out
    raise BodyError("bad_encoding", f"the {encoding} body cannot be decompressed ({error})")


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())
