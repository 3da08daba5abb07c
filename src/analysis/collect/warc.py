"""The WARC archive of a collection: every response as received, with the request that asked for it."""

# Each run of the collector appends to a new file ``warc/collect-NNNNN.warc.gz`` (gzip per record,
# readable by warcio, pywb, ``warcio index`` and the Internet Archive's tools). A file starts with
# a ``warcinfo`` record naming the software, the User-Agent and the politeness settings; then
# every exchange is a ``request`` record followed by its ``response`` record (linked by
# ``WARC-Concurrent-To``). Bodies are stored as received (content-encoded; chunked transfer
# decoded, so ``Transfer-Encoding`` is dropped from the stored headers); an incomplete body carries
# ``WARC-Truncated``. Each pair is flushed and fsynced before the manifest row that points at it is
# written, so a row always names a complete record.
#
# A run killed mid-write can leave a partial record at the end of its file: :func:`repair`
# truncates every file to the end of the last record a manifest row points at.

from __future__ import annotations

import io
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from .fetch import Exchange

__all__ = ["WarcRef", "WarcWriter", "StoredResponse", "read_response", "repair", "next_warc_path"]

_NAME = re.compile(r"^collect-(\d{5})\.warc\.gz$")
_HOP_BY_HOP = frozenset({"transfer-encoding", "connection", "keep-alive"})


@dataclass(frozen=True)
class WarcRef:
    """Where a response record is: file name (relative to the WARC folder), offset, length, id."""

    file: str
    offset: int
    length: int
    record_id: str


@dataclass(frozen=True)
class StoredResponse:
    """A response read back from the archive."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes  # as received (content-encoded)

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)


def next_warc_path(folder: Path) -> Path:
    """The next unused ``collect-NNNNN.warc.gz`` name in ``folder``."""
    numbers = [
        int(m.group(1)) for p in folder.glob("collect-*.warc.gz") if (m := _NAME.match(p.name))
    ]
    return folder / f"collect-{max(numbers, default=0) + 1:05d}.warc.gz"


class WarcWriter:
    """Append request/response pairs to one WARC file, each pair fsynced.

    Args:
        path: the file to create (see :func:`next_warc_path`).
        info: fields of the ``warcinfo`` record (software, operator contact, robots policy ...).
    """

    def __init__(self, path: Path, info: dict[str, str]):
        from warcio.warcwriter import WARCWriter

        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._handle = open(path, "ab")  # noqa: SIM115 - closed in close()
        self._writer = WARCWriter(self._handle, gzip=True)
        record = self._writer.create_warcinfo_record(path.name, dict(info))
        self._writer.write_record(record)
        self._sync()

    def _sync(self) -> None:
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def write(self, exchange: Exchange) -> WarcRef:
        """Archive one exchange that got a response; returns where the response record is."""
        from warcio.statusandheaders import StatusAndHeaders

        writer = self._writer
        response_id = f"<urn:uuid:{uuid.uuid4()}>"
        parts = exchange.url.split("/", 3)
        target = "/" + (parts[3] if len(parts) > 3 else "")
        request = writer.create_warc_record(
            exchange.url,
            "request",
            payload=io.BytesIO(b""),
            http_headers=StatusAndHeaders(
                f"GET {target} HTTP/1.1", exchange.request_headers, is_http_request=True
            ),
            warc_headers_dict={"WARC-Date": exchange.started_at, "WARC-Concurrent-To": response_id},
        )
        headers = [(k, v) for k, v in exchange.headers if k.lower() not in _HOP_BY_HOP]
        warc_headers = {"WARC-Date": exchange.started_at, "WARC-Record-ID": response_id}
        if exchange.truncated:
            warc_headers["WARC-Truncated"] = exchange.truncated
        response = writer.create_warc_record(
            exchange.url,
            "response",
            payload=io.BytesIO(exchange.body),
            length=len(exchange.body),
            http_headers=StatusAndHeaders(
                f"{exchange.status} {exchange.reason}".strip(), headers, protocol="HTTP/1.1"
            ),
            warc_headers_dict=warc_headers,
        )
        writer.write_record(request)
        offset = self._handle.tell()
        writer.write_record(response)
        self._sync()
        return WarcRef(self.path.name, offset, self._handle.tell() - offset, response_id)

    def close(self) -> None:
        self._handle.close()


def read_response(folder: Path, ref: WarcRef) -> StoredResponse:
    """Read the response record at ``ref`` (no scan of the file).

    Raises:
        OSError: the file is missing or unreadable; ValueError: no response record there.
    """
    from warcio.archiveiterator import ArchiveIterator

    with open(folder / ref.file, "rb") as handle:
        handle.seek(ref.offset)
        for record in ArchiveIterator(handle):
            if record.rec_type != "response" or record.http_headers is None:
                break
            return StoredResponse(
                url=record.rec_headers.get_header("WARC-Target-URI"),
                status=int(record.http_headers.get_statuscode() or 0),
                headers=list(record.http_headers.headers),
                body=record.raw_stream.read(),
            )
    raise ValueError(f"{ref.file} at offset {ref.offset}: no response record")


def repair(folder: Path, ends: dict[str, int]) -> dict[str, int]:
    """Cut each WARC file back to the end of the last record the manifest points at.

    Args:
        folder: the WARC folder.
        ends: file name -> end offset of its last referenced record.

    Returns:
        file name -> bytes removed, for the files that were cut. Files no row points at are left
        alone (a run killed before its first row: its warcinfo record is harmless).
    """
    cut = {}
    for name, end in ends.items():
        path = folder / name
        if path.is_file() and path.stat().st_size > end:
            cut[name] = path.stat().st_size - end
            with open(path, "r+b") as handle:
                handle.truncate(end)
                handle.flush()
                os.fsync(handle.fileno())
    return cut
