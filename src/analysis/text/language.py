"""Language identification of articles (offline): which texts count as Indonesian."""

from __future__ import annotations

import functools
import threading

__all__ = ["identify_language"]

# Below this many words a language guess is unreliable: only a confident guess rejects.
_SHORT_TEXT_WORDS = 20
_INDONESIAN_COMPATIBLE = ("id", "ms")


@functools.lru_cache(maxsize=1)
def _language_identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    walk = _compiled_walk()
    if walk is None:  # pragma: no cover - numba comes with the pinned environment
        return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)

    import numpy as np

    class CompiledWalkIdentifier(LanguageIdentifier):
        """py3langid's identifier with its automaton walk compiled (same features, same order).

        The walk also counts the features, in the order of their first occurrence (the order
        of the library's ``Counter``, hence of the rows summed in the score's matrix product),
        and the score reads a float32 copy of the model's float16 table, which is what the
        library's mixed-type product converts it to: the same product on the same floats.
        """

        def _raw_score(self, text):
            scratch = self._scratch.__dict__
            if "seen" not in scratch:  # per thread: the walk counts into it, then clears it
                scratch["seen"] = np.zeros(len(self._output_array), dtype=np.int64)
                scratch["order"] = np.empty(len(self._output_array), dtype=np.int64)
            order = scratch["order"]
            n, counts = walk(
                self._nextmove,
                self._rowbase_array,
                self._output_array,
                np.frombuffer(text, dtype=np.uint8),
                scratch["seen"],
                order,
            )
            if not n:  # no features: the library's own fallback score
                return super()._raw_score(text)
            return np.log1p(counts) @ self._table32[order[:n]] + self.nb_pc

    identifier = CompiledWalkIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    nextmove = identifier.tk_nextmove
    identifier._nextmove = np.frombuffer(nextmove, dtype=nextmove.typecode)
    identifier._rowbase_array = np.asarray(identifier._rowbase, dtype=np.int64)
    identifier._output_array = np.asarray(identifier.tk_output, dtype=np.int64)
    identifier._table32 = identifier.nb_ptc.astype(np.float32)
    identifier._scratch = threading.local()
    return identifier


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
        from ._langwalk import walk
    except ImportError:  # pragma: no cover - numba comes with the pinned environment
        return None
    return walk


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
    scores = _language_identifier()._decide(text).tolist()
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
    top, p_top, p_id = _top_and_indonesian(text[:1500])
    if top in _INDONESIAN_COMPATIBLE:
        return top, float(p_top), True
    if len(text.split()) < _SHORT_TEXT_WORDS and p_top < 0.9:
        return "id", float(p_id), True
    return top, float(p_top), False
