"""Code documents and paragraphs for cooperation type, partner governments and sectors, with evidence.

The rules are transparent on purpose; data/annotations/GUIDE.md states the same decisions for
annotators, and every word list lives in data/lexicons/.

* A unit (title or paragraph) is a *cooperation* when a cooperation cue (cooperation_cues.csv)
  occurs in a sentence whose window (that sentence and its neighbours) names two governments, or
  an Indonesian regional government and a foreign one.
* A place counts as a government only where the document names it so: after a title, government
  word or regional agency ("Gubernur DKI Jakarta", "Pemkot Bekasi", "BPBD Riau", "Duta Besar Arab
  Saudi"; place_context.csv), or through an official introduced that way ("Pramono" after
  "Gubernur DKI Jakarta Pramono Anung"). Foreign cities and regions need no such mark, nor does a
  foreign development agency (JICA acts for Japan); foreign countries do (a bare country name is
  mostly a nationality). An unmarked region counts when it is joined to a marked one by "dan"/
  "dengan" or in a list ending with a conjunction ("Papua dan Papua Barat"; "Bekasi, Depok, dan
  Bogor"), or when a cue names it as its partner ("kerja sama dengan Kota Bekasi", "bantuan
  kepada Depok") next to a marked Indonesian government. A capitalised title that names no place
  ("Pemkot mendapat bantuan", where the scraper dropped the name) stands for the document's only
  government of that level. Collective bodies ("para bupati", "sembilan bupati", a coalition of
  regencies) complete a cooperation with a named government. Mentions that name an organisation
  ("Polres Bekasi", "KBRI Ottawa"), a nationality or people ("perusahaan Jepang", "orang
  Malaysia"), a location ("di Jakarta", "Kota Bandung, Senin") or a qualifier ("Kuala Lumpur,
  Malaysia") are not parties; former or candidate officials do not mark a government.
* Round-3 recall rules (each motivated by missed cooperation in dev/heldout2, see GUIDE.md):
  coordination, joint teams, cost sharing ("patungan"), shared facilities ("TPA regional"),
  standing bodies of regional governments (KOPEK, BKSP) and sending help are cues (the sending
  verbs only next to satgas/personel/bantuan ..., the ``requires`` column of
  cooperation_cues.csv). The region help goes to ("mengirim 40 personel ... ke Jambi") is its
  partner (Indonesian places only: a team sent abroad travels). A counted group of governments
  ("empat gubernur", "5 daerah"; a generic word like "daerah" only after a number, in the cue's
  sentence, and not after di/ke/dari) completes a cooperation, and places listed next to such a
  group ("asrama Aceh, NTB, Maluku") are its members. A cost split or facility shared among
  regions, named anywhere in the document, lifts the hierarchy rule. Guards against the new
  cues: places after "di" (also "di beberapa wilayah X") are locations and cannot anchor a
  joined place; when every government near a cue is one list that follows the cue ("a
  commander berkoordinasi dengan Bupati Tangerang, Wali Kota Tangerang") or receives aid
  ("bantuan ke Kota Batam, Kab. Bintan dan Kab. Karimun"), they are counterparts of the cue's
  subject, not partners.
* ``international`` when a foreign government is a party (or a sister-city cue names one
  Indonesian government); ``agglomeration`` when all Indonesian parties lie in one metropolitan
  region (a provincial government counts as part of the regions inside its province, and Banten
  and Jawa Barat as part of Jabodetabekjur); otherwise ``domestic_other``. A province with only
  regions inside it needs a signed instrument (hierarchy otherwise); regions in different
  provinces named with a national agency in the cue sentence are that agency's separate partners.
* A foreign government met in the lead (the title and first paragraph mark exactly one foreign
  government and at least one Indonesian regional government, as in news of an ambassador's or
  consul's visit) is the partner of later cue units that name only those hosts.
* Document type: vote of the cooperation units, the title counting twice; ties go to
  international, then agglomeration, then domestic_other. Cue-bearing units that name no new
  party then take the document's type ("kerja sama ini ..."), so their sectors count.
* Partners include every government involved, the home government (e.g. Jakarta) too; document
  partners are those named in the title's cooperation or in at least a third as many cooperation
  units as the most frequent partner (passing mentions of earlier partners drop out).
* Sectors: sector terms in a unit; document sectors are the union over its cooperation units.

``classify_input`` (``python -m analysis classify INPUT -o OUT.csv``) reads a folder or a
.jsonl/.jsonl.gz/.csv with ingest's own reader and cleaner (``analysis.ingest.iter_records``),
writes one row per article to OUT.csv (id, coop_type, partners, sectors, evidence) and lists
every record it could not code, with ingest's reason, in OUT.rejects.csv; nothing is dropped
silently.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .errors import UserError
from .gazetteer import _ENCLITICS, _WORD  # the tokenizer's word and clitic rules
from .gazetteer import (
    AGGLOMERATIONS,
    COOP_TYPES,
    SECTORS,
    Lexicons,
    Place,
    Token,
    load_lexicons,
    tokenize,
)
from .io import atomic_path, read_stage_parquet, write_csv
from .parallel import check_backend, map_batches, progress

if TYPE_CHECKING:
    from .ingest import RawRecord

__all__ = [
    "Coding",
    "DocumentCoding",
    "Classifier",
    "classify_input",
    "ClassifiedInput",
    "rejects_path_for",
    "run_classify",
    "paragraph_fingerprint",
    "evaluate_gold",
    "COOP_TYPES",
    "SECTORS",
]

# Words inside multiword names that news writes in lower case ("kota Bekasi", "Pangkajene dan
# Kepulauan"); every other word of a place name must be capitalised to count.
_LOWER_OK = frozenset({"kota", "kabupaten", "provinsi", "dan", "di", "daerah", "istimewa", "khusus",
                       "ibu", "ibukota", "administrasi", "pemerintah", "city", "hall", "of"})
_GOVERNMENT_NAME_START = frozenset({"kota", "kabupaten", "provinsi", "pemerintah", "daerah"})
_GOV_WINDOW = 3  # words between a government word and the place ("Pemerintah Provinsi (Pemprov) Jakarta")
# Words that join two parties: "Papua dan Papua Barat", "Jakarta-Bekasi", "Bekasi dengan DKI".
_CONJUNCTIONS = frozenset({"dan", "dengan", "serta", "bersama", "maupun"})
# Prepositions that introduce a cue's partner: "kerja sama dengan X", "kerja sama antara X dan Y",
# "bantuan kepada/untuk/bagi X", "bantuan dari X".
_COMPLEMENT_WORDS = frozenset({"dengan", "antara", "kepada", "untuk", "bagi", "dari", "ke"})
_ORG_WINDOW = 2
_TIE_ORDER = ("international", "agglomeration", "domestic_other")
_CUE_WINDOW = 1  # sentences on each side of a cue sentence where parties are looked for
_GROUP = "(unnamed regional governments)"
_NO_COOPERATION = "document: none (no unit with a cue and two governments)"
_MIN_BATCH = 50  # documents per worker task
_TITLE_WEIGHT = 2.0

# Lines that only link to other articles; they say nothing about this one.
_LINK_LINE = re.compile(r"^\s*(?:baca|lihat|simak)\s+(?:juga|pula)\b|^\s*baca\s*:", re.IGNORECASE)
# Header noise seen in real input: " date 2025-08-11 ..." and outlet datelines.
_DATE_HEADER = re.compile(r"^\s*date\s+\d{4}-\d{2}-\d{2}\s*")
_DATELINES = (
    # "Ntvnews.id, Jakarta - ", "Bisnis.com, Jakarta — ", "TEMPO.CO, Jakarta - "
    re.compile(r"^\W*[\w-]+\.(?:com|co|id|net|org|news)\b[\w.]*\s*,\s*[A-Z][\w ]{1,25}?\s*[-–—]+\s*"),
    # "BeritaNasional.com - " (outlet without a city)
    re.compile(r"^\W*[\w-]+\.(?:com|co|id|net|org|news)\b[\w.]*\s*[-–—]+\s*"),
    # "JAKARTA, KOMPAS.com - ", "Jakarta, (ANTARA) - "
    re.compile(r"^\W*[A-Z][A-Za-z .]{2,25},\s*\(?[\w.]+\)?\s*[-–—]+\s*"),
    # "JAKARTA - "
    re.compile(r"^\W*[A-Z][A-Z .]{2,25}\s*[-–—]+\s+"),
    # a bare dash left where a hyperlinked dateline was dropped (" , - Menteri")
    re.compile(r"^[\s,.\-–—]+(?=\w)"),
)


def _strip_leading_noise(text: str) -> str:
    text = _DATE_HEADER.sub("", text, count=1)
    for pattern in _DATELINES:
        stripped = pattern.sub("", text, count=1)
        if stripped != text:
            return stripped
    return text


def paragraph_fingerprint(text: str) -> str:
    """Stable 12-hex key of a paragraph, robust to case, spacing, punctuation and datelines.

    The gold paragraphs are keyed by this value (plus doc_id) so labels survive changes in how
    ingest normalises quotes, dashes, whitespace or strips an outlet dateline.
    """
    text = unicodedata.normalize("NFKC", _strip_leading_noise(text)).casefold()
    words = re.findall(r"[^\W_]+", text)
    return hashlib.sha1(" ".join(words).encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True, slots=True)
class _Mention:
    place: Place
    start: int
    end: int
    sentence: int
    surface: str
    government: bool
    role: str  # party | org | nonparty | location | qualifier


@dataclass(frozen=True, slots=True)
class Coding:
    """The coding of one unit of text (a title or a paragraph).

    Attributes:
        coop_type: codebook id.
        partners: sorted canonical names of the governments/places cooperating (home included).
        sectors: sorted sector ids of the sector terms in the unit.
        evidence: human-readable audit trail.
        basis: ``direct`` (cue + parties here), ``inherited`` (cue here, parties from the
            document), ``link`` (a "Baca juga" line, ignored) or ``none``.
        cues: cooperation cues that fired.
        parties: parties found near a cue (canonical names).
        sector_terms: ``sector:term`` pairs that fired.
        governments: places marked as governments in this unit.
    """

    coop_type: str
    partners: tuple[str, ...]
    sectors: tuple[str, ...]
    evidence: str
    basis: str = "none"
    cues: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()
    sector_terms: tuple[str, ...] = ()
    governments: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DocumentCoding:
    """Document-level coding plus the coding of its title and of each paragraph."""

    coop_type: str
    partners: tuple[str, ...]
    sectors: tuple[str, ...]
    evidence: str
    title: Coding | None
    paragraphs: tuple[Coding, ...] = field(default_factory=tuple)


@dataclass(slots=True)
class _Analysis:
    """What the lexicons found in one unit, before any decision."""

    cue_windows: list[tuple[int, list[str]]]  # (sentence, cue terms), excluded cues removed
    international_cue: bool
    mentions: list[_Mention]
    sector_hits: list[tuple[str, str]]
    governments: set[str]
    central_sentences: set[int]  # sentences naming a national-government actor
    linked: set[tuple[int, int]]  # indices of mention pairs joined by a conjunction or hyphen
    agreement_cue: bool  # a signed instrument (MoU, LoI, perjanjian kerja sama) is named
    tokens: list[Token]
    text: str
    aliases: dict[str, Place]  # officials' name words -> their government ("pramono" -> Jakarta)
    # (sentence, agglomeration id or "", strict) of unnamed groups; a strict group ("5 daerah")
    # counts only in a cue's own sentence, the others in the cue's window
    collectives: list[tuple[int, str, bool]]
    bare_titles: list[tuple[int, int, str]]  # (start, end, level) of titles naming no place
    complements: set[int]  # token starts of places named right after a cue's preposition
    shared_cue: bool = False  # a cost split or facility shared among regions (TPA regional)
    lists: tuple[tuple[int, ...], ...] = ()  # token starts of places listed together in a sentence
    cue_starts: tuple[int, ...] = ()  # token starts of the cues kept
    aid_only: bool = False  # every cue kept is of kind aid


class Classifier:
    """Rule-based cooperation coder built from the lexicon files."""

    def __init__(self, lexicons: Lexicons):
        self.lexicons = lexicons
        if lexicons.resolve("jakarta") is None:
            raise UserError(f"{lexicons.directory}/gazetteer_indonesia.csv: no row for 'jakarta'")
        self._party_place: dict[str, Place] = {}
        province_aggs: dict[str, set[str]] = {}
        for place, _rule in lexicons.place_info:
            self._party_place.setdefault(place.canonical, place)
            if not place.foreign and place.agglomeration and place.level in ("city", "regency"):
                province_aggs.setdefault(place.province, set()).add(place.agglomeration)
        self._province_aggs = {k: frozenset(v) for k, v in province_aggs.items()}
        # word tuples of the cues, for a quick test that a document cannot contain one
        # (with the words one of which the cue's sentence must hold, if any)
        self._cue_keys = tuple((key, requires) for key, (kind, _term, requires)
                               in lexicons.cues.entries.items() if kind != "exclude")

    @classmethod
    def from_lexicons(cls, lexicon_dir: str | Path = "data/lexicons") -> Classifier:
        """Build a classifier from the lexicon folder (see data/lexicons/*.csv)."""
        return cls(load_lexicons(lexicon_dir))

    # ------------------------------------------------------------------ analysis
    def _analyse(self, text: str) -> _Analysis:
        lex = self.lexicons
        tokens = tokenize(text)
        words = [t.lower for t in tokens]
        context_hits = lex.context.find(tokens, words)
        # context words indexed by the token they end before / start at
        ends: dict[int, list[tuple[int, str, str]]] = {}
        starts: dict[int, set[str]] = {}
        central_sentences: set[int] = set()
        collectives: list[tuple[int, str, bool]] = []
        for start, end, roles in context_hits:
            for kind, target in roles:
                ends.setdefault(end, []).append((start, kind, target))
                starts.setdefault(start, set()).add(kind)
                if kind == "central":
                    central_sentences.add(tokens[start].sentence)
                elif kind == "collective":
                    collectives.append((tokens[start].sentence, target, False))
        # "9 bupati", "sembilan bupati", "sejumlah wali kota": a counted group of regional heads
        # "5 daerah", "empat provinsi": a generic unit word counts as a group only after a number
        # ("seluruh daerah" is a figure of speech)
        for start, _end, roles in context_hits:
            if start == 0 or tokens[start].hard_before:
                continue
            before = starts.get(start - 1, ())
            number = tokens[start - 1].text.isdigit() or "number" in before
            # "di tiga kota", "ke 3 provinsi": counted places, not a group of governments
            placed = start > 1 and tokens[start - 2].lower in _PLACE_PREPOSITIONS
            if number or "quantifier" in before:
                collectives += [(tokens[start].sentence, target, kind == "collective_numbered")
                                for kind, target in roles
                                if kind == "collective_counted"
                                or (kind == "collective_numbered" and number and not placed)]
        covering = {k: (s, e, roles) for s, e, roles in context_hits for k in range(s + 1, e)}

        mentions: list[_Mention] = []
        governments: set[str] = set()
        for start, end, value in lex.places.find(tokens, words):
            if value == ("exclude",):
                continue
            place, rule = lex.place_info[value]
            span = tokens[start:end]
            if rule == "uppercase":
                if not all(t.text.isupper() for t in span):
                    continue
            elif not all(t.text[0].isupper() or t.text[0].isdigit() or t.lower in _LOWER_OK
                         # the tail of a hyphenated name: "Chungcheongnam-do", "Tojo Una-una"
                         or (k > start and text[tokens[k - 1].end:t.start] == "-")
                         for k, t in enumerate(span, start)):
                continue
            gov_target, gov, org, nonparty = self._context_before(
                tokens, start, ends, covering.get(start), mentions[-1].end if mentions else 0)
            if rule == "government_prefix" and not gov:
                continue
            surface = " ".join(words[start:end])
            if gov_target and surface.split()[0] not in _GOVERNMENT_NAME_START:
                place = self._resolve_level(surface, place, gov_target)
            after = starts.get(end, set()) if end < len(tokens) else set()
            role = "party"
            if org and not gov or ("org_after" in after and not tokens[end].cut_before):
                role = "org"
            elif nonparty and place.foreign and not gov:
                role = "nonparty"
            # "di Yogyakarta" is a location, "DI Yogyakarta" (Daerah Istimewa) the province
            elif _after_di(tokens, start, starts) or (
                    "location_after" in after and tokens[end].cut_before):
                role = "location"
            if mentions and role == "party":
                prev = mentions[-1]
                if prev.end == start and tokens[start].hard_before and _contains(place, prev.place):
                    role = "qualifier"
            mention = _Mention(place, start, end, tokens[start].sentence, surface, gov, role)
            mentions.append(mention)
            if gov and role in ("party", "location"):
                governments.add(place.party)

        linked = _links(mentions, tokens, text)
        aliases = self._aliases(mentions, tokens, text)
        bare_titles = _bare_titles(context_hits, ends, mentions, tokens)

        cue_by_sentence: dict[int, list[str]] = {}
        cue_starts: list[int] = []
        aid_only = True
        international_cue = agreement_cue = shared_cue = False
        complements: set[int] = set()
        mention_starts = {m.start for m in mentions}
        sentence_words: dict[int, set[str]] | None = None
        for start, end, (kind, term, requires) in lex.cues.find(tokens, lex.cues.normalise(words)):
            if kind == "exclude":
                continue
            sentence = tokens[start].sentence
            if requires:
                # "mengirim" is a cue only next to a team or aid word ("mengirim 40 personel")
                if sentence_words is None:
                    sentence_words = _sentence_words(tokens)
                if not requires & sentence_words.get(sentence, set()):
                    continue
            # "kerja sama dengan Kota Bekasi", "bantuan keuangan kepada Depok": the place right
            # after the cue's preposition is its partner, written as such
            if (end + 1 < len(tokens) and words[end] in _COMPLEMENT_WORDS
                    and not tokens[end].cut_before and not tokens[end + 1].cut_before
                    and end + 1 in mention_starts):
                complements.add(end + 1)
            if kind == "aid":
                # help goes somewhere: "mengirim 40 personel ... ke Jambi" -- the first
                # place after the cue in its sentence introduced by ke/kepada/untuk/bagi
                recipient = _recipient(mentions, tokens, end, sentence)
                if recipient is not None:
                    complements.add(recipient)
            cue_by_sentence.setdefault(sentence, []).append(term)
            cue_starts.append(start)
            aid_only = aid_only and kind == "aid"
            international_cue = international_cue or kind == "international"
            agreement_cue = agreement_cue or kind == "agreement"
            shared_cue = shared_cue or kind == "shared"
        sector_hits = [
            (sector, term)
            for _s, _e, (sector, term) in lex.sectors.find(tokens, lex.sectors.normalise(words))
            if sector != "none"
        ]
        return _Analysis(sorted(cue_by_sentence.items()), international_cue, mentions,
                         sector_hits, governments, central_sentences, linked, agreement_cue,
                         tokens, text, aliases, collectives, bare_titles, complements, shared_cue,
                         _place_lists(mentions, tokens, text), tuple(cue_starts),
                         aid_only and bool(cue_starts))

    def _aliases(self, mentions: Sequence[_Mention], tokens: Sequence[Token],
                 text: str) -> dict[str, Place]:
        """Name words of officials introduced with their title: "Gubernur Jawa Timur Khofifah
        Indar Parawansa" -> khofifah, indar, parawansa -> Jawa Timur."""
        lex = self.lexicons
        aliases: dict[str, Place] = {}
        for m in mentions:
            if not m.government or m.role not in ("party", "location"):
                continue
            k = m.end
            gap = text[tokens[m.end - 1].end:tokens[k].start] if k < len(tokens) else ""
            # "Gubernur Jawa Tengah (Jateng) Ganjar Pranowo": skip a bracketed abbreviation
            if gap.strip() == "(" and k + 1 < len(tokens):
                close = text[tokens[k].end:tokens[k + 1].start].strip()
                if close == ")":
                    k += 1
                    gap = ""
            if gap.strip() not in ("", ","):
                continue
            after_comma = gap.strip() == ","
            found: list[str] = []
            taken = 0
            while k < len(tokens) and taken < 4:
                token = tokens[k]
                if taken and text[tokens[k - 1].end:token.start].strip():
                    break  # punctuation ends the name
                if not token.text[0].isupper() or token.lower in lex.places.first:
                    break
                roles = lex.context.entries.get((token.lower,), ())
                if any(kind != "not_a_name" for kind, _ in roles):
                    break
                if len(token.lower) >= 4 and not roles:
                    found.append(token.lower)
                taken += 1
                k += 1
            # after a comma a single capitalised word is as likely the next clause's subject
            # ("Gubernur Jatim, Ganjar mengaku ..."): only a full name counts there
            if taken >= 2 or (found and not after_comma):
                for word in found:
                    aliases[word] = m.place
        return aliases

    @staticmethod
    def _with_people(analysis: _Analysis, aliases: dict[str, Place]) -> _Analysis:
        """Add mentions for officials' names ("Pramono") as their governments."""
        tokens = analysis.tokens
        covered = {k for m in analysis.mentions for k in range(m.start, m.end)}
        added = [
            _Mention(aliases[t.lower], k, k + 1, t.sentence, t.lower, True, "party")
            for k, t in enumerate(tokens)
            if t.lower in aliases and k not in covered and t.text[0].isupper()
        ]
        return _with_mentions(analysis, added)

    @staticmethod
    def _with_titles(analysis: _Analysis, by_level: dict[str, Place]) -> _Analysis:
        """Add mentions for capitalised titles that name no place ("Pemkot mendapat bantuan",
        "kata Gubernur"): each stands for the document's only government of that level."""
        covered = {k for m in analysis.mentions for k in range(m.start, m.end)}
        tokens = analysis.tokens
        added = [
            _Mention(by_level[level], start, end, tokens[start].sentence,
                     " ".join(t.lower for t in tokens[start:end]), True, "party")
            for start, end, level in analysis.bare_titles
            if level in by_level and start not in covered
        ]
        return _with_mentions(analysis, added)

    @staticmethod
    def _context_before(tokens: Sequence[Token], start: int,
                        ends: dict[int, list[tuple[int, str, str]]],
                        covering: tuple[int, int, tuple] | None,
                        previous_end: int) -> tuple[str, bool, bool, bool]:
        """Government/org/nationality words just before a place mention.

        A title binds the first place after it only ("Kedutaan Besar Singapura Jakarta" is not
        Jakarta's), and only across capitalised words ("Pemerintah Provinsi (Pemprov) Jakarta",
        not "kabupaten lainnya seperti Cilacap").
        """
        gov_target, gov, nonparty = "", False, False
        best_gov_end, best_org_end = -1, -1
        sentence = tokens[start].sentence
        if covering is not None and not _former(ends, covering[0]):
            # "Wali Kota Bekasi": the longest place match "kota bekasi" swallowed part of the
            # government word; count that word as standing right before the place.
            for kind, target in covering[2]:
                if kind == "government":
                    best_gov_end, gov, gov_target = start, True, target
        for end in range(start, max(previous_end + 1, start - _GOV_WINDOW) - 1, -1):
            # a comma or sentence break between the word and the place cuts the link; brackets
            # do not ("Pemerintah Provinsi (Pemprov) Jakarta")
            # ... and so does a lower-case word: in "Duta Besar Indonesia untuk Kanada" the
            # ambassador is not Canada's
            if tokens[end].cut_before or (end < start and not tokens[end].text[0].isupper()):
                break
            for s, kind, target in ends.get(end, ()):
                if tokens[s].sentence != sentence:
                    continue
                if kind == "government" and _former(ends, s):
                    continue  # "mantan Wali Kota Bekasi": not acting for Bekasi
                if kind == "government" and end > best_gov_end:
                    best_gov_end = end
                    gov = True
                    gov_target = gov_target or target
                elif kind == "org" and start - end <= _ORG_WINDOW and end > best_org_end:
                    best_org_end = end
                elif kind == "foreign_nonparty" and start - end <= _ORG_WINDOW:
                    nonparty = True
        # an org word counts unless a government word stands between it and the place
        org = best_org_end >= 0 and best_org_end > best_gov_end
        if org:
            gov = False
        return gov_target, gov, org, nonparty

    def _resolve_level(self, surface: str, place: Place, target: str) -> Place:
        """'Bupati Bekasi' -> Kabupaten Bekasi; 'Gubernur Jambi' stays the province."""
        if place.foreign:
            return place
        prefix = {"regency": "kabupaten", "city": "kota", "province": "provinsi"}[target]
        if (target == "regency" and place.level == "regency") or (
                target == "province" and place.level in ("province", "special_region")) or (
                target == "city" and place.level == "city"):
            return place
        other = self.lexicons.resolve(f"{prefix} {surface}")
        return other if other is not None and not other.foreign else place

    # ------------------------------------------------------------------ decisions
    def _decide(self, analysis: _Analysis, governments: set[str], *,
                shared: bool = False) -> Coding:
        sectors = tuple(sorted({s for s, _t in analysis.sector_hits}, key=SECTORS.index))
        sector_terms = tuple(sorted({f"{s}:{t}" for s, t in analysis.sector_hits}))
        cues = tuple(sorted({c for _s, terms in analysis.cue_windows for c in terms}))
        ignored = sorted({f"{m.place.canonical}({m.role})" for m in analysis.mentions
                          if m.role != "party"})
        if not analysis.cue_windows:
            return Coding("none", (), sectors, _evidence("no cooperation cue", (), (), ignored,
                                                         sector_terms),
                          "none", cues, (), sector_terms, tuple(sorted(analysis.governments)))
        windows = {s + d for s, _ in analysis.cue_windows
                   for d in range(-_CUE_WINDOW, _CUE_WINDOW + 1)}
        parties: dict[str, Place] = {}
        unmarked: dict[str, int] = {}
        for k, m in enumerate(analysis.mentions):
            if m.role != "party" or m.sentence not in windows:
                continue
            key = m.place.party
            # An Indonesian region counts only as a government named so somewhere in the
            # document ("Pemkot Bekasi", "Wali Kota Bekasi"); a foreign country only when its
            # government acts ("Pemerintah Belanda", "Duta Besar Arab Saudi"), since a bare
            # country name is mostly a nationality ("investor Jepang") or scenery.
            needs_mark = not m.place.foreign or m.place.level == "country"
            if needs_mark and key not in governments:
                unmarked.setdefault(key, k)
                continue
            parties.setdefault(key, self._party_place.get(key, m.place))
        # ... unless it is joined to a party by a conjunction: "Papua dan Papua Barat kerja sama",
        # or is the partner a cue names ("kerja sama dengan Kota Bekasi, Depok dan Bogor")
        joined = {i for pair in analysis.linked for i in pair}
        complement = _linked_closure({k for k, m in enumerate(analysis.mentions)
                                      if m.start in analysis.complements}, analysis.linked)
        anchored = any(not p.foreign for p in parties.values())
        for key, k in sorted(unmarked.items(), key=lambda item: item[1]):
            partners_of_k = {j for pair in analysis.linked if k in pair for j in pair if j != k}
            # the anchor must be an Indonesian government: "sister city Jakarta dan Tokyo" in a
            # hotel's press release names no government at all
            # ... the mention it is joined to must itself be a party ("di Jambi dan Bengkulu"
            # names two locations, whatever else the sentence says about Jambi)
            if (k in joined and any(analysis.mentions[j].place.party in parties
                                    and not analysis.mentions[j].place.foreign
                                    and analysis.mentions[j].role == "party"
                                    for j in partners_of_k)) or (k in complement and anchored):
                parties.setdefault(key, self._party_place.get(key, analysis.mentions[k].place))
        parties = _drop_subsumed_countries(parties)
        # an unnamed group of regional governments ("para bupati", "Koalisi Kabupaten ...")
        # completes a cooperation with a named regional government in the same window
        cue_sentences = {s for s, _ in analysis.cue_windows}
        group = [target for sentence, target, strict in analysis.collectives
                 if sentence in (cue_sentences if strict else windows)]
        if group:
            # "empat provinsi patungan ... asrama Aceh, NTB, Maluku": regions listed together
            # next to an unnamed group of regional governments are its members
            by_start = {m.start: m for m in analysis.mentions if m.role == "party"}
            for run in analysis.lists:
                members = [by_start[k] for k in run if k in by_start]
                if len(members) >= 2 and members[0].sentence in windows:
                    for m in members:
                        if not m.place.foreign:
                            parties.setdefault(m.place.party,
                                               self._party_place.get(m.place.party, m.place))
        named = [p for p in parties.values() if not p.foreign]
        if group and named:
            provinces = {p.province for p in named}
            parties[_GROUP] = Place(_GROUP, "group", provinces.pop() if len(provinces) == 1 else "",
                                    "Indonesia", group[0], False)
        ignored += sorted(f"{k}(not marked as a government)" for k in set(unmarked) - set(parties))
        indonesian = {k: p for k, p in parties.items() if not p.foreign}
        foreign = {k: p for k, p in parties.items() if p.foreign}
        names = tuple(sorted(k for k in parties if k != _GROUP))
        counterparts = "" if group or foreign else _counterpart_list(analysis, indonesian, windows)
        coop, reason = "none", ""
        if counterparts:
            reason = counterparts
        elif foreign and indonesian:
            coop, reason = "international", "foreign partner"
        elif not foreign and indonesian and analysis.international_cue:
            coop, reason = "international", "sister-city cue, partner unnamed"
        elif not foreign and len(indonesian) >= 2:
            agg = self._shared_agglomeration(indonesian.values())
            if not agg and cue_sentences & analysis.central_sentences and not _one_province(
                    indonesian.values()):
                reason = ("regions in different provinces named with a national agency: "
                          "its separate partners")
            elif _vertical(indonesian.values()) and not (analysis.agreement_cue
                                                          or analysis.shared_cue or shared):
                reason = ("a province with regions inside it: hierarchy unless a signed "
                          "agreement or a cost/facility shared among the regions is named")
            else:
                coop, reason = (("agglomeration", agg) if agg
                                else ("domestic_other", "no shared metro region"))
        elif foreign and not indonesian:
            reason = "foreign parties only (no Indonesian regional government)"
        else:
            reason = "fewer than two governments near the cue"
        party_text = tuple(f"{k}({'gov' if k in governments else 'place'})" for k in names) + (
            (_GROUP,) if _GROUP in parties else ())
        evidence = _evidence(f"{coop}: {reason}", cues, party_text, ignored, sector_terms)
        basis = "direct" if coop != "none" else "none"
        return Coding(coop, names if coop != "none" else (), sectors, evidence, basis, cues, names,
                      sector_terms, tuple(sorted(analysis.governments)))

    @staticmethod
    def _complete_with_counterpart(units: Sequence[tuple[str, str]],
                                   analyses: Sequence[_Analysis | None],
                                   codings: list[Coding]) -> None:
        """A foreign government met in the lead is the partner of the hosts' cooperation cues.

        News of a visit or audience ("Terima Konsulat India, Wagub ...") names the foreign
        government and the host in the title or first paragraph, then reports the cooperation in
        paragraphs that name only the host ("... bila terjalin kerja sama dengan Sumsel"). When
        the title and first paragraph mark exactly one foreign government as acting and at least
        one Indonesian regional government, a later cue unit whose only parties are such hosts is
        that international cooperation.
        """
        lead = [a for (label, _t), a in zip(units, analyses, strict=True)
                if a is not None and label in ("title", "p0")]
        foreign: dict[str, Place] = {}
        hosts: set[str] = set()
        for a in lead:
            for m in a.mentions:
                if not m.government or m.role not in ("party", "location"):
                    continue
                if m.place.foreign and m.role == "party":
                    foreign.setdefault(m.place.party, m.place)
                elif not m.place.foreign:
                    hosts.add(m.place.party)
        if len(foreign) != 1 or not hosts:
            return
        (name, _place), = foreign.items()
        for k, c in enumerate(codings):
            if c.basis != "none" or not c.cues or not c.parties or not set(c.parties) <= hosts:
                continue
            partners = tuple(sorted({*c.parties, name}))
            codings[k] = Coding(
                "international", partners, c.sectors,
                f"international: foreign counterpart {name} met in the title/first paragraph, "
                f"host {', '.join(c.parties)} named here; {c.evidence}",
                "direct", c.cues, partners, c.sector_terms, c.governments)

    def _shared_agglomeration(self, places: Iterable[Place]) -> str:
        shared: set[str] | None = None
        for p in places:
            aggs = {p.agglomeration} if p.agglomeration else set()
            if p.level in ("province", "special_region"):
                aggs |= self._province_aggs.get(p.canonical, frozenset())
            shared = aggs if shared is None else shared & aggs
        if not shared:
            return ""
        return min(shared, key=AGGLOMERATIONS.index)

    def _may_have_cue(self, texts: Iterable[str]) -> bool:
        """False only when no cooperation cue can match: some word of every cue is missing
        (enclitics stripped as the cue matcher strips them)."""
        words: set[str] = set()
        for text in texts:
            for word in _WORD.findall(text.lower()):
                words.add(word)
                if word.endswith(_ENCLITICS):
                    words.update(word[:-len(e)] for e in _ENCLITICS if word.endswith(e))
        return any(all(w in words for w in key) and (not requires or requires & words)
                   for key, requires in self._cue_keys)

    # ------------------------------------------------------------------ public
    def classify_paragraph(self, text: str, *, governments: Iterable[str] = ()) -> Coding:
        """Code one paragraph on its own.

        Args:
            text: the paragraph.
            governments: parties already known to be governments from the rest of the
                document (``classify_document`` passes them); the paragraph adds its own.
        """
        if _LINK_LINE.match(text or ""):
            return Coding("none", (), (), "link line (Baca juga) ignored", "link")
        analysis = self._analyse(_strip_leading_noise(text or ""))
        analysis = self._with_people(analysis, analysis.aliases)
        analysis = self._with_titles(analysis, _single_government_by_level([analysis]))
        return self._decide(analysis, set(governments) | analysis.governments)

    def classify_document(self, title: str | None, paragraphs: Sequence[str], *,
                          paragraph_codings: bool = True) -> DocumentCoding:
        """Code a document from its title and paragraphs; also returns each paragraph's coding.

        Args:
            title: the headline, or None.
            paragraphs: the body paragraphs in order.
            paragraph_codings: False when only the document-level fields are needed (the
                classify CLI): a document that contains no cooperation cue at all is then
                returned at once with the same coop_type, partners, sectors and evidence, but
                without title and paragraph codings. Most news has no cue, so this halves the
                time of a large corpus.
        """
        if not paragraph_codings and not self._may_have_cue([title or "", *paragraphs]):
            return DocumentCoding("none", (), (), _NO_COOPERATION, None, ())
        units: list[tuple[str, str]] = []
        if title and title.strip():
            units.append(("title", title))
        units += [(f"p{i}", p or "") for i, p in enumerate(paragraphs)]
        analyses: list[_Analysis | None] = []
        governments: set[str] = set()
        for _label, text in units:
            if _LINK_LINE.match(text):
                analyses.append(None)
                continue
            analysis = self._analyse(_strip_leading_noise(text))
            analyses.append(analysis)
            governments |= analysis.governments
        # officials' names, learnt anywhere in the document; a name word claimed by two
        # governments is ambiguous and dropped
        aliases: dict[str, Place] = {}
        clashes: set[str] = set()
        for a in analyses:
            for word, place in (a.aliases.items() if a is not None else ()):
                if aliases.setdefault(word, place).party != place.party:
                    clashes.add(word)
        for word in clashes:
            aliases.pop(word)
        if aliases:
            analyses = [None if a is None else self._with_people(a, aliases) for a in analyses]
            for a in analyses:
                if a is not None:
                    governments |= a.governments
        # titles without a place ("Pemkot", "Gubernur" whose name the scraper dropped) stand for
        # the document's only government of that level
        by_level = _single_government_by_level([a for a in analyses if a is not None])
        if by_level:
            analyses = [None if a is None else self._with_titles(a, by_level) for a in analyses]
            for a in analyses:
                if a is not None:
                    governments |= a.governments
        # a facility or cost shared among regions named anywhere in the article (a regional
        # landfill, provinces "patungan") is what its province-and-regions pairs are about
        shared = any(a is not None and a.shared_cue for a in analyses)
        codings = [
            Coding("none", (), (), "link line (Baca juga) ignored", "link") if a is None
            else self._decide(a, governments, shared=shared)
            for a in analyses
        ]
        self._complete_with_counterpart(units, analyses, codings)
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
            partners, dropped = _document_partners(
                [(label, c) for (label, _t), c in zip(units, codings, strict=True)
                 if c.basis == "direct" and c.coop_type == doc_type])
            partner_set = set(partners)
            for k, c in enumerate(codings):
                if c.basis == "none" and c.cues and set(c.parties) <= partner_set:
                    codings[k] = Coding(
                        doc_type, partners, c.sectors,
                        f"{doc_type}: inherited from document (cue here, parties "
                        f"{', '.join(c.parties) or 'none'} already partners); {c.evidence}",
                        "inherited", c.cues, c.parties, c.sector_terms, c.governments)
        coop_units = [c for c in codings if c.coop_type != "none"]
        sectors = tuple(s for s in SECTORS if any(s in c.sectors for c in coop_units))
        vote_text = ", ".join(f"{t}={votes[t]:g}" for t in COOP_TYPES if votes.get(t))
        lines = [f"document: {doc_type} (votes {vote_text})" if vote_text else
                 _NO_COOPERATION if doc_type == "none" else f"document: {doc_type}"]
        if partners:
            lines.append("partners: " + "; ".join(partners))
        if dropped:
            lines.append("mentioned once, not a main partner: " + "; ".join(dropped))
        for (label, _t), c in zip(units, codings, strict=True):
            if c.basis in ("direct", "inherited") or c.cues:
                lines.append(f"{label}: {c.evidence}")
        title_coding = codings[0] if title and title.strip() else None
        body = tuple(codings[1:] if title_coding is not None else codings)
        return DocumentCoding(doc_type, partners, sectors, "\n".join(lines), title_coding, body)


def _contains(outer: Place, inner: Place) -> bool:
    """True when ``outer`` is the province/country that contains ``inner`` (a qualifier)."""
    if outer == inner:
        return False
    if outer.foreign:
        return outer.level == "country" and inner.foreign and inner.country == outer.canonical
    return (outer.level in ("province", "special_region") and not inner.foreign
            and inner.province == outer.canonical)


_TITLE_LEVEL = {"city": "city", "regency": "regency", "province": "province",
                "special_region": "province", "region": "province"}


def _single_government_by_level(analyses: Iterable[_Analysis]) -> dict[str, Place]:
    """Per title level (city, regency, province), the government when exactly one of that level
    is marked as a government in the text; foreign cities and regions count, so that a bare
    "Wali Kota" in a story about two mayors stays unresolved."""
    by_level: dict[str, dict[str, Place]] = {}
    named: dict[str, dict[str, Place]] = {}  # places of the level named as parties, marked or not
    for a in analyses:
        for m in a.mentions:
            level = _TITLE_LEVEL.get(m.place.level)
            if not level:
                continue
            if m.government and m.role in ("party", "location"):
                by_level.setdefault(level, {}).setdefault(m.place.party, m.place)
            if m.role == "party":
                named.setdefault(level, {}).setdefault(m.place.party, m.place)
    # no government of the level marked: the only place of that level the text names
    for level, places in named.items():
        by_level.setdefault(level, places)
    return {level: next(iter(places.values())) for level, places in by_level.items()
            if len(places) == 1}


def _bare_titles(context_hits: Sequence[tuple[int, int, tuple]],
                 ends: dict[int, list[tuple[int, str, str]]], mentions: Sequence[_Mention],
                 tokens: Sequence[Token]) -> list[tuple[int, int, str]]:
    """Capitalised government titles (bare_title rows of place_context.csv) followed by no place
    within the government window: "Pemkot mendapat bantuan", "Gubernur Anies". The scraper of
    real input dropped hyperlinked words, often exactly the place after such a title."""
    found = []
    for start, end, roles in context_hits:
        levels = [target for kind, target in roles if kind == "bare_title"]
        if not levels or not tokens[start].text[0].isupper() or _former(ends, start):
            continue
        sentence = tokens[start].sentence
        if any(start < m.start <= end + _GOV_WINDOW and m.sentence == sentence for m in mentions):
            continue  # "Wali Kota Bekasi", "Pemerintah Provinsi (Pemprov) Jakarta"
        found.append((start, end, levels[0]))
    return found


_RECIPIENT_WORDS = frozenset({"ke", "kepada", "untuk", "bagi"})
_PLACE_PREPOSITIONS = frozenset({"di", "ke", "dari"})


def _after_di(tokens: Sequence[Token], start: int, starts: dict[int, set[str]]) -> bool:
    """A place written as where something happens: "di Riau", also "di sebagian wilayah Maluku"
    (location_filler words of place_context.csv may stand between "di" and the place).
    "DI Yogyakarta" (Daerah Istimewa) is the province, so "di" must be lower case or capitalised
    only at a sentence start."""
    k = start - 1
    while k >= 0 and k > start - 4 and not tokens[k + 1].hard_before:
        if tokens[k].text in ("di", "Di"):
            return True
        if "location_filler" not in starts.get(k, ()) or not tokens[k].text.islower():
            return False
        k -= 1
    return False


def _counterpart_list(analysis: _Analysis, parties: dict[str, Place], windows: set[int]) -> str:
    """Why the Indonesian parties near a cue are not partners of each other, or "".

    They are one list of places, and either every cue is help ("bantuan ... untuk Kota Batam,
    Kab. Bintan dan Kab. Karimun": recipients of a third party's aid) or the list follows a
    cue in its sentence ("berkoordinasi dengan Bupati Tangerang, Wali Kota Tangerang" after an army
    commander): the counterparts of the cue's subject, who is not a regional government.
    """
    if len(parties) < 2:
        return ""
    by_start = {m.start: m for m in analysis.mentions
                if m.role == "party" and m.sentence in windows and not m.place.foreign}
    for run in analysis.lists:
        members = [by_start[k] for k in run if k in by_start]
        if not members or not set(parties) <= {m.place.party for m in members}:
            continue
        sentence = members[0].sentence
        if analysis.aid_only:
            return "the governments near the aid cue are one list of recipients (no giver named)"
        if any(analysis.tokens[c].sentence == sentence and c < members[0].start
               for c in analysis.cue_starts):
            return "the governments are one list after the cue: counterparts of its subject"
    return ""
_LIST_WORDS = frozenset({"dan", "serta", "atau", "maupun"})


def _sentence_words(tokens: Sequence[Token]) -> dict[int, set[str]]:
    """Lower-case words of each sentence, enclitics also stripped ("personelnya" -> personel)."""
    found: dict[int, set[str]] = {}
    for t in tokens:
        words = found.setdefault(t.sentence, set())
        words.add(t.lower)
        for suffix in _ENCLITICS:
            if t.lower.endswith(suffix) and len(t.lower) > len(suffix) + 2:
                words.add(t.lower[:-len(suffix)])
    return found


def _recipient(mentions: Sequence[_Mention], tokens: Sequence[Token], cue_end: int,
               sentence: int) -> int | None:
    """Token start of the first place after an aid cue, in its sentence, that follows ke/kepada/
    untuk/bagi directly ("... 40 personel ke Jambi"); None when there is none."""
    for m in mentions:
        if m.start < cue_end or m.sentence != sentence:
            continue
        if m.role != "party":
            return None  # "di Riau", "Kota Bandung, Senin": a location ends the search
        before = tokens[m.start - 1] if m.start > 0 else None
        if (before is not None and before.lower in _RECIPIENT_WORDS
                and not tokens[m.start].cut_before):
            # a team sent abroad ("ke Belanda") travels; help between governments inside
            # Indonesia goes to a region
            return None if m.place.foreign else m.start
    return None


def _place_lists(mentions: Sequence[_Mention], tokens: Sequence[Token],
                 text: str) -> tuple[tuple[int, ...], ...]:
    """Runs of two or more places in one sentence separated only by commas, slashes or
    dan/serta/atau/maupun ("Aceh, NTB, Maluku"), as token starts."""
    runs: list[list[int]] = []
    current: list[int] = []
    for k, m in enumerate(mentions):
        if current:
            a = mentions[k - 1]
            between = list(tokens[a.end:m.start])
            first = between[0] if between else tokens[m.start]
            gap = text[tokens[a.end - 1].end:first.start].strip()
            joiner = bool(between) and between[0].lower in _LIST_WORDS
            titles = between[1:] if joiner else between
            # the next item may carry its own title: "Bupati Tangerang, Wali Kota Tangerang",
            # "Kota Batam, Kab. Bintan, dan Kab. Karimun"
            titled = len(titles) <= 3 and all(t.text[0].isupper() for t in titles) and not any(
                t.hard_before for t in [*titles, tokens[m.start]] if t is not first)
            joined = a.sentence == m.sentence and titled and (
                gap in ("", ",") if joiner else gap in (",", "/"))
            if joined:
                current.append(m.start)
                continue
            if len(current) >= 2:
                runs.append(current)
        current = [m.start]
    if len(current) >= 2:
        runs.append(current)
    return tuple(tuple(r) for r in runs)


def _former(ends: dict[int, list[tuple[int, str, str]]], start: int) -> bool:
    """True when "mantan", "calon" ... stands right before the government word at ``start``."""
    return any(kind == "former" for _s, kind, _t in ends.get(start, ()))


def _links(mentions: Sequence[_Mention], tokens: Sequence[Token], text: str) -> set[tuple[int, int]]:
    """Adjacent mentions joined by a conjunction or a hyphen ("Papua dan Papua Barat"), and the
    members of a list that ends with a conjunction ("Bekasi, Depok, dan Bogor")."""
    linked = set()
    run: list[tuple[int, int]] = []  # comma-separated pairs waiting for the list's conjunction
    for k in range(1, len(mentions)):
        a, b = mentions[k - 1], mentions[k]
        between = tokens[a.end:b.start]
        gap = text[tokens[a.end - 1].end:tokens[b.start].start].strip()
        conjunction = len(between) == 1 and between[0].lower in _CONJUNCTIONS \
            and not tokens[b.start].cut_before
        if (not between and gap == "-") or (conjunction and not between[0].cut_before):
            linked.add((k - 1, k))
            linked.update(run)
            run = []
        elif conjunction and gap.startswith(","):  # ", dan" closes a list
            if run:
                linked.update([*run, (k - 1, k)])
            run = []
        elif not between and gap == "," and a.sentence == b.sentence:
            run.append((k - 1, k))
        else:
            run = []
    return linked


def _with_mentions(analysis: _Analysis, added: list[_Mention]) -> _Analysis:
    """``analysis`` with ``added`` party mentions merged in (governments and links updated)."""
    if not added:
        return analysis
    mentions = sorted([*analysis.mentions, *added], key=lambda m: m.start)
    governments = analysis.governments | {m.place.party for m in added}
    return replace(analysis, mentions=mentions, governments=governments,
                   linked=_links(mentions, analysis.tokens, analysis.text))


def _linked_closure(seeds: set[int], linked: set[tuple[int, int]]) -> set[int]:
    """``seeds`` and every mention reachable from them through linked pairs."""
    found, frontier = set(seeds), set(seeds)
    while frontier:
        frontier = {j for a, b in linked for i, j in ((a, b), (b, a)) if i in frontier} - found
        found |= frontier
    return found


def _one_province(places: Iterable[Place]) -> bool:
    return len({p.province for p in places}) == 1


def _vertical(places: Iterable[Place]) -> bool:
    """A provincial government and only regencies/cities inside that province."""
    places = list(places)
    provinces = [p for p in places if p.level in ("province", "special_region")]
    return len(provinces) == 1 and _one_province(places) and len(places) >= 2


def _drop_subsumed_countries(parties: dict[str, Place]) -> dict[str, Place]:
    countries_with_cities = {p.country for p in parties.values() if p.foreign and p.level != "country"}
    return {k: p for k, p in parties.items()
            if not (p.foreign and p.level == "country" and p.canonical in countries_with_cities)}


def _document_partners(direct: list[tuple[str, Coding]]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    counts: Counter[str] = Counter()
    title_parties: set[str] = set()
    for label, c in direct:
        counts.update(set(c.partners))
        if label == "title":
            title_parties.update(c.partners)
    top = max(counts.values())
    keep = {p for p, n in counts.items() if n * 3 >= top} | title_parties
    if len(keep) < 2:
        keep = set(counts)
    return tuple(sorted(keep)), tuple(sorted(set(counts) - keep))


def _evidence(decision: str, cues: Sequence[str], parties: Sequence[str], ignored: Sequence[str],
              sector_terms: Sequence[str]) -> str:
    parts = [decision]
    if cues:
        parts.append("cues: " + ", ".join(cues))
    if parties:
        parts.append("parties: " + ", ".join(parties))
    if ignored:
        parts.append("not parties: " + ", ".join(ignored))
    if sector_terms:
        parts.append("sectors: " + ", ".join(sector_terms))
    return " | ".join(parts)


# ---------------------------------------------------------------------- input reading
REJECT_COLUMNS = ("id", "source_file", "record", "reason", "detail")


@dataclass(frozen=True)
class ClassifiedInput:
    """What :func:`classify_input` wrote.

    Attributes:
        codings: one row per usable article, in input order: id, coop_type, partners, sectors,
            evidence (the table in ``output_csv``).
        rejects: one row per input record that could not be read as an article: id,
            source_file, record, reason, detail (the table in ``rejects_csv``).
        output_csv: path of the codings CSV.
        rejects_csv: path of the rejects CSV.
    """

    codings: pd.DataFrame
    rejects: pd.DataFrame
    output_csv: Path
    rejects_csv: Path

    def summary(self) -> str:
        """One line for a terminal: counts per coop_type and per reject reason."""
        counts = self.codings["coop_type"].value_counts()
        coded = ", ".join(f"{t} {int(counts.get(t, 0))}" for t in COOP_TYPES)
        text = f"classified {len(self.codings)} documents ({coded}) -> {self.output_csv}"
        if len(self.rejects):
            reasons = self.rejects["reason"].value_counts().sort_index()
            listed = ", ".join(f"{r} {n}" for r, n in reasons.items())
            text += f"; {len(self.rejects)} rejected ({listed}) -> {self.rejects_csv}"
        else:
            text += "; no input rejected"
        return text


def rejects_path_for(output_csv: str | Path) -> Path:
    """``OUT.csv`` -> ``OUT.rejects.csv`` (beside it), where :func:`classify_input` lists rejects."""
    output_csv = Path(output_csv)
    stem = output_csv.name[:-4] if output_csv.name.lower().endswith(".csv") else output_csv.name
    return output_csv.with_name(f"{stem}.rejects.csv")


def _record_id(record: RawRecord, single_file: bool) -> str:
    """The id a user gave: the record's own key inside one multi-record file; otherwise the
    path relative to the input folder (``file.jsonl#key`` for records in a folder)."""
    if single_file and record.record is not None:
        return record.record
    return record.doc_id


def _input_records(input_path: Path, lexicon_dir: Path, *, min_words: int, n_jobs: int,
                   metadata_file: str | Path | None) -> Iterator[tuple[str, RawRecord]]:
    """``(id, record)`` for every record of a folder or file, cleaned by ingest's code path,
    rejects included, in input order."""
    from .ingest import iter_records

    if not input_path.exists():
        raise UserError(f"{input_path}: not found; pass a folder of articles or a "
                        f".jsonl/.jsonl.gz/.csv file of articles (id, title, text)")
    if metadata_file is None:  # a folder's own sidecar, as ingest reads data/raw/metadata.csv
        sidecar = input_path / "metadata.csv" if input_path.is_dir() else None
        metadata_file = sidecar if sidecar is not None and sidecar.is_file() else ""
    single_file = input_path.is_file()
    for record in iter_records(input_path, lexicon_dir=lexicon_dir, metadata_file=metadata_file,
                               min_words=min_words, n_jobs=n_jobs):
        yield _record_id(record, single_file), record


def _paragraphs(text: str) -> tuple[str, ...]:
    return tuple(p for p in text.split("\n\n") if p)


def _reject_row(rid: str, record: RawRecord) -> tuple:
    return (rid, record.source_file, record.record, record.reason, record.detail)


def classify_input(input_path: str | Path, output_csv: str | Path, *,
                   lexicon_dir: str | Path = "data/lexicons", n_jobs: int = 1,
                   min_words: int = 40, metadata_file: str | Path | None = None
                   ) -> ClassifiedInput:
    """Code every article of a folder or file and write a CSV, plus a CSV of rejected input.

    Input is read and cleaned by :func:`analysis.ingest.iter_records`, the ingest stage's own
    code path (boilerplate, datelines and "Baca juga" lines removed; paragraphs split where a
    scraper flattened them into commas), without duplicate detection: every record is coded.

    Args:
        input_path: a folder (sub-folders included; .txt, .md, .html, .jsonl, .jsonl.gz, .csv)
            or one such file. Ids: for one multi-record file, each record's own ``id`` (else
            ``L{line}`` / ``R{row}``); for a folder, the file's relative path (``name#key``
            for a record inside a multi-record file).
        output_csv: CSV to write: id, coop_type, partners, sectors (``;``-separated), evidence.
            Rejected input goes to ``<output stem>.rejects.csv`` beside it (always written, so a
            stale file never lingers): id, source_file, record, reason, detail, with ingest's
            reasons (empty, binary, undecodable, unsupported_format, malformed, not_indonesian,
            too_short, too_large).
        lexicon_dir: folder of the lexicon files (classification and cleaning).
        n_jobs: worker processes that clean the input while this process codes it (the
            output does not depend on it).
        min_words: articles with fewer words after cleaning are rejected as too_short (the
            ingest stage's default; 1 keeps every non-empty article).
        metadata_file: sidecar CSV of titles/dates (``file,title,...``); None uses
            ``metadata.csv`` at the top of an input folder when there is one, "" none.

    Returns:
        The codings and rejects written, with their paths.

    Raises:
        UserError: the input does not exist, a folder holds no article file, or a lexicon or
            sidecar file is unusable.
    """
    lexicon_dir = Path(lexicon_dir)
    classifier = Classifier.from_lexicons(lexicon_dir)  # validates lexicons before reading input
    # Coding runs here while ingest's workers (n_jobs > 1) clean the next records: the two
    # halves of the work overlap instead of following each other.
    rows, rejected = [], []
    for rid, record in _input_records(Path(input_path), lexicon_dir, min_words=min_words,
                                      n_jobs=n_jobs, metadata_file=metadata_file):
        if record.is_reject:
            rejected.append(_reject_row(rid, record))
            continue
        coding = classifier.classify_document(record.title, _paragraphs(record.text),
                                              paragraph_codings=False)
        rows.append((rid, coding.coop_type, ";".join(coding.partners), ";".join(coding.sectors),
                     coding.evidence))
    table = pd.DataFrame(rows, columns=["id", "coop_type", "partners", "sectors", "evidence"])
    rejects = pd.DataFrame(rejected, columns=list(REJECT_COLUMNS))
    rejects_csv = rejects_path_for(output_csv)
    write_csv(output_csv, table)
    write_csv(rejects_csv, rejects)
    return ClassifiedInput(table, rejects, Path(output_csv), rejects_csv)


# ---------------------------------------------------------------------- pipeline stage
_CLASSIFIED_COLUMNS = ["level", "doc_id", "para_id", "para_index", "para_fingerprint", "coop_type",
                       "partners", "sectors", "evidence"]
_CLASSIFIED_SCHEMA = pa.schema([
    ("level", pa.string()), ("doc_id", pa.string()), ("para_id", pa.string()),
    ("para_index", pa.int32()), ("para_fingerprint", pa.string()), ("coop_type", pa.string()),
    ("partners", pa.list_(pa.string())), ("sectors", pa.list_(pa.string())),
    ("evidence", pa.string()),
])


def _classify_rows(classifier: Classifier,
                   batch: list[tuple[str, str | None, list[str], list[int], list[str]]]) -> pa.RecordBatch:
    """classified.parquet rows of a batch of documents: each document, then its paragraphs."""
    columns: dict[str, list] = {name: [] for name in _CLASSIFIED_COLUMNS}

    def add(*values) -> None:
        for name, value in zip(_CLASSIFIED_COLUMNS, values, strict=True):
            columns[name].append(value)

    for doc_id, title, para_ids, para_indices, texts in batch:
        coding = classifier.classify_document(title, texts)
        add("document", doc_id, None, None, None, coding.coop_type, list(coding.partners),
            list(coding.sectors), coding.evidence)
        for para_id, para_index, text, unit in zip(para_ids, para_indices, texts,
                                                   coding.paragraphs, strict=True):
            add("paragraph", doc_id, para_id, para_index, paragraph_fingerprint(text),
                unit.coop_type, list(unit.partners), list(unit.sectors), unit.evidence)
    return pa.RecordBatch.from_arrays(
        [pa.array(columns[field.name], type=field.type) for field in _CLASSIFIED_SCHEMA],
        schema=_CLASSIFIED_SCHEMA)


def _document_batches(kept: pa.Table, paragraphs: pa.Table, size: int
                      ) -> Iterable[list[tuple[str, str | None, list[str], list[int], list[str]]]]:
    """Batches of ``(doc_id, title, para_ids, para_indices, texts)``, documents in ``kept`` order.

    ``kept`` and ``paragraphs`` are sorted by doc_id, so a batch's paragraphs are one slice of
    ``paragraphs``; only one batch at a time becomes Python objects.
    """
    ends = pc.run_end_encode(paragraphs.column("doc_id").combine_chunks())
    spans: dict[str, tuple[int, int]] = {}
    start = 0
    for doc_id, end in zip(ends.values.to_pylist(), ends.run_ends.to_pylist()):
        spans[doc_id] = (start, end)
        start = end
    for offset in range(0, kept.num_rows, size):
        chunk = kept.slice(offset, size)
        doc_ids = chunk.column("doc_id").to_pylist()
        titles = chunk.column("title").to_pylist()
        found = [spans[d] for d in doc_ids if d in spans]
        first = found[0][0] if found else 0
        last = found[-1][1] if found else 0
        rows = paragraphs.slice(first, last - first)
        para_ids = rows.column("para_id").to_pylist()
        para_indices = rows.column("para_index").to_pylist()
        texts = [t or "" for t in rows.column("text").to_pylist()]
        batch = []
        for doc_id, title in zip(doc_ids, titles):
            lo, hi = spans.get(doc_id, (first, first))
            lo, hi = lo - first, hi - first
            batch.append((doc_id, title if isinstance(title, str) else None, para_ids[lo:hi],
                          [int(i) for i in para_indices[lo:hi]], texts[lo:hi]))
        yield batch


def run_classify(documents_path: str | Path, paragraphs_path: str | Path, *,
                 classified_path: str | Path, lexicon_dir: str | Path = "data/lexicons",
                 n_jobs: int = 1, backend: str = "local", dask_scheduler: str = "") -> pd.DataFrame:
    """Pipeline stage: code documents and paragraphs, write classified.parquet.

    Reads documents.parquet (doc_id, title, duplicate_of) and paragraphs.parquet (para_id,
    doc_id, para_index, text); documents with ``duplicate_of`` set are skipped, as are their
    paragraphs. Writes one row per document (``level="document"``) and per paragraph, columns per
    docs/architecture.md plus ``para_index`` and ``para_fingerprint`` (the gold-set key).

    The inputs stay Arrow columns; batches of documents are coded in this process, in
    ``n_jobs`` worker processes or on Dask workers (``backend``, see :mod:`analysis.parallel`)
    and come back in order, so the file is the same bytes for every ``n_jobs`` and backend.

    Raises:
        UserError: an input file is missing or lacks a required column, or paragraphs refer to
            documents that are not in documents.parquet.
    """
    check_backend(backend, n_jobs, dask_scheduler)
    documents = _read_columns(documents_path, "ingest", ["doc_id", "title", "duplicate_of"])
    paragraphs = _read_columns(paragraphs_path, "preprocess", ["para_id", "doc_id", "para_index", "text"])
    unknown = pc.invert(pc.is_in(paragraphs.column("doc_id"), value_set=documents.column("doc_id")))
    if pc.any(unknown).as_py():
        orphans = sorted(set(paragraphs.column("doc_id").filter(unknown).to_pylist()))
        raise UserError(f"{paragraphs_path}: {len(orphans)} document id(s) not in {documents_path} "
                        f"(first: {orphans[0]!r}); rerun ingest and preprocess together")
    kept = documents.filter(pc.is_null(documents.column("duplicate_of")))
    kept = kept.take(pc.sort_indices(kept, sort_keys=[("doc_id", "ascending")]))
    paragraphs = paragraphs.filter(pc.is_in(paragraphs.column("doc_id"), value_set=kept.column("doc_id")))
    paragraphs = paragraphs.take(pc.sort_indices(
        paragraphs, sort_keys=[("doc_id", "ascending"), ("para_index", "ascending")]))

    classifier = Classifier.from_lexicons(lexicon_dir)
    batches: list[pa.RecordBatch] = []
    with progress(total=kept.num_rows, desc="classify", unit=" documents") as bar:
        for batch in map_batches(_classify_rows, _document_batches(kept, paragraphs, _MIN_BATCH),
                                 context=classifier, backend=backend, n_jobs=n_jobs,
                                 scheduler=dask_scheduler):
            batches.append(batch)
            bar.update(int(pc.sum(pc.equal(batch.column("level"), "document")).as_py() or 0))
    arrow = pa.Table.from_batches(batches, schema=_CLASSIFIED_SCHEMA)
    # An explicit Arrow schema, so an input without any partner still writes list<string>
    # (write_parquet would let Arrow infer list<null>); atomic like every stage output.
    with atomic_path(classified_path) as tmp:
        pq.write_table(arrow, tmp, compression="zstd")
    return _classified_frame(arrow)


def _classified_frame(arrow: pa.Table) -> pd.DataFrame:
    """The table as pandas: text columns as ``string``, para_index ``Int32``, lists as lists."""
    table = pd.DataFrame({
        name: (pd.Series(arrow.column(name).to_pylist(), dtype=object)
               if name in ("partners", "sectors") else
               arrow.column(name).to_pandas(types_mapper={pa.int32(): pd.Int32Dtype(),
                                                          pa.string(): pd.StringDtype()}.get))
        for name in _CLASSIFIED_COLUMNS})
    return table



def _read_columns(path: str | Path, producer: str, names: list[str]) -> pa.Table:
    return read_stage_parquet(path, producer, names, columns=names, arrow=True)


def evaluate_gold(classified: pd.DataFrame, gold_dir: str | Path = "data/annotations",
                  clickid_path: str | Path | None = None, *,
                  lexicon_dir: str | Path = "data/lexicons") -> dict:
    """Compare codings with the hand-labelled gold set; see ``analysis.classify_eval``."""
    from .classify_eval import evaluate_gold as _evaluate

    return _evaluate(classified, gold_dir, clickid_path, lexicon_dir=lexicon_dir)
