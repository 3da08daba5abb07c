"""UMAP whose spectral start is seeded even where ARPACK restarts from a random vector."""

# Why this module exists (found at 100k and 1M articles, docs/scaling.md): UMAP starts its
# layout from the eigenvectors of the graph Laplacian of each connected component, which it asks
# SciPy's ARPACK (``scipy.sparse.linalg.eigsh``) for, with a fixed start vector of ones. When a
# component's Krylov space is smaller than ARPACK's basis — a clique of near-identical
# paragraphs, any component with repeated eigenvalues, or one of at most ``ncv`` points — the
# Lanczos process breaks down and ARPACK continues from a *random* vector. UMAP passes no
# generator for it, so SciPy draws that vector from operating-system entropy: the eigenvectors
# of such a component, and with them the map, the clusters and the topic table, change from one
# run to the next although every seed is set. On the bundled corpus and on the 23k clickid
# corpus no component breaks down, which is why runs there always agreed.
#
# :class:`SeededUMAP` is UMAP with one change: while it lays out the graph, every ARPACK call
# made by UMAP's spectral layout (and by scikit-learn's ``SpectralEmbedding``, which UMAP uses to
# place the components relative to each other) gets a generator seeded from the model's
# ``random_state``. ARPACK draws from that generator only when it breaks down, so wherever the
# map was already reproducible it is bit-for-bit the same as plain UMAP's; where it was not, it
# is now a function of the seed.
#
# The two solvers are replaced only for the duration of the layout and put back afterwards. The
# topics stage fits one model at a time in one thread, so nothing else calls them meanwhile.

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import scipy.sparse.linalg
from umap import UMAP

__all__ = ["SeededUMAP", "seeded_eigensolver", "patched_solvers"]


def patched_solvers() -> list[tuple[Any, str]]:
    """The ``(module, attribute)`` pairs through which UMAP's spectral layout reaches ARPACK.

    ``umap.spectral`` looks ``scipy.sparse.linalg.eigsh`` up at call time; scikit-learn's
    spectral embedding imported the name into its own module.
    """
    import sklearn.manifold._spectral_embedding as sklearn_spectral

    return [(scipy.sparse.linalg, "eigsh"), (sklearn_spectral, "eigsh")]


@contextlib.contextmanager
def seeded_eigensolver(seed: int) -> Iterator[np.random.Generator]:
    """Give every ARPACK ``eigsh`` call in this block a generator seeded with ``seed``.

    The calls share one generator, in the order they are made; a caller that passes its own
    ``rng`` keeps it. Yields the generator (tests read its state to see whether ARPACK drew).
    """
    generator = np.random.default_rng(seed)
    saved = [(module, name, getattr(module, name)) for module, name in patched_solvers()]
    try:
        for module, name, original in saved:
            setattr(module, name, _with_generator(original, generator))
        yield generator
    finally:
        for module, name, original in saved:
            setattr(module, name, original)


def _with_generator(solver: Callable, generator: np.random.Generator) -> Callable:
    @functools.wraps(solver)
    def seeded(*args, **kwargs):
        if kwargs.get("rng") is None:
            kwargs["rng"] = generator
        return solver(*args, **kwargs)

    return seeded


class SeededUMAP(UMAP):
    """``umap.UMAP`` whose spectral initialisation cannot draw from operating-system entropy.

    Requires an integer ``random_state`` (the topics stage always gives one); with
    ``random_state=None`` it behaves exactly like UMAP.
    """

    def _fit_embed_data(self, X, n_epochs, init, random_state, **kwargs):
        if self.random_state is None or not isinstance(self.random_state, (int, np.integer)):
            return super()._fit_embed_data(X, n_epochs, init, random_state, **kwargs)
        with seeded_eigensolver(int(self.random_state)):
            return super()._fit_embed_data(X, n_epochs, init, random_state, **kwargs)
