"""Indonesian preprocessing: paragraphs, tokens, multiword terms, stopwords and protected Sastrawi stems.

The stems feed counting (c-TF-IDF topic labels, log-odds, keyword tables), so the rules here are
research decisions; each is documented where it is made and summarised in ``docs/preprocess.md``.

Pipeline for one paragraph (:meth:`Preprocessor.process`):

1. normalise: Unicode NFKC, lower case, accents folded to ASCII, curly apostrophes made straight;
2. drop URLs, bare web domains (``bisnis.com``), e-mail addresses, ``@handles`` and ``#hashtags``;
3. split into clauses at punctuation, so a multiword expression never spans ``,`` ``.`` ``"`` …;
4. tokens are ASCII letter/digit runs with internal hyphens (``kota-kota``, ``covid-19``);
   emoji and other scripts are not tokens;
5. spelling variants are rewritten (``kerjasama`` → ``kerja sama``), then multiword expressions
   are joined with ``_`` by greedy longest match (``kerja_sama``, ``kuala_lumpur``);
6. numbers (``2025``, ``ke-3``, ``rp10``, ``1990-an``), tokens shorter than ``min_token_length``
   and stopwords are removed — after joining, so ``kerja sama`` survives although ``sama`` is a
   stopword;
7. each distinct token is stemmed once (a cache): reviewed overrides first, then protection
   (joined terms, the protected-terms list, single-word gazetteer names) and otherwise Sastrawi.
"""

from __future__ import annotations

import csv
import gc
import io
import itertools
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .errors import UserError

if TYPE_CHECKING:  # pandas is imported lazily: `python -m analysis stem` must start fast
    import pandas as pd

__all__ = [
    "Lexicons",
    "Preprocessor",
    "PreprocessResult",
    "load_lexicons",
    "split_paragraphs",
    "stem_stream",
    "run_preprocess",
    "write_paragraphs",
]

STOPWORDS_FILE = "stopwords_id.txt"
PROTECTED_FILE = "protected_terms.txt"
MWE_FILE = "multiword_expressions.txt"
VARIANTS_FILE = "token_variants.csv"
OVERRIDES_FILE = "stem_overrides.csv"
GAZETTEER_GLOB = "gazetteer_*.csv"

# Clitics Indonesian attaches to any word (possessive -nya/-ku/-mu, particles -lah/-kah/-pun/-tah).
# A protected word carrying one ("relawannya", "Bekasi-lah") keeps its protected base.
_CLITICS = ("nya", "lah", "kah", "pun", "tah", "ku", "mu")

# Look-alike characters seen in real input that NFKD does not fold (Greek alpha typed for "a").
_CHAR_MAP = str.maketrans({
    "\u03b1": "a",  # α
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u0060": "'", "\u00b4": "'", "\u2032": "'",
    "\u00a0": " ", "\u200b": " ", "\u200c": "", "\u200d": "", "\ufeff": "",
})

# Things that are not words of the article: links, bare outlet domains ("NTVNews.id", which the
# datelines repeat in every article), e-mail addresses, social-media handles and hashtags.
_NOT_WORDS_RE = re.compile(
    r"""
      (?:https?://|www\.)\S+
    | [a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+
    | [@#][a-z0-9_]+
    | \b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*
      \.(?:com|id|net|org|co|go|ac|or|sch|tv|info|news|io|me|my|asia|biz|sg)\b(?:/\S*)?
    """,
    re.VERBOSE,
)
_TLD_RE = re.compile(r"[a-z0-9]\.(?:com|id|net|org|co|go|ac|or|sch|tv|info|news|io|me|my|asia|biz|sg)\b")
# English possessive ("Jakarta's") and apostrophes inside words ("Jum'at", "Ma'ruf") are removed
# so the word stays whole; any other apostrophe ("Dato'") simply ends the word.
_POSSESSIVE_RE = re.compile(r"(?<=[a-z])'s\b")
_INNER_APOSTROPHE_RE = re.compile(r"(?<=[a-z])'(?=[a-z])")
# Clause boundaries: a multiword expression is only joined inside one clause. A hyphen is a
# break only where it is not inside a token (a dash: "Jakarta - Gubernur"), because the token
# pattern is tried first.
_BREAK_CHARS = ".,;:!?()[]{}\"|/\\<>\u2026\u2013\u2014\u201c\u201d\u00ab\u00bb\n-"
_TOKEN_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# Tokens and clause breaks in one pass: a break item sits between two words, so no
# multiword expression can match across it, and it is dropped afterwards.
_TOKEN_OR_BREAK_RE = re.compile(_TOKEN_RE.pattern + "|[" + re.escape(_BREAK_CHARS) + "]+")
# Numbers and amounts carry no topic: 2025, 11-8, ke-3 (ordinal), rp10 / usd1 (money), 1990-an.
_NUMBER_RE = re.compile(r"(?:ke-|rp|usd|us|idr|rm|sgd|eur)?[0-9]+(?:-[0-9]+)*(?:-an)?")
_PARAGRAPH_BREAK_RE = re.compile(r"\n[ \t\r\f\v]*\n")


def _normalise(text: str) -> str:
    """Lower-case, fold accents to ASCII, straighten apostrophes, remove non-word strings."""
    text = text.translate(_CHAR_MAP)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
        text = text.translate(_CHAR_MAP)
    text = text.lower()
    # the full pattern is slow to scan; run it only where one of its anchors occurs
    if "@" in text or "#" in text or "://" in text or "www." in text or _TLD_RE.search(text):
        text = _NOT_WORDS_RE.sub(" ", text)
    if "'" in text:
        text = _INNER_APOSTROPHE_RE.sub("", _POSSESSIVE_RE.sub("", text))
    return text


def _raw_tokens(text: str) -> list[str]:
    """Tokens of a lexicon entry, ignoring clause breaks (entries are single phrases)."""
    return _TOKEN_RE.findall(_normalise(text))


def _entry_token(entry: str) -> str:
    """One token from a lexicon entry; words separated by spaces or ``_`` give a joined token."""
    return "_".join(_raw_tokens(entry.replace("_", " ")))


def split_paragraphs(text: str | None) -> list[str]:
    """Split a document body into paragraphs at blank lines; empty paragraphs are not kept.

    Args:
        text: the cleaned body from documents.parquet (paragraphs separated by ``\\n\\n``).

    Returns:
        The stripped, non-empty paragraphs in order.
    """
    if not text:
        return []
    parts = _PARAGRAPH_BREAK_RE.split(text.replace("\r\n", "\n"))
    return [part.strip() for part in parts if part.strip()]


# --------------------------------------------------------------------------------------------
# Lexicons


@dataclass(frozen=True)
class Lexicons:
    """The word lists that drive preprocessing, loaded from ``data/lexicons``.

    Attributes:
        stopwords: tokens removed after multiword joining.
        protected: single tokens never stemmed (reviewed list + single-word gazetteer names).
        multiword: token sequences joined with ``_`` (lexicon + multi-word gazetteer names).
        variants: token → replacement token sequence, applied before joining.
        overrides: token → reviewed stem, used instead of Sastrawi.
        sources: the files read, for provenance in metrics.
    """

    stopwords: frozenset[str] = frozenset()
    protected: frozenset[str] = frozenset()
    multiword: frozenset[tuple[str, ...]] = frozenset()
    variants: dict[str, tuple[str, ...]] = field(default_factory=dict)
    overrides: dict[str, str] = field(default_factory=dict)
    sources: tuple[str, ...] = ()


def _entries(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, entry) for each non-blank line of a TXT lexicon, ``#`` comments removed."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 text ({exc}); save the lexicon as UTF-8") from exc
    for number, line in enumerate(lines, start=1):
        entry = line.split("#", 1)[0].strip()
        if entry:
            yield number, entry


def _csv_rows(path: Path, required: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each data row of a CSV lexicon; ``#`` lines are comments."""
    try:
        raw_lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 text ({exc}); save the lexicon as UTF-8") from exc
    kept = [(n, line) for n, line in enumerate(raw_lines, start=1)
            if line.strip() and not line.lstrip().startswith("#")]
    if not kept:
        return
    reader = csv.DictReader(io.StringIO("\n".join(line for _, line in kept)))
    missing = [name for name in required if name not in (reader.fieldnames or [])]
    if missing:
        raise UserError(
            f"{path}: missing column(s) {', '.join(missing)}; the header must contain "
            f"{', '.join(required)} (found: {', '.join(reader.fieldnames or [])})"
        )
    for (number, _), row in zip(kept[1:], reader):
        yield number, {k: (v or "").strip() for k, v in row.items() if k is not None}


def _require(path: Path) -> Path:
    if not path.is_file():
        raise UserError(
            f"lexicon file {path} not found; point lexicon_dir at the project's data/lexicons "
            f"(or restore the file from git)"
        )
    return path


def load_lexicons(lexicon_dir: str | Path = "data/lexicons") -> Lexicons:
    """Read the preprocessing lexicons from a directory.

    Required: ``stopwords_id.txt``, ``protected_terms.txt``, ``multiword_expressions.txt``.
    Optional: ``token_variants.csv`` (variant,canonical), ``stem_overrides.csv`` (token,stem) and
    any ``gazetteer_*.csv`` with a ``name`` column: multi-word names become multiword
    expressions, single-word names become protected terms.

    Entries are normalised with the same tokeniser as the text, so a lexicon line always
    matches what the text produces.

    Args:
        lexicon_dir: directory holding the files.

    Returns:
        The loaded :class:`Lexicons`.

    Raises:
        UserError: when the directory or a required file is missing or a CSV lacks a column.
    """
    lexicon_dir = Path(lexicon_dir)
    if not lexicon_dir.is_dir():
        raise UserError(f"lexicon directory {lexicon_dir} not found; pass the path of data/lexicons")
    sources: list[str] = []

    stopwords: set[str] = set()
    path = _require(lexicon_dir / STOPWORDS_FILE)
    sources.append(path.name)
    for _, entry in _entries(path):
        stopwords.add(_entry_token(entry))

    protected: set[str] = set()
    path = _require(lexicon_dir / PROTECTED_FILE)
    sources.append(path.name)
    for _, entry in _entries(path):
        protected.add(_entry_token(entry))

    multiword: set[tuple[str, ...]] = set()
    path = _require(lexicon_dir / MWE_FILE)
    sources.append(path.name)
    for _, entry in _entries(path):
        words = tuple(_raw_tokens(entry))
        if len(words) >= 2:
            multiword.add(words)

    # A multi-word place name counts as its canonical place: "dki jakarta", "provinsi dki
    # jakarta" and "jakarta" are one term for c-TF-IDF and log-odds, "kota bekasi" is "bekasi".
    place_stems: dict[str, set[str]] = {}
    for path in sorted(lexicon_dir.glob(GAZETTEER_GLOB)):
        sources.append(path.name)
        for _, row in _csv_rows(path, ["name"]):
            words = tuple(_raw_tokens(row["name"]))
            if len(words) >= 2:
                multiword.add(words)
                canonical = _raw_tokens(row.get("canonical") or "")
                if canonical:
                    place_stems.setdefault("_".join(words), set()).add("_".join(canonical))
            elif len(words) == 1:
                protected.add(words[0])

    variants: dict[str, tuple[str, ...]] = {}
    path = lexicon_dir / VARIANTS_FILE
    if path.is_file():
        sources.append(path.name)
        for number, row in _csv_rows(path, ["variant", "canonical"]):
            variant, canonical = _raw_tokens(row["variant"]), tuple(_raw_tokens(row["canonical"]))
            if len(variant) != 1 or not canonical:
                raise UserError(f"{path}:{number}: a variant must be one token and canonical "
                                f"at least one word (got {row['variant']!r} -> {row['canonical']!r})")
            variants[variant[0]] = canonical

    overrides: dict[str, str] = {}
    path = lexicon_dir / OVERRIDES_FILE
    if path.is_file():
        sources.append(path.name)
        for number, row in _csv_rows(path, ["token", "stem"]):
            token, stem = _entry_token(row["token"]), _entry_token(row["stem"])
            if not token or not stem:
                raise UserError(f"{path}:{number}: token and stem must both be filled in")
            overrides[token] = stem
    for token, stems in sorted(place_stems.items()):
        # Reviewed overrides win; a name two places share keeps its own form.
        if len(stems) == 1 and token not in overrides and next(iter(stems)) != token:
            overrides[token] = next(iter(stems))

    return Lexicons(
        stopwords=frozenset(stopwords),
        protected=frozenset(protected),
        multiword=frozenset(multiword),
        variants=variants,
        overrides=overrides,
        sources=tuple(sources),
    )


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
_MAY_HAVE_PREFIX = re.compile(r"(?:di|ke|se|be|me|pe|te|ku|ka)|[bcdfghjklmnpqrstvwxyz](?:el|em|er|in)[aiueo]")
_MAY_HAVE_SUFFIX = re.compile(r"(?:lah|kah|tah|pun|ku|mu|nya|i|kan|an|is|isme|isasi)$")


class _Sastrawi:
    """PySastrawi's plain stemmer with a shortcut for words no rule can change."""

    def __init__(self) -> None:
        from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
        from Sastrawi.Stemmer.Stemmer import Stemmer
        from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

        self._stemmer = Stemmer(ArrayDictionary(StemmerFactory().get_words()))

    def stem_word(self, word: str) -> str:
        if "-" not in word and not _MAY_HAVE_PREFIX.match(word) and not _MAY_HAVE_SUFFIX.search(word):
            return word
        return self._stemmer.stem_word(word)


def _sastrawi_stemmer() -> _Sastrawi:
    """The Sastrawi stemmer used for every unprotected token (uncached; the cache is ours)."""
    return _Sastrawi()


# Below these sizes, starting worker processes costs more than it saves.
_MIN_PARALLEL_TYPES = 2000
# Lines `stem_stream` reads before answering when its input is not a terminal.
_STREAM_BATCH_LINES = 500

# The worker's own Preprocessor, built once per worker process by _worker_init.
_WORKER: Preprocessor | None = None


def _worker_init(lexicons: Lexicons, min_token_length: int) -> None:
    global _WORKER
    _WORKER = Preprocessor(lexicons, min_token_length=min_token_length)


def _worker_stem(words: list[str]) -> list[str]:
    assert _WORKER is not None
    stemmer = _WORKER._sastrawi()
    return [stemmer.stem_word(word) for word in words]


def _worker_pool(n_jobs: int, pre: Preprocessor) -> Any:
    """A pool of ``n_jobs`` processes, each with a Preprocessor built from ``pre``'s lexicons.

    Linux forks (fast, and works from scripts without a ``__main__`` guard; the workers run
    only pure-Python tokenising and Sastrawi, never the parent's Arrow threads); other
    platforms spawn, their safe default.
    """
    import multiprocessing

    method = "fork" if sys.platform.startswith("linux") else "spawn"
    context = multiprocessing.get_context(method)
    if method != "fork":
        return context.Pool(n_jobs, initializer=_worker_init,
                            initargs=(pre.lexicons, pre.min_token_length))
    # Freeze the parent's objects while forking so the workers' garbage collector leaves them
    # alone (no copy-on-write of the whole parent heap); the parent unfreezes right after.
    gc.freeze()
    try:
        return context.Pool(n_jobs, initializer=_worker_init,
                            initargs=(pre.lexicons, pre.min_token_length))
    finally:
        gc.unfreeze()


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

    def __init__(self, lexicons: Lexicons, *, min_token_length: int = 2) -> None:
        if not isinstance(min_token_length, int) or min_token_length < 1:
            raise UserError(f"min_token_length must be a positive integer, got {min_token_length!r}")
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

    @classmethod
    def from_lexicons(cls, lexicon_dir: str | Path = "data/lexicons", min_token_length: int = 2
                      ) -> Preprocessor:
        """Load the lexicons from ``lexicon_dir`` and build a preprocessor.

        Args:
            lexicon_dir: directory with stopwords, protected terms, multiword expressions and
                (optionally) gazetteers, variants and stem overrides.
            min_token_length: tokens shorter than this are dropped.

        Returns:
            A ready :class:`Preprocessor`.
        """
        return cls(load_lexicons(lexicon_dir), min_token_length=min_token_length)

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
        i = start = 0
        n = len(words)
        while i < n:
            lengths = mwe_lengths.get(words[i])
            if lengths is None:
                i += 1
                continue
            joined = None
            for length in lengths:
                if i + length > n:
                    continue
                candidate = tuple(words[i:i + length])
                if candidate in mwe:
                    joined = candidate
                    break
                # a clitic on the last word ("kerja samanya") still closes the expression
                base = _strip_clitic(candidate[-1])
                if base and candidate[:-1] + (base,) in mwe:
                    joined = candidate[:-1] + (base,)
                    break
            if joined is None:
                i += 1
                continue
            out.extend(words[start:i])
            out.append("_".join(joined))
            i += len(joined)
            start = i
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
        tokens: list[str] = []
        append = tokens.append
        stopwords = self._stopwords
        min_length = self.min_token_length
        is_number = _NUMBER_RE.fullmatch
        words = _TOKEN_OR_BREAK_RE.findall(_normalise(text))
        if not self._join_triggers.isdisjoint(words):
            words = self._join(words)
        for token in words:
            if token.isalpha():  # the common case: a plain word
                if len(token) >= min_length and token not in stopwords:
                    append(token)
            elif (token[0] not in _BREAK_CHARS and len(token) >= min_length
                  and token not in stopwords and not is_number(token)):
                append(token)
        return tokens

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
        base = _strip_clitic(token)
        if base and base in protected:
            return base
        if "-" in token:  # reduplication of a protected word: relawan-relawan(nya)
            first, _, second = token.partition("-")
            if first in protected and (second == first or _strip_clitic(second) == first):
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

    def prestem(self, tokens: Iterable[str], *, n_jobs: int = 1, pool: Any = None) -> int:
        """Fill the cache for many distinct tokens, optionally in ``n_jobs`` worker processes.

        The result does not depend on ``n_jobs``: a stem is a function of the token alone.

        Args:
            tokens: tokens (duplicates are fine).
            n_jobs: worker processes for Sastrawi; 1 stems in this process.
            pool: an existing pool from ``_worker_pool`` to use instead of starting one.

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
        n_chunks = max(1, (n_jobs if pool is None else pool._processes) * 8)
        chunks = [todo[i::n_chunks] for i in range(n_chunks)]
        own_pool = pool is None
        if own_pool:
            pool = _worker_pool(n_jobs, self)
        try:
            for chunk, stems in zip(chunks, pool.map(_worker_stem, chunks)):
                self._cache.update(zip(chunk, stems))
        finally:
            if own_pool:
                pool.close()
                pool.join()
        return len(todo)

    @property
    def cache_size(self) -> int:
        """Number of distinct tokens stemmed so far."""
        return len(self._cache)


def _strip_clitic(word: str) -> str | None:
    """``word`` without a final clitic (``-nya``, ``-lah`` …, hyphen allowed), or ``None``."""
    for clitic in _CLITICS:
        if word.endswith(clitic) and len(word) > len(clitic) + 2:
            base = word[: -len(clitic)]
            return base[:-1] if base.endswith("-") else base
    return None


# --------------------------------------------------------------------------------------------
# Command-line filter


def stem_stream(instream: TextIO, outstream: TextIO, *, lexicon_dir: str | Path = "data/lexicons",
                min_token_length: int = 2, n_jobs: int = 1) -> int:
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

    pool = None
    try:
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
                    pool = pool or _worker_pool(n_jobs, pre)
                    pre.prestem(new, pool=pool)
            write("".join(" ".join(pre.stem_tokens(tokens)) + "\n" for tokens in token_lists))
            n_lines += len(batch)
            batch = []
    finally:
        if pool is not None:
            pool.terminate()
    outstream.flush()
    return n_lines


# --------------------------------------------------------------------------------------------
# Stage

# Documents per worker task, and paragraphs per Parquet row group (fixed, so the file layout
# never depends on batching, workers or backend).
_DOC_BATCH = 200
_ROW_GROUP_ROWS = 65_536


class PreprocessResult:
    """What :func:`run_preprocess` produced.

    The paragraphs are kept as Arrow record batches (or read back from the written file), not
    as Python lists: :attr:`paragraphs` builds the pandas table only when it is asked for.

    Attributes:
        stats: counts gathered on the way; see :meth:`metrics`.
    """

    def __init__(self, stats: dict[str, Any], *, path: Path | None = None,
                 batches: list[Any] | None = None) -> None:
        self.stats = stats
        self._path = path
        self._batches = batches
        self._frame: pd.DataFrame | None = None

    def metrics(self) -> dict[str, Any]:
        """JSON-ready summary: documents, paragraphs, tokens, types, protection, top stems."""
        return dict(self.stats)

    def _arrow(self, limit: int | None = None) -> Any:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self._batches is not None:
            table = pa.Table.from_batches(self._batches, schema=_paragraphs_schema())
            return table if limit is None else table.slice(0, limit)
        if limit is None:
            return pq.read_table(self._path, schema=_paragraphs_schema())
        batches = next(pq.ParquetFile(self._path).iter_batches(batch_size=max(1, limit)), None)
        return (pa.Table.from_batches([batches]) if batches is not None
                else _paragraphs_schema().empty_table())

    @staticmethod
    def _to_frame(table: Any) -> pd.DataFrame:
        import pandas as pd

        frame = table.drop_columns(["tokens", "stems"]).to_pandas()
        frame["tokens"] = pd.Series(table.column("tokens").to_pylist(), dtype=object)
        frame["stems"] = pd.Series(table.column("stems").to_pylist(), dtype=object)
        return frame

    @property
    def paragraphs(self) -> pd.DataFrame:
        """The paragraphs table (the contract of paragraphs.parquet); tokens/stems as lists."""
        if self._frame is None:
            self._frame = self._to_frame(self._arrow())
        return self._frame

    def head(self, n: int = 5) -> pd.DataFrame:
        """The first ``n`` paragraphs, without building the whole table."""
        return self._to_frame(self._arrow(n))


_REQUIRED_DOC_COLUMNS = ("doc_id", "text", "duplicate_of")


def _read_documents(documents_path: Path) -> pd.DataFrame:
    """Check documents.parquet and return its ``doc_id`` and ``duplicate_of`` columns.

    The texts are not read here: :func:`run_preprocess` streams them batch by batch.
    """
    from .io import read_stage_parquet

    frame = read_stage_parquet(documents_path, "ingest", _REQUIRED_DOC_COLUMNS,
                               columns=["doc_id", "duplicate_of"])
    duplicated = frame["doc_id"][frame["doc_id"].duplicated()]
    if len(duplicated):
        raise UserError(f"{documents_path}: doc_id must be unique; repeated: "
                        f"{', '.join(map(str, duplicated.head(5)))}")
    if frame["doc_id"].isna().any():
        raise UserError(f"{documents_path}: {int(frame['doc_id'].isna().sum())} row(s) without doc_id")
    return frame


def _document_batches(documents_path: Path) -> Iterator[list[tuple[str, str | None]]]:
    """``(doc_id, text)`` of the non-duplicate documents, ``_DOC_BATCH`` at a time, in file order."""
    import pyarrow.parquet as pq

    pending: list[tuple[str, str | None]] = []
    for chunk in pq.ParquetFile(documents_path).iter_batches(
            batch_size=_DOC_BATCH, columns=list(_REQUIRED_DOC_COLUMNS)):
        for doc_id, text, duplicate_of in zip(chunk.column("doc_id").to_pylist(),
                                              chunk.column("text").to_pylist(),
                                              chunk.column("duplicate_of").to_pylist()):
            # null marks an original; an empty string is read the same way (a CSV round trip)
            if duplicate_of is not None and str(duplicate_of) != "":
                continue
            pending.append((str(doc_id), text if isinstance(text, str) else None))
            if len(pending) == _DOC_BATCH:
                yield pending
                pending = []
    if pending:
        yield pending


@dataclass(frozen=True)
class _StageContext:
    """What every preprocess worker needs: the word lists and the one setting."""

    lexicons: Lexicons
    min_token_length: int


def _stage_worker(context: _StageContext) -> Preprocessor:
    return Preprocessor(context.lexicons, min_token_length=context.min_token_length)


def _preprocess_batch(pre: Preprocessor, batch: list[tuple[str, str | None]]
                      ) -> tuple[Any, list[str], int]:
    """Paragraphs, tokens and stems of a batch of documents as one Arrow record batch.

    Each worker keeps its Preprocessor (and so its stem cache) for every batch it gets; a stem
    is a function of the token alone, so which worker stems a word does not matter.

    Returns:
        The record batch (paragraphs.parquet schema), the ids of documents without paragraphs
        and the number of documents in the batch.
    """
    import pyarrow as pa

    para_ids: list[str] = []
    doc_ids: list[str] = []
    indices: list[int] = []
    texts: list[str] = []
    token_lists: list[list[str]] = []
    stem_lists: list[list[str]] = []
    without_paragraphs: list[str] = []
    for doc_id, text in batch:
        paragraphs = split_paragraphs(text)
        if not paragraphs:
            without_paragraphs.append(doc_id)
        for index, paragraph in enumerate(paragraphs):
            tokens = pre.tokenize(paragraph)
            para_ids.append(f"{doc_id}:p{index:03d}")
            doc_ids.append(doc_id)
            indices.append(index)
            texts.append(paragraph)
            token_lists.append(tokens)
            stem_lists.append(pre.stem_tokens(tokens))
    schema = _paragraphs_schema()
    arrays = [pa.array(values, type=schema.field(i).type) for i, values in
              enumerate((para_ids, doc_ids, indices, texts, token_lists, stem_lists))]
    return pa.RecordBatch.from_arrays(arrays, schema=schema), without_paragraphs, len(batch)


class _RowGroupWriter:
    """Write record batches to Parquet in row groups of a fixed number of rows."""

    def __init__(self, path: Path) -> None:
        import pyarrow.parquet as pq

        self._writer = pq.ParquetWriter(path, _paragraphs_schema(), compression="zstd")
        self._pending: list[Any] = []
        self._rows = 0

    def write(self, batch: Any) -> None:
        self._pending.append(batch)
        self._rows += batch.num_rows
        while self._rows >= _ROW_GROUP_ROWS:
            self._flush(_ROW_GROUP_ROWS)

    def _flush(self, rows: int) -> None:
        import pyarrow as pa

        table = pa.Table.from_batches(self._pending, schema=_paragraphs_schema())
        self._writer.write_table(table.slice(0, rows), row_group_size=rows)
        rest = table.slice(rows)
        self._pending = rest.to_batches() if rest.num_rows else []
        self._rows = rest.num_rows

    def close(self) -> None:
        if self._rows:
            self._flush(self._rows)
        self._writer.close()


def run_preprocess(documents_path: str | Path, *, paragraphs_path: str | Path | None,
                   lexicon_dir: str | Path = "data/lexicons", min_token_length: int = 2,
                   n_jobs: int = 1, top_n: int = 30, backend: str = "local",
                   dask_scheduler: str = "") -> PreprocessResult:
    """Split documents into paragraphs, tokenise and stem them, write paragraphs.parquet.

    Rows whose ``duplicate_of`` is set are skipped (counted in the metrics). Paragraphs are the
    blank-line-separated blocks of ``text``; a paragraph without any token is kept with empty
    lists, so every paragraph of the text is present.

    The documents are read from the Parquet file in batches and processed as batches (in this
    process, a pool of ``n_jobs`` processes or on Dask workers, see :mod:`analysis.parallel`);
    the paragraphs are written as they come back, in document order, so memory does not grow
    with Python objects for the whole corpus. The output is the same bytes for every
    ``n_jobs`` and ``backend``.

    Args:
        documents_path: documents.parquet from the ingest stage.
        paragraphs_path: where to write paragraphs.parquet (``None`` = do not write).
        lexicon_dir: the lexicon directory.
        min_token_length: tokens shorter than this are dropped.
        n_jobs: worker processes; the output does not depend on it.
        top_n: how many of the most frequent stems to report in the metrics.
        backend: ``local`` or ``dask``; the output does not depend on it.
        dask_scheduler: address of a running Dask scheduler; "" starts a local cluster.

    Returns:
        A :class:`PreprocessResult` with the metrics (and the table on demand).

    Raises:
        UserError: missing/unreadable input, bad columns, bad lexicons or parameters.
    """
    import pyarrow.compute as pc

    from .io import atomic_path
    from .parallel import check_backend, map_batches, progress

    if not isinstance(n_jobs, int) or n_jobs < 1:
        raise UserError(f"n_jobs must be a positive integer, got {n_jobs!r}")
    check_backend(backend, n_jobs, dask_scheduler)
    documents_path = Path(documents_path)
    pre = Preprocessor.from_lexicons(lexicon_dir, min_token_length=min_token_length)
    documents = _read_documents(documents_path)
    is_duplicate = documents["duplicate_of"].notna() & (documents["duplicate_of"].astype(str) != "")
    n_kept = int((~is_duplicate).sum())
    del documents

    token_counts: Counter[str] = Counter()
    stem_counts: Counter[str] = Counter()
    without_paragraphs: list[str] = []
    n_paragraphs = n_without_tokens = 0
    kept_batches: list[Any] | None = [] if paragraphs_path is None else None
    context = _StageContext(pre.lexicons, min_token_length)
    results = map_batches(_preprocess_batch, _document_batches(documents_path), context=context,
                          setup=_stage_worker, backend=backend, n_jobs=n_jobs,
                          scheduler=dask_scheduler)

    def consume(batch: Any, without: list[str]) -> None:
        nonlocal n_paragraphs, n_without_tokens
        without_paragraphs.extend(without)
        n_paragraphs += batch.num_rows
        tokens, stems = batch.column("tokens"), batch.column("stems")
        n_without_tokens += int(pc.sum(pc.equal(pc.list_value_length(tokens), 0)).as_py() or 0)
        for column, counter in ((tokens, token_counts), (stems, stem_counts)):
            counts = pc.value_counts(pc.list_flatten(column))
            counter.update(dict(zip(counts.field("values").to_pylist(),
                                    counts.field("counts").to_pylist())))

    with progress(total=n_kept, desc="preprocess", unit=" documents") as bar:
        if paragraphs_path is None:
            for batch, without, n_documents in results:
                consume(batch, without)
                kept_batches.append(batch)
                bar.update(n_documents)
        else:
            with atomic_path(paragraphs_path) as tmp:
                writer = _RowGroupWriter(tmp)
                for batch, without, n_documents in results:
                    consume(batch, without)
                    writer.write(batch)
                    bar.update(n_documents)
                writer.close()

    stats = _metrics(pre, token_counts, stem_counts, top_n=top_n)
    stats.update({
        "n_documents": n_kept,
        "n_duplicates_skipped": int(is_duplicate.sum()),
        "n_documents_without_paragraphs": len(without_paragraphs),
        "documents_without_paragraphs": sorted(without_paragraphs)[:20],
        "n_paragraphs": n_paragraphs,
        "n_paragraphs_without_tokens": n_without_tokens,
        # every token type no lexicon decides goes through Sastrawi once (per process)
        "n_sastrawi_types": sum(1 for token in token_counts if pre._stem_new(token) is None),
        "min_token_length": min_token_length,
        "lexicon_files": list(pre.lexicons.sources),
    })
    path = Path(paragraphs_path) if paragraphs_path is not None else None
    return PreprocessResult(stats, path=path, batches=kept_batches)


def _paragraphs_schema() -> Any:
    import pyarrow as pa

    return pa.schema([
        ("para_id", pa.string()),
        ("doc_id", pa.string()),
        ("para_index", pa.int32()),
        ("text", pa.string()),
        ("tokens", pa.list_(pa.string())),
        ("stems", pa.list_(pa.string())),
    ])


def write_paragraphs(target: str | Path, table: pd.DataFrame) -> Path:
    """Write the paragraphs table atomically with its contract schema.

    The schema is explicit so it never depends on the data (a column of only empty token lists
    would otherwise be written as ``list<null>``); compression and layout match
    :func:`run_preprocess`, so the same rows give the same bytes.
    """
    import pyarrow as pa

    from .io import atomic_path

    arrow_table = pa.Table.from_pandas(table, schema=_paragraphs_schema(), preserve_index=False)
    arrow_table = arrow_table.replace_schema_metadata(None)
    with atomic_path(target) as tmp:
        writer = _RowGroupWriter(tmp)
        for batch in arrow_table.to_batches():
            writer.write(batch)
        writer.close()
    return Path(target)


def _metrics(pre: Preprocessor, token_counts: Counter[str], stem_counts: Counter[str], *,
             top_n: int) -> dict[str, Any]:
    hits: Counter[str] = Counter()
    for token, count in token_counts.items():
        reason = pre.protection(token)
        if reason:
            hits[reason] += count
    multiword = Counter({t: c for t, c in token_counts.items() if "_" in t})

    def top(counter: Counter[str]) -> list[list[Any]]:
        return [[k, int(v)] for k, v in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:top_n]]

    return {
        "n_tokens": int(sum(token_counts.values())),
        "n_types": len(token_counts),
        "n_stem_types": len(stem_counts),
        "n_protected_hits": int(sum(hits.values())),
        "n_protected_hits_by_reason": {k: int(hits[k]) for k in ("multiword", "override", "protected")},
        "n_multiword_types": len(multiword),
        "top_stems": top(stem_counts),
        "top_multiword": top(multiword),
    }
