"""Seed-like inputs for the compare tests, built in code (hand-coded labels, made-up stems).

Mirrors the five bundled seeds: 000 and 001 are agglomeration (Bekasi, Banten), 002-004
international (Kuala Lumpur twice, Ankara), published April, July and August 2025. No corpus
text is used: paragraphs are short lists of invented stems, chosen so the expected counts are
easy to check by hand. A sixth document is a flagged duplicate, which every table must ignore.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

# doc_id: (outlet, date, coop_type, partners, sectors)
DOCUMENTS = {
    "seed-000": (
        "ntvnews.id",
        "2025-07-08",
        "agglomeration",
        ["Bekasi", "Jakarta"],
        ["transport", "waste", "water"],
    ),
    "seed-001": (
        "beritanasional.com",
        "2025-04-09",
        "agglomeration",
        ["Banten", "Jakarta"],
        ["digital_governance", "flood", "transport", "waste"],
    ),
    "seed-002": (
        "bisnis.com",
        "2025-08-11",
        "international",
        ["Jakarta", "Kuala Lumpur"],
        ["culture_tourism", "environment_climate", "flood", "health", "transport", "waste"],
    ),
    "seed-003": (
        "trt.global",
        "2025-08-21",
        "international",
        ["Ankara", "Jakarta"],
        [
            "culture_tourism",
            "digital_governance",
            "education_youth_sport",
            "environment_climate",
            "health",
            "transport",
            "water",
        ],
    ),
    "seed-004": (
        "suarablitar.com",
        "2025-08-11",
        "international",
        ["Jakarta", "Kuala Lumpur"],
        ["culture_tourism", "environment_climate", "flood", "health", "transport", "waste"],
    ),
}
DUPLICATE = "seed-005"  # a syndicated copy of seed-004: flagged by ingest, excluded everywhere

# doc_id -> list of (paragraph coop_type, sectors, stems)
PARAGRAPHS = {
    "seed-000": [
        ("agglomeration", ["transport"], ["bekasi", "mobilitas", "kerja_sama"]),
        ("agglomeration", ["water"], ["bekasi", "air_bersih"]),
        ("none", [], ["warga", "kota"]),
    ],
    "seed-001": [
        ("agglomeration", ["digital_governance"], ["banten", "jaki", "kerja_sama"]),
        ("agglomeration", ["transport", "waste"], ["banten", "sampah", "mobilitas"]),
        ("none", [], ["warga"]),
    ],
    "seed-002": [
        ("international", ["transport"], ["kuala_lumpur", "macet", "sister_city"]),
        ("international", ["health"], ["kuala_lumpur", "sehat"]),
    ],
    "seed-003": [
        ("international", ["water"], ["ankara", "air_bersih", "kerja_sama"]),
        ("international", ["culture_tourism"], ["ankara", "budaya"]),
        ("none", [], ["kota"]),
    ],
    "seed-004": [
        ("international", ["transport"], ["kuala_lumpur", "sister_city", "macet"]),
        ("international", ["flood"], ["banjir", "kuala_lumpur"]),
    ],
}

TOPICS = {  # para_id -> (topic, label); none-paragraphs are not modelled (fit_on = relevant)
    "seed-000:p000": (0, "0_mobilitas_macet"),
    "seed-000:p001": (1, "1_air_bersih_sampah"),
    "seed-001:p000": (-1, "-1_outlier"),
    "seed-001:p001": (0, "0_mobilitas_macet"),
    "seed-002:p000": (0, "0_mobilitas_macet"),
    "seed-002:p001": (-1, "-1_outlier"),
    "seed-003:p000": (1, "1_air_bersih_sampah"),
    "seed-003:p001": (2, "2_budaya_sister_city"),
    "seed-004:p000": (0, "0_mobilitas_macet"),
    "seed-004:p001": (1, "1_air_bersih_sampah"),
}


def documents() -> pd.DataFrame:
    rows = [
        {
            "doc_id": doc_id,
            "source_file": f"{doc_id}.txt",
            "record": None,
            "outlet": outlet,
            "date": pd.Timestamp(date),
            "title": f"title {doc_id}",
            "url": None,
            "text": "x",
            "language": "id",
            "n_words": 100,
            "duplicate_of": None,
        }
        for doc_id, (outlet, date, *_rest) in DOCUMENTS.items()
    ]
    rows.append(
        {
            **rows[-1],
            "doc_id": DUPLICATE,
            "source_file": f"{DUPLICATE}.txt",
            "outlet": "copy.example",
            "duplicate_of": "seed-004",
        }
    )
    return pd.DataFrame(rows)


def paragraphs() -> pd.DataFrame:
    rows = []
    for doc_id, paras in {**PARAGRAPHS, DUPLICATE: PARAGRAPHS["seed-004"]}.items():
        for index, (_coop, _sectors, stems) in enumerate(paras):
            rows.append(
                {
                    "para_id": f"{doc_id}:p{index:03d}",
                    "doc_id": doc_id,
                    "para_index": index,
                    "text": "x",
                    "tokens": stems,
                    "stems": stems,
                }
            )
    return pd.DataFrame(rows)


def classified() -> pd.DataFrame:
    rows = []
    documents_coded = {**DOCUMENTS, DUPLICATE: DOCUMENTS["seed-004"]}
    for doc_id, (_outlet, _date, coop, partners, sectors) in documents_coded.items():
        rows.append(
            {
                "level": "document",
                "doc_id": doc_id,
                "para_id": None,
                "coop_type": coop,
                "partners": partners,
                "sectors": sorted(sectors),
                "evidence": "hand",
            }
        )
    for doc_id, paras in {**PARAGRAPHS, DUPLICATE: PARAGRAPHS["seed-004"]}.items():
        for index, (coop, sectors, _stems) in enumerate(paras):
            rows.append(
                {
                    "level": "paragraph",
                    "doc_id": doc_id,
                    "para_id": f"{doc_id}:p{index:03d}",
                    "coop_type": coop,
                    "partners": [],
                    "sectors": sorted(sectors),
                    "evidence": "hand",
                }
            )
    return pd.DataFrame(rows)


def topics() -> pd.DataFrame:
    rows = [
        {"para_id": pid, "doc_id": pid.split(":")[0], "topic": topic, "topic_label": label}
        for pid, (topic, label) in TOPICS.items()
    ]
    return pd.DataFrame(rows).astype({"topic": "int64"})


def write_inputs(directory: Path) -> dict[str, Path]:
    """Write the four stage outputs as Parquet; return their paths keyed like run_compare args."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {
        "documents_path": directory / "documents.parquet",
        "paragraphs_path": directory / "paragraphs.parquet",
        "classified_path": directory / "classified.parquet",
        "topics_path": directory / "topics.parquet",
    }
    documents().to_parquet(paths["documents_path"], index=False)
    paragraphs().to_parquet(paths["paragraphs_path"], index=False)
    classified().to_parquet(paths["classified_path"], index=False)
    topics().to_parquet(paths["topics_path"], index=False)
    return paths
