"""The codebook: stable ids of the kinds of cooperation, sectors and metropolitan regions."""

from __future__ import annotations

__all__ = [
    "COOP_TYPES",
    "COOP_DISPLAY_ORDER",
    "CONTRAST",
    "COOPERATION_TYPES",
    "SECTORS",
    "AGGLOMERATIONS",
    "INDONESIAN_LEVELS",
    "FOREIGN_LEVELS",
]

# Reports and tests use these ids (DESIGN.md, data/annotations/GUIDE.md). Two orders of the kinds
# of cooperation exist on purpose and are named apart: the codebook order of the ids (confusion
# matrices, evidence, gold checks) and the display order of tables and figures, which puts the
# two kinds the study contrasts first.

#: Codebook order of the coop_type ids.
COOP_TYPES: tuple[str, ...] = ("agglomeration", "domestic_other", "international", "none")
#: The order tables and figures show the kinds in: the contrasted pair first, "none" last.
COOP_DISPLAY_ORDER: tuple[str, ...] = ("agglomeration", "international", "domestic_other", "none")
#: The two kinds the research question contrasts (log-odds: positive z leans to the first).
CONTRAST: tuple[str, str] = ("agglomeration", "international")
#: Kinds that are cooperation, in display order ("none" has no sector, topic or partner profile).
COOPERATION_TYPES: tuple[str, ...] = ("agglomeration", "international", "domestic_other")

SECTORS: tuple[str, ...] = (
    "transport",
    "water",
    "waste",
    "flood",
    "environment_climate",
    "health",
    "culture_tourism",
    "education_youth_sport",
    "digital_governance",
    "economy_trade",
    "food_security",
    "spatial_planning_housing",
    "other",
)
#: Metropolitan regions (agglomeration ids of gazetteer_indonesia.csv), in codebook order.
AGGLOMERATIONS: tuple[str, ...] = (
    "jabodetabekjur",
    "gerbangkertosusila",
    "bandung_raya",
    "kedungsepur",
    "mebidangro",
    "sarbagita",
    "maminasata",
    "kartamantul",
)
#: Government levels of the two gazetteers.
INDONESIAN_LEVELS: tuple[str, ...] = ("province", "special_region", "city", "regency")
FOREIGN_LEVELS: tuple[str, ...] = ("city", "region", "country", "agency")
