"""The compact duplicate detector: the decisions of datasketch's MinHash LSH + exact Jaccard,
without texts or shingles in memory, and a scratch folder that never outlives the run."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.text import dedup as dedup_module
from analysis.text.dedup import Deduplicator, fingerprint, lsh_bands

SEED = 20250811
PROJECT_ROOT = Path(__file__).resolve().parents[2]

# 120 distinct words, so the 5-shingles of the hand-made articles are distinct too
WORDS = [
    f"{a}{b}"
    for a in ("kota", "dinas", "warga", "jalan", "pasar", "bank", "sungai", "banjir")
    for b in (
        "raya",
        "baru",
        "lama",
        "timur",
        "barat",
        "utara",
        "selatan",
        "tengah",
        "besar",
        "kecil",
        "hijau",
        "biru",
        "merah",
        "putih",
        "hitam",
    )
]


def _article(start: int, n: int = 80) -> str:
    return " ".join(WORDS[(start + 7 * i) % len(WORDS)] for i in range(n))


def _replace(text: str, positions: list[int], word: str = "pengganti") -> str:
    words = text.split()
    for p in positions:
        words[p] = f"{word}{p}"
    return " ".join(words)


class _DatasketchReference:
    """Today's detector before the change (datasketch MinHash LSH + exact Jaccard), as the
    reference the compact one must agree with."""

    def __init__(self, threshold: float, seed: int):
        from datasketch import MinHashLSH

        self.threshold, self.seed = threshold, seed
        self.lsh = MinHashLSH(threshold=max(0.05, threshold - 0.15), num_perm=128)
        self.exact: dict[bytes, str] = {}
        self.shingles: dict[str, np.ndarray] = {}
        self.order: dict[str, int] = {}

    def check(self, doc_id, found):
        from datasketch import MinHash

        if found.digest in self.exact:
            return self.exact[found.digest]
        minhash = MinHash(num_perm=128, seed=self.seed, hashvalues=found.minhash, scheme="affine32")
        best = None
        for candidate in self.lsh.query(minhash):
            other = self.shingles[candidate]
            inter = np.intersect1d(found.shingles, other, assume_unique=True).size
            jaccard = inter / (found.shingles.size + other.size - inter)
            if jaccard >= self.threshold and (
                best is None or self.order[candidate] < self.order[best]
            ):
                best = candidate
        if best is not None:
            return best
        self.exact[found.digest] = doc_id
        self.lsh.insert(doc_id, minhash)
        self.shingles[doc_id] = found.shingles
        self.order[doc_id] = len(self.order)
        return None


def _hand_made() -> list[tuple[str, str]]:
    a, b = _article(0), _article(3)
    return [
        ("a", a),
        ("b", b),  # distinct from a
        ("a_reflowed", a.upper().replace(" ", " ,\n ")),  # the same words: exact copy of a
        ("a_near", _replace(a, [70])),  # one word changed: Jaccard 71/81 = 0.88, near copy of a
        ("a_far", _replace(a, list(range(5, 80, 4)))),  # 19 words changed: distinct
        ("a_near_near", _replace(a, [70, 72])),  # near copy of a (earliest match wins, not a_near)
        ("b_short", " ".join(b.split()[:60])),  # Jaccard 56/76 = 0.74 with b: below 0.8
        ("tiny", "satu dua"),  # fewer words than a shingle
        ("tiny_copy", "Satu, dua!"),
    ]


EXPECTED = {
    "a": None,
    "b": None,
    "a_reflowed": "a",
    "a_near": "a",
    "a_far": None,
    "a_near_near": "a",
    "b_short": None,
    "tiny": None,
    "tiny_copy": "tiny",
}


def _decide(detector, docs):
    return {doc_id: detector.check(doc_id, fingerprint(text, SEED)) for doc_id, text in docs}


def test_signatures_and_bands_are_datasketchs():
    from datasketch import MinHash
    from datasketch.lsh import _optimal_param

    for _doc_id, text in _hand_made():
        found = fingerprint(text, SEED)
        reference = MinHash(num_perm=128, seed=SEED, hashfunc=int, scheme="affine32")
        reference.update_batch(found.shingles.tolist())
        assert np.array_equal(found.minhash, reference.hashvalues)
        assert found.minhash.dtype == np.uint32 and len(found.digest) == 20
    assert lsh_bands(0.65) == (16, 8)
    for threshold in (0.05, 0.3, 0.5, 0.65, 0.75, 0.85):
        assert lsh_bands(threshold) == _optimal_param(threshold, 128, 0.5, 0.5)


def test_compiled_shingles_and_minhash_equal_the_numpy_reference():
    """The numba kernel gives the NumPy reference's shingle hashes and signature, bit for bit,
    on texts of 0 to 6 words, non-ASCII words (multi-byte UTF-8, ``casefold``), repeated
    shingles and a long text; and the hashes checked by hand from zlib's CRC-32."""
    import zlib

    from analysis.text.tokens import WORD_RUN

    texts = [
        "",
        "satu",
        "Satu, dua tiga",
        "a b c d",
        "a b c d e",
        "a b c d e f",
        "Straße İstanbul Ǆemal 東京 kota Jakarta-Bekasi",
        "x y " * 2000,  # 2 distinct shingles among 3,996
        *(text for _doc_id, text in _hand_made()),
    ]
    for seed in (1, SEED):
        for text in texts:
            found = fingerprint(text, seed)
            shingles, signature = dedup_module._fingerprint_arrays(
                WORD_RUN.findall(text.casefold()), seed
            )
            assert found.shingles.dtype == found.minhash.dtype == np.uint32
            assert np.array_equal(found.shingles, shingles), text[:40]
            assert np.array_equal(found.minhash, signature), text[:40]
    crc = [zlib.crc32(w.encode()) for w in ("satu", "dua", "tiga")]
    assert fingerprint("Satu, dua tiga", SEED).shingles.tolist() == [sum(crc) & 0xFFFFFFFF]
    value = 0
    for word in "abcde":
        value = (value * 1_000_003 + zlib.crc32(word.encode())) % (1 << 64)
    assert fingerprint("a b c d e", SEED).shingles.tolist() == [
        (value ^ (value >> 32)) & 0xFFFFFFFF
    ]
    assert fingerprint("", SEED).shingles.tolist() == [0]
    assert fingerprint("x y " * 2000, SEED).shingles.size == 2


def test_band_keys_match_exactly_the_shared_bands_and_fingerprints_pickle_whole(tmp_path):
    """Two signatures that agree on one band only share that band's key, a band's key does not
    depend on the other bands, and a fingerprint comes back from a worker (pickle) equal."""
    import pickle

    with Deduplicator(0.8, SEED, str(tmp_path)) as detector:
        rows = detector.bands[0][1]
        first = np.arange(128, dtype=np.uint32) * np.uint32(2_654_435_761)
        second = first + np.uint32(1)
        second[3 * rows : 4 * rows] = first[3 * rows : 4 * rows]  # band 3 shared
        keys_a, keys_b = detector._band_keys(first), detector._band_keys(second)
        assert len(keys_a) == len(detector.bands) == 16
        assert [a == b for a, b in zip(keys_a, keys_b)] == [k == 3 for k in range(16)]
        assert len(set(keys_a)) == 16 and all(0 <= k < 1 << 64 for k in keys_a)
        assert detector._shares_band(first, second)
    found = fingerprint(_article(0), SEED)
    back = pickle.loads(pickle.dumps(found))
    assert back.digest == found.digest
    assert back.shingles.dtype == back.minhash.dtype == np.uint32
    assert np.array_equal(back.shingles, found.shingles)
    assert np.array_equal(back.minhash, found.minhash)


def test_decisions_on_hand_made_copies(tmp_path):
    docs = _hand_made()
    with Deduplicator(0.8, SEED, str(tmp_path)) as detector:
        compact = _decide(detector, docs)
    assert compact == EXPECTED
    assert compact == _decide(_DatasketchReference(0.8, SEED), docs)
    exact = {}  # last_exact tells an exact copy from a near one
    with Deduplicator(0.8, SEED, str(tmp_path)) as detector:
        for doc_id, text in docs:
            found = detector.check(doc_id, fingerprint(text, SEED))
            exact[doc_id] = detector.last_exact if found else None
    assert exact["a_reflowed"] is True and exact["tiny_copy"] is True
    assert exact["a_near"] is False and exact["a_near_near"] is False


def test_decisions_through_the_scratch_file_and_merged_runs(tmp_path, monkeypatch):
    """Tiny write blocks and buffers: candidates are read back from the file and found in
    merged sorted runs (the tables without numba) or in compiled hash tables grown from their
    smallest size; the decisions stay those of the reference on a longer sequence."""
    monkeypatch.setattr(dedup_module._Scratch, "_BLOCK", 64)
    rng = np.random.default_rng(7)
    docs = []
    for i in range(60):
        base = _article(int(rng.integers(0, 6)) * 5, n=int(rng.choice([80, 100])))
        changes = sorted(rng.choice(len(base.split()), size=int(rng.integers(0, 4)), replace=False))
        docs.append((f"d{i:02d}", _replace(base, [int(c) for c in changes], word=f"w{i}")))
    reference = _decide(_DatasketchReference(0.8, SEED), docs)
    assert sum(v is not None for v in reference.values()) == 16  # 44 kept, 16 copies of 8
    assert len({v for v in reference.values() if v is not None}) == 8

    compiled = dedup_module._compiled_multimap()
    assert compiled is not None  # numba is part of the pinned environment
    monkeypatch.setattr(dedup_module, "_compiled_multimap", lambda: None)
    with Deduplicator(0.8, SEED, str(tmp_path)) as detector:
        detector._digests.limit = 3
        detector._band_index.limit = 5
        assert _decide(detector, docs) == reference
        assert len(detector._band_index.runs) >= 2 and detector._scratch.written > 0

    monkeypatch.setattr(dedup_module, "_compiled_multimap", lambda: compiled)
    monkeypatch.setattr(
        dedup_module, "_multimap", lambda c: dedup_module._HashMultimap(c, capacity=8)
    )
    with Deduplicator(0.8, SEED, str(tmp_path)) as detector:
        assert _decide(detector, docs) == reference
        assert len(detector._band_index.tags) == 1024  # 44 kept x 16 bands, grown from 8
        assert detector._band_index.size == 44 * 16 and detector._digests.size == 44


def test_hash_and_sorted_tables_return_the_same_values():
    """The compiled table against the sorted runs: keys stored many times, keys never stored,
    growth from the smallest table; values come back as sets, whatever the insertion order."""
    rng = np.random.default_rng(11)
    keys = rng.integers(0, 1 << 63, size=300, dtype=np.uint64) * np.uint64(2)
    keys[::3] = keys[0]  # one key under a hundred values
    hashed = dedup_module._HashMultimap(dedup_module._compiled_multimap(), capacity=8)
    ordered = dedup_module._SortedMultimap(buffer_limit=50)
    for value in range(0, 300, 4):
        hashed.add_many(keys[value : value + 4], value)
        ordered.add_many(keys[value : value + 4], value)
    assert hashed.size == 300 and 4 * hashed.size <= 3 * len(hashed.tags)
    absent = keys[:5] + np.uint64(1)  # odd: never stored
    for probe in (keys[:1], keys[1:7], keys[200:260], absent, np.concatenate([absent, keys[4:6]])):
        assert hashed.get_many(probe) == ordered.get_many(probe)
    assert hashed.get_many(keys[:1]) == set(range(0, 300, 4))  # key 0 is at 0, 3, 6, ...
    assert hashed.get_many(absent) == set()


def test_memory_does_not_hold_texts_or_shingles(tmp_path):
    """What the detector holds per kept document does not depend on the article's length."""

    def held(n_words: int) -> tuple[int, int]:
        with Deduplicator(0.8, SEED, str(tmp_path)) as detector:
            for i in range(200):
                text = " ".join(f"kata{i}x{j}" for j in range(n_words))
                assert detector.check(f"doc{i:04d}", fingerprint(text, SEED)) is None
            block = len(detector._scratch.pending)
            return detector.memory_bytes() - block, detector._scratch.size()

    short, short_file = held(20)
    long, long_file = held(2000)
    assert short == long  # digests, band keys, offsets, ids: nothing grows with the text
    # bytes per kept document: 17 table pairs of 8 bytes in tables at least 3/8 full (less
    # than 363 bytes), the 20-byte digest, offsets, ids of 7 bytes
    assert long / 200 < 600
    assert long_file > 10 * short_file  # the shingles went to the scratch file


def test_scratch_folder_is_removed_after_an_exception(tmp_path):
    with pytest.raises(RuntimeError), Deduplicator(0.8, SEED, str(tmp_path)) as detector:
        detector.check("a", fingerprint(_article(0), SEED))
        folder = detector.scratch_folder
        assert os.path.isdir(folder) and os.listdir(folder)
        raise RuntimeError("stopped half-way")
    assert not os.path.exists(folder)
    assert os.listdir(tmp_path) == []


def test_ingest_removes_the_scratch_folder_when_stopped(tmp_path, monkeypatch):
    """The ingest generator closed half-way (as the stage does when writing fails)."""
    from analysis.core.config import params_from_sections
    from analysis.text import documents
    from analysis.text.documents import IngestCounts, ingest_batches

    monkeypatch.setattr(documents, "DOCUMENT_BATCH_ROWS", 1)
    raw = tmp_path / "raw"
    raw.mkdir()
    for path in sorted((PROJECT_ROOT / "data" / "raw").glob("*.txt"))[:3]:
        (raw / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    params = params_from_sections(ingest={"raw_dir": str(raw), "metadata_file": "", "min_words": 1})
    batches = ingest_batches(
        raw,
        metadata_file=None,
        lexicon_dir=PROJECT_ROOT / "data" / "lexicons",
        ingest=params.ingest,
        compute=None,
        seed=SEED,
        counts=IngestCounts(),
        scratch_dir=str(scratch),
    )
    with pytest.raises(ValueError):
        for _batch in batches:
            assert os.listdir(scratch)  # the detector's folder exists while it runs
            raise ValueError("a writer failed")
    batches.close()
    assert os.listdir(scratch) == []


def test_batched_tables_equal_the_one_shot_tables(tmp_path, monkeypatch):
    """Batches of 2 documents and row groups of 3 rows give the same tables as one batch; a
    table of one row group is the same bytes as DataFrame.to_parquet of the whole table."""
    import pyarrow.parquet as pq
    from stage_helpers import run_ingest

    from analysis.stages import ingest as stage
    from analysis.text import documents

    seeds = sorted((PROJECT_ROOT / "data" / "raw").glob("*.txt"))
    first, second = (p.read_text(encoding="utf-8") for p in seeds[:2])
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text(first, encoding="utf-8")
    (raw / "b.txt").write_text(second, encoding="utf-8")
    (raw / "c_exact.txt").write_text(first.replace(". ", " . "), encoding="utf-8")
    words = second.split(" ")
    words[-12] = "pengganti"
    (raw / "d_near.txt").write_text(" ".join(words), encoding="utf-8")
    (raw / "e.txt").write_text(seeds[2].read_text(encoding="utf-8"), encoding="utf-8")
    (raw / "=formula.txt").write_text("", encoding="utf-8")
    (raw / "x.pdf").write_bytes(b"%PDF-1.4")
    one = run_ingest(
        raw, documents_path=tmp_path / "one.parquet", rejects_path=tmp_path / "one.csv", min_words=1
    )
    monkeypatch.setattr(documents, "DOCUMENT_BATCH_ROWS", 2)
    monkeypatch.setattr(documents, "REJECT_BATCH_ROWS", 1)
    monkeypatch.setattr(stage, "ROW_GROUP_ROWS", 3)
    many = run_ingest(
        raw,
        documents_path=tmp_path / "many.parquet",
        rejects_path=tmp_path / "many.csv",
        min_words=1,
    )
    assert pq.ParquetFile(tmp_path / "one.parquet").metadata.num_row_groups == 1
    assert pq.ParquetFile(tmp_path / "many.parquet").metadata.num_row_groups == 2  # 3 + 2
    one_table, many_table = (
        pd.read_parquet(tmp_path / "one.parquet"),
        pd.read_parquet(tmp_path / "many.parquet"),
    )
    pd.testing.assert_frame_equal(one_table, many_table)
    assert one_table["doc_id"].tolist() == ["a.txt", "b.txt", "c_exact.txt", "d_near.txt", "e.txt"]
    assert one_table["duplicate_of"].tolist()[2:4] == ["a.txt", "b.txt"]
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "many.csv").read_bytes()
    assert "'=formula.txt" in (tmp_path / "one.csv").read_text()
    assert one.rejects["source_file"].tolist() == ["=formula.txt", "x.pdf"]
    assert one.metrics() == many.metrics() and one.metrics()["n_duplicates"] == 2
    summary = one.summary_table()
    pd.testing.assert_frame_equal(summary, many.summary_table())
    assert summary.values.tolist() == [
        ["document", "", "txt", 3],
        ["duplicate", "exact_duplicate", "txt", 1],
        ["duplicate", "near_duplicate", "txt", 1],
        ["rejected", "empty", "txt", 1],
        ["rejected", "unsupported_format", "pdf", 1],
    ]
    one_table.to_parquet(
        tmp_path / "pandas.parquet", index=False, engine="pyarrow", compression="zstd"
    )
    assert (tmp_path / "pandas.parquet").read_bytes() == (tmp_path / "one.parquet").read_bytes()
    # the notebook's previews: the first rows without reading the rest, across row groups
    for n in (1, 3, 4, 10):
        pd.testing.assert_frame_equal(many.documents_head(n), many_table.head(n))
    assert many.documents_head(4)["doc_id"].tolist() == [
        "a.txt",
        "b.txt",
        "c_exact.txt",
        "d_near.txt",
    ]
    assert many.rejects_head(1)["source_file"].tolist() == ["=formula.txt"]
    pd.testing.assert_frame_equal(many.rejects_head(None), one.rejects)


@pytest.mark.parametrize(
    "text",
    [
        "Pemprov DKI_Jakarta dan Kota BEKASI sepakat, 12/3/2024: Rp1,5 triliun (MoU).",
        "İstanbul ve Ankara'da ﬁnal Straße ΣΟΦΙΑ café",  # casefold changes these letters
        "",
    ],
)
def test_fingerprint_words_are_the_casefolded_word_runs(text):
    # ASCII text takes a shorter route (lower() and an ASCII pattern): the same digest as
    # sha1 of the casefolded \w+ runs, and a capitalised copy has the same fingerprint
    import hashlib
    import re

    words = re.findall(r"\w+", text.casefold())
    found = fingerprint(text, seed=7)
    assert found.digest == hashlib.sha1(" ".join(words).encode("utf-8")).digest()
    if text.isascii():
        again = fingerprint(text.upper(), seed=7)
        assert again.digest == found.digest
        assert np.array_equal(again.minhash, found.minhash)
