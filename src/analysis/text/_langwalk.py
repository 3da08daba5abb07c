"""py3langid's automaton walk compiled by numba and kept in numba's on-disk cache."""

from __future__ import annotations

import numba

# A module of its own because numba caches module-level functions only. Compiling the walk took
# about 0.7 s in every process that identifies a language: a fifth of the ingest stage on a small
# corpus, paid again by classify's gold evaluation. numba stores the code beside this file
# (__pycache__, which .dvcignore and .gitignore leave out) and keys it by the compile target; the
# stages pin that target to ``generic`` (analysis.core.runtime), so a cache written on one x86-64
# CPU holds the same code as a fresh compile on any other, and code compiled for another target
# is never loaded.

__all__ = ["walk"]


@numba.njit(nogil=True, cache=True)
def walk(nextmove, rowbase, output, data, found):  # pragma: no cover - compiled
    """Write the feature index of every automaton state reached over ``data`` into ``found``;
    return how many were written."""
    state = 0
    n = 0
    for letter in data:
        state = nextmove[rowbase[state] + letter]
        feature = output[state]
        if feature >= 0:
            found[n] = feature
            n += 1
    return n
