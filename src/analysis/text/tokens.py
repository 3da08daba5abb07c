"""Words of Indonesian news text: the tokenizers, the clitic list and the word patterns."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator, Sequence
from operator import itemgetter
from typing import NamedTuple

from .normalize import CharTable

__all__ = [
    "CLITICS",
    "MATCHER_CLITICS",
    "WORD",
    "WORD_RUN",
    "ALNUM_RUN",
    "TOKEN",
    "TOKEN_OR_BREAK",
    "BREAK_CHARS",
    "NUMBER",
    "Token",
    "tokenize",
    "probe_words",
    "token_words",
    "term_words",
    "normalise",
    "terms",
    "entry_term",
    "strip_clitic",
    "WordMemo",
]

# Two tokenizers serve two jobs and live here together so they cannot drift apart unnoticed:
#
# * :func:`tokenize` keeps case and position: :class:`Token` objects with sentence indices and
#   separator flags, for the classification rules (a place is a government only when written
#   so, a list ends at a full stop); :func:`probe_words` gives only its lower-case words and
#   ``hard_before`` flags, which is all the classifier reads of an article without a cue.
# * :func:`normalise` + :data:`TOKEN_OR_BREAK` give lower-cased ASCII terms and clause breaks,
#   for counting (multiword joins, stopwords and stems in :mod:`analysis.text.stem`).

# Clitics Indonesian attaches to any word (possessive -nya/-ku/-mu, particles -lah/-kah/-pun/-tah).
# A protected word carrying one ("relawannya", "Bekasi-lah") keeps its protected base.
CLITICS = ("nya", "lah", "kah", "pun", "tah", "ku", "mu")
# The lexicon matcher of the classifier strips only these (same order): the question particles
# -kah/-tah were never part of its rules, whose behaviour is scored against the gold set, so
# adding them would be a rule change, not a refactoring.
MATCHER_CLITICS = tuple(c for c in CLITICS if c not in ("kah", "tah"))

# A word of the classifier: letters/digits, joined by inner apostrophes (dato'). Hyphens split
# words, so that "Jakarta-Bekasi" names two places and "Chungcheongnam-do" is matched as
# "chungcheongnam do".
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
# Any run of word characters: what duplicate digests and headline echoes compare.
WORD_RUN = re.compile(r"\w+")
# Letters and digits only: the words of a paragraph fingerprint.
ALNUM_RUN = re.compile(r"[^\W_]+")
_HARD_SEPARATOR = re.compile(r"[,;:!?()\[\]\"“”/|.\n]")
_CUT_SEPARATOR = re.compile(r"[,;:!?.\n]")
_SENTENCE_END = re.compile(r"[.!?]|\n")

# Look-alike characters seen in real input that NFKD does not fold (Greek alpha typed for "a").
_CHAR_MAP = str.maketrans(
    {
        "\u03b1": "a",  # α
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "\u0060": "'",
        "\u00b4": "'",
        "\u2032": "'",
        "\u00a0": " ",
        "\u200b": " ",
        "\u200c": "",
        "\u200d": "",
        "\ufeff": "",
    }
)
_CHARS = CharTable(_CHAR_MAP)
# Things that are not words of the article: links, bare outlet domains ("NTVNews.id", which the
# datelines repeat in every article), e-mail addresses, social-media handles and hashtags.
_NOT_WORDS = re.compile(
    r"""
      (?:https?://|www\.)\S+
    | [a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+
    | [@#][a-z0-9_]+
    | \b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*
      \.(?:com|id|net|org|co|go|ac|or|sch|tv|info|news|io|me|my|asia|biz|sg)\b(?:/\S*)?
    """,
    re.VERBOSE,
)
_TLD = re.compile(
    r"[a-z0-9]\.(?:com|id|net|org|co|go|ac|or|sch|tv|info|news|io|me|my|asia|biz|sg)\b"
)
# English possessive ("Jakarta's") and apostrophes inside words ("Jum'at", "Ma'ruf") are removed
# so the word stays whole; any other apostrophe ("Dato'") simply ends the word.
_POSSESSIVE = re.compile(r"(?<=[a-z])'s\b")
_INNER_APOSTROPHE = re.compile(r"(?<=[a-z])'(?=[a-z])")
# Clause boundaries: a multiword expression is only joined inside one clause. A hyphen is a
# break only where it is not inside a token (a dash: "Jakarta - Gubernur"), because the token
# pattern is tried first.
BREAK_CHARS = '.,;:!?()[]{}"|/\\<>\u2026\u2013\u2014\u201c\u201d\u00ab\u00bb\n-'
TOKEN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# Tokens and clause breaks in one pass: a break item sits between two words, so no
# multiword expression can match across it, and it is dropped afterwards.
TOKEN_OR_BREAK = re.compile(TOKEN.pattern + "|[" + re.escape(BREAK_CHARS) + "]+")
# Numbers and amounts carry no topic: 2025, 11-8, ke-3 (ordinal), rp10 / usd1 (money), 1990-an.
NUMBER = re.compile(r"(?:ke-|rp|usd|us|idr|rm|sgd|eur)?[0-9]+(?:-[0-9]+)*(?:-an)?")


# --------------------------------------------------------------------------------------------
# Positional tokens (classification)


class Token(NamedTuple):
    """One word of a text with the facts the matchers need.

    A named tuple: :func:`tokenize` builds millions of them, and a tuple is built in C.
    """

    text: str  # as written
    lower: str
    start: int
    end: int
    sentence: int  # index of the sentence the token is in
    # punctuation (other than a space or hyphen) separates it from the previous word
    hard_before: bool
    # a comma, colon, semicolon or sentence break (not brackets or quotes) does
    cut_before: bool


# The words of a text and the gaps around them in one split: gap, word, gap, ..., word, gap.
_WORD_SPLIT = re.compile("(" + WORD.pattern + ")")
# The same split of an ASCII text (where ``[^\W_]`` is ``[A-Za-z0-9]``): a quarter faster.
_ASCII_WORD_SPLIT = re.compile(r"([A-Za-z0-9]+(?:'[A-Za-z0-9]+)*)")


def tokenize(text: str) -> list[Token]:
    """Split text into word tokens with sentence indices and separator flags.

    The words are those of ``WORD.finditer(text)``; their positions follow from the lengths of
    the split's parts, and only a gap other than one space is inspected (most are one space).
    """
    parts = (_ASCII_WORD_SPLIT if text.isascii() else _WORD_SPLIT).split(text)
    words = parts[1::2]
    n = len(words)
    if not n:
        return []
    bounds = list(itertools.accumulate(map(len, parts)))  # [2k]: word k starts, [2k+1]: ends
    lowers = list(map(str.lower, words))
    hards = [False] * n
    cuts = [False] * n
    breaks: list[int] = []  # the words that start a new sentence
    for k, ends, hard, cut in _separators(parts, lowers):
        if ends:
            breaks.append(k)
        hards[k] = hard
        cuts[k] = cut
    sentences: list[int] = []
    previous = 0
    for sentence, k in enumerate(breaks):
        sentences += [sentence] * (k - previous)
        previous = k
    sentences += [len(breaks)] * (n - previous)
    fields = zip(words, lowers, bounds[0:-1:2], bounds[1::2], sentences, hards, cuts)
    return list(map(tuple.__new__, itertools.repeat(Token, n), fields))  # all in C


def probe_words(text: str) -> tuple[list[str], list[bool]]:
    """``token_words(tokenize(text))`` and each token's ``hard_before``, without the tokens.

    What the phrase tables need to find their entries in a text: most units of most articles
    are read no further (no cue anywhere in the article), and building their :class:`Token`
    objects was half the time of :func:`tokenize`. An ASCII text is lower-cased before it is
    split (its words and gaps are the same either way).
    """
    if text.isascii():
        parts = _ASCII_WORD_SPLIT.split(text.lower())
        lowers = parts[1::2]
    else:
        parts = _WORD_SPLIT.split(text)
        lowers = list(map(str.lower, parts[1::2]))
    hards = [False] * len(lowers)
    for k, _ends, hard, _cut in _separators(parts, lowers):
        hards[k] = hard
    return lowers, hards


def _separators(parts: list[str], lowers: list[str]) -> Iterator[tuple[int, bool, bool, bool]]:
    """``(k, ends, hard, cut)`` of each word k whose gap before it (in ``parts``, the split of a
    text: gap, word, gap, ..., word, gap) is more than one space: whether a sentence starts
    there, and the word's ``hard_before`` and ``cut_before``. The first word has no separator
    before it."""
    gaps = parts[0:-1:2]  # the gap before each word
    facts = _GAP_FACTS
    for k in itertools.compress(
        range(1, len(lowers)), map(" ".__ne__, itertools.islice(gaps, 1, None))
    ):
        visible, dot, ends, hard, cut, newline = facts[gaps[k]]
        # "Kab. Bogor", "Washington D.C.": a period after a short word does not end the name
        if visible and not (dot and len(lowers[k - 1]) <= 3):
            yield k, ends, hard, cut
        elif newline:
            yield k, True, True, True


def token_words(tokens: Sequence[Token]) -> list[str]:
    """The lower-case word of each token: what the phrase tables and term searches match on."""
    return list(map(itemgetter(1), tokens))  # Token.lower


def _gap_facts(gap: str) -> tuple[bool, bool, bool, bool, bool, bool]:
    """What :func:`tokenize` needs to know of the text between two words: whether it holds
    more than white space, is a lone period, ends a sentence, holds a hard or a cut separator,
    holds a line break."""
    stripped = gap.strip()
    return (
        bool(stripped),
        stripped == ".",
        _SENTENCE_END.search(gap) is not None,
        _HARD_SEPARATOR.search(gap) is not None,
        _CUT_SEPARATOR.search(gap) is not None,
        "\n" in gap,
    )


def term_words(term: str) -> tuple[str, ...]:
    """The lower-case words of a lexicon term, as :func:`tokenize` would see them."""
    return tuple(t.lower() for t in WORD.findall(unicodedata.normalize("NFKC", term)))


# --------------------------------------------------------------------------------------------
# Normalised terms (counting)


def normalise(text: str) -> str:
    """Lower-case, fold accents to ASCII, straighten apostrophes, remove non-word strings."""
    text = _CHARS(text)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
        text = _CHARS(text)
    text = text.lower()
    # the full pattern is slow to scan; run it only where one of its anchors occurs
    if "@" in text or "#" in text or "://" in text or "www." in text or _TLD.search(text):
        text = _NOT_WORDS.sub(" ", text)
    if "'" in text:
        text = _INNER_APOSTROPHE.sub("", _POSSESSIVE.sub("", text))
    return text


def terms(text: str) -> list[str]:
    """Normalised tokens of a lexicon entry, ignoring clause breaks (entries are single phrases)."""
    return TOKEN.findall(normalise(text))


def entry_term(entry: str) -> str:
    """One token from a lexicon entry; words separated by spaces or ``_`` give a joined token."""
    return "_".join(terms(entry.replace("_", " ")))


def strip_clitic(word: str) -> str | None:
    """``word`` without a final clitic (``-nya``, ``-lah`` …, hyphen allowed), or ``None``."""
    for clitic in CLITICS:
        if word.endswith(clitic) and len(word) > len(clitic) + 2:
            base = word[: -len(clitic)]
            return base[:-1] if base.endswith("-") else base
    return None


class WordMemo(dict):
    """``word -> function(word)``, computed on first use; emptied when it holds ``limit`` words,
    so memory stays bounded on any corpus."""

    def __init__(self, function, limit: int = 200_000) -> None:
        super().__init__()
        self.function = function
        self.limit = limit

    def __missing__(self, word: str):
        if len(self) >= self.limit:
            self.clear()
        value = self[word] = self.function(word)
        return value

    def __reduce__(self):  # pickled empty (worker processes get the lexicons): a cache only
        return (WordMemo, (self.function, self.limit))


# The facts of each gap seen (most texts repeat a handful: ", ", ". ", " (", ").")
_GAP_FACTS = WordMemo(_gap_facts, limit=10_000)
