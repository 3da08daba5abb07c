"""How strong a document's cooperation evidence is: a confidence level and its reason codes."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from .decide import Coding

__all__ = ["CONFIDENCE_LEVELS", "REASON_CODES", "assess"]

CONFIDENCE_LEVELS = ("high", "low")
#: Reason codes, supporting ones first (docs/classification.md, "Confidence").
REASON_CODES = (
    "instrument",
    "several_units",
    "title_cue",
    "two_sided",
    "single_cue",
    "no_instrument",
    "no_title_cue",
    "one_sided_partners",
    "negated_nearby",
    "wish_nearby",
    "refusal_nearby",
)
_HEDGE_REASONS = {"negation": "negated_nearby", "wish": "wish_nearby", "refusal": "refusal_nearby"}
_HEDGE_TOLERANCE = 3  # from this many cooperation units on, a hedge word no longer lowers


def assess(
    coop_type: str,
    partners: Sequence[str],
    title: Coding | None,
    units: Sequence[Coding],
    instrument_terms: Collection[str],
    foreign: Collection[str] = (),
) -> tuple[str, tuple[str, ...]]:
    """The confidence (``high``/``low``) of a document's coding and its reason codes.

    High needs strong evidence -- a signed instrument (MoU, perjanjian kerja sama, sister
    city: a cue of kind agreement or international), two or more cooperation units, or a cue in
    the title -- and partners named on both sides (two partners marked as governments, a
    foreign partner counting as marked); a negation, wish or refusal word left in the
    cooperation units of a document with fewer than three of them lowers it too. Everything
    else coded is low; ``none`` has no confidence (``("", ())``).

    Args:
        coop_type: the document's type.
        partners: its main partners.
        title: the title's coding (None without a title).
        units: the codings of the title and the paragraphs (title first when present).
        instrument_terms: cue terms naming a signed instrument.
        foreign: partner names that are foreign governments.
    """
    if coop_type == "none":
        return "", ()
    coop = [c for c in units if c.coop_type == coop_type and c.basis in ("direct", "inherited")]
    direct = [c for c in coop if c.basis == "direct"]
    marked = {g for c in units for g in c.governments} | set(foreign)
    instrument = any(cue in instrument_terms for c in coop for cue in c.cues)
    several = len(direct) >= 2
    in_title = title is not None and title.basis == "direct" and title.coop_type == coop_type
    two_sided = sum(p in marked for p in partners) >= 2
    hedges = sorted({_HEDGE_REASONS[h] for c in coop for h in c.hedges if h in _HEDGE_REASONS})
    strong = [
        code
        for code, ok in (
            ("instrument", instrument),
            ("several_units", several),
            ("title_cue", in_title),
            ("two_sided", two_sided),
        )
        if ok
    ]
    hedged = bool(hedges) and len(direct) < _HEDGE_TOLERANCE
    if (instrument or several or in_title) and two_sided and not hedged:
        return "high", tuple(strong)
    weak = [
        code
        for code, missing in (
            ("single_cue", not several),
            ("no_instrument", not instrument),
            ("no_title_cue", not in_title),
            ("one_sided_partners", not two_sided),
        )
        if missing
    ]
    return "low", tuple(weak + hedges)
