"""py3langid's automaton walk compiled by numba and kept in numba's on-disk cache."""

from __future__ import annotations

import numba
import numpy as np

# A module of its own because numba caches module-level functions only. Compiling the walk took
# about 0.7 s in every process that identifies a language: a fifth of the ingest stage on a small
# corpus, paid again by classify's gold evaluation. numba stores the code beside this file
# (__pycache__, which .dvcignore and .gitignore leave out) and keys it by the compile target; the
# stages pin that target to ``generic`` (analysis.core.runtime), so a cache written on one x86-64
# CPU holds the same code as a fresh compile on any other, and code compiled for another target
# is never loaded.

__all__ = ["LANES", "count_hits", "walk_hits"]

#: Texts walked side by side by :func:`walk_hits`.
LANES = 8


@numba.njit(nogil=True, cache=True)
def walk_hits(nextmove, rowbase, output, data, bounds, hits):  # pragma: no cover - compiled
    """Walk the automaton over each text ``data[bounds[k]:bounds[k + 1]]``; write the features
    each one meets, in order and with repeats, to ``hits[bounds[k]:]``; return how many each met.

    Every step of a walk waits for the state the step before read from the 39 MB table, so one
    walk at a time leaves the processor waiting on memory. Here ``LANES`` texts take their steps
    in turn: their reads are independent and overlap. Each text still visits its own states in
    its own order, so it meets the features a walk of that text alone meets.
    """
    n_texts = len(bounds) - 1
    found = np.zeros(n_texts, dtype=np.int64)
    state = np.zeros(LANES, dtype=np.int64)
    at = np.zeros(LANES, dtype=np.int64)  # each lane's first byte
    written = np.zeros(LANES, dtype=np.int64)  # each lane's next slot in ``hits``
    first = 0
    while first < n_texts:
        lanes = min(LANES, n_texts - first)
        together = bounds[first + 1] - bounds[first]
        for j in range(lanes):
            state[j] = 0
            at[j] = bounds[first + j]
            written[j] = bounds[first + j]
            together = min(together, bounds[first + j + 1] - bounds[first + j])
        for k in range(together):  # every lane has this many bytes
            for j in range(lanes):
                s = nextmove[rowbase[state[j]] + data[at[j] + k]]
                state[j] = s
                feature = output[s]
                if feature >= 0:
                    hits[written[j]] = feature
                    written[j] += 1
        for j in range(lanes):  # the rest of each longer text, alone
            s = state[j]
            slot = written[j]
            for k in range(at[j] + together, bounds[first + j + 1]):
                s = nextmove[rowbase[s] + data[k]]
                feature = output[s]
                if feature >= 0:
                    hits[slot] = feature
                    slot += 1
            found[first + j] = slot - bounds[first + j]
        first += lanes
    return found


@numba.njit(nogil=True, cache=True)
def count_hits(hits, seen, order):  # pragma: no cover - compiled
    """What one text's walk met (``hits``, in order) as py3langid's ``Counter`` holds it: how
    many distinct features, and their counts, the features written to ``order`` in order of
    first occurrence (the order the score sums them in).

    ``seen`` must be all zero on entry and is all zero again on return.
    """
    n = 0
    for feature in hits:
        if seen[feature] == 0:
            order[n] = feature
            n += 1
        seen[feature] += 1
    counts = np.empty(n, dtype=np.float32)
    for i in range(n):
        counts[i] = seen[order[i]]
        seen[order[i]] = 0
    return n, counts
