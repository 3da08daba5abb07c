"""Language identification of articles (offline): which texts count as Indonesian."""

from __future__ import annotations

import functools
from collections import Counter

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
        """py3langid's identifier with its automaton walk compiled (same features, same order)."""

        def _raw_score(self, text):
            found = np.empty(len(text), dtype=np.int64)
            n = walk(
                self._nextmove,
                self._rowbase_array,
                self._output_array,
                np.frombuffer(text, dtype=np.uint8),
                found,
            )
            if not n:  # no features: the library's own fallback score
                return super()._raw_score(text)
            return self._sparse_score(Counter(found[:n].tolist()), self.nb_ptc)

    identifier = CompiledWalkIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    nextmove = identifier.tk_nextmove
    identifier._nextmove = np.frombuffer(nextmove, dtype=nextmove.typecode)
    identifier._rowbase_array = np.asarray(identifier._rowbase, dtype=np.int64)
    identifier._output_array = np.asarray(identifier.tk_output, dtype=np.int64)
    return identifier


def _compiled_walk():
    """The identifier's byte-automaton walk compiled by numba (None without numba).

    py3langid walks its automaton over the text's bytes in a Python loop: half of its time,
    and a quarter of ingest's. The compiled walk (:mod:`analysis.text._langwalk`) visits the
    same states in the same order and returns the same feature indexes in the same order (the
    order the scores are summed in), so the scores are the same floats;
    ``tests/text/test_language.py`` compares them.
    """
    try:
        from ._langwalk import walk
    except ImportError:  # pragma: no cover - numba comes with the pinned environment
        return None
    return walk


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
    ranked = _language_identifier().rank(text[:1500])
    top, p_top = ranked[0]
    if top in _INDONESIAN_COMPATIBLE:
        return top, float(p_top), True
    if len(text.split()) < _SHORT_TEXT_WORDS and p_top < 0.9:
        p_id = dict(ranked).get("id", 0.0)
        return "id", float(p_id), True
    return top, float(p_top), False
