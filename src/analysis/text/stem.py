"""Tokens and protected Sastrawi stems of Indonesian news text; the `python -m analysis stem` filter."""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from ..core.errors import UserError
from ..core.parallel import WorkerPool, worker_pool
from .lexicons import StemLexicons, load_stem_lexicons
from .tokens import BREAK_CHARS, NUMBER, TOKEN_OR_BREAK, WordMemo, normalise, strip_clitic

__all__ = ["Preprocessor", "stem_stream"]

# --------------------------------------------------------------------------------------------
# Sastrawi


# Every PySastrawi 1.2.1 rule removes an affix that matches one of these patterns: prefixes
# di-/ke-/se- and the be-/me-/pe-/te-/ku-/kau- families (rules 1-36, 41-42), the infixes
# -el-/-em-/-er-/-in- after a first consonant (rules 37-40), and the suffixes -lah/-kah/-tah/
# -pun, -ku/-mu/-nya and -i/-kan/-an/-is/-isme/-isasi. Sastrawi returns either a dictionary root
# it reached by removing affixes or the word unchanged, so a word without a hyphen that matches
# none of them comes back unchanged: answering that directly skips ~40 failing rule checks for
# names, loanwords and typos (43% of Sastrawi's time on clickid). The parity tests compare the
# result with plain Sastrawi.
_MAY_HAVE_PREFIX = re.compile(
    r"(?:di|ke|se|be|me|pe|te|ku|ka)|[bcdfghjklmnpqrstvwxyz](?:el|em|er|in)[aiueo]"
)
_MAY_HAVE_SUFFIX = re.compile(r"(?:lah|kah|tah|pun|ku|mu|nya|i|kan|an|is|isme|isasi)$")


class _Sastrawi:
    """PySastrawi's plain stemmer with a shortcut for words no rule can change."""

    def __init__(self) -> None:
        from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
        from Sastrawi.Stemmer.Stemmer import Stemmer
        from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

        self._stemmer = Stemmer(ArrayDictionary(StemmerFactory().get_words()))

    def stem_word(self, word: str) -> str:
        if (
            "-" not in word
            and not _MAY_HAVE_PREFIX.match(word)
            and not _MAY_HAVE_SUFFIX.search(word)
        ):
            return word
        return self._stemmer.stem_word(word)


def _sastrawi_stemmer() -> _Sastrawi:
    """The Sastrawi stemmer used for every unprotected token (uncached; the cache is ours)."""
    return _Sastrawi()


# Below these sizes, starting worker processes costs more than it saves.
_MIN_PARALLEL_TYPES = 2000
# Lines `stem_stream` reads before answering when its input is not a terminal.
_STREAM_BATCH_LINES = 500


def _stem_words(pre: Preprocessor, words: list[str]) -> list[str]:
    """Sastrawi's stems of ``words``, in a worker process holding its own Preprocessor."""
    stemmer = pre._sastrawi()
    return [stemmer.stem_word(word) for word in words]


def _worker_preprocessor(context: tuple[StemLexicons, int]) -> Preprocessor:
    """A worker's Preprocessor, with a stem cache of its own."""
    lexicons, min_token_length = context
    return Preprocessor(lexicons, min_token_length=min_token_length)


def stem_pool(n_jobs: int, pre: Preprocessor) -> contextlib.AbstractContextManager[WorkerPool]:
    """A pool of ``n_jobs`` processes, each with a Preprocessor built from ``pre``'s lexicons."""
    return worker_pool(
        n_jobs, setup=_worker_preprocessor, context=(pre.lexicons, pre.min_token_length)
    )


# --------------------------------------------------------------------------------------------
# Preprocessor


class Preprocessor:
    """Tokenise and stem Indonesian news text with multiword terms and protected names.

    Build one with :meth:`from_lexicons`; it keeps a cache of every stem it has computed, so
    each distinct token goes through Sastrawi once.

    Args:
        lexicons: the loaded word lists.
        min_token_length: tokens shorter than this (after joining) are dropped.
    """

    def __init__(self, lexicons: StemLexicons, *, min_token_length: int) -> None:
        if not isinstance(min_token_length, int) or min_token_length < 1:
            raise UserError(
                f"min_token_length must be a positive integer, got {min_token_length!r}"
            )
        self.lexicons = lexicons
        self.min_token_length = min_token_length
        # first word -> candidate expression lengths, longest first (greedy longest match)
        lengths: dict[str, set[int]] = {}
        for words in lexicons.multiword:
            lengths.setdefault(words[0], set()).add(len(words))
        self._mwe_lengths = {w: sorted(ls, reverse=True) for w, ls in lengths.items()}
        self._variant_keys = frozenset(lexicons.variants)
        # words that can start a rewrite or a join; a clause without any skips _join
        self._join_triggers = frozenset(self._mwe_lengths) | self._variant_keys
        self._mwe = lexicons.multiword
        self._stopwords = lexicons.stopwords
        self._variants = lexicons.variants
        self._cache: dict[str, str] = {}
        self._stemmer: Any = None
        # whether tokenize keeps each word or break item seen (a function of the item alone)
        self._kept = WordMemo(self._keeps)

    @classmethod
    def from_lexicons(cls, lexicon_dir: str | Path, min_token_length: int) -> Preprocessor:
        """Load the lexicons from ``lexicon_dir`` and build a preprocessor.

        Args:
            lexicon_dir: directory with stopwords, protected terms, multiword expressions and
                (optionally) gazetteers, variants and stem overrides.
            min_token_length: tokens shorter than this are dropped.

        Returns:
            A ready :class:`Preprocessor`.
        """
        return cls(load_stem_lexicons(lexicon_dir), min_token_length=min_token_length)

    # ---- tokens ----------------------------------------------------------------------------

    def _join(self, words: list[str]) -> list[str]:
        """Rewrite variants, then join multiword expressions by greedy longest match."""
        if not self._variant_keys.isdisjoint(words):
            expanded: list[str] = []
            for w in words:
                expanded.extend(self._variants.get(w, (w,)))
            words = expanded
        mwe_lengths = self._mwe_lengths
        mwe = self._mwe
        out: list[str] = []
        start = 0  # the first word not yet copied to ``out``
        n = len(words)
        # only the words that can start an expression are tried (picked out at C speed)
        for i in itertools.compress(itertools.count(), map(mwe_lengths.__contains__, words)):
            if i < start:  # inside the expression just joined
                continue
            lengths = mwe_lengths[words[i]]
            joined = None
            for length in lengths:
                if i + length > n:
                    continue
                candidate = tuple(words[i : i + length])
                if candidate in mwe:
                    joined = candidate
                    break
                # a clitic on the last word ("kerja samanya") still closes the expression
                base = strip_clitic(candidate[-1])
                if base and candidate[:-1] + (base,) in mwe:
                    joined = candidate[:-1] + (base,)
                    break
            if joined is None:
                continue
            out.extend(words[start:i])
            out.append("_".join(joined))
            start = i + len(joined)
        if start == 0:
            return words
        out.extend(words[start:])
        return out

    def tokenize(self, text: str) -> list[str]:
        """Tokens of ``text``: lower-cased, multiword expressions joined, stopwords removed.

        Args:
            text: any text (a paragraph, a line).

        Returns:
            The tokens in text order.
        """
        if not text:
            return []
        words = TOKEN_OR_BREAK.findall(normalise(text))
        if not self._join_triggers.isdisjoint(words):
            words = self._join(words)
        return list(filter(self._kept.__getitem__, words))

    def _keeps(self, token: str) -> bool:
        """Whether :meth:`tokenize` keeps a word or break item: not a clause break, not shorter
        than ``min_token_length``, not a stopword, not a number or amount."""
        if len(token) < self.min_token_length or token in self._stopwords:
            return False
        if token.isalpha():  # the common case: a plain word
            return True
        return token[0] not in BREAK_CHARS and NUMBER.fullmatch(token) is None

    # ---- stems -----------------------------------------------------------------------------

    def protection(self, token: str) -> str | None:
        """Why ``token`` is not given to Sastrawi: ``override``, ``multiword``, ``protected``.

        Returns ``None`` for an ordinary token (its stem is exactly Sastrawi's).
        """
        if token in self.lexicons.overrides:
            return "override"
        if "_" in token:
            return "multiword"
        if self._protected_base(token) is not None:
            return "protected"
        return None

    def _protected_base(self, token: str) -> str | None:
        """The protected word ``token`` is made of, allowing a clitic or reduplication."""
        protected = self.lexicons.protected
        if token in protected:
            return token
        base = strip_clitic(token)
        if base and base in protected:
            return base
        if "-" in token:  # reduplication of a protected word: relawan-relawan(nya)
            first, _, second = token.partition("-")
            if first in protected and (second == first or strip_clitic(second) == first):
                return first
        return None

    def _stem_new(self, token: str) -> str | None:
        """Stem without Sastrawi when a lexicon decides; ``None`` means ask Sastrawi."""
        override = self.lexicons.overrides.get(token)
        if override is not None:
            return override
        if "_" in token:
            return token
        return self._protected_base(token)

    def _sastrawi(self) -> Any:
        if self._stemmer is None:
            self._stemmer = _sastrawi_stemmer()
        return self._stemmer

    def stem(self, token: str) -> str:
        """The stem of one token (cached)."""
        stem = self._cache.get(token)
        if stem is None:
            stem = self._stem_new(token)
            if stem is None:
                stem = self._sastrawi().stem_word(token)
            self._cache[token] = stem
        return stem

    def stem_tokens(self, tokens: Iterable[str]) -> list[str]:
        """Stems of ``tokens``, same length and order."""
        tokens = tokens if isinstance(tokens, list) else list(tokens)
        try:  # fast path: every token already cached (the usual case after prestem)
            return list(map(self._cache.__getitem__, tokens))
        except KeyError:
            return [self.stem(token) for token in tokens]

    def process(self, text: str) -> tuple[list[str], list[str]]:
        """Tokens and their stems for one text."""
        tokens = self.tokenize(text)
        return tokens, self.stem_tokens(tokens)

    def prestem(
        self, tokens: Iterable[str], *, n_jobs: int = 1, pool: WorkerPool | None = None
    ) -> int:
        """Fill the cache for many distinct tokens, optionally in ``n_jobs`` worker processes.

        The result does not depend on ``n_jobs``: a stem is a function of the token alone.

        Args:
            tokens: tokens (duplicates are fine).
            n_jobs: worker processes for Sastrawi; 1 stems in this process.
            pool: an open :func:`stem_pool` to use instead of starting one.

        Returns:
            The number of tokens that went through Sastrawi.
        """
        todo: list[str] = []
        for token in set(tokens):
            if token in self._cache:
                continue
            stem = self._stem_new(token)
            if stem is None:
                todo.append(token)
            else:
                self._cache[token] = stem
        todo.sort()  # fixed order: identical chunks on every run
        if pool is None and (n_jobs <= 1 or len(todo) < _MIN_PARALLEL_TYPES):
            stemmer = self._sastrawi()
            for token in todo:
                self._cache[token] = stemmer.stem_word(token)
            return len(todo)
        # Interleaved chunks balance the work (rare long words are slow) across workers.
        n_chunks = max(1, (n_jobs if pool is None else pool.n_jobs) * 8)
        chunks = [todo[i::n_chunks] for i in range(n_chunks)]
        if pool is None:
            with stem_pool(n_jobs, self) as own:
                results = own.map(_stem_words, chunks)
        else:
            results = pool.map(_stem_words, chunks)
        for chunk, stems in zip(chunks, results):
            self._cache.update(zip(chunk, stems))
        return len(todo)


# --------------------------------------------------------------------------------------------
# Command-line filter


def stem_stream(
    instream: TextIO,
    outstream: TextIO,
    *,
    lexicon_dir: str | Path,
    min_token_length: int,
    n_jobs: int = 1,
) -> int:
    """Print the processed stems of each input line, one output line per input line.

    This is ``python -m analysis stem``: tokens after multiword joining, stopword removal and
    protection, stemmed with a cache, separated by single spaces; an input line without tokens
    gives an empty output line. From a terminal each line is answered at once; piped input is
    handled in batches of lines so that, with ``n_jobs > 1``, the new words of a large batch
    are stemmed by worker processes (the output is the same for any ``n_jobs``).

    Args:
        instream: text lines (e.g. ``sys.stdin``).
        outstream: where the stems go (e.g. ``sys.stdout``).
        lexicon_dir: the lexicon directory.
        min_token_length: tokens shorter than this are dropped.
        n_jobs: worker processes for stemming new words of large batches.

    Returns:
        The number of lines processed.
    """
    if not isinstance(n_jobs, int) or n_jobs < 1:
        raise UserError(f"n_jobs must be a positive integer, got {n_jobs!r}")
    pre = Preprocessor.from_lexicons(lexicon_dir, min_token_length=min_token_length)
    write = outstream.write
    n_lines = 0
    if hasattr(instream, "isatty") and instream.isatty():
        for line in instream:
            write(" ".join(pre.process(line)[1]) + "\n")
            outstream.flush()
            n_lines += 1
        return n_lines

    with contextlib.ExitStack() as stack:
        pool: WorkerPool | None = None
        batch: list[str] = []
        for line in itertools.chain(instream, [None]):
            if line is not None:
                batch.append(line)
                if len(batch) < _STREAM_BATCH_LINES:
                    continue
            if not batch:
                break
            token_lists = [pre.tokenize(text) for text in batch]
            if n_jobs > 1:
                new = {t for tokens in token_lists for t in tokens} - pre._cache.keys()
                if len(new) >= _MIN_PARALLEL_TYPES:
                    pool = pool or stack.enter_context(stem_pool(n_jobs, pre))
                    pre.prestem(new, pool=pool)
            write("".join(" ".join(pre.stem_tokens(tokens)) + "\n" for tokens in token_lists))
            n_lines += len(batch)
            batch = []
    outstream.flush()
    return n_lines
