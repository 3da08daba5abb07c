"""Tiny stage outputs for the explorer tests: three coded articles (one hostile), five coded none.

The articles are written for these tests (not taken from any outlet or corpus). Their evidence
strings follow classify's format, including one segment the explorer does not know. The hostile
article carries markup and script in its title, text, outlet, partners and evidence.
"""

from __future__ import annotations

import re

import pandas as pd

from analysis.report._explore_topics import class_tfidf

HOSTILE_TITLE = '<script>window.__pwned = 1</script> Kerja sama "Depok" & Bogor'
HOSTILE_TEXT = 'Pemkot Depok dan Pemkab Bogor sepakat kerja sama <img src=x onerror="window.__pwned = 2"> banjir.'
HOSTILE_TAIL = "</script><script>window.__pwned = 3</script> <!-- komentar --> &amp; selesai."
HOSTILE_OUTLET = '<b onmouseover="window.__pwned = 4">evil</b>.example'
HOSTILE_NOTE = "<svg onload=window.__pwned=5>"

NONE_SUMMARY = "document: none (no unit with a cue and two governments)"

# doc_id -> (title, date, outlet, coop_type, partners, sectors, document evidence, paragraphs)
# paragraphs: (text, paragraph coop_type, paragraph sectors, paragraph evidence, topic or None)
ARTICLES = {
    "a_sampah.txt": (
        "Jakarta dan Bekasi Perpanjang Kerja Sama Sampah",
        "2025-03-10",
        "contoh.id",
        "agglomeration",
        ["Bekasi", "Jakarta"],
        ["waste"],
        "document: agglomeration (votes agglomeration=3)\npartners: Bekasi; Jakarta\n"
        "title: agglomeration: jabodetabekjur | cues: kerja sama | parties: Bekasi(gov), "
        "Jakarta(gov) | sectors: waste:sampah\n"
        "p0: agglomeration: jabodetabekjur | cues: kerja sama, sepakat | parties: Bekasi(gov), "
        "Jakarta(gov) | sectors: waste:sampah\n"
        "p2: agglomeration: inherited from document (cue here, parties none already partners); "
        "none: fewer than two governments near the cue | cues: kerja sama",
        [
            (
                "Pemerintah Provinsi DKI Jakarta dan Pemerintah Kota Bekasi sepakat memperpanjang "
                "kerja sama pengelolaan sampah. Penandatanganan dilakukan di Balai Kota.",
                "agglomeration",
                ["waste"],
                "agglomeration: jabodetabekjur | cues: kerja sama, sepakat | parties: Bekasi(gov), "
                "Jakarta(gov) | sectors: waste:sampah",
                0,
            ),
            ("Warga sekitar menyambut baik keputusan itu.", "none", [], "no cooperation cue", -1),
            (
                "Kerja samanya berlaku lima tahun untuk pengelolaan sampah.",
                "agglomeration",
                ["waste"],
                "agglomeration: inherited from document (cue here, parties none already partners); "
                "none: fewer than two governments near the cue | cues: kerja sama | sectors: "
                "waste:sampah",
                0,
            ),
        ],
    ),
    "b_sister.txt": (
        "Jakarta dan Kuala Lumpur Resmikan Sister City",
        "2025-04-02",
        "berita.example",
        "international",
        ["Jakarta", "Kuala Lumpur"],
        ["transport"],
        "document: international (votes international=3)\npartners: Jakarta; Kuala Lumpur\n"
        "mentioned once, not a main partner: Selangor\n"
        "p0: international: foreign party | cues: kerja sama, sister city | parties: "
        "Jakarta(gov), Kuala Lumpur(gov) | sectors: transport:transportasi",
        [
            (
                "Jakarta dan Kuala Lumpur meresmikan kerja sama sister city di bidang transportasi.",
                "international",
                ["transport"],
                "international: foreign party | cues: kerja sama, sister city | parties: "
                "Jakarta(gov), Kuala Lumpur(gov) | sectors: transport:transportasi",
                1,
            ),
            (
                "Kedua kota juga membahas pertukaran budaya.",
                "none",
                ["culture_tourism"],
                "no cooperation cue | sectors: culture_tourism:budaya",
                1,
            ),
        ],
    ),
    "c_hostile.txt": (
        HOSTILE_TITLE,
        "2025-04-20",
        HOSTILE_OUTLET,
        "agglomeration",
        ["Bogor", "Depok"],
        ["flood"],
        "document: agglomeration (votes agglomeration=1)\npartners: Bogor; Depok\n"
        f"p0: agglomeration: jabodetabekjur | cues: kerja sama, sepakat | parties: Bogor(gov), "
        f"Depok(gov) | sectors: flood:banjir | note: {HOSTILE_NOTE}\n"
        f"an unknown line {HOSTILE_NOTE}",
        [
            (
                HOSTILE_TEXT,
                "agglomeration",
                ["flood"],
                "agglomeration: jabodetabekjur | cues: kerja sama, sepakat | parties: Bogor(gov), "
                f"Depok(gov) | sectors: flood:banjir | note: {HOSTILE_NOTE}",
                0,
            ),
            (HOSTILE_TAIL, "none", [], "no cooperation cue", 1),
        ],
    ),
    **{
        f"n{k}.txt": (
            f"Berita lain nomor {k}",
            f"2025-0{k}-15" if k != 5 else None,
            "contoh.id",
            "none",
            [],
            [],
            NONE_SUMMARY
            + (
                "\np0: none: fewer than two governments near the cue | cues: kerja sama"
                if k == 1
                else ""
            ),
            [
                (
                    f"Pasar malam nomor {k} ramai pengunjung. Harga cabai naik.",
                    "none",
                    [],
                    "none: fewer than two governments near the cue | cues: kerja sama"
                    if k == 1
                    else "no cooperation cue",
                    1 if k == 1 else None,
                )
            ],
        )
        for k in range(1, 6)
    },
}

# A few Sastrawi-like stems, enough for readable words to differ from stems.
_STEMS = {
    "memperpanjang": "panjang",
    "pengelolaan": "kelola",
    "meresmikan": "resmi",
    "membahas": "bahas",
    "pertukaran": "tukar",
    "berlaku": "laku",
    "menyambut": "sambut",
    "keputusan": "putus",
    "penandatanganan": "tanda_tangan",
    "dilakukan": "laku",
    "pengunjung": "kunjung",
}
_JOIN = {
    ("kerja", "sama"): "kerja_sama",
    ("kuala", "lumpur"): "kuala_lumpur",
    ("sister", "city"): "sister_city",
    ("kerja", "samanya"): "kerja_sama",
}


def _tokens(text: str) -> list[str]:
    words = [w.lower() for w in re.findall(r"[^\W_]+", text)]
    out, i = [], 0
    while i < len(words):
        pair = tuple(words[i : i + 2])
        if pair in _JOIN:
            out.append(_JOIN[pair])
            i += 2
        else:
            out.append(words[i])
            i += 1
    return out


def tables() -> dict[str, pd.DataFrame]:
    """documents, paragraphs, classified, topics (parquet tables) and topic_table (topics.csv)."""
    docs, paras, classified, topics = [], [], [], []
    for doc_id, (title, date, outlet, kind, partners, sectors, evidence, body) in sorted(
        ARTICLES.items()
    ):
        docs.append(
            {
                "doc_id": doc_id,
                "source_file": doc_id,
                "record": None,
                "outlet": outlet,
                "date": pd.Timestamp(date) if date else pd.NaT,
                "title": title,
                "url": f"https://example.org/{doc_id}",
                "text": "\n\n".join(p[0] for p in body),
                "language": "id",
                "n_words": 50,
                "duplicate_of": None,
            }
        )
        classified.append(
            {
                "level": "document",
                "doc_id": doc_id,
                "para_id": None,
                "para_index": None,
                "para_fingerprint": None,
                "coop_type": kind,
                "partners": partners,
                "sectors": sectors,
                "evidence": evidence,
            }
        )
        for index, (text, p_kind, p_sectors, p_evidence, topic) in enumerate(body):
            para_id = f"{doc_id}:p{index:03d}"
            tokens = _tokens(text)
            paras.append(
                {
                    "para_id": para_id,
                    "doc_id": doc_id,
                    "para_index": index,
                    "text": text,
                    "tokens": tokens,
                    "stems": [_STEMS.get(t, t) for t in tokens],
                }
            )
            classified.append(
                {
                    "level": "paragraph",
                    "doc_id": doc_id,
                    "para_id": para_id,
                    "para_index": float(index),
                    "para_fingerprint": "0" * 12,
                    "coop_type": p_kind,
                    "partners": partners if p_kind != "none" else [],
                    "sectors": p_sectors,
                    "evidence": p_evidence,
                }
            )
            if topic is not None:
                topics.append(
                    {
                        "para_id": para_id,
                        "doc_id": doc_id,
                        "topic": topic,
                        "topic_label": "",
                        "fitted": True,
                        "reassigned": False,
                    }
                )
    paragraphs = pd.DataFrame(paras).astype({"para_index": "int32"})
    assignments = pd.DataFrame(topics).astype({"topic": "int64"})
    return {
        "documents": pd.DataFrame(docs),
        "paragraphs": paragraphs,
        "classified": pd.DataFrame(classified),
        "topics": assignments,
        "topic_table": topic_table(paragraphs, assignments),
    }


def topic_table(paragraphs: pd.DataFrame, assignments: pd.DataFrame) -> pd.DataFrame:
    """topics.csv as the topics stage writes it: top words by c-TF-IDF, ties alphabetical."""
    merged = assignments.merge(paragraphs[["para_id", "stems", "text"]], on="para_id")
    ids, vocabulary, matrix = class_tfidf(merged["stems"].tolist(), merged["topic"].tolist())
    rows = []
    for r, topic in enumerate(ids):
        scores = matrix[r].toarray().ravel()
        order = sorted(range(len(vocabulary)), key=lambda k: (-scores[k], vocabulary[k]))
        words = [vocabulary[k] for k in order if scores[k] > 0][:10]
        members = merged[merged["topic"] == topic]
        rows.append(
            {
                "topic": topic,
                "label": "outliers (no topic)"
                if topic == -1
                else ", ".join(w.replace("_", " ") for w in words[:4]),
                "size": len(members),
                "share": len(members) / len(merged),
                "top_words": " ".join(words),
                "representative_para_id": members["para_id"].iloc[0],
                "representative_text": members["text"].iloc[0],
            }
        )
    return pd.DataFrame(rows)


def write_processed(folder, tables_: dict[str, pd.DataFrame] | None = None):
    """Write the tables as the stages do: ``folder/processed/*.parquet``, ``folder/topics/topics.csv``."""
    from pathlib import Path

    tables_ = tables_ or tables()
    processed = Path(folder) / "processed"
    topics_dir = Path(folder) / "topics"
    processed.mkdir(parents=True, exist_ok=True)
    topics_dir.mkdir(parents=True, exist_ok=True)
    for name in ("documents", "paragraphs", "classified", "topics"):
        tables_[name].to_parquet(processed / f"{name}.parquet", index=False)
    tables_["topic_table"].to_csv(topics_dir / "topics.csv", index=False)
    return processed, topics_dir


def build(t: dict[str, pd.DataFrame] | None = None, **options):
    """The explorer's data from whole tables in memory (default: :func:`tables`, seed 7, two
    sampled ``none`` articles)."""
    from analysis.report.explore import build_explorer_data
    from analysis.report.figures import load_labels

    t = t or tables()
    options.setdefault("seed", 7)
    options.setdefault("none_sample", 2)
    return build_explorer_data(
        t["documents"],
        t["paragraphs"],
        t["classified"],
        t["topics"],
        t["topic_table"],
        load_labels(),
        **options,
    )


def cli_args(processed, topics_dir, out, *extra: str) -> list[str]:
    """``python -m analysis explore`` arguments for a page built from ``write_processed``."""
    return [
        "explore",
        "--processed-dir",
        str(processed),
        "--topics-dir",
        str(topics_dir),
        "-o",
        str(out),
        *extra,
    ]
