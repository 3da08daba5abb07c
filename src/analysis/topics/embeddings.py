"""Paragraph embeddings for topic modelling: an offline TF-IDF→SVD default, local sentence models, a cache."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
from bertopic.backend import BaseEmbedder
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import Normalizer

from ..core import runtime
from ..core.config import TFIDF_SVD
from ..core.errors import UserError
from ..core.io import atomic_path

__all__ = [
    "TFIDF_SVD",
    "TfidfSvdEmbedder",
    "load_sentence_model",
    "embed_paragraphs",
    "embedding_function",
]

# Words of two or more letters: digits (dates, phone numbers, scores) say little about content
# and would otherwise dominate the SVD of short news paragraphs.
_WORD_PATTERN = r"(?u)\b[^\W\d_]{2,}\b"
# Below this many paragraphs every word counts; above it, words seen in one paragraph only are
# mostly typos and names that cannot help place a paragraph near others.
_MIN_DF_FROM = 1000
_OFFLINE_VARIABLES = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
# Bump when the embedding recipe changes so old cache files are never reused.
_RECIPE_VERSION = 1


class TfidfSvdEmbedder(BaseEmbedder):
    """TF-IDF → truncated SVD → L2 normalisation, fitted on the cleaned paragraph texts.

    This is latent semantic analysis: a deterministic (seeded) embedding that ships with the
    code, so topic modelling runs offline. It is a BERTopic embedder, so a fitted topic model
    can ``transform`` new paragraph texts. Fitting can be deferred (``defer_fit``): when the
    embeddings come from the cache, the SVD is only computed if the model is later asked to
    embed new paragraphs, and then gives exactly what an eager fit would have given.

    Args:
        n_components: requested SVD dimensions; capped by the vocabulary and corpus size.
        seed: random state of the randomized SVD.
    """

    def __init__(self, n_components: int, seed: int):
        super().__init__()
        self.n_components = n_components
        self.seed = seed
        self.pipeline_: Pipeline | None = None
        self._deferred_texts: list[str] | None = None

    def settings(self) -> dict:
        """The knobs that determine the embeddings (part of the cache key)."""
        return {
            "backend": TFIDF_SVD,
            "recipe": _RECIPE_VERSION,
            "n_components": self.n_components,
            "seed": self.seed,
            "token_pattern": _WORD_PATTERN,
            "min_df_from": _MIN_DF_FROM,
        }

    def fit(self, texts: Sequence[str]) -> TfidfSvdEmbedder:
        """Fit TF-IDF and SVD on ``texts`` (the paragraphs the topic model is fitted on)."""
        texts = list(texts)
        tfidf = TfidfVectorizer(
            lowercase=True,
            token_pattern=_WORD_PATTERN,
            sublinear_tf=True,
            min_df=2 if len(texts) >= _MIN_DF_FROM else 1,
            dtype=np.float64,
        )
        try:
            counts = tfidf.fit_transform(texts)
        except ValueError:  # sklearn: "empty vocabulary"
            counts = None
        n_vocab = counts.shape[1] if counts is not None else 0
        if n_vocab < 3:
            raise UserError(
                f"the paragraph texts contain only {n_vocab} distinct words; topic modelling "
                "needs real text in paragraphs.parquet (column 'text') — rerun preprocess"
            )
        # TruncatedSVD needs fewer components than features; a component per paragraph or more
        # would only memorise the corpus.
        n_components = max(2, min(self.n_components, n_vocab - 1, len(texts) - 1))
        svd = TruncatedSVD(
            n_components=n_components, algorithm="randomized", n_iter=7, random_state=self.seed
        )
        normalize = Normalizer().fit(svd.fit_transform(counts))
        self.pipeline_ = Pipeline([("tfidf", tfidf), ("svd", svd), ("normalize", normalize)])
        self._deferred_texts = None
        return self

    def defer_fit(self, texts: Sequence[str]) -> TfidfSvdEmbedder:
        """Remember the fitting texts; fit on first use of ``embed``."""
        self._deferred_texts = list(texts)
        self.pipeline_ = None
        return self

    def embed(self, documents: Sequence[str], verbose: bool = False) -> np.ndarray:
        """Embed cleaned paragraph texts (not stems) as unit-length float64 vectors."""
        if self.pipeline_ is None:
            if self._deferred_texts is None:
                raise RuntimeError("TfidfSvdEmbedder.embed called before fit")
            self.fit(self._deferred_texts)
        return np.asarray(self.pipeline_.transform(list(documents)), dtype=np.float64)


@contextlib.contextmanager
def _offline_environment() -> Iterator[None]:
    """Set the Hugging Face offline switches while loading, then restore the environment.

    They only take effect if the libraries are imported inside the block; the guarantee that
    nothing is downloaded is ``local_files_only=True``.
    """
    saved = {key: os.environ.get(key) for key in _OFFLINE_VARIABLES}
    os.environ.update({key: "1" for key in _OFFLINE_VARIABLES})
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _model_fingerprint(name: str) -> str:
    """Content hash of a local model directory, so a replaced model never reuses old embeddings."""
    path = Path(name)
    if not path.is_dir():
        return name  # a name in the HF cache: the name is all we can key on without network
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(file.relative_to(path).as_posix().encode("utf-8") + b"\x00")
        with file.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def load_sentence_model(name: str):
    """Load a sentence-transformers model from a local directory or the local HF cache only.

    Args:
        name: a directory holding a saved model, or a model name already in the local
            Hugging Face cache.

    Raises:
        UserError: when the model is not available without the network, or the optional
            embeddings extra (sentence-transformers, torch) is not installed.
    """
    try:
        with _offline_environment():
            from sentence_transformers import SentenceTransformer
    except ImportError as exc:  # the default environment leaves the extra out
        raise UserError(
            f"topics.embedding: sentence-transformers model {name!r} is not available locally: "
            f"the optional embeddings extra is not installed ({exc}). Install it with "
            f"`make embeddings`, or set topics.embedding: {TFIDF_SVD}"
        ) from None
    try:
        with _offline_environment():
            return SentenceTransformer(name, device="cpu", local_files_only=True)
    except Exception as exc:  # the library raises OSError, ValueError, HF errors…
        raise UserError(
            f"topics.embedding: sentence-transformers model {name!r} is not available locally "
            f"({type(exc).__name__}; nothing is downloaded at run time). On a machine with "
            f'network run `python -c "from sentence_transformers import SentenceTransformer as S; '
            f"S('{name}').save('models/{name}')\"`, copy models/{name} into the project and set "
            f"topics.embedding: models/{name} — or set topics.embedding: {TFIDF_SVD}"
        ) from None


def _cache_key(settings: dict, fit_texts: Sequence[str], texts: Sequence[str]) -> str:
    # The numeric environment is part of the key: the SVD's last bits follow the BLAS and SIMD
    # code paths, so vectors computed unpinned (or under other pins) are never reused pinned.
    numerics = runtime.summary() if runtime.is_pinned() else "host"
    digest = hashlib.sha256()
    digest.update(json.dumps({**settings, "numerics": numerics}, sort_keys=True).encode("utf-8"))
    for block in (fit_texts, texts):
        digest.update(b"\x02")
        for text in block:
            digest.update(text.encode("utf-8"))
            digest.update(b"\x00")
    return digest.hexdigest()[:32]


def _read_cache(path: Path, n_rows: int) -> np.ndarray | None:
    if not path.is_file():
        return None
    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None  # a damaged cache file is recomputed, never trusted
    if array.ndim != 2 or array.shape[0] != n_rows or array.dtype != np.float64:
        return None
    return array


def _write_cache(path: Path, array: np.ndarray) -> None:
    with atomic_path(path) as tmp, tmp.open("wb") as handle:
        np.save(handle, array, allow_pickle=False)


def embed_paragraphs(
    fit_texts: Sequence[str],
    texts: Sequence[str],
    *,
    embedding: str = TFIDF_SVD,
    svd_components: int,
    seed: int,
    cache_dir: str | Path | None = None,
) -> tuple[np.ndarray, BaseEmbedder | object, dict]:
    """Embed paragraph texts with the chosen backend, reusing cached embeddings.

    Args:
        fit_texts: texts the TF-IDF→SVD model is fitted on (ignored by sentence models).
        texts: texts to embed (usually ``fit_texts`` followed by paragraphs assigned later).
        embedding: ``"tfidf-svd"`` or a local sentence-transformers model directory/name.
        svd_components: SVD dimensions for ``tfidf-svd``.
        seed: random state of the SVD.
        cache_dir: where the ``<hash>.npy`` file is kept (other ``.npy`` files there are
            removed: the folder is a stage output and holds the latest vectors only); None
            disables the cache. The key covers every text and setting and the numeric
            environment, and a cached array is byte-for-byte what would have been computed,
            so the cache never changes results.

    Returns:
        ``(embeddings, embedder, info)``: a float64 array with one row per text, the model to
        attach to BERTopic (it embeds cleaned texts) and a dict describing the backend.
    """
    if embedding == TFIDF_SVD:
        embedder = TfidfSvdEmbedder(svd_components, seed)
        settings = embedder.settings()
    else:
        embedder = load_sentence_model(embedding)
        settings = {
            "backend": "sentence-transformers",
            "model": embedding,
            "fingerprint": _model_fingerprint(embedding),
            "normalize": True,
            "recipe": _RECIPE_VERSION,
        }
        fit_texts = ()  # a pretrained model is not fitted on the corpus

    key = _cache_key(settings, fit_texts, texts)
    path = Path(cache_dir) / f"{key}.npy" if cache_dir is not None else None
    cached = _read_cache(path, len(texts)) if path is not None else None

    if cached is not None:
        embeddings = cached
        if isinstance(embedder, TfidfSvdEmbedder):
            embedder.defer_fit(fit_texts)
    elif isinstance(embedder, TfidfSvdEmbedder):
        embedder.fit(fit_texts)
        embeddings = embedder.embed(texts)
    else:
        embeddings = embedding_function(embedder)(list(texts))
    if path is not None and cached is None:
        _write_cache(path, embeddings)
    if path is not None:  # the folder is a stage output: it holds this run's vectors only
        for stale in path.parent.glob("*.npy"):
            if stale != path:
                stale.unlink(missing_ok=True)
    info = {"embedding": embedding, "dimensions": int(embeddings.shape[1]), "cache_key": key}
    return embeddings, embedder, info


def embedding_function(embedder) -> Callable[[list[str]], np.ndarray]:
    """``texts -> float64 vectors`` with the embedder :func:`embed_paragraphs` returned.

    Used to embed the paragraphs assigned after the fit, batch by batch: the TF-IDF→SVD
    projection treats each text on its own, so a batch gets the same vectors as one call.
    """
    if isinstance(embedder, TfidfSvdEmbedder):
        return embedder.embed

    def encode(texts: list[str]) -> np.ndarray:
        return np.asarray(
            embedder.encode(
                list(texts),
                batch_size=32,
                show_progress_bar=False,
                convert_to_numpy=True,
                normalize_embeddings=True,
            ),
            dtype=np.float64,
        )

    return encode
