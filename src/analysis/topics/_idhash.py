"""64-bit hashes of Arrow string arrays compiled by numba (disk-cached), for id bookkeeping."""

from __future__ import annotations

import numba
import numpy as np

# A module of its own because numba caches module-level functions only (as analysis.text's
# _shingles). The hashes only pick candidates: every id they flag as repeated or as coded is
# compared as a string afterwards, so a collision costs a comparison, never a wrong answer.

__all__ = ["string_hashes"]

_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)


@numba.njit(nogil=True, cache=True)
def _fnv1a(offsets, data):  # pragma: no cover - compiled
    """FNV-1a (64 bit) of each string ``data[offsets[k]:offsets[k + 1]]``."""
    n = offsets.size - 1
    out = np.empty(n, dtype=np.uint64)
    for k in range(n):
        h = _FNV_OFFSET
        for j in range(offsets[k], offsets[k + 1]):
            h = (h ^ np.uint64(data[j])) * _FNV_PRIME
        out[k] = h
    return out


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
