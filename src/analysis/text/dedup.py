"""Exact and near-duplicate detection of articles: word digests, 5-shingles and MinHash LSH."""

# The detector keeps, per kept document, only what a later document is checked against: its
# word digest and its band keys in sorted NumPy arrays, and the offset of its shingles and
# signature in a scratch file in a temporary folder. Texts and shingle sets are never held in
# memory (about 200 bytes per kept document, plus the doc_id as UTF-8 bytes), so ingest's memory
# does not grow with the corpus; the shingles of a candidate pair are read back from the file.
# The decisions are those of MinHash LSH as in datasketch 2.0 (``affine32`` permutations drawn
# with the seed, the same bands) followed by the exact Jaccard similarity of the shingle sets:
# ``tests/text/test_dedup.py`` checks both against datasketch itself.

from __future__ import annotations

import functools
import hashlib
import importlib
import os
import re
import shutil
import tempfile
import zlib
from typing import NamedTuple

import numpy as np

from .tokens import WORD_RUN

__all__ = ["Fingerprint", "fingerprint", "lsh_bands", "Deduplicator"]

# MinHash settings for near-duplicate search. The seed (params.yaml ``seed``) fixes the
# candidate sets, and hence the run; the final decision uses the exact Jaccard similarity.
_NUM_PERM = 128
_SHINGLE_WORDS = 5
_SHINGLE_BASE = np.uint64(1_000_003)
_MAX32 = 0xFFFFFFFF
# LSH candidates are proposed at a looser threshold than the decision, so few true pairs are
# missed; the weights of false positives and false negatives when the bands are chosen.
_LSH_SLACK = 0.15
_LSH_WEIGHTS = (0.5, 0.5)
_BAND_KEY_SEED = 20250811  # the band keys' multipliers (any fixed value: see _band_keys)


class Fingerprint(NamedTuple):
    """What duplicate detection compares: the word digest, the shingle set, the MinHash."""

    digest: bytes  # 20-byte SHA-1 of the lower-cased word sequence
    shingles: np.ndarray  # sorted unique 32-bit hashes of word 5-shingles (uint32)
    minhash: np.ndarray  # MinHash values of the shingles (uint32, _NUM_PERM of them)

    def __reduce__(self):
        # Fingerprints come back from the ingest workers by the million: the arrays travel as
        # their bytes (a third of the cost of pickling two arrays) and come back as read-only
        # uint32 views of them.
        return (_from_bytes, (self.digest, self.shingles.tobytes(), self.minhash.tobytes()))


def _from_bytes(digest: bytes, shingles: bytes, minhash: bytes) -> Fingerprint:
    return Fingerprint(
        digest, np.frombuffer(shingles, dtype=np.uint32), np.frombuffer(minhash, dtype=np.uint32)
    )


@functools.lru_cache(maxsize=4)
def _permutations(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The affine permutations ``h -> a*h + b (mod 2**32)``, ``a`` odd, drawn as datasketch
    2.0's ``affine32`` scheme draws them from ``seed`` (so signatures equal datasketch's)."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, _NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, _NUM_PERM, dtype=np.uint32)
    return a, b


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser (a bijection that spreads structured inputs)."""
    with np.errstate(over="ignore"):
        values = values ^ (values >> np.uint32(16))
        values = values * np.uint32(0x85EBCA6B)
        values = values ^ (values >> np.uint32(13))
        values = values * np.uint32(0xC2B2AE35)
        return values ^ (values >> np.uint32(16))


def _minhash(shingles: np.ndarray, seed: int) -> np.ndarray:
    """The MinHash signature of a non-empty shingle array, all permutations at once."""
    a, b = _permutations(seed)
    mixed = _fmix32(shingles.astype(np.uint32, copy=False))
    signature = np.full(_NUM_PERM, _MAX32, dtype=np.uint32)
    # blocks of shingles bound the temporary (block x permutations) matrix
    for start in range(0, len(mixed), 4096):
        block = mixed[start : start + 4096, None]
        with np.errstate(over="ignore"):
            np.minimum(signature, (block * a + b).min(axis=0), out=signature)
    return signature


_ASCII_WORD_RUN = re.compile(r"[a-z0-9_]+")


def _word_codes(words: list[str]) -> np.ndarray:
    """crc32 of each word's UTF-8 bytes, computed once per distinct word."""
    crc = zlib.crc32
    table = {w: crc(w.encode("utf-8")) for w in dict.fromkeys(words)}
    return np.fromiter(map(table.__getitem__, words), dtype=np.uint64, count=len(words))


def fingerprint(text: str, seed: int) -> Fingerprint:
    """The duplicate fingerprint of an article body (runs in worker processes).

    Words are lower-cased ``\\w+`` runs, so reflowed whitespace or punctuation does not hide a
    copy; ``seed`` draws the MinHash permutations. The shingles and the signature come from the
    compiled :func:`~analysis.text._shingles.shingles_and_minhash` (in NumPy they cost ingest's
    workers 0.05 ms more per article, of about 0.6), or from :func:`_fingerprint_arrays` without
    numba: the same values.
    """
    # on ASCII text casefold() is lower() and \w is [a-z0-9_]: the same words, sooner
    words = (
        _ASCII_WORD_RUN.findall(text.lower())
        if text.isascii()
        else WORD_RUN.findall(text.casefold())
    )
    joined = " ".join(words).encode("utf-8")
    digest = hashlib.sha1(joined).digest()
    compiled = _compiled()
    if compiled is None:  # pragma: no cover - numba comes with the pinned environment
        shingles, signature = _fingerprint_arrays(words, seed)
    else:
        a, b = _permutations(seed)
        shingles, signature = compiled(
            np.frombuffer(joined, dtype=np.uint8), _SHINGLE_WORDS, _SHINGLE_BASE, a, b
        )
    return Fingerprint(digest, shingles, signature)


@functools.cache
def _numba_module(name: str):
    """``analysis.text.<name>``, a module of numba-compiled functions, or None without numba."""
    try:
        return importlib.import_module(f"{__package__}.{name}")
    except ImportError:  # pragma: no cover - numba comes with the pinned environment
        return None


def _compiled():
    """The compiled shingles and MinHash (:mod:`analysis.text._shingles`), or None."""
    module = _numba_module("_shingles")
    return None if module is None else module.shingles_and_minhash


def _fingerprint_arrays(words: list[str], seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The shingle hashes and the MinHash of ``words`` in NumPy (the reference of the compiled
    code): each word's CRC-32, each 5-shingle's polynomial hash folded to 32 bits, sorted and
    made unique, then the signature."""
    codes = _word_codes(words)
    if len(codes) < _SHINGLE_WORDS:
        combined = np.array([int(codes.sum()) & _MAX32], dtype=np.uint64)
    else:
        n = len(codes) - _SHINGLE_WORDS + 1
        combined = np.zeros(n, dtype=np.uint64)
        with np.errstate(over="ignore"):  # wrap-around is the intended modular arithmetic
            for k in range(_SHINGLE_WORDS):
                combined = combined * _SHINGLE_BASE + codes[k : k + n]
    folded = ((combined ^ (combined >> np.uint64(32))) & np.uint64(_MAX32)).astype(np.uint32)
    folded.sort()
    shingles = folded[np.concatenate(([True], folded[1:] != folded[:-1]))]  # np.unique
    return shingles, _minhash(shingles, seed)


# --------------------------------------------------------------------------------------------
# Choosing the bands (as datasketch's MinHashLSH does, without scipy)

_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(100)


def _integral(func, lo: float, hi: float) -> float:
    """Gauss-Legendre quadrature: exact for the polynomials of degree <= 199 integrated here."""
    half = (hi - lo) / 2
    return float(half * np.sum(_WEIGHTS * func(half * _NODES + (lo + hi) / 2)))


@functools.lru_cache(maxsize=16)
def lsh_bands(threshold: float, num_perm: int = _NUM_PERM) -> tuple[int, int]:
    """``(bands, rows)`` minimising the equally weighted probabilities of a false positive
    below ``threshold`` and of a false negative above it (the rule of datasketch's
    ``MinHashLSH``; the integrands are polynomials, integrated exactly)."""
    best, chosen = float("inf"), (0, 0)
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            fp = _integral(lambda s, b=b, r=r: 1 - (1 - s**r) ** b, 0.0, threshold)
            fn = _integral(lambda s, b=b, r=r: (1 - s**r) ** b, threshold, 1.0)
            error = fp * _LSH_WEIGHTS[0] + fn * _LSH_WEIGHTS[1]
            if error < best:
                best, chosen = error, (b, r)
    return chosen


# --------------------------------------------------------------------------------------------
# Compact storage


def _compiled_multimap():
    """The compiled table functions (:mod:`analysis.text._multimap`), or None without numba."""
    return _numba_module("_multimap")


def _multimap(compiled) -> _HashMultimap | _SortedMultimap:
    return _SortedMultimap() if compiled is None else _HashMultimap(compiled)


class _SortedMultimap:
    """uint64 key -> int32 values: a small dict buffer flushed into sorted NumPy runs, merged
    while a run is at least half the size of the one before it (O(log n) runs to search)."""

    def __init__(self, buffer_limit: int = 65_536) -> None:
        self.runs: list[tuple[np.ndarray, np.ndarray]] = []
        self.buffer: dict[int, list[int]] = {}
        self.buffered = 0
        self.limit = buffer_limit

    def add(self, key: int, value: int) -> None:
        self.buffer.setdefault(key, []).append(value)
        self.buffered += 1
        if self.buffered >= self.limit:
            self.flush()

    def add_many(self, keys: np.ndarray, value: int) -> None:
        for key in keys.tolist():
            self.add(key, value)

    def flush(self) -> None:
        if not self.buffered:
            return
        items = [(k, v) for k, vs in self.buffer.items() for v in vs]
        keys = np.fromiter((k for k, _ in items), dtype=np.uint64, count=len(items))
        values = np.fromiter((v for _, v in items), dtype=np.int32, count=len(items))
        order = np.argsort(keys, kind="stable")
        self.runs.append((keys[order], values[order]))
        self.buffer.clear()
        self.buffered = 0
        while len(self.runs) >= 2 and 2 * len(self.runs[-1][0]) >= len(self.runs[-2][0]):
            (k2, v2), (k1, v1) = self.runs.pop(), self.runs.pop()
            keys, values = np.concatenate([k1, k2]), np.concatenate([v1, v2])
            order = np.argsort(keys, kind="stable")
            self.runs.append((keys[order], values[order]))

    def get_many(self, keys: np.ndarray) -> set[int]:
        """Every value stored under any of ``keys`` (uint64)."""
        found = {v for k in keys.tolist() for v in self.buffer.get(k, ())}
        if self.runs:
            wanted = np.array(keys, dtype=np.uint64)
            for run_keys, run_values in self.runs:
                # one search per run; almost every key is absent, so only the ones present
                # look for the end of their equal range
                lo = np.searchsorted(run_keys, wanted, side="left")
                present = run_keys[np.minimum(lo, len(run_keys) - 1)] == wanted
                if not present.any():
                    continue
                hi = np.searchsorted(run_keys, wanted[present], side="right")
                for a, z in zip(lo[present].tolist(), hi.tolist()):
                    found.update(run_values[a:z].tolist())
        return found

    def nbytes(self) -> int:
        buffered = sum(len(vs) for vs in self.buffer.values())
        return sum(k.nbytes + v.nbytes for k, v in self.runs) + 16 * buffered


class _HashMultimap:
    """uint64 key -> int32 values in the compiled open-addressing table of
    :mod:`analysis.text._multimap` (8 bytes a pair, kept at most three quarters full by
    doubling): one call stores or looks up all of a document's keys. :class:`_SortedMultimap`
    does the same without numba."""

    def __init__(self, functions, capacity: int = 1024) -> None:
        self._functions = functions
        self._allocate(max(8, 1 << (capacity - 1).bit_length()))
        self.size = 0

    def _allocate(self, capacity: int) -> None:
        self.tags = np.zeros(capacity, dtype=np.uint32)
        self.values = np.full(capacity, -1, dtype=np.int32)
        self.shift = 32 - (capacity.bit_length() - 1)

    def add_many(self, keys: np.ndarray, value: int) -> None:
        """Store ``value`` under each of ``keys`` (uint64)."""
        if 4 * (self.size + len(keys)) > 3 * len(self.tags):
            capacity = len(self.tags)
            while 4 * (self.size + len(keys)) > 3 * capacity:
                capacity *= 2
            old_tags, old_values = self.tags, self.values
            self._allocate(capacity)
            self._functions.rehash(old_tags, old_values, self.tags, self.values, self.shift)
        self._functions.insert(self.tags, self.values, self.shift, keys, value)
        self.size += len(keys)

    def get_many(self, keys: np.ndarray) -> set[int]:
        """Every value stored under any of ``keys`` (uint64), and rarely a stray one (see
        :mod:`analysis.text._multimap`): callers check each."""
        return set(self._functions.lookup(self.tags, self.values, self.shift, keys).tolist())

    def nbytes(self) -> int:
        return self.tags.nbytes + self.values.nbytes


class _Scratch:
    """Append-only uint32 records in a file of a temporary folder; the last 4 MB in memory."""

    _BLOCK = 4 << 20

    def __init__(self, directory: str | None) -> None:
        self.folder = tempfile.mkdtemp(prefix="ingest-dedup-", dir=directory)
        self.file = open(os.path.join(self.folder, "signatures.u32"), "w+b")  # noqa: SIM115
        self.pending = bytearray()
        self.written = 0  # bytes in the file

    def append(self, data: bytes) -> int:
        """Store ``data``; returns its byte offset."""
        offset = self.written + len(self.pending)
        self.pending += data
        if len(self.pending) >= self._BLOCK:
            os.pwrite(self.file.fileno(), self.pending, self.written)
            self.written += len(self.pending)
            self.pending = bytearray()
        return offset

    def read(self, offset: int, size: int) -> bytes:
        if offset >= self.written:
            start = offset - self.written
            return bytes(self.pending[start : start + size])
        return os.pread(self.file.fileno(), size, offset)

    def size(self) -> int:
        return self.written + len(self.pending)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None
        shutil.rmtree(self.folder, ignore_errors=True)


class Deduplicator:
    """Flag exact and near duplicates against the documents kept so far, in input order.

    Exact: the same lower-cased word sequence (SHA-1 digest). Near: Jaccard similarity of the
    sets of word 5-shingles at least ``threshold``. MinHash LSH (128 permutations drawn with
    ``seed``; bands chosen by :func:`lsh_bands` for ``threshold - 0.15``) proposes candidates
    and the exact Jaccard of the shingle sets decides. A document is compared only with
    earlier documents that are not themselves duplicates, so ``duplicate_of`` always names a
    document with ``duplicate_of`` null; among several matches the earliest one wins.

    Use it as a context manager (or call :meth:`close`): the scratch folder holding the
    shingles is removed at the end, also when an error stops the run.

    Args:
        threshold: the near-duplicate Jaccard threshold (params.yaml
            ``ingest.near_duplicate_threshold``).
        seed: the MinHash seed (params.yaml ``seed``); fingerprints must use the same.
        scratch_dir: where the temporary folder goes (None: the system's temporary folder).
    """

    def __init__(self, threshold: float, seed: int, scratch_dir: str | None = None) -> None:
        self.threshold = threshold
        self.seed = seed
        bands, rows = lsh_bands(max(0.05, threshold - _LSH_SLACK))
        self.bands = [(i * rows, (i + 1) * rows) for i in range(bands)]
        # the band keys' multipliers (odd, fixed: drawn once from a constant seed)
        multipliers = np.random.default_rng(_BAND_KEY_SEED).integers(
            0, 1 << 63, size=(bands, rows), dtype=np.uint64
        )
        self._band_rows = multipliers * np.uint64(2) + np.uint64(1)
        compiled = _compiled_multimap()
        self._compiled = compiled
        self._digests = _multimap(compiled)  # first 8 digest bytes -> kept index
        self._digest_bytes = bytearray()  # 20 bytes per kept document
        self._band_index = _multimap(compiled)  # band key -> kept index
        self._offsets = np.zeros(1024, dtype=np.int64)  # scratch offset per kept document
        self._ids = bytearray()
        self._id_ends = np.zeros(1024, dtype=np.int64)
        self._scratch = _Scratch(scratch_dir)
        self.n_kept = 0
        self.last_exact = False  # whether the last check found an exact copy

    def __enter__(self) -> Deduplicator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Remove the scratch folder (idempotent)."""
        self._scratch.close()

    @property
    def scratch_folder(self) -> str:
        return self._scratch.folder

    def memory_bytes(self) -> int:
        """Bytes held in memory for the kept documents (arrays, ids, the write block)."""
        return (
            self._digests.nbytes()
            + len(self._digest_bytes)
            + self._band_index.nbytes()
            + self._offsets.nbytes
            + len(self._ids)
            + self._id_ends.nbytes
            + len(self._scratch.pending)
        )

    def _band_keys(self, signature: np.ndarray) -> np.ndarray:
        """A 64-bit key per band: the sum of the band's values times fixed odd multipliers
        (mod 2**64), different for every band and row. Equal bands give equal keys, so every
        document sharing a band is a candidate; a rare collision of unequal bands is dropped by
        :meth:`_shares_band`, so the keys decide nothing and any such hash gives the same result."""
        if self._compiled is not None:
            return self._compiled.band_keys(signature, self._band_rows)
        rows = signature[: self._band_rows.size].astype(np.uint64).reshape(self._band_rows.shape)
        return (rows * self._band_rows).sum(axis=1, dtype=np.uint64)

    def _doc_id(self, index: int) -> str:
        start = int(self._id_ends[index - 1]) if index else 0
        return self._ids[start : int(self._id_ends[index])].decode("utf-8")

    def _stored(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """The signature and the shingles of kept document ``index``, from the scratch file."""
        offset = int(self._offsets[index])
        end = int(self._offsets[index + 1]) if index + 1 < self.n_kept else self._scratch.size()
        values = np.frombuffer(self._scratch.read(offset, end - offset), dtype="<u4")
        return values[:_NUM_PERM], values[_NUM_PERM:]

    def _shares_band(self, signature: np.ndarray, other: np.ndarray) -> bool:
        return any(np.array_equal(signature[a:z], other[a:z]) for a, z in self.bands)

    def check(self, doc_id: str, found: Fingerprint) -> str | None:
        """The doc_id ``doc_id`` duplicates, or None (then it is kept as an original)."""
        digest, shingles, signature = found
        key = np.array([int.from_bytes(digest[:8], "little")], dtype=np.uint64)
        self.last_exact = False
        for index in sorted(self._digests.get_many(key)):
            if self._digest_bytes[20 * index : 20 * index + 20] == digest:
                self.last_exact = True
                return self._doc_id(index)
        band_keys = self._band_keys(signature)
        for index in sorted(self._band_index.get_many(band_keys)):  # earliest match wins
            other_signature, other = self._stored(index)
            # a 64-bit key collision is no band match: LSH proposes exact band matches only
            if not self._shares_band(signature, other_signature):
                continue
            inter = np.intersect1d(shingles, other, assume_unique=True).size
            if inter / (shingles.size + other.size - inter) >= self.threshold:
                return self._doc_id(index)
        self._keep(doc_id, digest, key, band_keys, signature, shingles)
        return None

    def _keep(self, doc_id, digest, key, band_keys, signature, shingles) -> None:
        index = self.n_kept
        if index >= len(self._offsets):
            self._offsets = np.resize(self._offsets, 2 * len(self._offsets))
            self._id_ends = np.resize(self._id_ends, 2 * len(self._id_ends))
        self._digests.add_many(key, index)
        self._digest_bytes += digest
        self._band_index.add_many(band_keys, index)
        record = np.concatenate([signature.astype("<u4"), shingles.astype("<u4")])
        self._offsets[index] = self._scratch.append(record.tobytes())
        self._ids += doc_id.encode("utf-8")
        self._id_ends[index] = len(self._ids)
        self.n_kept += 1
