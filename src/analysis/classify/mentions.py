"""What the lexicons find in a unit of text: place mentions, their roles, cues and sectors."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from operator import itemgetter

from ..text.tokens import MATCHER_CLITICS, Token, token_words, tokenize
from .places import HEDGE_KINDS, NOT_CUE_KINDS, ClassifyLexicons, Place

__all__ = [
    "Mention",
    "Analysis",
    "analyse",
    "find_sectors",
    "holds_cue",
    "with_people",
    "with_titles",
    "with_mentions",
    "single_government_by_level",
    "linked_closure",
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
_RECIPIENT_WORDS = frozenset({"ke", "kepada", "untuk", "bagi"})
_PLACE_PREPOSITIONS = frozenset({"di", "ke", "dari"})
_LIST_WORDS = frozenset({"dan", "serta", "atau", "maupun"})


@dataclass(frozen=True, slots=True)
class Mention:
    place: Place
    start: int
    end: int
    sentence: int
    surface: str
    government: bool
    role: str  # party | org | nonparty | location | qualifier


@dataclass(slots=True)
class Analysis:
    """What the lexicons found in one unit, before any decision."""

    cue_windows: list[tuple[int, list[str]]]  # (sentence, cue terms), excluded cues removed
    international_cue: bool
    mentions: list[Mention]
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
    cue_terms: tuple[str, ...] = ()  # the cue term of each of ``cue_starts``
    hedges: tuple[tuple[int, int, str], ...] = ()  # (start, end, kind) of negation/wish/refusal


# ------------------------------------------------------------------ analysis
def analyse(lexicons: ClassifyLexicons, text: str, tokens: list[Token] | None = None,
            words: list[str] | None = None) -> Analysis:
    """What the lexicons find in one unit (a title or paragraph), before any decision;
    ``tokens`` (``tokenize(text)``) and ``words`` (``token_words(tokens)``): when the caller
    has them already."""
    if tokens is None:
        tokens = tokenize(text)
    if words is None:
        words = token_words(tokens)
    context = _Context.find(lexicons, tokens, words)
    mentions, governments = _place_mentions(lexicons, text, tokens, words, context)
    cues = _Cues.find(lexicons, tokens, words, mentions)
    sector_hits = find_sectors(lexicons, tokens, words)
    return Analysis(sorted(cues.by_sentence.items()), cues.international, mentions,
                    sector_hits, governments, context.central_sentences,
                    _links(mentions, tokens, text), cues.agreement, tokens, text,
                    _aliases(lexicons, mentions, tokens, text), context.collectives,
                    _bare_titles(context.hits, context.ends, mentions, tokens), cues.complements,
                    cues.shared, _place_lists(mentions, tokens, text), tuple(cues.starts),
                    cues.aid_only and bool(cues.starts), tuple(cues.terms), tuple(cues.hedges))


def find_sectors(lexicons: ClassifyLexicons, tokens: Sequence[Token] | None,
                 words: Sequence[str], *,
                 hard_before: Sequence[bool] | None = None) -> list[tuple[str, str]]:
    """(sector, term) of each sector word of a unit (sector_terms.csv; rows of sector "none"
    only keep their words from counting as another sector's); ``hard_before``: with no
    ``tokens``, their flags (:meth:`.PhraseTable.find`)."""
    sectors = lexicons.sectors
    return [
        (sector, term)
        for _s, _e, (sector, term)
        in sectors.find(tokens, sectors.normalise(words), hard_before=hard_before)
        if sector != "none"
    ]


def holds_cue(lexicons: ClassifyLexicons, tokens: Sequence[Token] | None, words: Sequence[str],
              *, hard_before: Sequence[bool] | None = None) -> bool:
    """Whether a cooperation cue matches in a unit (excluded and hedge entries are not cues; a
    cue whose ``requires`` words are missing counts here, though :func:`analyse` drops it);
    ``hard_before``: with no ``tokens``, their flags (:meth:`.PhraseTable.find`)."""
    cues = lexicons.cues
    return any(kind not in NOT_CUE_KINDS
               for _s, _e, (kind, _term, _requires)
               in cues.find(tokens, cues.normalise(words), hard_before=hard_before))


@dataclass(slots=True)
class _Context:
    """Context words of a unit (place_context.csv), indexed for the place-mention rules."""

    hits: list[tuple[int, int, tuple]]
    ends: dict[int, list[tuple[int, str, str]]]  # by the token a context word ends before
    starts: dict[int, set[str]]  # kinds of the context words starting at a token
    central_sentences: set[int]  # sentences naming a national-government actor
    collectives: list[tuple[int, str, bool]]
    covering: dict[int, tuple[int, int, tuple]]  # token inside a context word -> that word

    @classmethod
    def find(cls, lexicons: ClassifyLexicons, tokens: list[Token], words: list[str]) -> _Context:
        context_hits = lexicons.context.find(tokens, words)
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
        return cls(context_hits, ends, starts, central_sentences, collectives, covering)


def _place_mentions(lexicons: ClassifyLexicons, text: str, tokens: list[Token], words: list[str],
                    context: _Context) -> tuple[list[Mention], set[str]]:
    """Every place the gazetteers find, with its role, and the places marked as governments."""
    starts = context.starts
    mentions: list[Mention] = []
    governments: set[str] = set()
    # a capitalised word one letter from a place-name word ("Kalimatan Barat") reads as it
    place_words = lexicons.place_words(map(itemgetter(0), tokens))  # Token.text
    for start, end, value in lexicons.places.find(tokens, place_words):
        if value == ("exclude",):
            continue
        place, rule = lexicons.place_info[value]
        span = tokens[start:end]
        if rule == "uppercase":
            if not all(t.text.isupper() for t in span):
                continue
        elif not all(t.text[0].isupper() or t.text[0].isdigit() or t.lower in _LOWER_OK
                     # the tail of a hyphenated name: "Chungcheongnam-do", "Tojo Una-una"
                     or (k > start and text[tokens[k - 1].end:t.start] == "-")
                     for k, t in enumerate(span, start)):
            continue
        gov_target, gov, org, nonparty = _context_before(
            tokens, start, context.ends, context.covering.get(start),
            mentions[-1].end if mentions else 0)
        if rule == "government_prefix" and not gov:
            continue
        surface = " ".join(words[start:end])
        if gov_target and surface.split()[0] not in _GOVERNMENT_NAME_START:
            place = _resolve_level(lexicons, surface, place, gov_target)
        after = starts.get(end, set()) if end < len(tokens) else set()
        role = "party"
        if org and not gov or ("org_after" in after and not tokens[end].cut_before):
            role = "org"
        elif nonparty and place.foreign and not gov:
            role = "nonparty"
        # "di Yogyakarta" is a location, "DI Yogyakarta" (Daerah Istimewa) the province
        elif _after_di(tokens, start, starts) or (
                "location_after" in after and tokens[end].cut_before) or (
                place.foreign and _destination(tokens, start, starts)):
            role = "location"
        if mentions and role == "party":
            prev = mentions[-1]
            if prev.end == start and tokens[start].hard_before and _contains(place, prev.place):
                role = "qualifier"
        mention = Mention(place, start, end, tokens[start].sentence, surface, gov, role)
        mentions.append(mention)
        if gov and role in ("party", "location"):
            governments.add(place.party)
    return mentions, governments


@dataclass(slots=True)
class _Cues:
    """The cooperation cues of a unit that hold (excluded and unmet ``requires`` cues dropped)."""

    by_sentence: dict[int, list[str]] = field(default_factory=dict)
    starts: list[int] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)
    hedges: list[tuple[int, int, str]] = field(default_factory=list)
    complements: set[int] = field(default_factory=set)
    aid_only: bool = True
    international: bool = False
    agreement: bool = False
    shared: bool = False

    @classmethod
    def find(cls, lexicons: ClassifyLexicons, tokens: list[Token], words: list[str],
             mentions: list[Mention]) -> _Cues:
        cues = cls()
        mention_starts = {m.start for m in mentions}
        sentence_words: dict[int, set[str]] | None = None
        for start, end, (kind, term, requires) in lexicons.cues.find(
                tokens, lexicons.cues.normalise(words)):
            if kind == "exclude":
                continue
            if kind in HEDGE_KINDS:
                cues.hedges.append((start, end, kind))
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
                cues.complements.add(end + 1)
            if kind == "aid":
                # help goes somewhere: "mengirim 40 personel ... ke Jambi" -- the first
                # place after the cue in its sentence introduced by ke/kepada/untuk/bagi
                recipient = _recipient(mentions, tokens, end, sentence)
                if recipient is None:
                    # "mengirim tim ... untuk membantu menanggulangi karhutla di Riau"
                    helped = _helped_location(mentions, tokens, end, sentence)
                    if helped is not None:
                        mentions[helped] = replace(mentions[helped], role="party")
                        recipient = mentions[helped].start
                if recipient is not None:
                    cues.complements.add(recipient)
            cues.by_sentence.setdefault(sentence, []).append(term)
            cues.starts.append(start)
            cues.terms.append(term)
            cues.aid_only = cues.aid_only and kind == "aid"
            cues.international = cues.international or kind == "international"
            cues.agreement = cues.agreement or kind == "agreement"
            cues.shared = cues.shared or kind == "shared"
        return cues


def _aliases(lexicons: ClassifyLexicons, mentions: Sequence[Mention], tokens: Sequence[Token],
             text: str) -> dict[str, Place]:
    """Name words of officials introduced with their title: "Gubernur Jawa Timur Khofifah
    Indar Parawansa" -> khofifah, indar, parawansa -> Jawa Timur."""
    lex = lexicons
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


def with_people(analysis: Analysis, aliases: dict[str, Place]) -> Analysis:
    """Add mentions for officials' names ("Pramono") as their governments."""
    tokens = analysis.tokens
    covered = {k for m in analysis.mentions for k in range(m.start, m.end)}
    added = [
        Mention(aliases[t.lower], k, k + 1, t.sentence, t.lower, True, "party")
        for k, t in enumerate(tokens)
        if t.lower in aliases and k not in covered and t.text[0].isupper()
    ]
    return with_mentions(analysis, added)


def with_titles(analysis: Analysis, by_level: dict[str, Place]) -> Analysis:
    """Add mentions for capitalised titles that name no place ("Pemkot mendapat bantuan",
    "kata Gubernur"): each stands for the document's only government of that level."""
    covered = {k for m in analysis.mentions for k in range(m.start, m.end)}
    tokens = analysis.tokens
    added = [
        Mention(by_level[level], start, end, tokens[start].sentence,
                 " ".join(t.lower for t in tokens[start:end]), True, "party")
        for start, end, level in analysis.bare_titles
        if level in by_level and start not in covered
    ]
    return with_mentions(analysis, added)


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


def _resolve_level(lexicons: ClassifyLexicons, surface: str, place: Place, target: str) -> Place:
    """'Bupati Bekasi' -> Kabupaten Bekasi; 'Gubernur Jambi' stays the province."""
    if place.foreign:
        return place
    prefix = {"regency": "kabupaten", "city": "kota", "province": "provinsi"}[target]
    if (target == "regency" and place.level == "regency") or (
            target == "province" and place.level in ("province", "special_region")) or (
            target == "city" and place.level == "city"):
        return place
    other = lexicons.resolve(f"{prefix} {surface}")
    return other if other is not None and not other.foreign else place


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


def single_government_by_level(analyses: Iterable[Analysis]) -> dict[str, Place]:
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
                 ends: dict[int, list[tuple[int, str, str]]], mentions: Sequence[Mention],
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


_DESTINATION_WORDS = frozenset({"ke", "to", "menuju", "tujuan"})
_TRAVEL_SPAN = 4  # words between a travel word and "ke"


def _destination(tokens: Sequence[Token], start: int, starts: dict[int, set[str]]) -> bool:
    """A (foreign) place a trip goes to: "penerbangan ke Davao", "Flight Garuda Indonesia to Davao" (a
    travel word of place_context.csv up to 4 words before ke/to/menuju/tujuan, same sentence)."""
    if start == 0 or tokens[start - 1].lower not in _DESTINATION_WORDS or tokens[start].hard_before:
        return False
    sentence = tokens[start].sentence
    return any("travel" in starts.get(k, ()) and tokens[k].sentence == sentence
               for k in range(max(0, start - 2 - _TRAVEL_SPAN), start - 1))


def _sentence_words(tokens: Sequence[Token]) -> dict[int, set[str]]:
    """Lower-case words of each sentence, enclitics also stripped ("personelnya" -> personel)."""
    found: dict[int, set[str]] = {}
    for t in tokens:
        words = found.setdefault(t.sentence, set())
        words.add(t.lower)
        for suffix in MATCHER_CLITICS:
            if t.lower.endswith(suffix) and len(t.lower) > len(suffix) + 2:
                words.add(t.lower[:-len(suffix)])
    return found


def _recipient(mentions: Sequence[Mention], tokens: Sequence[Token], cue_end: int,
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


# words of helping that, between an aid cue and "di X", make X the region helped
_HELP_WORDS = frozenset({"membantu", "bantu", "menanggulangi", "menangani", "memadamkan",
                         "penanggulangan", "penanganan", "pemadaman"})


def _helped_location(mentions: Sequence[Mention], tokens: Sequence[Token], cue_end: int,
                     sentence: int) -> int | None:
    """Index in ``mentions`` of the region a team is sent to help, written as a location: the
    first place after an aid cue in its sentence is an Indonesian region after "di", and a help
    word stands between ("mengirim tim ... untuk membantu menanggulangi karhutla di Riau")."""
    for k, m in enumerate(mentions):
        if m.start < cue_end or m.sentence != sentence:
            continue
        if m.role != "location" or m.place.foreign or m.place.level not in (
                "province", "special_region", "regency", "city"):
            return None
        between = {t.lower for t in tokens[cue_end:m.start]}
        return k if between & _HELP_WORDS else None
    return None


def _place_lists(mentions: Sequence[Mention], tokens: Sequence[Token],
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


def _links(mentions: Sequence[Mention], tokens: Sequence[Token], text: str) -> set[tuple[int, int]]:
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


def with_mentions(analysis: Analysis, added: list[Mention]) -> Analysis:
    """``analysis`` with ``added`` party mentions merged in (governments and links updated)."""
    if not added:
        return analysis
    mentions = sorted([*analysis.mentions, *added], key=lambda m: m.start)
    governments = analysis.governments | {m.place.party for m in added}
    return replace(analysis, mentions=mentions, governments=governments,
                   linked=_links(mentions, analysis.tokens, analysis.text))


def linked_closure(seeds: set[int], linked: set[tuple[int, int]]) -> set[int]:
    """``seeds`` and every mention reachable from them through linked pairs."""
    found, frontier = set(seeds), set(seeds)
    while frontier:
        frontier = {j for a, b in linked for i, j in ((a, b), (b, a)) if i in frontier} - found
        found |= frontier
    return found
