"""Read classify's evidence strings and mark the words and sentences they name in the article text."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import compress
from operator import methodcaller

from ..core.codebook import COOP_TYPES
from ..text.tokens import MATCHER_CLITICS, Token, token_words, tokenize

__all__ = [
    "UnitEvidence",
    "DocumentEvidence",
    "parse_unit_evidence",
    "parse_document_evidence",
    "highlight_segments",
    "Segment",
]

#: A run of text: a plain string, or ``[text, flags]`` where flags holds ``s`` (a sentence that
#: carries a cue in a unit coded as cooperation) and at most one of ``c`` (cooperation cue),
#: ``p`` (party government) and ``g`` (sector term).
Segment = str | list[str]

_LIST_KEYS = {
    "cues": "cues",
    "parties": "parties",
    "not parties": "not_parties",
    "sectors": "sector_terms",
}
_DECISION = re.compile(r"^(%s)\s*:" % "|".join(COOP_TYPES))
_ROLE = re.compile(r"^(.*\S)\s*\(([^()]*)\)$")
_UNIT_LINE = re.compile(r"^(title|p\d+)\s*:\s?(.*)$")
_PRIORITY = {"c": 0, "p": 1, "g": 2}


@dataclass(frozen=True)
class UnitEvidence:
    """What classify wrote about one unit (the title or a paragraph).

    Attributes:
        decision: the first segment, e.g. ``agglomeration: jabodetabekjur``.
        coop_type: the codebook id the decision starts with, or ``""`` when it names none.
        basis: ``direct`` (the unit's own cue and governments decided it), ``inherited``
            (a cue here, and the unit took the article's kind) or ``none``.
        cues: cooperation cues that fired.
        parties: ``(name, role)`` of the governments found near a cue.
        not_parties: ``(name, role)`` of place mentions that were not counted as parties.
        sector_terms: ``(sector id, term)`` of the sector words found.
        other: ``(key, value)`` segments this reader does not know, kept for display.
    """

    decision: str
    coop_type: str = ""
    basis: str = "none"
    cues: tuple[str, ...] = ()
    parties: tuple[tuple[str, str], ...] = ()
    not_parties: tuple[tuple[str, str], ...] = ()
    sector_terms: tuple[tuple[str, str], ...] = ()
    other: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class DocumentEvidence:
    """The document-level evidence: a summary line, partners and one entry per unit.

    Attributes:
        summary: ``document: agglomeration (votes agglomeration=2)`` or the no-cooperation line.
        partners: main partners as listed.
        mentioned_once: partners named too rarely to count as main partners.
        units: unit label (``title``, ``p3``) -> its evidence.
        other: lines this reader does not know, kept for display.
    """

    summary: str = ""
    partners: tuple[str, ...] = ()
    mentioned_once: tuple[str, ...] = ()
    units: dict[str, UnitEvidence] | None = None
    other: tuple[str, ...] = ()


def _split_list(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


def _with_role(items: Iterable[str]) -> tuple[tuple[str, str], ...]:
    out = []
    for item in items:
        match = _ROLE.match(item)
        out.append((match.group(1), match.group(2).strip()) if match else (item, ""))
    return tuple(out)


def _sector_pairs(items: Iterable[str]) -> tuple[tuple[str, str], ...]:
    out = []
    for item in items:
        sector, sep, term = item.partition(":")
        out.append((sector.strip(), term.strip()) if sep else ("", item))
    return tuple(out)


def parse_unit_evidence(text: str | None) -> UnitEvidence:
    """Parse one unit's evidence, e.g. ``agglomeration: x | cues: a, b | parties: X(gov)``.

    Segments are separated by ``" | "``; the first one is the decision unless it is itself a
    known ``key: value`` segment. Unknown segments are kept in ``other``; nothing raises.

    Args:
        text: the evidence string (``None`` or empty gives an empty decision).

    Returns:
        The parsed ``UnitEvidence``.
    """
    parts = [p.strip() for p in (text or "").split(" | ")]
    decision = ""
    found: dict[str, tuple[str, ...]] = {}
    other: list[tuple[str, str]] = []
    for k, part in enumerate(parts):
        key, sep, value = part.partition(":")
        key = key.strip().lower()
        if sep and key in _LIST_KEYS and _LIST_KEYS[key] not in found:
            found[_LIST_KEYS[key]] = _split_list(value)
        elif k == 0:
            decision = part
        elif part:
            other.append((key, value.strip()) if sep else ("", part))
    match = _DECISION.match(decision)
    coop_type = match.group(1) if match else ""
    if "inherited from document" in decision:
        basis = "inherited"
    elif coop_type and coop_type != "none":
        basis = "direct"
    else:
        basis = "none"
    return UnitEvidence(
        decision=decision,
        coop_type=coop_type,
        basis=basis,
        cues=found.get("cues", ()),
        parties=_with_role(found.get("parties", ())),
        not_parties=_with_role(found.get("not_parties", ())),
        sector_terms=_sector_pairs(found.get("sector_terms", ())),
        other=tuple(other),
    )


def parse_document_evidence(text: str | None) -> DocumentEvidence:
    """Parse a document row's evidence: one line per fact, ``title:``/``pN:`` lines per unit.

    Args:
        text: the evidence string of a ``level = "document"`` row.

    Returns:
        The parsed ``DocumentEvidence``; unknown lines are kept in ``other``.
    """
    summary = ""
    partners: tuple[str, ...] = ()
    once: tuple[str, ...] = ()
    units: dict[str, UnitEvidence] = {}
    other: list[str] = []
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line:
            continue
        unit = _UNIT_LINE.match(line)
        if line.startswith("document:") and not summary:
            summary = line
        elif line.startswith("partners:"):
            partners = tuple(p.strip() for p in line[len("partners:") :].split(";") if p.strip())
        elif line.startswith("mentioned once, not a main partner:"):
            rest = line.partition(":")[2]
            once = tuple(p.strip() for p in rest.split(";") if p.strip())
        elif unit:
            units[unit.group(1)] = parse_unit_evidence(unit.group(2))
        else:
            other.append(line)
    return DocumentEvidence(summary, partners, once, units, tuple(other))


# --------------------------------------------------------------------------- highlighting


def _word_matches(word: str, term_word: str) -> bool:
    if word == term_word:
        return True
    # the cue matcher strips enclitics: "kerja samanya" is the cue "kerja sama"
    return any(word.endswith(e) and word[: -len(e)] == term_word for e in MATCHER_CLITICS)


def _find_term(
    tokens: Sequence[Token], term: Sequence[str], lowers: Sequence[str] | None = None
) -> list[tuple[int, int]]:
    """Token ranges where ``term`` occurs; like the matchers, an n-gram never crosses punctuation.

    ``lowers``: the tokens' lower-case words, when the caller has them. Only positions whose
    word begins with the term's first word are tried (a match, enclitic or not, does).
    """
    n = len(term)
    if lowers is None:
        lowers = token_words(tokens)
    hits = []
    begins = map(methodcaller("startswith", term[0]), lowers)
    for i in compress(range(len(tokens) - n + 1), begins):
        if all(_word_matches(tokens[i + k].lower, term[k]) for k in range(n)) and not any(
            tokens[i + k].hard_before for k in range(1, n)
        ):
            hits.append((i, i + n))
    return hits


def _term_words(term: str) -> tuple[str, ...]:
    return tuple(t.lower for t in tokenize(term.replace("_", " ")))


def _sentence_bounds(tokens: Sequence[Token], text: str) -> dict[int, tuple[int, int]]:
    """Character range of each sentence: its first word to just before the next sentence."""
    bounds: dict[int, list[int]] = {}
    for t in tokens:
        if t.sentence not in bounds:
            bounds[t.sentence] = [t.start, t.end]
        bounds[t.sentence][1] = t.end
    ordered = sorted(bounds)
    result = {}
    for k, s in enumerate(ordered):
        start, end = bounds[s]
        stop = bounds[ordered[k + 1]][0] if k + 1 < len(ordered) else len(text)
        end = start + len(text[start:stop].rstrip()) if stop > end else end
        result[s] = (start, end)
    return result


def highlight_segments(
    text: str,
    *,
    cues: Iterable[str] = (),
    parties: Iterable[str] = (),
    sector_terms: Iterable[str] = (),
    mark_sentences: bool = False,
) -> list[Segment]:
    """Split ``text`` into runs marked where the evidence's words occur.

    Words are found as classify finds them: the same tokenizer, case-insensitive, enclitics
    (``-nya``, ``-lah`` …) allowed, never across punctuation. Where marks overlap a cue wins
    over a party, a party over a sector term.

    Args:
        text: the unit's text (title or paragraph), shown unchanged.
        cues: cooperation cues from the evidence.
        parties: party names (canonical gazetteer names).
        sector_terms: sector words.
        mark_sentences: also flag (``s``) every sentence that holds a cue; used for units
            coded as cooperation, whose cue sentences decided the code.

    Returns:
        Segments whose texts join to ``text``.
    """
    if not text:
        return []
    tokens = tokenize(text)
    lowers = token_words(tokens)
    candidates: list[tuple[int, int, int, str]] = []  # priority, start, -length, class
    for flag, terms in (("c", cues), ("p", parties), ("g", sector_terms)):
        for term in sorted(set(terms)):
            words = _term_words(term)
            if not words:
                continue
            for i, j in _find_term(tokens, words, lowers):
                start, end = tokens[i].start, tokens[j - 1].end
                candidates.append((_PRIORITY[flag], start, start - end, flag))
    marks: list[tuple[int, int, str]] = []
    for _p, start, neg_len, flag in sorted(candidates):
        end = start - neg_len
        if all(end <= s or start >= e for s, e, _f in marks):
            marks.append((start, end, flag))
    sentences: list[tuple[int, int]] = []
    if mark_sentences:
        bounds = _sentence_bounds(tokens, text)
        cue_sentences = {
            t.sentence for s, _e, f in marks if f == "c" for t in tokens if t.start == s
        }
        sentences = [bounds[s] for s in sorted(cue_sentences)]
    cuts = {0, len(text)}
    for start, end, _f in marks:
        cuts.update((start, end))
    for start, end in sentences:
        cuts.update((start, end))
    edges = sorted(cuts)
    segments: list[Segment] = []
    for start, end in zip(edges, edges[1:], strict=False):
        flags = "s" if any(s <= start and end <= e for s, e in sentences) else ""
        flags += next((f for s, e, f in marks if s <= start and end <= e), "")
        piece = text[start:end]
        previous = segments[-1] if segments else None
        previous_flags = "" if isinstance(previous, str) or previous is None else previous[1]
        if previous is not None and previous_flags == flags:
            segments[-1] = (previous + piece) if not flags else [previous[0] + piece, flags]
        else:
            segments.append([piece, flags] if flags else piece)
    return segments
