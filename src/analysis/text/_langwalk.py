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

__all__ = ["walk"]


@numba.njit(nogil=True, cache=True)
def walk(nextmove, rowbase, output, data, seen, order):  # pragma: no cover - compiled
    """Walk the automaton over ``data``; return how many distinct features it met and their
    counts, the features written to ``order`` in order of first occurrence.

    ``seen`` must be all zero on entry and is all zero again on return.
    """
    state = 0
    n = 0
    for letter in data:
        state = nextmove[rowbase[state] + letter]
        feature = output[state]
        if feature >= 0:
            if seen[feature] == 0:
                order[n] = feature
                n += 1
            seen[feature] += 1
    counts = np.empty(n, dtype=np.float32)
    for i in range(n):
        counts[i] = seen[order[i]]
        seen[order[i]] = 0
    return n, counts
