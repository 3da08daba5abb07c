"""Prototype (issue 21, proposal b): ingest's near-duplicate detector without texts or shingles in memory.

Status: productionised in ``analysis.text.dedup.Deduplicator`` (issue 21, implementation):
``compare`` now runs the production detector against this prototype; the description of
"today" below is the detector before that change (datasketch's MinHashLSH).

Today (``analysis.text.dedup.Deduplicator``) the detector keeps, for every document it has
kept: the SHA-1 hex digest of its word sequence and its doc_id in a dict, its sorted array of
word 5-shingle hashes (about 4 bytes per word), and datasketch's ``MinHashLSH`` entries: 16
bands of 8 MinHash values, each stored as a 64-byte ``bytes`` key in the key table and as a
set member in one of 16 hash tables. The decision is exact: LSH proposes candidates at
Jaccard 0.65, the exact Jaccard of the shingle sets decides at 0.8, the earliest match wins.

The prototype (``CompactDeduplicator``) makes the same decisions with:

* band keys: the same 16 bands of 8 values (datasketch's parameters for threshold 0.65 and
  128 permutations, contiguous ranges), each hashed to a 64-bit integer and kept in sorted
  NumPy arrays (key, document index; merged from a small dict buffer): 12 bytes per band;
* exact duplicates: the 20-byte SHA-1 digest in the same kind of sorted array;
* shingles: appended to a scratch file (``shingles.u32``, 4 bytes per shingle on disk, about
  1 KB per article; written in 4 MB blocks), read back only for a candidate pair; in memory
  only the file offsets and the block being filled;
* doc_ids: one ``bytearray`` and an offset array.

So memory is about 230 bytes per kept document plus the doc_id; a candidate read costs one
``pread``. ``compare`` runs both detectors over the same documents (the cleaned texts of a
documents.parquet, in its order, fingerprints from ``analysis.text.dedup.fingerprint``) and
reports identical decisions, time in the detector and memory per 1,000 documents
(``tracemalloc``: NumPy reports its buffers to it; for today's detector this is what it holds
after the last document, i.e. what ingest carries until it writes).

Usage:
    PYTHONPATH=src python benchmarks/proto_dedup.py --documents PROJECT/data/processed/documents.parquet \
        [--limit N] [--scratch /tmp/dedup_scratch]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np


class _SortedMulti:
    """A multimap uint64 key -> int32 values: a dict buffer, flushed into sorted runs that are
    merged while a run is not much smaller than the one before it (log-structured: a key is
    searched in O(log n) runs, each insertion is moved O(log n) times)."""

    def __init__(self, buffer_limit: int = 65_536):
        self.runs: list[tuple[np.ndarray, np.ndarray]] = []
        self.buffer: dict[int, list[int]] = {}
        self.buffered = 0
        self.limit = buffer_limit

    def add(self, key: int, value: int) -> None:
        self.buffer.setdefault(key, []).append(value)
        self.buffered += 1
        if self.buffered >= self.limit:
            self.flush()

    def flush(self) -> None:
        if not self.buffered:
            return
        keys = np.fromiter(
            (k for k, vs in self.buffer.items() for _ in vs), dtype=np.uint64, count=self.buffered
        )
        values = np.fromiter(
            (v for vs in self.buffer.values() for v in vs), dtype=np.int32, count=self.buffered
        )
        order = np.argsort(keys, kind="stable")
        self.runs.append((keys[order], values[order]))
        self.buffer.clear()
        self.buffered = 0
        while len(self.runs) >= 2 and len(self.runs[-1][0]) * 2 >= len(self.runs[-2][0]):
            (k2, v2), (k1, v1) = self.runs.pop(), self.runs.pop()
            keys, values = np.concatenate([k1, k2]), np.concatenate([v1, v2])
            order = np.argsort(keys, kind="stable")
            self.runs.append((keys[order], values[order]))

    def get_many(self, keys: list[int]) -> list[int]:
        """Values of any of ``keys``: the dict buffer, then one vectorised search per run."""
        found = [v for k in keys for v in self.buffer.get(k, ())]
        if self.runs:
            wanted = np.array(keys, dtype=np.uint64)
            for run_keys, run_values in self.runs:
                lo = np.searchsorted(run_keys, wanted, side="left")
                inside = lo < len(run_keys)
                hit = np.zeros(len(wanted), dtype=bool)
                hit[inside] = run_keys[lo[inside]] == wanted[inside]
                for a, key in zip(lo[hit].tolist(), wanted[hit].tolist()):
                    while a < len(run_keys) and run_keys[a] == key:
                        found.append(int(run_values[a]))
                        a += 1
        return found

    def get(self, key: int) -> list[int]:
        return self.get_many([key])

    def nbytes(self) -> int:
        return sum(k.nbytes + v.nbytes for k, v in self.runs)


class CompactDeduplicator:
    """Same decisions as ``analysis.text.dedup.Deduplicator``; memory ~230 B per kept document."""

    def __init__(self, threshold: float, scratch: Path, num_perm: int = 128):
        from datasketch import MinHashLSH

        lsh = MinHashLSH(threshold=max(0.05, threshold - 0.15), num_perm=num_perm)
        self.ranges = lsh.hashranges  # the same bands as today's LSH
        width = self.ranges[0][1] - self.ranges[0][0]
        assert all(b - a == width and a == i * width for i, (a, b) in enumerate(self.ranges))
        del lsh
        self.threshold = threshold
        self.bands = _SortedMulti()
        self.digests = _SortedMulti()
        self.digest_bytes = bytearray()  # 20 bytes per kept document, to confirm a digest hit
        self.offsets = [0]  # shingle file offsets (in uint32 units), kept documents in order
        self.ids = bytearray()
        self.id_ends: list[int] = []
        self.path = scratch / "shingles.u32"
        self.file = open(self.path, "w+b")  # noqa: SIM115 - closed in close()
        self.pending = bytearray()  # shingles not yet written (flushed every 4 MB)
        self.written = 0  # uint32 units in the file
        self.n = 0

    def close(self) -> None:
        self.file.close()
        self.path.unlink(missing_ok=True)

    def _doc_id(self, index: int) -> str:
        start = self.id_ends[index - 1] if index else 0
        return self.ids[start : self.id_ends[index]].decode("utf-8")

    def _shingles(self, index: int) -> np.ndarray:
        start, end = self.offsets[index], self.offsets[index + 1]
        if start >= self.written:  # still in the write buffer
            a = 4 * (start - self.written)
            return np.frombuffer(bytes(self.pending[a : a + 4 * (end - start)]), dtype=np.uint32)
        data = os.pread(self.file.fileno(), 4 * (end - start), 4 * start)
        return np.frombuffer(data, dtype=np.uint32)

    def _band_keys(self, hashvalues: np.ndarray) -> list[int]:
        """One 64-bit key per band (band number included). Python's hash of the band's bytes:
        the keys never leave the process, so its per-process salt does not matter."""
        data = np.ascontiguousarray(hashvalues, dtype=np.uint64).tobytes()
        width = 8 * (self.ranges[0][1] - self.ranges[0][0])
        return [
            hash((i, data[i * width : (i + 1) * width])) & 0xFFFFFFFFFFFFFFFF
            for i in range(len(self.ranges))
        ]

    def check(self, doc_id: str, digest: str, shingles: np.ndarray, hashvalues: np.ndarray):
        raw = digest if isinstance(digest, bytes) else bytes.fromhex(digest)
        key = int.from_bytes(raw[:8], "little")
        for index in self.digests.get(key):
            if self.digest_bytes[20 * index : 20 * index + 20] == raw:
                return self._doc_id(index)
        band_keys = self._band_keys(hashvalues)
        candidates = sorted(set(self.bands.get_many(band_keys)))
        for candidate in candidates:  # in order: the earliest match wins
            other = self._shingles(candidate)
            inter = np.intersect1d(shingles, other, assume_unique=True).size
            if inter / (shingles.size + other.size - inter) >= self.threshold:
                return self._doc_id(candidate)
        index = self.n
        self.n += 1
        self.digests.add(key, index)
        self.digest_bytes += raw
        for k in band_keys:
            self.bands.add(k, index)
        self.pending += np.ascontiguousarray(shingles, dtype=np.uint32).tobytes()
        self.offsets.append(self.offsets[-1] + int(shingles.size))
        if len(self.pending) >= 4 << 20:
            os.pwrite(self.file.fileno(), bytes(self.pending), 4 * self.written)
            self.written += len(self.pending) // 4
            self.pending.clear()
        self.ids += doc_id.encode("utf-8")
        self.id_ends.append(len(self.ids))
        return None


def _documents(path: Path, limit: int | None):
    import pyarrow.parquet as pq

    source = pq.ParquetFile(path)
    seen = 0
    for batch in source.iter_batches(2048, columns=["doc_id", "text"]):
        for doc_id, text in zip(
            batch.column("doc_id").to_pylist(), batch.column("text").to_pylist()
        ):
            yield doc_id, text
            seen += 1
            if limit and seen >= limit:
                return


def _measure(name: str, make, fingerprints_of, docs, scratch: Path) -> dict:
    from analysis.text.dedup import Fingerprint

    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    detector = make()
    decisions = []
    seconds = 0.0
    marks = {}
    for n, (doc_id, text) in enumerate(docs, 1):
        digest, shingles, minhash = fingerprints_of(text)
        # fresh objects, as ingest hands the detector: allocated while tracemalloc traces
        doc_id = (doc_id + ".")[:-1]
        fp = (bytes(digest), shingles.copy(), minhash.copy())
        started = time.perf_counter()
        if isinstance(detector, CompactDeduplicator):
            decisions.append(detector.check(doc_id, *fp))
        else:
            decisions.append(detector.check(doc_id, Fingerprint(*fp)))
        seconds += time.perf_counter() - started
        del fp
        if n in (1000, 5000, 10_000, 20_000, 50_000, 100_000):
            marks[n] = round((tracemalloc.get_traced_memory()[0] - base) / 2**20, 1)
    if isinstance(detector, CompactDeduplicator):
        detector.bands.flush()
        detector.digests.flush()
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - base
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    extra = {}
    if isinstance(detector, CompactDeduplicator):
        extra["scratch_file_mb"] = round(
            (detector.path.stat().st_size + len(detector.pending)) / 2**20, 1
        )
    detector.close()  # both remove their scratch files
    n = len(decisions)
    return {
        "detector": name,
        "documents": n,
        "duplicates": sum(d is not None for d in decisions),
        "held_mb": round(held / 2**20, 1),
        "peak_mb": round(peak / 2**20, 1),
        "bytes_per_document": round(held / max(1, n)),
        "mb_per_1000_documents": round(held / max(1, n) * 1000 / 2**20, 2),
        "held_mb_at": marks,
        "check_s": round(seconds, 2),
        "check_ms_per_document": round(1000 * seconds / max(1, n), 3),
        **extra,
    }, decisions


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument("--seed", type=int, default=20250811)
    parser.add_argument("--scratch", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    from analysis.text.dedup import Deduplicator as _Deduplicator
    from analysis.text.dedup import fingerprint as _fingerprints

    # fingerprints once, outside the measured detectors (the workers compute them in ingest)
    started = time.perf_counter()
    cache = {}
    docs = list(_documents(args.documents, args.limit))
    for doc_id, text in docs:
        cache[doc_id] = _fingerprints(text, args.seed)
    fp_s = time.perf_counter() - started
    texts = [(doc_id, doc_id) for doc_id, _ in docs]  # the "text" is the key into the cache
    del docs
    scratch = Path(tempfile.mkdtemp(prefix="dedup_", dir=args.scratch))
    today, d_today = _measure(
        "production (analysis.text.dedup.Deduplicator)",
        lambda: _Deduplicator(args.threshold, args.seed, str(scratch)),
        cache.__getitem__,
        texts,
        scratch,
    )
    proto, d_proto = _measure(
        "prototype (CompactDeduplicator)",
        lambda: CompactDeduplicator(args.threshold, scratch),
        cache.__getitem__,
        texts,
        scratch,
    )
    scratch.rmdir()
    result = {
        "documents_path": str(args.documents),
        "fingerprints_s": round(fp_s, 1),
        "load": round(os.getloadavg()[0], 2),
        "today": today,
        "prototype": proto,
        "identical_decisions": d_today == d_proto,
        "n_differences": sum(a != b for a, b in zip(d_today, d_proto)),
    }
    print(json.dumps(result, indent=1))
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n")
    return 0 if result["identical_decisions"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
