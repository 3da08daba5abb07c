"""The classification lexicons: gazetteers, cues, context words and sector terms, as phrase tables."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import compress, count
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.codebook import AGGLOMERATIONS, FOREIGN_LEVELS, INDONESIAN_LEVELS, SECTORS
from ..core.errors import UserError
from ..text.lexicons import read_table
from ..text.tokens import MATCHER_CLITICS, Token, WordMemo, term_words

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CUE_KINDS",
    "HEDGE_KINDS",
    "NOT_CUE_KINDS",
    "CONTEXT_KINDS",
    "MATCH_RULES",
    "Place",
    "PhraseTable",
    "ClassifyLexicons",
    "load_classify_lexicons",
    "typo_index",
]

CUE_KINDS = (
    "general",
    "international",
    "agreement",
    "aid",
    "shared",
    "exclude",
    "negation",
    "wish",
    "refusal",
)
#: Cue-table kinds that are no cue themselves but qualify the cues after them in a sentence.
HEDGE_KINDS = ("negation", "wish", "refusal")
#: Cue-table kinds that never make a unit cooperation: exclusions and the hedges.
NOT_CUE_KINDS = frozenset({"exclude", *HEDGE_KINDS})
CONTEXT_KINDS = (
    "government",
    "org",
    "org_after",
    "foreign_nonparty",
    "central",
    "location",
    "location_after",
    "former",
    "not_a_name",
    "collective",
    "collective_counted",
    "collective_numbered",
    "bare_title",
    "quantifier",
    "number",
    "location_filler",
    "travel",
    "exclude",
)
MATCH_RULES = ("", "uppercase", "government_prefix")

_HARD_BEFORE = attrgetter("hard_before")

_FILES = {
    "indonesia": "gazetteer_indonesia.csv",
    "foreign": "gazetteer_foreign.csv",
    "cues": "cooperation_cues.csv",
    "sectors": "sector_terms.csv",
    "context": "place_context.csv",
}


@dataclass(frozen=True, slots=True)
class Place:
    """A government or place from one of the gazetteers."""

    canonical: str
    level: str
    province: str  # Indonesian province (canonical) or "" for foreign places
    country: str  # "Indonesia" or the foreign country
    agglomeration: str
    foreign: bool

    @property
    def party(self) -> str:
        """Name of the government acting as a party.

        Jakarta's administrative cities and regency are not autonomous governments: they act
        through the provincial government, so they are counted as Jakarta.
        """
        if not self.foreign and self.province == "Jakarta":
            return "Jakarta"
        return self.canonical


@dataclass(slots=True)
class PhraseTable:
    """Token n-gram dictionary with leftmost-longest matching."""

    entries: dict[tuple[str, ...], object] = field(default_factory=dict)
    first: set[str] = field(default_factory=set)
    vocabulary: set[str] = field(default_factory=set)
    max_len: int = 1
    # what :meth:`normalise` makes of each word seen (a pure function of the vocabulary)
    _normal: WordMemo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._normal = WordMemo(self._strip)

    def add(self, key: tuple[str, ...], value: object) -> None:
        self._normal.clear()
        self.entries[key] = value
        self.first.add(key[0])
        self.vocabulary.update(key)
        self.max_len = max(self.max_len, len(key))

    def normalise(self, words: Sequence[str]) -> list[str]:
        """Strip enclitics when that turns an unknown word into a known one."""
        return list(map(self._normal.__getitem__, words))

    def _strip(self, word: str) -> str:
        if word in self.vocabulary or not word.endswith(MATCHER_CLITICS):
            return word
        for suffix in MATCHER_CLITICS:
            if word.endswith(suffix) and word[: -len(suffix)] in self.vocabulary:
                return word[: -len(suffix)]
        return word

    def find(
        self,
        tokens: Sequence[Token] | None,
        words: Sequence[str] | None = None,
        *,
        hard_before: Sequence[bool] | None = None,
    ) -> list[tuple[int, int, object]]:
        """Return (start, end, value) for leftmost-longest matches; n-grams never cross punctuation.

        Only the words that start an entry are tried (most units have few or none; they are
        picked out at C speed), and a match's inner words are skipped: matches never overlap.

        Args:
            tokens: the unit's tokens; None when ``words`` and ``hard_before`` are given
                (:func:`~analysis.text.tokens.probe_words`).
            words: the words matched (default: each token's lower-case word).
            hard_before: each token's ``hard_before`` (default: read from ``tokens``).
        """
        if words is None:
            words = [t.lower for t in tokens]
        starts = list(compress(count(), map(self.first.__contains__, words)))
        if not starts:
            return []
        if hard_before is None:
            hard_before = list(map(_HARD_BEFORE, tokens))
        found = []
        n = len(words)
        entries, max_len = self.entries, self.max_len
        after = 0  # the end of the last match
        for i in starts:
            if i < after:
                continue
            limit = 1
            while limit < max_len and i + limit < n and not hard_before[i + limit]:
                limit += 1
            for length in range(limit, 0, -1):
                value = entries.get(tuple(words[i : i + length]))
                if value is not None:
                    found.append((i, i + length, value))
                    after = i + length
                    break
        return found

    def triggers(self, keep: Callable[[object], bool]) -> frozenset[str]:
        """Every word that can start a match of an entry whose value passes ``keep``: its first
        word, with and without each enclitic :meth:`normalise` strips. A unit none of whose
        words is one has no such match (a test as cheap as a set lookup per word)."""
        first = {key[0] for key, value in self.entries.items() if keep(value)}
        return frozenset(first | {word + clitic for word in first for clitic in MATCHER_CLITICS})


def _check_values(path: Path, frame: pd.DataFrame, column: str, allowed: Iterable[str]) -> None:
    allowed = set(allowed)
    bad = sorted(set(frame[column]) - allowed)
    if bad:
        raise UserError(
            f"{path}: column {column} has value(s) {bad[:5]} not in the codebook {sorted(allowed)}"
        )


@dataclass(slots=True)
class ClassifyLexicons:
    """All word lists the classifier uses, compiled into phrase tables."""

    places: PhraseTable
    place_info: list[tuple[Place, str]]  # (place, match_rule) per place table value
    place_by_name: dict[str, int]
    cues: PhraseTable
    sectors: PhraseTable
    context: PhraseTable
    directory: Path
    # one-letter misspellings of Indonesian place-name words of six letters or more -> the word
    # ("kalimatan" -> "kalimantan"); built by :func:`typo_index`
    typos: dict[str, str] = field(default_factory=dict)
    # what :meth:`correct` makes of each word seen
    _corrected: WordMemo = field(init=False, repr=False, compare=False)

    # what :meth:`place_words` makes of each word as written
    _place_word: WordMemo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._corrected = WordMemo(self._correct)
        self._place_word = WordMemo(self._place_word_of)

    def correct(self, word: str) -> str:
        """``word`` (lower case) or the place-name word it misspells by one letter."""
        return self._corrected[word]

    def place_words(self, written: Iterable[str]) -> list[str]:
        """The words the place table is matched on: each lower-cased, and a capitalised word
        one letter from a place-name word read as that word ("Kalimatan" -> "kalimantan")."""
        return list(map(self._place_word.__getitem__, written))

    def _place_word_of(self, written: str) -> str:
        word = written.lower()
        if written[:1].isupper() and word not in self.places.first:
            return self.correct(word)
        return word

    def _correct(self, word: str) -> str:
        if len(word) < _TYPO_MIN or word in self.places.vocabulary:
            return word
        found = {self.typos.get(v) for v in (word, *_deletions(word))} - {None}
        hits = [w for w in found if _one_edit(word, w)]
        return hits[0] if len(hits) == 1 else word

    def resolve(self, name: str) -> Place | None:
        """Look up a surface form (e.g. ``"kabupaten bekasi"``) in the gazetteers."""
        index = self.place_by_name.get(" ".join(term_words(name)))
        return None if index is None else self.place_info[index][0]


_TYPO_MIN = 6  # names shorter than this are too easily another word one letter away


def _deletions(word: str) -> list[str]:
    return [word[:k] + word[k + 1 :] for k in range(len(word))]


def _one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by one substituted, inserted or deleted letter."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:k] + long_[k + 1 :] == short for k in range(len(long_)))


def typo_index(words: Iterable[str]) -> dict[str, str]:
    """Every word of six letters or more and each of its one-letter deletions -> the word
    (a deletion two words share is left out: it could be either)."""
    index: dict[str, str] = {}
    clash: set[str] = set()
    for word in words:
        if len(word) < _TYPO_MIN or not word.isalpha():
            continue
        for key in (word, *_deletions(word)):
            if index.setdefault(key, word) != word:
                clash.add(key)
    for key in clash:
        index.pop(key)
    return index


def load_classify_lexicons(lexicon_dir: str | Path) -> ClassifyLexicons:
    """Read and validate the gazetteers, cue list, context words and sector codebook.

    Raises:
        UserError: a file is missing, unreadable, has missing columns or values outside the
            codebook, or a surface form is listed twice with different meanings.

    One piece: the five files are read in an order the checks depend on (exclusions compete
    with place names in one phrase table), and each block is short.
    """
    directory = Path(lexicon_dir)
    places = PhraseTable()
    place_info: list[tuple[Place, str]] = []
    place_by_name: dict[str, int] = {}
    exclusion = ("exclude",)

    indo_path = directory / _FILES["indonesia"]
    indo = read_table(indo_path, ["name", "canonical", "level", "province", "agglomeration"])
    if "match_rule" not in indo.columns:
        indo["match_rule"] = ""
    _check_values(indo_path, indo, "level", INDONESIAN_LEVELS)
    _check_values(indo_path, indo, "agglomeration", ("", *AGGLOMERATIONS))
    _check_values(indo_path, indo, "match_rule", MATCH_RULES)
    foreign_path = directory / _FILES["foreign"]
    foreign = read_table(foreign_path, ["name", "canonical", "level", "country"])
    if "match_rule" not in foreign.columns:
        foreign["match_rule"] = ""
    _check_values(foreign_path, foreign, "level", FOREIGN_LEVELS)
    _check_values(foreign_path, foreign, "match_rule", MATCH_RULES)

    rows = [
        (
            indo_path,
            r.name,
            Place(r.canonical, r.level, r.province, "Indonesia", r.agglomeration, False),
            r.match_rule,
        )
        for r in indo.itertuples(index=False)
    ] + [
        (foreign_path, r.name, Place(r.canonical, r.level, "", r.country, "", True), r.match_rule)
        for r in foreign.itertuples(index=False)
    ]
    for path, name, place, rule in rows:
        key = term_words(name)
        if not key:
            raise UserError(f"{path}: empty place name in row for {place.canonical!r}")
        joined = " ".join(key)
        if joined in place_by_name:
            other = place_info[place_by_name[joined]][0]
            if other != place:
                raise UserError(
                    f"{path}: name {name!r} means both {other.canonical!r} and "
                    f"{place.canonical!r}; keep one row or drop the bare name"
                )
            continue
        place_by_name[joined] = len(place_info)
        place_info.append((place, rule))
        places.add(key, len(place_info) - 1)

    context = PhraseTable()
    context_path = directory / _FILES["context"]
    ctx = read_table(context_path, ["term", "kind", "target"])
    _check_values(context_path, ctx, "kind", CONTEXT_KINDS)
    _check_values(context_path, ctx, "target", ("", "city", "regency", "province", *AGGLOMERATIONS))
    for r in ctx.itertuples(index=False):
        key = term_words(r.term)
        if r.kind == "exclude":
            # Exclusions compete with place names for the longest match.
            places.add(key, exclusion)
        else:
            # one word may play several roles (kementerian: a government, and central)
            roles = context.entries.get(key, ())
            context.add(key, (*roles, (r.kind, r.target)))

    cues = PhraseTable()
    cue_path = directory / _FILES["cues"]
    cue_frame = read_table(cue_path, ["term", "kind"])
    if "requires" not in cue_frame.columns:
        cue_frame["requires"] = ""
    _check_values(cue_path, cue_frame, "kind", CUE_KINDS)
    for r in cue_frame.itertuples(index=False):
        # requires: words of which one must stand in the cue's sentence ("kirim" is a cue only
        # next to tim/personel/bantuan ...); empty = no condition
        requires = frozenset(w for w in re.split(r"[;\s]+", r.requires.lower()) if w)
        cues.add(term_words(r.term), (r.kind, " ".join(term_words(r.term)), requires))

    sectors = PhraseTable()
    sector_path = directory / _FILES["sectors"]
    sector_frame = read_table(sector_path, ["term", "sector"])
    _check_values(sector_path, sector_frame, "sector", (*SECTORS, "none"))
    for r in sector_frame.itertuples(index=False):
        sectors.add(term_words(r.term), (r.sector, " ".join(term_words(r.term))))

    # misspelt names: only words of Indonesian place names, never cue, context or sector words
    # (foreign names sit one letter from common words: "Istana" -> Astana, "Darwis" -> Darwin)
    # ... of canonical names only: aliases and abbreviations sit one letter from common words
    # too ("Sumbar" / "Sumber")
    name_words = (
        {w for name in indo["canonical"] for w in term_words(name)}
        - cues.vocabulary
        - context.vocabulary
        - sectors.vocabulary
    )
    return ClassifyLexicons(
        places, place_info, place_by_name, cues, sectors, context, directory, typo_index(name_words)
    )
