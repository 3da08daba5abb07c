"""The duplicate fingerprint's word-shingle hashes and MinHash compiled by numba (disk-cached)."""

from __future__ import annotations

import numba
import numpy as np

# A module of its own, as analysis.text._langwalk, because numba caches module-level functions
# only; the stages pin numba's target to ``generic`` (analysis.core.runtime), so the cached code
# is the same on every x86-64 CPU. Every value is an unsigned 64-bit integer reduced with masks:
# the results are those of the NumPy reference, :func:`analysis.text.dedup._fingerprint_arrays`
# (``tests/text/test_dedup.py`` compares the two).

__all__ = ["shingles_and_minhash"]

_U32 = np.uint64(0xFFFFFFFF)


def _crc_table() -> np.ndarray:
    """The byte table of CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as zlib's."""
    table = np.empty(256, dtype=np.uint64)
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xEDB88320 if crc & 1 else crc >> 1
        table[byte] = crc
    return table


_CRC = _crc_table()


@numba.njit(nogil=True, cache=True)
def _word_codes(data):  # pragma: no cover - compiled
    """zlib.crc32 of each space-separated word of ``data`` (UTF-8 bytes, single spaces)."""
    if data.size == 0:
        return np.empty(0, dtype=np.uint64)
    n = 1
    for byte in data:
        if byte == 32:
            n += 1
    codes = np.empty(n, dtype=np.uint64)
    k = 0
    crc = _U32
    for byte in data:
        if byte == 32:
            codes[k] = crc ^ _U32
            k += 1
            crc = _U32
        else:
            crc = _CRC[(crc ^ np.uint64(byte)) & np.uint64(0xFF)] ^ (crc >> np.uint64(8))
    codes[k] = crc ^ _U32
    return codes


@numba.njit(nogil=True, cache=True)
def _fmix32(value):  # pragma: no cover - compiled
    value ^= value >> np.uint64(16)
    value = (value * np.uint64(0x85EBCA6B)) & _U32
    value ^= value >> np.uint64(13)
    value = (value * np.uint64(0xC2B2AE35)) & _U32
    return value ^ (value >> np.uint64(16))


@numba.njit(nogil=True, cache=True)
def shingles_and_minhash(data, width, base, a, b):  # pragma: no cover - compiled
    """The sorted distinct 32-bit hashes of the ``width``-word shingles of ``data`` (the words
    of a text joined by single spaces, UTF-8) and their MinHash under the affine permutations
    ``h -> a*h + b`` (mod 2**32) of the murmur-mixed hashes; both as uint32 arrays.

    A shingle's hash folds ``sum(code_k * base**(width-1-k))`` (mod 2**64, ``code``: a word's
    CRC-32) to 32 bits; a text of fewer than ``width`` words has one shingle, the sum of its
    codes (mod 2**32).
    """
    codes = _word_codes(data)
    base = np.uint64(base)
    if codes.size < width:
        total = np.uint64(0)
        for code in codes:
            total += code
        combined = np.empty(1, dtype=np.uint64)
        combined[0] = total & _U32
    else:
        n = codes.size - width + 1
        combined = np.zeros(n, dtype=np.uint64)
        for i in range(n):
            value = np.uint64(0)
            for k in range(width):
                value = value * base + codes[i + k]
            combined[i] = value
    folded = np.empty(combined.size, dtype=np.uint64)
    for i in range(combined.size):
        folded[i] = (combined[i] ^ (combined[i] >> np.uint64(32))) & _U32
    folded.sort()
    m = 0
    for i in range(folded.size):
        if i == 0 or folded[i] != folded[i - 1]:
            folded[m] = folded[i]
            m += 1
    shingles = folded[:m]
    signature = np.full(a.size, _U32, dtype=np.uint64)
    a64 = a.astype(np.uint64)
    b64 = b.astype(np.uint64)
    for value in shingles:
        mixed = _fmix32(value)
        for p in range(a64.size):
            hashed = (mixed * a64[p] + b64[p]) & _U32
            if hashed < signature[p]:
                signature[p] = hashed
    return shingles.astype(np.uint32), signature.astype(np.uint32)
