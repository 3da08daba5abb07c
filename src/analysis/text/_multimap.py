"""The duplicate detector's key -> document index, an open-addressing hash table in numba."""

from __future__ import annotations

import numba
import numpy as np

# A module of its own, as analysis.text._shingles, because numba caches module-level functions
# only. The table holds (tag, int32 value) pairs in two arrays of 2**bits slots. A key is mixed
# by the splitmix64 finaliser (a bijection of 64-bit integers); the tag is the top 32 bits of the
# mixed key and the home slot the top ``bits`` of those, so a larger table can place a pair from
# its tag alone. An empty slot has value -1; a key may be stored many times (one pair per value).
# A lookup returns every value stored under a key, plus (about once in four billion probes) one
# whose mixed key shares its tag: the detector checks every candidate against the stored
# signature or digest, so such a stray value changes nothing. Which slot a pair lands in depends
# on the order of insertion; the detector sorts what a lookup returns, so its decisions do not
# depend on the layout either.

__all__ = ["band_keys", "insert", "lookup", "rehash"]

_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


@numba.njit(nogil=True, cache=True)
def _tag(key):  # pragma: no cover - compiled
    """The top 32 bits of the splitmix64 finaliser of ``key``."""
    z = key
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    z = z ^ (z >> np.uint64(31))
    return np.uint32(z >> np.uint64(32))


@numba.njit(nogil=True, cache=True)
def band_keys(signature, multipliers):  # pragma: no cover - compiled
    """One uint64 key per band: the band's values times the band's multipliers, summed modulo
    2**64 (the arithmetic of the NumPy expression in :meth:`Deduplicator._band_keys`)."""
    bands, rows = multipliers.shape
    out = np.empty(bands, dtype=np.uint64)
    for b in range(bands):
        total = np.uint64(0)
        for r in range(rows):
            total += np.uint64(signature[b * rows + r]) * multipliers[b, r]
        out[b] = total
    return out


@numba.njit(nogil=True, cache=True)
def insert(tags, values, shift, keys, value):  # pragma: no cover - compiled
    """Store ``value`` under each of ``keys``; ``shift`` is 32 - bits (linear probing; the
    caller keeps the table at most three quarters full)."""
    mask = np.uint32(tags.size - 1)
    for key in keys:
        tag = _tag(key)
        slot = tag >> np.uint32(shift)
        while values[slot] >= 0:
            slot = (slot + np.uint32(1)) & mask
        tags[slot] = tag
        values[slot] = value


@numba.njit(nogil=True, cache=True)
def _scan(tags, values, shift, keys, out):  # pragma: no cover - compiled
    """How many pairs are stored under any of ``keys``; their values are written to ``out``
    when it is not empty (it must then have room for all)."""
    mask = np.uint32(tags.size - 1)
    write = out.size > 0
    found = 0
    for key in keys:
        tag = _tag(key)
        slot = tag >> np.uint32(shift)
        while values[slot] >= 0:
            if tags[slot] == tag:
                if write:
                    out[found] = values[slot]
                found += 1
            slot = (slot + np.uint32(1)) & mask
    return found


@numba.njit(nogil=True, cache=True)
def lookup(tags, values, shift, keys):  # pragma: no cover - compiled
    """Every value stored under any of ``keys``, once per stored pair (int32 array)."""
    out = np.empty(_scan(tags, values, shift, keys, np.empty(0, dtype=np.int32)), dtype=np.int32)
    if out.size:
        _scan(tags, values, shift, keys, out)
    return out


@numba.njit(nogil=True, cache=True)
def rehash(old_tags, old_values, new_tags, new_values, new_shift):  # pragma: no cover - compiled
    """Move every pair of the old table into the new (larger, empty) one."""
    mask = np.uint32(new_tags.size - 1)
    for i in range(old_tags.size):
        value = old_values[i]
        if value >= 0:
            tag = old_tags[i]
            slot = tag >> np.uint32(new_shift)
            while new_values[slot] >= 0:
                slot = (slot + np.uint32(1)) & mask
            new_tags[slot] = tag
            new_values[slot] = value
