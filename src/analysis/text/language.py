"""Language identification of articles (offline): which texts count as Indonesian."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import shutil
import threading
import zipfile
from pathlib import Path

from ..core.io import atomic_path
from ..core.runtime import NUMBA_CACHE_ENV

__all__ = ["identify_language", "identify_languages"]

# Below this many words a language guess is unreliable: only a confident guess rejects.
_SHORT_TEXT_WORDS = 20
_INDONESIAN_COMPATIBLE = ("id", "ms")
_READ_CHARS = 1500  # the identifier reads the first 1,500 characters (title first)


@functools.lru_cache(maxsize=1)
def _language_identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    compiled = _compiled_walk()
    if compiled is None:  # pragma: no cover - numba comes with the pinned environment
        return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)

    import numpy as np

    walk_hits, count_hits = compiled

    class CompiledWalkIdentifier(LanguageIdentifier):
        """py3langid's identifier with its automaton walk compiled (same features, same order).

        The walk also counts the features, in the order of their first occurrence (the order
        of the library's ``Counter``, hence of the rows summed in the score's matrix product),
        and the score reads a float32 copy of the model's float16 table, which is what the
        library's mixed-type product converts it to: the same product on the same floats.
        """

        def _walk(self, data: bytes):
            """The features met in ``data`` (order of first occurrence) and their counts, or
            None when there are none."""
            return self._walk_many([data])[0]

        def _walk_many(self, encoded: list[bytes]) -> list:
            """:meth:`_walk` of each text, the texts walked side by side."""
            return _walked(self, encoded, walk_hits, count_hits)

        def _raw_score(self, text):
            walked = self._scratch.__dict__.pop("walked", None)
            if walked is not None and walked[0] == text:  # walked already (decide_many)
                features = walked[1]
            else:
                features = self._walk(text)
            if features is None:  # no features: the library's own fallback score
                return super()._raw_score(text)
            order, counts = features
            return np.log1p(counts) @ self._table32[order] + self.nb_pc

        def decide_many(self, texts):
            """``_decide`` of each text: every walk first, then every score.

            The walk reads the 39 MB automaton and the score gathers rows of the 57 MB
            table: one after the other over a batch, each keeps its table in the caches
            (about 130 -> 90 µs per 1,500-character text), and the walks go ``LANES`` texts
            side by side (``walk_hits``; the walk 45 -> 29 µs per text). Each text's score is
            computed as ``_decide`` computes it alone.
            """
            encoded = [self._encode(text) for text in texts]
            walks = self._walk_many(encoded)
            scores = []
            for text, data, features in zip(texts, encoded, walks, strict=True):
                self._scratch.walked = (data, features)
                scores.append(self._decide(text))
            return scores

    ptc, pc, classes, nextmove, row, output = _model(MODEL_FILE)
    # what from_model_file does with the loaded model
    identifier = CompiledWalkIdentifier(
        np.asarray(ptc), np.asarray(pc), classes, nextmove, output, norm_probs=True, tk_row=row
    )
    nextmove = identifier.tk_nextmove
    identifier._nextmove = np.frombuffer(nextmove, dtype=nextmove.typecode)
    identifier._rowbase_array = np.asarray(identifier._rowbase, dtype=np.int64)
    identifier._output_array = np.asarray(identifier.tk_output, dtype=np.int64)
    identifier._table32 = identifier.nb_ptc.astype(np.float32)
    identifier._scratch = threading.local()
    return identifier


def _model(model_file: str) -> tuple:
    """py3langid's model as its ``load_model`` returns it, read from an unpacked copy.

    The library keeps its model as an LZMA-compressed npz (4.6 MB), and unpacking it took
    about 0.6 of the 0.75 s each process spends loading the identifier (ingest's and
    classify's on a small corpus). The first process writes the unpacked npz (68 MB) to
    ``langid/`` beside numba's cache folder (``.cache/langid`` by default), named by the
    compressed file's SHA-256; later ones read it in about 0.1 s. A copy that cannot be
    written or read is passed over: the library's loader reads the model then.
    """
    import lzma

    from py3langid.langid import MODEL_DIR
    from py3langid.modelio import load_model

    source = MODEL_DIR / model_file
    numba_cache = os.environ.get(NUMBA_CACHE_ENV) or os.path.join(".cache", "numba")
    try:
        digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
        unpacked = Path(numba_cache).parent / "langid" / f"model-{digest}.npz"
        if not unpacked.is_file():
            with lzma.open(source) as packed, atomic_path(unpacked) as tmp, open(tmp, "wb") as out:
                shutil.copyfileobj(packed, out, length=1 << 20)
    except (OSError, EOFError, lzma.LZMAError):  # cannot be written (or the source read)
        return load_model(source)
    try:
        return _read_unpacked(unpacked)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        with contextlib.suppress(OSError):  # a damaged copy: the next process writes it afresh
            unpacked.unlink()
        return load_model(source)


def _read_unpacked(path: Path) -> tuple:
    """The model tuple from an unpacked model npz, converted as py3langid's ``load_model``
    converts it (``tests/text/test_language.py`` checks that the two are equal)."""
    import numpy as np
    from py3langid.modelio import _to_array

    with np.load(path, allow_pickle=False) as data:
        return (
            data["ptc"],
            data["pc"],
            data["classes"].tolist(),
            _to_array(data["nextmove"]),
            _to_array(data["nextmove_row"]),
            data["out_feat"].tolist(),
        )


def _walked(identifier, encoded: list[bytes], walk_hits, count_hits) -> list:
    """Each text's features (order of first occurrence) and counts, or None without any: the
    texts walked ``LANES`` side by side (``_langwalk.walk_hits``), then each one's count."""
    import numpy as np

    scratch = identifier._scratch.__dict__
    if "seen" not in scratch:  # per thread: the count uses it, then clears it
        scratch["seen"] = np.zeros(len(identifier._output_array), dtype=np.int64)
        scratch["order"] = np.empty(len(identifier._output_array), dtype=np.int64)
    seen, order = scratch["seen"], scratch["order"]
    bounds = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(data) for data in encoded], out=bounds[1:])
    hits = np.empty(int(bounds[-1]), dtype=np.int64)  # at most one feature per byte
    found = walk_hits(
        identifier._nextmove,
        identifier._rowbase_array,
        identifier._output_array,
        np.frombuffer(b"".join(encoded), dtype=np.uint8),
        bounds,
        hits,
    )
    walks = []
    for start, n_hits in zip(bounds[:-1].tolist(), found.tolist(), strict=True):
        n, counts = count_hits(hits[start : start + n_hits], seen, order)
        walks.append((order[:n].copy(), counts) if n else None)
    return walks


def _compiled_walk():
    """The identifier's byte-automaton walk and feature count compiled by numba (None without).

    py3langid walks its automaton over the text's bytes in a Python loop and counts the
    features it meets in a ``Counter``. The compiled walk (:mod:`analysis.text._langwalk`, kept
    in numba's disk cache) visits the same states in the same order and returns the distinct
    features in order of first occurrence with their counts (what the ``Counter`` holds, in its
    order, the order the scores are summed in), so the scores are the same floats;
    ``tests/text/test_language.py`` compares them.
    """
    try:
        from ._langwalk import count_hits, walk_hits
    except ImportError:  # pragma: no cover - numba comes with the pinned environment
        return None
    return walk_hits, count_hits


@functools.lru_cache(maxsize=1)
def _label_columns() -> tuple[tuple[str, int], ...]:
    """Each label of the identifier with the score column ``rank`` reports for it (its first)."""
    first: dict[str, int] = {}
    for i, label in enumerate(_language_identifier().nb_classes):
        first.setdefault(label, i)
    return tuple(first.items())


def _top_and_indonesian(text: str) -> tuple[str, float, float]:
    """``rank(text)``'s first label and score, and the score of ``id``, without ranking all.

    ``rank`` sorts the labels by score, highest first, keeping label order among equal scores
    (a stable sort): its first entry is the earliest label with the highest score.
    """
    return _top_of(_language_identifier()._decide(text))


def _top_of(decided) -> tuple[str, float, float]:
    """:func:`_top_and_indonesian` from the identifier's scores of a text."""
    scores = decided.tolist()
    top, p_top, p_id = "", float("-inf"), 0.0
    for label, column in _label_columns():
        score = scores[column]
        if score > p_top:
            top, p_top = label, score
        if label == "id":
            p_id = score
    return top, p_top, p_id


def identify_language(text: str) -> tuple[str, float, bool]:
    """Identify the language of an article and decide whether it counts as Indonesian.

    The offline identifier (py3langid, 97 languages, probabilities normalised) reads the first
    1,500 characters (title first), plenty for a stable label and half the cost of 3,000.

    Malay: Indonesian and Malay are standard varieties of one language and the identifier cannot
    separate them reliably in news prose; on the clickid corpus (all Indonesian outlets) about
    0.2 % of articles, often religious pieces full of Arabic loanwords, come out as ``ms`` with
    probabilities up to 1.0. So ``ms`` counts as Indonesian-compatible: the article is kept and
    its ``language`` column says ``ms``, so a researcher can still filter those rows.

    Short texts: under 20 words the guess is unreliable, so another language rejects a short
    text only when the identifier is at least 0.9 sure (with the default ``min_words`` of 40
    such texts are rejected as too short first).

    Returns:
        ``(label, probability of that label, is_indonesian)``.
    """
    return _verdict(text, *_top_and_indonesian(text[:_READ_CHARS]))


def identify_languages(texts: list[str]) -> list[tuple[str, float, bool]]:
    """:func:`identify_language` of each text, the batch's automaton walks first (faster on
    a batch than one text at a time; the same results)."""
    identifier = _language_identifier()
    decide_many = getattr(identifier, "decide_many", None)
    heads = [text[:_READ_CHARS] for text in texts]
    if decide_many is None:  # pragma: no cover - numba comes with the pinned environment
        return [identify_language(text) for text in texts]
    return [
        _verdict(text, *_top_of(scores))
        for text, scores in zip(texts, decide_many(heads), strict=True)
    ]


def _verdict(text: str, top: str, p_top: float, p_id: float) -> tuple[str, float, bool]:
    """:func:`identify_language`'s answer from the identifier's top label and scores."""
    if top in _INDONESIAN_COMPATIBLE:
        return top, float(p_top), True
    if len(text.split()) < _SHORT_TEXT_WORDS and p_top < 0.9:
        return "id", float(p_id), True
    return top, float(p_top), False
