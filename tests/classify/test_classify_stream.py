"""classified.parquet written part by part (analysis.classify.stream): the same bytes as the
whole-corpus table, stories across parts, bounded reads and clear errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from analysis.classify import stream
from analysis.classify.rules import Classifier
from analysis.classify.table import classified_frame
from analysis.core.errors import UserError

AGREEMENT = [
    "Wali Kota Bekasi dan Gubernur DKI Jakarta sepakat bekerja sama menata sungai.",
    "Kerja sama ini mencakup pengerukan dan tanggul sungai perbatasan.",
]
WEATHER = ["Hujan deras turun sepanjang sore di pusat kota.", "Warga diminta waspada banjir."]


@pytest.fixture(scope="module")
def classifier(lexicon_dir: Path) -> Classifier:
    return Classifier.from_lexicons(lexicon_dir)


def _corpus(tmp_path: Path) -> tuple[Path, Path]:
    """Nine documents in input order (not doc_id order), one duplicate, one without paragraphs.

    Sorted, the kept documents are a1 a2 b c1 c2 d e f; with parts of two documents, a story of
    a1, c2 and f (same event, 16-18 September) spans three parts, and e (the same event six
    weeks later) is a story of its own.
    """
    docs = {  # doc_id: (title, date, duplicate_of, paragraphs)
        "f": ("Bekasi dan Jakarta kerja sama tata sungai", "2019-09-18", None, AGREEMENT),
        "b": ("Cuaca", "2019-09-16", None, WEATHER),
        "c2": ("Bekasi dan Jakarta kerja sama tata sungai", "2019-09-17", None, AGREEMENT),
        "a1": ("Bekasi dan Jakarta kerja sama tata sungai", "2019-09-16", None, AGREEMENT),
        "g": ("Salinan", "2019-09-16", "a1", AGREEMENT),
        "e": ("Bekasi dan Jakarta kerja sama tata sungai", "2019-10-30", None, AGREEMENT),
        "d": ("Tanpa paragraf", "2019-09-16", None, []),
        "a2": (None, None, None, WEATHER[:1]),
        "c1": ("Pasar", "2019-09-20", None, WEATHER[::-1]),
    }
    documents = pd.DataFrame(
        {
            "doc_id": list(docs),
            "title": [v[0] for v in docs.values()],
            "date": pd.to_datetime([v[1] for v in docs.values()]),
            "duplicate_of": [v[2] for v in docs.values()],
        }
    )
    # paragraphs grouped by document in another order than documents.parquet, and one
    # document's paragraphs listed last index first
    rows = [
        (f"{d}:p{i:03d}", d, i, text)
        for d in ("c1", "a2", "b", "e", "g", "a1", "c2", "f")
        for i, text in (
            reversed(list(enumerate(docs[d][3]))) if d == "c2" else enumerate(docs[d][3])
        )
    ]
    paragraphs = pd.DataFrame(rows, columns=["para_id", "doc_id", "para_index", "text"])
    paragraphs["para_index"] = paragraphs["para_index"].astype("int32")
    doc_path, para_path = tmp_path / "documents.parquet", tmp_path / "paragraphs.parquet"
    documents.to_parquet(doc_path, index=False)
    paragraphs.to_parquet(para_path, index=False, row_group_size=3)  # several row groups
    return doc_path, para_path


def _write(classifier, doc_path, para_path, out, part_documents, n_jobs=1):
    return stream.write_classified(
        doc_path,
        para_path,
        out,
        classifier,
        None if n_jobs == 1 else _compute(n_jobs),
        window_days=7,
        min_similarity=0.2,
        part_documents=part_documents,
    )


def _compute(n_jobs: int):
    from analysis.core.config import ComputeParams

    return ComputeParams(n_jobs=n_jobs)


def test_parts_of_two_documents_give_the_whole_corpus_bytes(tmp_path, classifier):
    doc_path, para_path = _corpus(tmp_path)
    whole, parts = tmp_path / "whole.parquet", tmp_path / "parts.parquet"
    summary_whole = _write(classifier, doc_path, para_path, whole, 10**6)
    summary_parts = _write(classifier, doc_path, para_path, parts, 2)
    assert parts.read_bytes() == whole.read_bytes()
    table = classified_frame(pq.read_table(parts))
    docs = table[table["level"] == "document"].set_index("doc_id")
    # sorted by doc_id, the duplicate g left out, d coded from its title alone
    assert docs.index.tolist() == ["a1", "a2", "b", "c1", "c2", "d", "e", "f"]
    assert docs["coop_type"].to_dict() == {
        "a1": "agglomeration",
        "a2": "none",
        "b": "none",
        "c1": "none",
        "c2": "agglomeration",
        "d": "none",
        "e": "agglomeration",
        "f": "agglomeration",
    }
    # one story across parts 1, 3 and 4, named after its earliest article; e six weeks later alone
    assert docs["story_id"].dropna().to_dict() == {"a1": "a1", "c2": "a1", "e": "e", "f": "a1"}
    paras = table[table["level"] == "paragraph"]
    assert paras["para_id"].tolist()[:2] == ["a1:p000", "a1:p001"]
    assert paras.loc[paras["doc_id"] == "c2", "para_index"].tolist() == [0, 1]  # re-sorted
    assert not (table["doc_id"] == "d").sum() - 1  # a document row, no paragraph rows
    for summary in (summary_whole, summary_parts):
        assert summary.n_documents == 8
        assert summary.kinds == {"agglomeration": 4, "none": 4}
        assert summary.first_documents.column("doc_id").to_pylist() == docs.index.tolist()
    counts = summary_parts.document_counts()
    pd.testing.assert_series_equal(
        counts, table[table["level"] == "document"]["coop_type"].value_counts()
    )


def test_parts_with_worker_processes_give_the_same_bytes(tmp_path, classifier):
    doc_path, para_path = _corpus(tmp_path)
    one, two = tmp_path / "one.parquet", tmp_path / "two.parquet"
    _write(classifier, doc_path, para_path, one, 3)
    _write(classifier, doc_path, para_path, two, 3, n_jobs=2)
    assert two.read_bytes() == one.read_bytes()


def test_each_part_read_holds_at_most_its_documents(tmp_path, classifier, monkeypatch):
    doc_path, para_path = _corpus(tmp_path)
    seen: list[tuple[int, int]] = []
    read = stream._read_part

    def spy(documents, paragraphs):
        kept, paras = read(documents, paragraphs)
        seen.append((kept.num_rows, paras.num_rows))
        return kept, paras

    monkeypatch.setattr(stream, "_read_part", spy)
    (tmp_path / ".classify-spill-killed").mkdir()  # what a killed run leaves behind
    (tmp_path / ".classify-spill-killed" / "coded.parquet").write_bytes(b"x")
    _write(classifier, doc_path, para_path, tmp_path / "c.parquet", 3)
    # 8 kept documents in parts of 3: a1 a2 b | c1 c2 d | e f, with 2+1+2 | 2+2+0 | 2+2 paragraphs
    assert seen == [(3, 5), (3, 4), (2, 4)]
    # the spill folders, this run's and the stale one, are gone afterwards
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".classify-spill-")] == []


def test_more_rows_than_a_row_group_still_give_the_same_bytes(tmp_path, classifier, monkeypatch):
    doc_path, para_path = _corpus(tmp_path)
    whole = tmp_path / "whole.parquet"
    _write(classifier, doc_path, para_path, whole, 10**6)
    expected = pq.read_table(whole)
    monkeypatch.setattr(stream, "ROW_GROUP_ROWS", 5)
    small = tmp_path / "small.parquet"
    _write(classifier, doc_path, para_path, small, 2)
    handle = pq.ParquetFile(small)
    # 8 document rows and 13 paragraph rows
    sizes = [handle.metadata.row_group(g).num_rows for g in range(handle.num_row_groups)]
    assert sizes == [5, 5, 5, 5, 1]
    assert handle.read().equals(expected)


def test_read_rows_of_keeps_only_the_named_documents(tmp_path, classifier):
    doc_path, para_path = _corpus(tmp_path)
    out = tmp_path / "c.parquet"
    _write(classifier, doc_path, para_path, out, 2)
    rows = stream.read_rows_of(out, {"c2", "zz"})
    assert rows.column("doc_id").to_pylist() == ["c2", "c2", "c2"]
    assert rows.column("level").to_pylist() == ["document", "paragraph", "paragraph"]
    assert stream.read_rows_of(out, set()).num_rows == 0


def test_errors_are_clear_when_split_into_parts(tmp_path, classifier):
    doc_path, para_path = _corpus(tmp_path)
    paragraphs = pd.read_parquet(para_path)
    orphan = pd.DataFrame(
        {"para_id": ["zz:p000"], "doc_id": ["zz"], "para_index": [0], "text": ["x"]}
    )
    orphan["para_index"] = orphan["para_index"].astype("int32")
    pd.concat([paragraphs, orphan]).to_parquet(para_path, index=False, row_group_size=3)
    out = tmp_path / "c.parquet"
    with pytest.raises(UserError, match=r"1 document id\(s\) not in .*first: 'zz'"):
        _write(classifier, doc_path, para_path, out, 2)
    assert not out.exists()  # nothing half-written
    paragraphs.drop(columns=["text"]).to_parquet(para_path, index=False)
    with pytest.raises(UserError, match="missing column.*text"):
        _write(classifier, doc_path, para_path, out, 2)
    para_path.write_bytes(b"not parquet")
    with pytest.raises(UserError, match="paragraphs.parquet"):
        _write(classifier, doc_path, para_path, out, 2)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".classify-spill-")] == []


def test_kept_rank_places_each_id_as_arrow_lookups_would():
    """Known ids get their rank among the kept (sorted) ids; a duplicate document is known but
    has no rank, an unknown id or a null is neither; the first copy of a repeated id counts."""
    import pyarrow as pa

    all_ids = pa.chunked_array([pa.array(["c", "a", "dup"]), pa.array(["b", "a"])])
    kept = pa.array(["a", "b", "c"])
    rank_of = stream._KeptRank(all_ids, kept)
    known, rank = rank_of(pa.array(["b", "dup", "zz", None, "a", "c"]))
    assert known.tolist() == [True, True, False, False, True, True]
    assert rank.tolist() == [1, -1, -1, -1, 0, 2]


def test_a_documents_file_without_dates_gives_the_same_bytes_in_parts(tmp_path, classifier):
    # the parts are Arrow IPC files; a date-less documents file is read as dates of null there
    # too, as read_classify_inputs reads it (no stories across dates, the same codes)
    doc_path, para_path = _corpus(tmp_path)
    pq.write_table(pq.read_table(doc_path).drop_columns(["date"]), doc_path)
    whole, parts = tmp_path / "whole.parquet", tmp_path / "parts.parquet"
    _write(classifier, doc_path, para_path, whole, 10**6)
    _write(classifier, doc_path, para_path, parts, 3)
    assert whole.read_bytes() == parts.read_bytes()
    coded = pq.read_table(whole).to_pandas()
    assert coded["level"].value_counts().to_dict() == {"paragraph": 13, "document": 8}


def test_row_groups_are_written_in_order_and_a_writing_error_reaches_the_caller():
    import threading

    import pyarrow as pa

    class Recorder:
        def __init__(self, fail_at=None):
            self.written, self.threads, self.fail_at = [], set(), fail_at

        def write_table(self, table, row_group_size):
            self.threads.add(threading.current_thread().name)
            if len(self.written) == self.fail_at:
                raise OSError("disk full")
            self.written.append(table.column("k").to_pylist())

    groups = [pa.table({"k": [k, k]}) for k in range(6)]
    recorder = Recorder()
    with stream._GroupWriter(recorder) as writer:
        for table in groups:
            writer.write(table)
    assert recorder.written == [[k, k] for k in range(6)]
    assert threading.current_thread().name not in recorder.threads  # written in its thread

    failing = Recorder(fail_at=2)
    with pytest.raises(OSError, match="disk full"):
        with stream._GroupWriter(failing) as writer:
            for table in groups:
                writer.write(table)
    assert failing.written == [[0, 0], [1, 1]]
