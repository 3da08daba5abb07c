"""Ids held in Arrow, looked up in bulk: 64-bit hashes (numba, disk-cached) and index positions."""

from __future__ import annotations

import functools

import numpy as np

# The stages that scan a million articles' paragraphs (topics, compare, explore) check and join
# them by doc_id and para_id. Done row by row in pandas, that turned every id into a Python
# string first; here the ids stay in Arrow until a batch's few distinct values, or the few rows a
# hash picks, are looked up. Where the hashes pick candidates (repeated ids, coded paragraphs, set
# members), every candidate is compared as a string afterwards, so a collision costs a
# comparison, never a wrong answer.

__all__ = ["IdSet", "hash_candidates", "positions_in", "string_hashes"]

_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)


# Up to this many bytes (and ids this long) the hashes are computed with numpy, one byte
# position of every id at a time: a small corpus's stage then neither imports numba nor loads
# its compiled code (about 0.6 s of the compare and explore stages on the bundled articles).
_NUMPY_BYTES = 1 << 18
_NUMPY_LENGTH = 256


@functools.lru_cache(maxsize=1)
def _compiled_fnv1a():
    """FNV-1a (64 bit) compiled by numba (disk-cached), for large batches of ids."""
    import numba

    return numba.njit(nogil=True, cache=True)(_fnv1a_loop)


def _fnv1a_loop(offsets, data):  # pragma: no cover - compiled
    """FNV-1a (64 bit) of each string ``data[offsets[k]:offsets[k + 1]]``."""
    n = offsets.size - 1
    out = np.empty(n, dtype=np.uint64)
    for k in range(n):
        h = _FNV_OFFSET
        for j in range(offsets[k], offsets[k + 1]):
            h = (h ^ np.uint64(data[j])) * _FNV_PRIME
        out[k] = h
    return out


def _fnv1a_numpy(offsets: np.ndarray, data: np.ndarray) -> np.ndarray:
    """:func:`_fnv1a_loop` with numpy: byte position ``j`` of every id at least ``j + 1``
    bytes long, for ``j`` = 0, 1, ... (uint64 products wrap as in the loop)."""
    starts, lengths = offsets[:-1], np.diff(offsets)
    out = np.full(len(lengths), _FNV_OFFSET, dtype=np.uint64)
    rows = np.arange(len(lengths))
    for j in range(int(lengths.max(initial=0))):
        rows = rows[lengths[rows] > j]
        out[rows] = (out[rows] ^ data[starts[rows] + j].astype(np.uint64)) * _FNV_PRIME
    return out


def _fnv1a(offsets: np.ndarray, data: np.ndarray) -> np.ndarray:
    """FNV-1a (64 bit) of each id: numpy for a few short ids, else the compiled loop."""
    n_bytes = int(offsets[-1] - offsets[0]) if len(offsets) else 0
    if n_bytes <= _NUMPY_BYTES and int(np.diff(offsets).max(initial=0)) <= _NUMPY_LENGTH:
        return _fnv1a_numpy(offsets, data)
    return _compiled_fnv1a()(offsets, data)


def string_hashes(values) -> np.ndarray:
    """A uint64 hash of each value of an Arrow string array or chunked array (a null hashes as
    the empty string does)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks else pa.array([], pa.string())
    array = pc.fill_null(values, "").cast(pa.large_string())
    if not len(array):
        return np.zeros(0, dtype=np.uint64)
    _validity, offsets, data = array.buffers()
    offsets = np.frombuffer(offsets, dtype=np.int64)[array.offset : array.offset + len(array) + 1]
    data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    return _fnv1a(offsets, data)


def hash_candidates(known: np.ndarray, hashes: np.ndarray) -> np.ndarray:
    """The positions of ``hashes`` that occur in ``known`` (sorted, unique): the rows whose
    value may be a known id, to be compared as strings."""
    if not len(known) or not len(hashes):
        return np.zeros(0, dtype=np.intp)
    at = np.minimum(np.searchsorted(known, hashes), len(known) - 1)
    return np.flatnonzero(known[at] == hashes)


def positions_in(index, ids) -> tuple[np.ndarray, list]:
    """Each value of the Arrow array ``ids``: its position in the pandas ``index`` (-1 when it
    is not there); and the distinct values not there (None for a null).

    The batch's distinct values are looked up once each (a document's paragraphs are
    neighbours, so a batch of paragraphs holds few distinct doc_ids), not row by row.
    """
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(ids)
    distinct = encoded.dictionary.to_pandas()
    found = index.get_indexer(distinct) if len(distinct) else np.zeros(0, np.intp)
    indices = encoded.indices
    nulls = indices.null_count
    codes = pc.fill_null(indices, len(distinct)).to_numpy() if nulls else indices.to_numpy()
    position = np.append(found, -1)[codes]  # a null is in no index
    missing = list(distinct[found < 0]) + ([None] if nulls else [])
    return position, missing


class IdSet:
    """Ids that Arrow arrays are tested against in bulk, as ``pyarrow.compute.is_in`` does.

    ``is_in`` builds its hash set anew on every call: a million-article corpus read in batches
    of 20,000 rows paid for the set hundreds of times. Here the set's hashes are sorted once;
    a batch's hashes pick the candidate rows, and only those are compared as strings.
    """

    def __init__(self, ids) -> None:
        import pyarrow as pa

        self.ids = frozenset(i for i in ids if isinstance(i, str))
        self.hashes = np.unique(string_hashes(pa.array(sorted(self.ids), pa.string())))

    def contains(self, values) -> np.ndarray:
        """Whether each value of the Arrow array is in the set (a null never is)."""
        found = np.zeros(len(values), dtype=bool)
        if not len(self.hashes) or not len(values):
            return found
        candidates = hash_candidates(self.hashes, string_hashes(values))
        if len(candidates):
            ids = self.ids
            found[candidates] = [v in ids for v in values.take(candidates).to_pylist()]
        return found
