"""The decision rules: which governments are parties to a cue, and what kind of cooperation it is."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from ..core.codebook import AGGLOMERATIONS, SECTORS
from .mentions import Analysis, linked_closure
from .places import ClassifyLexicons, Place

__all__ = [
    "Coding",
    "DocumentCoding",
    "PartyIndex",
    "decide",
    "decide_cueless",
    "NO_CUE_IN_ARTICLE",
    "complete_with_counterpart",
    "document_partners",
    "evidence_text",
]

_CUE_WINDOW = 1  # sentences on each side of a cue sentence where parties are looked for
_GROUP = "(unnamed regional governments)"


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
    hedges: tuple[str, ...] = ()  # negation/wish/refusal words in the unit (after dropping)


@dataclass(frozen=True, slots=True)
class DocumentCoding:
    """Document-level coding plus the coding of its title and of each paragraph."""

    coop_type: str
    partners: tuple[str, ...]
    sectors: tuple[str, ...]
    evidence: str
    title: Coding | None
    paragraphs: tuple[Coding, ...] = field(default_factory=tuple)
    confidence: str = ""  # high | low ("" for none): classify/confidence.py
    confidence_reasons: tuple[str, ...] = ()
    cues: tuple[str, ...] = ()  # cues of the units coded with the document's type


@dataclass(frozen=True)
class PartyIndex:
    """What the decisions look up about governments, compiled once from the gazetteers."""

    party_place: dict[str, Place]  # canonical party name -> its place
    province_aggs: dict[str, frozenset[str]]  # province -> metro regions of its cities/regencies

    @classmethod
    def build(cls, lexicons: ClassifyLexicons) -> PartyIndex:
        party_place: dict[str, Place] = {}
        province_aggs: dict[str, set[str]] = {}
        for place, _rule in lexicons.place_info:
            party_place.setdefault(place.canonical, place)
            if not place.foreign and place.agglomeration and place.level in ("city", "regency"):
                province_aggs.setdefault(place.province, set()).add(place.agglomeration)
        return cls(party_place, {k: frozenset(v) for k, v in province_aggs.items()})

    def place(self, key: str, mention_place: Place) -> Place:
        """The gazetteer's place of party ``key`` (the mention's own place when unknown)."""
        return self.party_place.get(key, mention_place)

    def shared_agglomeration(self, places: Iterable[Place]) -> str:
        """The metro region every place lies in (a province counts for its regions), or ""."""
        shared: set[str] | None = None
        for p in places:
            aggs = {p.agglomeration} if p.agglomeration else set()
            if p.level in ("province", "special_region"):
                aggs |= self.province_aggs.get(p.canonical, frozenset())
            shared = aggs if shared is None else shared & aggs
        if not shared:
            return ""
        return min(shared, key=AGGLOMERATIONS.index)


def decide(
    analysis: Analysis, governments: set[str], index: PartyIndex, *, shared: bool = False
) -> Coding:
    """Code one unit: its parties near a cue, and the kind of cooperation they make.

    Args:
        analysis: what the lexicons found in the unit.
        governments: places marked as governments anywhere in the document.
        index: the gazetteer lookups.
        shared: a cost or facility shared among regions is named in the document.
    """
    sectors, sector_terms = _sector_fields(analysis.sector_hits)
    analysis, dropped = _without_hedged_cues(analysis)
    hedges = tuple(sorted({kind for _s, _e, kind in analysis.hedges}))
    cues = tuple(sorted({c for _s, terms in analysis.cue_windows for c in terms}))
    ignored = sorted(
        {f"{m.place.canonical}({m.role})" for m in analysis.mentions if m.role != "party"}
    )
    if not analysis.cue_windows:
        reason = "no cooperation cue" + (f" (dropped: {'; '.join(dropped)})" if dropped else "")
        return Coding(
            "none",
            (),
            sectors,
            evidence_text(reason, (), (), ignored, sector_terms),
            "none",
            cues,
            (),
            sector_terms,
            tuple(sorted(analysis.governments)),
            hedges,
        )
    windows = {s + d for s, _ in analysis.cue_windows for d in range(-_CUE_WINDOW, _CUE_WINDOW + 1)}
    parties, unmarked = _parties(analysis, governments, windows, index)
    group = _group(analysis, parties, windows, index)
    ignored += sorted(f"{k}(not marked as a government)" for k in set(unmarked) - set(parties))
    names = tuple(sorted(k for k in parties if k != _GROUP))
    coop, reason = _kind(analysis, parties, bool(group), windows, index, shared)
    party_text = tuple(f"{k}({'gov' if k in governments else 'place'})" for k in names) + (
        (_GROUP,) if _GROUP in parties else ()
    )
    if dropped:
        reason += f" (dropped: {'; '.join(dropped)})"
    evidence = evidence_text(f"{coop}: {reason}", cues, party_text, ignored, sector_terms)
    basis = "direct" if coop != "none" else "none"
    return Coding(
        coop,
        names if coop != "none" else (),
        sectors,
        evidence,
        basis,
        cues,
        names,
        sector_terms,
        tuple(sorted(analysis.governments)),
        hedges,
    )


#: The decision of a unit in an article where no unit holds a cooperation cue (GUIDE: a unit
#: needs a cue to be cooperation); the roles of its place mentions are not worked out then.
NO_CUE_IN_ARTICLE = "no cooperation cue in the article"


def decide_cueless(sector_hits: Sequence[tuple[str, str]]) -> Coding:
    """Code a unit of an article none of whose units holds a cue: ``none``, with its sectors.

    :func:`decide` gives every such unit ``none`` too; what it adds is the place mentions'
    roles ("not parties"), which decide nothing when no cue is anywhere in the article. So an
    article without a cue (most news) is coded from its sector words alone.
    """
    sectors, sector_terms = _sector_fields(sector_hits)
    evidence = evidence_text(NO_CUE_IN_ARTICLE, (), (), (), sector_terms)
    return Coding("none", (), sectors, evidence, "none", (), (), sector_terms)


def _sector_fields(
    sector_hits: Iterable[tuple[str, str]],
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The sector ids (codebook order) and the ``sector:term`` pairs (sorted) of a unit."""
    hits = set(sector_hits)
    sectors = tuple(sorted({s for s, _t in hits}, key=SECTORS.index))
    return sectors, tuple(sorted({f"{s}:{t}" for s, t in hits}))


_NEGATION_SPAN = 3  # words between a negation and the cue it negates
_WISHER_SPAN = 3  # words between a government (its title, name or official) and its wish word


def _without_hedged_cues(analysis: Analysis) -> tuple[Analysis, list[str]]:
    """The unit without its negated cues and its non-parties' wishes (GUIDE §2), and what went.

    A cue up to 3 words after a negation in its sentence ("belum ada (koordinasi dengan DKI)",
    "tidak ada kerja sama") reports an absence. A cue after a wish word in its sentence is a
    wish when the governments it wishes to cooperate stand between the wish word and the cue
    ("Kami berharap Papua dan Papua Barat kerja sama"), unless a government ends at most 3
    words before that wish word ("Pemkot Bekasi berharap", "Rahmat Effendi berharap"): then it
    is that government's request, which counts. A speaker's wish about his own cooperation
    ("Dia berharap melalui kerja sama sister city ini ...") stays. Refusals drop nothing.
    """
    blockers = [(s, e, kind) for s, e, kind in analysis.hedges if kind in ("negation", "wish")]
    if not blockers or not analysis.cue_starts:
        return analysis, []
    tokens = analysis.tokens
    keep: list[int] = []
    dropped: list[str] = []
    for k, start in enumerate(analysis.cue_starts):
        sentence = tokens[start].sentence
        why = ""
        for s, e, kind in blockers:
            if tokens[s].sentence != sentence or s >= start:
                continue
            if kind == "negation" and start - e <= _NEGATION_SPAN:
                why = "negated"
            elif (
                kind == "wish"
                and _wished_parties(analysis, s, start)
                and not any(
                    m.government
                    and m.role == "party"
                    and m.sentence == sentence
                    and 0 <= s - m.end <= _WISHER_SPAN
                    for m in analysis.mentions
                )
            ):
                why = "wish of a non-party"
        if why:
            dropped.append(f"{analysis.cue_terms[k]} ({why})")
        else:
            keep.append(k)
    if not dropped:
        return analysis, []
    windows: dict[int, list[str]] = {}
    for k in keep:
        windows.setdefault(tokens[analysis.cue_starts[k]].sentence, []).append(
            analysis.cue_terms[k]
        )
    return replace(
        analysis,
        cue_windows=sorted(windows.items()),
        cue_starts=tuple(analysis.cue_starts[k] for k in keep),
        cue_terms=tuple(analysis.cue_terms[k] for k in keep),
    ), dropped


def _wished_parties(analysis: Analysis, wish: int, cue: int) -> bool:
    """Whether a place named as a party stands between a wish word and its cue."""
    return any(m.role == "party" and wish < m.start < cue for m in analysis.mentions)


def _parties(
    analysis: Analysis, governments: set[str], windows: set[int], index: PartyIndex
) -> tuple[dict[str, Place], dict[str, int]]:
    """The parties near the unit's cues, and the places left out as not marked governments."""
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
        parties.setdefault(key, index.place(key, m.place))
    # ... unless it is joined to a party by a conjunction: "Papua dan Papua Barat kerja sama",
    # or is the partner a cue names ("kerja sama dengan Kota Bekasi, Depok dan Bogor")
    joined = {i for pair in analysis.linked for i in pair}
    complement = linked_closure(
        {k for k, m in enumerate(analysis.mentions) if m.start in analysis.complements},
        analysis.linked,
    )
    anchored = any(not p.foreign for p in parties.values())
    for key, k in sorted(unmarked.items(), key=lambda item: item[1]):
        partners_of_k = {j for pair in analysis.linked if k in pair for j in pair if j != k}
        # the anchor must be an Indonesian government: "sister city Jakarta dan Tokyo" in a
        # hotel's press release names no government at all
        # ... the mention it is joined to must itself be a party ("di Jambi dan Bengkulu"
        # names two locations, whatever else the sentence says about Jambi)
        if (
            k in joined
            and any(
                analysis.mentions[j].place.party in parties
                and not analysis.mentions[j].place.foreign
                and analysis.mentions[j].role == "party"
                for j in partners_of_k
            )
        ) or (k in complement and anchored):
            parties.setdefault(key, index.place(key, analysis.mentions[k].place))
    return _drop_subsumed_countries(parties), unmarked


def _group(
    analysis: Analysis, parties: dict[str, Place], windows: set[int], index: PartyIndex
) -> list[str]:
    """Unnamed groups of regional governments near the cues; adds them (and their listed
    members) to ``parties`` when a named Indonesian government is there too."""
    # an unnamed group of regional governments ("para bupati", "Koalisi Kabupaten ...")
    # completes a cooperation with a named regional government in the same window
    cue_sentences = {s for s, _ in analysis.cue_windows}
    group = [
        target
        for sentence, target, strict in analysis.collectives
        if sentence in (cue_sentences if strict else windows)
    ]
    if group:
        # "empat provinsi patungan ... asrama Aceh, NTB, Maluku": regions listed together
        # next to an unnamed group of regional governments are its members
        by_start = {m.start: m for m in analysis.mentions if m.role == "party"}
        for run in analysis.lists:
            members = [by_start[k] for k in run if k in by_start]
            if len(members) >= 2 and members[0].sentence in windows:
                for m in members:
                    if not m.place.foreign:
                        parties.setdefault(m.place.party, index.place(m.place.party, m.place))
    named = [p for p in parties.values() if not p.foreign]
    if group and named:
        provinces = {p.province for p in named}
        parties[_GROUP] = Place(
            _GROUP,
            "group",
            provinces.pop() if len(provinces) == 1 else "",
            "Indonesia",
            group[0],
            False,
        )
    return group


def _kind(
    analysis: Analysis,
    parties: dict[str, Place],
    group: bool,
    windows: set[int],
    index: PartyIndex,
    shared: bool,
) -> tuple[str, str]:
    """The coop_type of the parties near a cue, and the reason in words."""
    indonesian = {k: p for k, p in parties.items() if not p.foreign}
    foreign = {k: p for k, p in parties.items() if p.foreign}
    counterparts = "" if group or foreign else _counterpart_list(analysis, indonesian, windows)
    cue_sentences = {s for s, _ in analysis.cue_windows}
    if counterparts:
        return "none", counterparts
    # "Pemkab Serang koordinasi dengan Dinas Pendidikan Provinsi Banten ... Pemerintah Papua"
    # (next sentence): the cue's own sentence is a province and its region, hierarchy
    own = {
        m.place.party
        for m in analysis.mentions
        if m.role == "party" and m.sentence in cue_sentences and m.place.party in indonesian
    }
    if (
        len(own) >= 2
        and not foreign
        and _vertical(indonesian[k] for k in own)
        and not (analysis.agreement_cue or analysis.shared_cue or shared)
    ):
        return "none", (
            "the cue's own sentence names a province and a region inside it: "
            "hierarchy (other regions are only nearby)"
        )
    if foreign and indonesian:
        return "international", "foreign partner"
    if not foreign and indonesian and analysis.international_cue:
        return "international", "sister-city cue, partner unnamed"
    if not foreign and len(indonesian) >= 2:
        agg = index.shared_agglomeration(indonesian.values())
        if (
            not agg
            and cue_sentences & analysis.central_sentences
            and not _one_province(indonesian.values())
        ):
            return "none", (
                "regions in different provinces named with a national agency: its separate partners"
            )
        if _vertical(indonesian.values()) and not (
            analysis.agreement_cue or analysis.shared_cue or shared
        ):
            return "none", (
                "a province with regions inside it: hierarchy unless a signed "
                "agreement or a cost/facility shared among the regions is named"
            )
        return ("agglomeration", agg) if agg else ("domestic_other", "no shared metro region")
    if foreign and not indonesian:
        return "none", "foreign parties only (no Indonesian regional government)"
    return "none", "fewer than two governments near the cue"


def complete_with_counterpart(
    units: Sequence[tuple[str, str]], analyses: Sequence[Analysis | None], codings: list[Coding]
) -> None:
    """A foreign government met in the lead is the partner of the hosts' cooperation cues.

    News of a visit or audience ("Terima Konsulat India, Wagub ...") names the foreign
    government and the host in the title or first paragraph, then reports the cooperation in
    paragraphs that name only the host ("... bila terjalin kerja sama dengan Sumsel"). When
    the title and first paragraph mark exactly one foreign government as acting and at least
    one Indonesian regional government, a later cue unit whose only parties are such hosts is
    that international cooperation.
    """
    lead = [
        a
        for (label, _t), a in zip(units, analyses, strict=True)
        if a is not None and label in ("title", "p0")
    ]
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
    ((name, _place),) = foreign.items()
    for k, c in enumerate(codings):
        if c.basis != "none" or not c.cues or not c.parties or not set(c.parties) <= hosts:
            continue
        partners = tuple(sorted({*c.parties, name}))
        codings[k] = Coding(
            "international",
            partners,
            c.sectors,
            f"international: foreign counterpart {name} met in the title/first paragraph, "
            f"host {', '.join(c.parties)} named here; {c.evidence}",
            "direct",
            c.cues,
            partners,
            c.sector_terms,
            c.governments,
        )


def _counterpart_list(analysis: Analysis, parties: dict[str, Place], windows: set[int]) -> str:
    """Why the Indonesian parties near a cue are not partners of each other, or "".

    They are one list of places, and either every cue is help ("bantuan ... untuk Kota Batam,
    Kab. Bintan dan Kab. Karimun": recipients of a third party's aid) or the list follows a
    cue in its sentence ("berkoordinasi dengan Bupati Tangerang, Wali Kota Tangerang" after an army
    commander): the counterparts of the cue's subject, who is not a regional government.
    """
    if len(parties) < 2:
        return ""
    by_start = {
        m.start: m
        for m in analysis.mentions
        if m.role == "party" and m.sentence in windows and not m.place.foreign
    }
    for run in analysis.lists:
        members = [by_start[k] for k in run if k in by_start]
        if not members or not set(parties) <= {m.place.party for m in members}:
            continue
        sentence = members[0].sentence
        if analysis.aid_only:
            return "the governments near the aid cue are one list of recipients (no giver named)"
        if any(
            analysis.tokens[c].sentence == sentence and c < members[0].start
            for c in analysis.cue_starts
        ):
            return "the governments are one list after the cue: counterparts of its subject"
    return ""


def _one_province(places: Iterable[Place]) -> bool:
    return len({p.province for p in places}) == 1


def _vertical(places: Iterable[Place]) -> bool:
    """A provincial government and only regencies/cities inside that province."""
    places = list(places)
    provinces = [p for p in places if p.level in ("province", "special_region")]
    return len(provinces) == 1 and _one_province(places) and len(places) >= 2


def _drop_subsumed_countries(parties: dict[str, Place]) -> dict[str, Place]:
    countries_with_cities = {
        p.country for p in parties.values() if p.foreign and p.level != "country"
    }
    return {
        k: p
        for k, p in parties.items()
        if not (p.foreign and p.level == "country" and p.canonical in countries_with_cities)
    }


def document_partners(direct: list[tuple[str, Coding]]) -> tuple[tuple[str, ...], tuple[str, ...]]:
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


def evidence_text(
    decision: str,
    cues: Sequence[str],
    parties: Sequence[str],
    ignored: Sequence[str],
    sector_terms: Sequence[str],
) -> str:
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
