"""The cooperation coder: documents and paragraphs to coop_type, partners and sectors, with evidence."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

from ..core.codebook import COOP_TYPES, SECTORS
from ..core.errors import UserError
from ..text.clean import strip_leading_noise
from ..text.lexicons import CleaningLexicons, default_cleaning_lexicons, load_cleaning_lexicons
from ..text.tokens import MATCHER_CLITICS, WORD, probe_words, token_words, tokenize
from .confidence import assess
from .decide import (
    Coding,
    DocumentCoding,
    PartyIndex,
    complete_with_counterpart,
    decide,
    decide_cueless,
    document_partners,
)
from .mentions import (
    Analysis,
    analyse,
    find_sectors,
    holds_cue,
    single_government_by_level,
    with_people,
    with_titles,
)
from .places import NOT_CUE_KINDS, ClassifyLexicons, Place, load_classify_lexicons

__all__ = ["Classifier"]

# The rules are transparent on purpose: a unit (title or paragraph) is cooperation when a cue of
# cooperation_cues.csv occurs next to two governments (or an Indonesian region and a foreign
# one), and its kind follows from where the parties are. docs/classification.md states every
# rule with its reason and history; data/annotations/GUIDE.md states the same decisions for
# annotators; every word list lives in data/lexicons/.

_TIE_ORDER = ("international", "agglomeration", "domestic_other")
_NO_COOPERATION = "document: none (no unit with a cue and two governments)"
_TITLE_WEIGHT = 2.0

# Lines that only link to other articles; they say nothing about this one.
_LINK_LINE = re.compile(r"^\s*(?:baca|lihat|simak)\s+(?:juga|pula)\b|^\s*baca\s*:", re.IGNORECASE)
_LINK_CODING = Coding("none", (), (), "link line (Baca juga) ignored", "link")
# A unit without a sector word in an article without a cue (immutable, so shared)
_CUELESS_WITHOUT_SECTOR = decide_cueless(())


class _Probe(NamedTuple):
    """A unit as the rules first read it: enough to tell whether the article holds a cue, and
    to code it when none of the article's units does (its tokens are built only when one does)."""

    text: str  # without its leading noise
    words: list[str]  # token_words(tokenize(text)), from probe_words
    hard_before: list[bool]  # each token's hard_before, from probe_words
    cue: bool  # a cue matches in it (mentions.holds_cue)


class Classifier:
    """Rule-based cooperation coder built from the lexicon files."""

    def __init__(self, lexicons: ClassifyLexicons, cleaning: CleaningLexicons | None = None):
        self.lexicons = lexicons
        # the leading-noise rules of boilerplate_rules.csv (default: this project's lexicons)
        self.cleaning = cleaning or default_cleaning_lexicons()
        if lexicons.resolve("jakarta") is None:
            raise UserError(f"{lexicons.directory}/gazetteer_indonesia.csv: no row for 'jakarta'")
        self._index = PartyIndex.build(lexicons)
        # word tuples of the cues, for a quick test that a document cannot contain one
        # (with the words one of which the cue's sentence must hold, if any)
        # cues that name a signed instrument (MoU, perjanjian kerja sama, sister city)
        self._instruments = frozenset(
            term
            for kind, term, _r in lexicons.cues.entries.values()
            if kind in ("agreement", "international")
        )
        self._cue_keys = tuple(
            (key, requires)
            for key, (kind, _term, requires) in lexicons.cues.entries.items()
            if kind not in NOT_CUE_KINDS
        )
        # the words that can start a cue (not a hedge or exclusion) or a sector term: a unit
        # with none of them holds no cue, or no sector term, and its tables are not searched
        # (three units in four of the generated corpus hold no cue word)
        self._cue_triggers = lexicons.cues.triggers(lambda value: value[0] not in NOT_CUE_KINDS)
        self._sector_triggers = lexicons.sectors.triggers(lambda value: value[0] != "none")

    @classmethod
    def from_lexicons(cls, lexicon_dir: str | Path) -> Classifier:
        """Build a classifier from the lexicon folder (see data/lexicons/*.csv)."""
        return cls(load_classify_lexicons(lexicon_dir), load_cleaning_lexicons(lexicon_dir))

    def _may_have_cue(self, texts: Iterable[str]) -> bool:
        """False only when no cooperation cue can match: some word of every cue is missing
        (enclitics stripped as the cue matcher strips them)."""
        words: set[str] = set()
        for text in texts:
            for word in WORD.findall(text.lower()):
                words.add(word)
                if word.endswith(MATCHER_CLITICS):
                    words.update(word[: -len(e)] for e in MATCHER_CLITICS if word.endswith(e))
        return any(
            all(w in words for w in key) and (not requires or requires & words)
            for key, requires in self._cue_keys
        )

    # ------------------------------------------------------------------ public
    def classify_paragraph(self, text: str, *, governments: Iterable[str] = ()) -> Coding:
        """Code one paragraph on its own.

        Args:
            text: the paragraph.
            governments: parties already known to be governments from the rest of the
                document (``classify_document`` passes them); the paragraph adds its own.
        """
        if _LINK_LINE.match(text or ""):
            return _LINK_CODING
        analysis = analyse(self.lexicons, strip_leading_noise(text or "", self.cleaning))
        analysis = with_people(analysis, analysis.aliases)
        analysis = with_titles(analysis, single_government_by_level([analysis]))
        return decide(analysis, set(governments) | analysis.governments, self._index)

    def classify_document(
        self,
        title: str | None,
        paragraphs: Sequence[str],
        *,
        paragraph_codings: bool = True,
        stripped: Sequence[str] | None = None,
        probed_words: Sequence[tuple[list[str], list[bool]]] | None = None,
    ) -> DocumentCoding:
        """Code a document from its title and paragraphs; also returns each paragraph's coding.

        Args:
            title: the headline, or None.
            paragraphs: the body paragraphs in order.
            paragraph_codings: False when only the document-level fields are needed (the
                classify CLI): a document that contains no cooperation cue at all is then
                returned at once with the same coop_type, partners, sectors and evidence, but
                without title and paragraph codings. Most news has no cue, so this halves the
                time of a large corpus.
            stripped: ``strip_leading_noise`` of each paragraph, when the caller has it
                already (:func:`.table.classify_rows` fingerprints the stripped paragraphs
                too); computed here when None.
            probed_words: ``probe_words`` of each of ``stripped``, when the caller has them
                (:func:`.table.classify_rows` fingerprints the paragraphs from them); needs
                ``stripped``; computed here when None.
        """
        if not paragraph_codings and not self._may_have_cue([title or "", *paragraphs]):
            return DocumentCoding("none", (), (), _NO_COOPERATION, None, ())
        units: list[tuple[str, str]] = []
        if title and title.strip():
            units.append(("title", title))
        units += [(f"p{i}", p or "") for i, p in enumerate(paragraphs)]
        if stripped is not None and len(stripped) != len(paragraphs):
            raise ValueError(f"{len(stripped)} stripped texts for {len(paragraphs)} paragraphs")
        if probed_words is not None and (stripped is None or len(probed_words) != len(stripped)):
            raise ValueError("probed_words needs the stripped texts, one per paragraph")
        no_title = [None] * (len(units) - len(paragraphs))
        cleaned = no_title + (list(stripped) if stripped is not None else [None] * len(paragraphs))
        given = no_title + (
            list(probed_words) if probed_words is not None else [None] * len(paragraphs)
        )
        probed = self._probe_units(units, cleaned, given)
        has_title = len(units) > len(paragraphs)
        if not any(p is not None and p.cue for p in probed):
            # no unit holds a cue: every unit is none whatever its places' roles, and so is the
            # document (what _document_coding and assess make of units that are all none)
            codings = [_LINK_CODING if p is None else self._cueless(p) for p in probed]
            title_coding = codings[0] if has_title else None
            body = tuple(codings[1:] if has_title else codings)
            return DocumentCoding("none", (), (), _NO_COOPERATION, title_coding, body)
        analyses, governments = self._analyse_units(probed)
        # a facility or cost shared among regions named anywhere in the article (a regional
        # landfill, provinces "patungan") is what its province-and-regions pairs are about
        shared = any(a is not None and a.shared_cue for a in analyses)
        codings = [
            _LINK_CODING if a is None else decide(a, governments, self._index, shared=shared)
            for a in analyses
        ]
        complete_with_counterpart(units, analyses, codings)
        coding = _document_coding(units, codings, has_title=has_title)
        foreign = [
            p
            for p in coding.partners
            if p in self._index.party_place and self._index.party_place[p].foreign
        ]
        level, reasons = assess(
            coding.coop_type, coding.partners, coding.title, codings, self._instruments, foreign
        )
        cues = sorted(
            {cue for c in codings if c.coop_type == coding.coop_type != "none" for cue in c.cues}
        )
        return replace(coding, confidence=level, confidence_reasons=reasons, cues=tuple(cues))

    def _probe_units(
        self,
        units: list[tuple[str, str]],
        cleaned: list[str | None],
        given: list[tuple[list[str], list[bool]] | None],
    ) -> list[_Probe | None]:
        """Per unit, what :class:`_Probe` holds (None for a link line); ``cleaned``: each unit's
        stripped text, or None to strip it here; ``given``: its ``probe_words``, or None."""
        probed: list[_Probe | None] = []
        for (_label, text), clean, known in zip(units, cleaned, given, strict=True):
            if _LINK_LINE.match(text):
                probed.append(None)
                continue
            if clean is None:
                clean = strip_leading_noise(text, self.cleaning)
            words, hard_before = probe_words(clean) if known is None else known
            cue = not self._cue_triggers.isdisjoint(words) and holds_cue(
                self.lexicons, None, words, hard_before=hard_before
            )
            probed.append(_Probe(clean, words, hard_before, cue))
        return probed

    def _cueless(self, unit: _Probe) -> Coding:
        """The coding of a unit of an article none of whose units holds a cue."""
        if self._sector_triggers.isdisjoint(unit.words):
            return _CUELESS_WITHOUT_SECTOR
        return decide_cueless(
            find_sectors(self.lexicons, None, unit.words, hard_before=unit.hard_before)
        )

    def _analyse_units(self, probed: list[_Probe | None]) -> tuple[list[Analysis | None], set[str]]:
        """Each unit's analysis (None for a link line) and the governments the document marks;
        ``probed``: :meth:`_probe_units` of the units."""
        analyses: list[Analysis | None] = []
        governments: set[str] = set()
        for unit in probed:
            if unit is None:
                analyses.append(None)
                continue
            tokens = tokenize(unit.text)
            analysis = analyse(self.lexicons, unit.text, tokens, token_words(tokens))
            analyses.append(analysis)
            governments |= analysis.governments
        # officials' names, learnt anywhere in the document; a name word claimed by two
        # governments is ambiguous and dropped
        aliases: dict[str, Place] = {}
        clashes: set[str] = set()
        for a in analyses:
            for word, place in a.aliases.items() if a is not None else ():
                if aliases.setdefault(word, place).party != place.party:
                    clashes.add(word)
        for word in clashes:
            aliases.pop(word)
        if aliases:
            analyses = [None if a is None else with_people(a, aliases) for a in analyses]
            for a in analyses:
                if a is not None:
                    governments |= a.governments
        # titles without a place ("Pemkot", "Gubernur" whose name the scraper dropped) stand for
        # the document's only government of that level
        by_level = single_government_by_level([a for a in analyses if a is not None])
        if by_level:
            analyses = [None if a is None else with_titles(a, by_level) for a in analyses]
            for a in analyses:
                if a is not None:
                    governments |= a.governments
        return analyses, governments


def _document_coding(
    units: list[tuple[str, str]], codings: list[Coding], *, has_title: bool
) -> DocumentCoding:
    """The document's kind by a vote of its units (the title twice), partners and evidence;
    cue units that name no new party take the document's kind (``inherited``)."""
    votes: Counter[str] = Counter()
    for (label, _t), c in zip(units, codings, strict=True):
        if c.basis == "direct":
            votes[c.coop_type] += _TITLE_WEIGHT if label == "title" else 1.0
    if not votes:
        doc_type = "none"
    else:
        best = max(votes.values())
        doc_type = next(t for t in _TIE_ORDER if votes.get(t) == best)
    partners: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    if doc_type != "none":
        partners, dropped = document_partners(
            [
                (label, c)
                for (label, _t), c in zip(units, codings, strict=True)
                if c.basis == "direct" and c.coop_type == doc_type
            ]
        )
        partner_set = set(partners)
        for k, c in enumerate(codings):
            if c.basis == "none" and c.cues and set(c.parties) <= partner_set:
                codings[k] = Coding(
                    doc_type,
                    partners,
                    c.sectors,
                    f"{doc_type}: inherited from document (cue here, parties "
                    f"{', '.join(c.parties) or 'none'} already partners); {c.evidence}",
                    "inherited",
                    c.cues,
                    c.parties,
                    c.sector_terms,
                    c.governments,
                )
    coop_units = [c for c in codings if c.coop_type != "none"]
    sectors = tuple(s for s in SECTORS if any(s in c.sectors for c in coop_units))
    vote_text = ", ".join(f"{t}={votes[t]:g}" for t in COOP_TYPES if votes.get(t))
    lines = [
        f"document: {doc_type} (votes {vote_text})"
        if vote_text
        else _NO_COOPERATION
        if doc_type == "none"
        else f"document: {doc_type}"
    ]
    if partners:
        lines.append("partners: " + "; ".join(partners))
    if dropped:
        lines.append("mentioned once, not a main partner: " + "; ".join(dropped))
    for (label, _t), c in zip(units, codings, strict=True):
        if c.basis in ("direct", "inherited") or c.cues:
            lines.append(f"{label}: {c.evidence}")
    title_coding = codings[0] if has_title else None
    body = tuple(codings[1:] if title_coding is not None else codings)
    return DocumentCoding(doc_type, partners, sectors, "\n".join(lines), title_coding, body)
