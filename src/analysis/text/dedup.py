"""Exact and near-duplicate detection of articles: word digests, 5-shingles and MinHash LSH."""

from __future__ import annotations

import functools
import hashlib
import zlib
from typing import NamedTuple

import numpy as np

from .tokens import WORD_RUN

__all__ = ["Fingerprint", "fingerprint", "Deduplicator"]

# MinHash settings for near-duplicate search. The seed (params.yaml ``seed``) fixes the
# candidate sets, and hence the run; the final decision uses the exact Jaccard similarity.
_NUM_PERM = 128
_SHINGLE_WORDS = 5
_SHINGLE_BASE = np.uint64(1_000_003)


class Fingerprint(NamedTuple):
    """What duplicate detection compares: the word digest, the shingle set, the MinHash."""

    digest: str  # sha1 of the lower-cased word sequence
    shingles: np.ndarray  # sorted unique 32-bit hashes of word 5-shingles
    minhash: np.ndarray  # MinHash values of the shingles


def fingerprint(text: str, seed: int) -> Fingerprint:
    """The duplicate fingerprint of an article body (runs in worker processes).

    Words are lower-cased ``\\w+`` runs, so reflowed whitespace or punctuation does not hide a
    copy; ``seed`` draws the MinHash permutations.
    """
    from datasketch import MinHash

    words = WORD_RUN.findall(text.casefold())
    digest = hashlib.sha1(" ".join(words).encode("utf-8")).hexdigest()
    cache: dict[str, int] = {}
    codes = np.fromiter(
        (cache.setdefault(w, zlib.crc32(w.encode("utf-8"))) for w in words),
        dtype=np.uint64,
        count=len(words),
    )
    if len(codes) < _SHINGLE_WORDS:
        combined = np.array([sum(int(c) for c in codes) & 0xFFFFFFFF], dtype=np.uint64)
    else:
        n = len(codes) - _SHINGLE_WORDS + 1
        combined = np.zeros(n, dtype=np.uint64)
        with np.errstate(over="ignore"):  # wrap-around is the intended modular arithmetic
            for k in range(_SHINGLE_WORDS):
                combined = combined * _SHINGLE_BASE + codes[k : k + n]
    folded = ((combined ^ (combined >> np.uint64(32))) & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    shingles = np.unique(folded)
    minhash = MinHash(
        num_perm=_NUM_PERM,
        seed=seed,
        hashfunc=int,
        permutations=_permutations(seed),
        scheme="affine32",
    )
    minhash.update_batch(shingles.tolist())
    return Fingerprint(digest, shingles, np.asarray(minhash.hashvalues))


@functools.lru_cache(maxsize=2)
def _permutations(seed: int):
    from datasketch import MinHash

    return MinHash(num_perm=_NUM_PERM, seed=seed, scheme="affine32").permutations


class Deduplicator:
    """Flag exact and near duplicates against the documents kept so far, in input order.

    Exact: the same lower-cased word sequence. Near: Jaccard similarity of the sets of word
    5-shingles at least ``threshold``. MinHash LSH (datasketch, 128 permutations drawn with ``seed``)
    proposes candidates at a looser threshold (``threshold - 0.15``) so few true pairs are
    missed, and the exact Jaccard of the shingle sets decides. A document is compared only with
    earlier documents that are not themselves duplicates, so ``duplicate_of`` always names a
    document with ``duplicate_of`` null; among several matches the earliest one wins.
    """

    def __init__(self, threshold: float, seed: int):
        from datasketch import MinHashLSH

        self.threshold = threshold
        self.seed = seed
        self.lsh = MinHashLSH(threshold=max(0.05, threshold - 0.15), num_perm=_NUM_PERM)
        self.exact: dict[str, str] = {}
        self.shingles: dict[str, np.ndarray] = {}
        self.order: dict[str, int] = {}

    def check(self, doc_id: str, found: Fingerprint) -> str | None:
        """The doc_id ``doc_id`` duplicates, or None (then it is kept as an original)."""
        from datasketch import MinHash

        digest, shingles = found.digest, found.shingles
        if digest in self.exact:
            return self.exact[digest]
        minhash = MinHash(
            num_perm=_NUM_PERM,
            seed=self.seed,
            hashvalues=found.minhash,
            permutations=_permutations(self.seed),
            scheme="affine32",
        )
        best = None
        for candidate in self.lsh.query(minhash):
            other = self.shingles[candidate]
            inter = np.intersect1d(shingles, other, assume_unique=True).size
            jaccard = inter / (shingles.size + other.size - inter)
            if jaccard >= self.threshold and (
                best is None or self.order[candidate] < self.order[best]
            ):
                best = candidate
        if best is not None:
            return best
        self.exact[digest] = doc_id
        self.lsh.insert(doc_id, minhash)
        self.shingles[doc_id] = shingles
        self.order[doc_id] = len(self.order)
        return None
