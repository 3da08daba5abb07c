"""Write tests/topics/fixtures/coherence_gensim.json: gensim's coherence values on a hand-made corpus.

Runs with gensim only (no project code), in a throwaway environment, so the project's tests can
check ``analysis.topics.coherence`` against gensim without installing it:

    python3 -m venv /tmp/gensim-venv && /tmp/gensim-venv/bin/pip install gensim==4.4.0
    /tmp/gensim-venv/bin/python benchmarks/coherence_gensim_reference.py

The corpus exercises what differs between implementations: documents shorter than, equal to
and longer than the window, an empty document, a word repeated inside one window (gensim's
sliding window forgets it when its first occurrence leaves), topic words absent from the
corpus, a pair that never co-occurs and a topic left with one word. Values gensim returns as
NaN (a topic with no pair to score) are written as null.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

OUT = (
    Path(__file__).resolve().parents[1] / "tests" / "topics" / "fixtures" / "coherence_gensim.json"
)

_BASE = [
    "gubernur jakarta pramono terima kunjung wali_kota bekasi balai_kota jakarta",
    "jakarta bekasi kerja_sama mobilitas warga kerja_sama transportasi",
    "kuala_lumpur jakarta sister_city kerja_sama budaya",
    "",
    "banjir sampah kelola air_bersih jakarta",
    "jakarta kuala_lumpur sister_city jalin kerja_sama atas tantang macet banjir kota",
    "sampah kelola budaya tukar kolaborasi kota sehat bidang sampah kelola",
    "pramono",
    "bekasi flyover park_and_ride bangun mobilitas pramono jakarta bekasi dukung teknis",
    "kuala_lumpur maimunah dato seri wali_kota optimis manfaat kuala_lumpur jakarta kerja_sama "
    "budaya banjir tukar",
    "air_bersih banjir sampah kota jakarta kelola air_bersih banjir",
    "banten gubernur pramono jakarta kunjung",
]
# Two long documents: one spans several 10-token windows with repeats close together, one is
# longer than C_V's 110-token window.
_LONG_A = (
    "jakarta kerja_sama jakarta bekasi kerja_sama mobilitas jakarta warga bekasi "
    "transportasi kerja_sama flyover jakarta bangun bekasi pramono kerja_sama jakarta "
    "mobilitas bekasi warga jakarta"
)
_LONG_B = " ".join(
    [
        "kuala_lumpur sister_city jakarta budaya tukar kerja_sama",
        "banjir sampah kelola air_bersih kota sehat",
        "jakarta bekasi mobilitas transportasi flyover warga",
        "pramono gubernur wali_kota kunjung balai_kota terima",
    ]
    * 5
)
CORPUS = [doc.split() for doc in _BASE] + [_LONG_A.split(), _LONG_B.split()]
TOPICS = [
    ["jakarta", "kuala_lumpur", "kerja_sama", "sister_city", "budaya"],
    ["sampah", "kelola", "air_bersih", "banjir", "kota_tua", "kota"],
    ["bekasi", "mobilitas", "flyover", "transportasi", "warga", "pramono", "jakarta"],
    ["maimunah", "macet", "teknis", "banten"],
    ["pramono", "tidak_ada"],
    ["gubernur", "wali_kota", "kunjung", "kunjung", "terima"],
]
# Measure name in the fixture -> (gensim coherence, window size).
CASES = {
    "c_npmi_w10": ("c_npmi", 10),
    "c_npmi_w3": ("c_npmi", 3),
    "c_npmi_paragraph": ("c_npmi", 10_000),
    "c_v_w110": ("c_v", 110),
    "c_v_w4": ("c_v", 4),
    "c_v_paragraph": ("c_v", 10_000),
}


def _clean(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def main() -> int:
    import gensim
    import numpy as np
    from gensim.corpora import Dictionary
    from gensim.models.coherencemodel import CoherenceModel

    dictionary = Dictionary(CORPUS)
    expected = {}
    for name, (measure, window) in CASES.items():
        model = CoherenceModel(
            topics=TOPICS,
            texts=CORPUS,
            dictionary=dictionary,
            coherence=measure,
            window_size=window,
            topn=50,
            processes=1,
        )
        with np.errstate(all="ignore"):
            by_topic = model.get_coherence_per_topic()
        expected[name] = {
            "coherence": measure,
            "window_size": window,
            "by_topic": [_clean(v) for v in by_topic],
        }
    payload = {
        "generator": "benchmarks/coherence_gensim_reference.py",
        "gensim_version": gensim.__version__,
        "numpy_version": np.__version__,
        "corpus": [" ".join(doc) for doc in CORPUS],
        "topics": TOPICS,
        "expected": expected,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT} (gensim {gensim.__version__})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
