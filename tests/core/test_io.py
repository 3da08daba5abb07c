"""Atomic, deterministic writers and the spreadsheet formula guard."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.core.errors import UserError
from analysis.core.io import (
    atomic_path,
    csv_delimiter,
    guard_formula,
    iter_stage_batches,
    parse_json,
    read_json,
    read_stage_parquet,
    write_csv,
    write_json,
    write_parquet,
)


def test_atomic_path_leaves_old_file_when_writer_fails(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half-written", encoding="utf-8")
            raise RuntimeError("killed")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]  # no temp file left


@pytest.mark.parametrize(
    "cell, expected",
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("Jakarta", "Jakarta"),
        (-0.5, -0.5),
        (None, None),
    ],
)
def test_guard_formula(cell, expected):
    assert guard_formula(cell) == expected


def test_csv_guards_text_cells_but_not_numbers(tmp_path):
    frame = pd.DataFrame({"title": ["=cmd|' /C calc'!A0", "Kerja sama"], "z": [-1.5, 2.0]})
    write_csv(tmp_path / "t.csv", frame)
    text = (tmp_path / "t.csv").read_text(encoding="utf-8")
    assert text.splitlines() == ["title,z", "'=cmd|' /C calc'!A0,-1.5", "Kerja sama,2"]


def test_writers_are_byte_identical_across_runs(tmp_path):
    frame = pd.DataFrame({"doc_id": ["a", "b"], "stems": [["kerja_sama", "kota"], []]})
    write_parquet(tmp_path / "a.parquet", frame)
    write_parquet(tmp_path / "b.parquet", frame)
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()
    write_json(tmp_path / "m.json", {"b": 0.1234567891, "a": float("nan")})
    assert read_json(tmp_path / "m.json") == {"a": None, "b": 0.123457}


def test_atomic_path_removes_temporary_files_a_killed_run_left(tmp_path):
    target = tmp_path / "documents.parquet"
    stale = tmp_path / ".documents.parquet.k1ll3d.tmp"
    stale.write_bytes(b"half a parquet file")
    other = tmp_path / ".other.csv.x.tmp"  # another target's: not touched
    other.write_bytes(b"x")
    with atomic_path(target) as tmp:
        tmp.write_bytes(b"new")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.csv.x.tmp", "documents.parquet"]


def test_write_csv_guards_category_cells_and_header_cells(tmp_path):
    frame = pd.DataFrame({"outlet": pd.Categorical(["@evil", "kompas.com"]), "=cmd": [1, 2]})
    write_csv(tmp_path / "t.csv", frame)
    assert (tmp_path / "t.csv").read_text(encoding="utf-8") == (
        "outlet,'=cmd\n'@evil,1\nkompas.com,2\n"
    )


def test_read_stage_parquet_reads_checks_and_names_the_stage(tmp_path):
    path = write_parquet(tmp_path / "t.parquet", pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}))
    assert read_stage_parquet(path, "ingest", ["a"], columns=["a"]).columns.tolist() == ["a"]
    table = read_stage_parquet(path, "ingest", ["a", "b"], arrow=True)
    assert table.num_rows == 2 and table.column_names == ["a", "b"]
    with pytest.raises(UserError, match=r"missing column\(s\) c .*rerun the ingest stage"):
        read_stage_parquet(path, "ingest", ["a", "c"])
    with pytest.raises(UserError, match=r"nope\.parquet: not found; run the topics stage first"):
        read_stage_parquet(tmp_path / "nope.parquet", "topics")
    # foreign and truncated files: one message, never a pyarrow traceback
    for name, data in (("text.parquet", b"hello"), ("cut.parquet", b"PAR1" + b"\0" * 20 + b"PAR1")):
        (tmp_path / name).write_bytes(data)
        with pytest.raises(
            UserError, match="not a readable Parquet file.*rerun the classify stage"
        ):
            read_stage_parquet(tmp_path / name, "classify")


def test_read_stage_parquet_reads_optional_columns_only_where_present(tmp_path):
    import pandas as pd

    from analysis.core.io import read_stage_parquet

    new, old = tmp_path / "new.parquet", tmp_path / "old.parquet"
    pd.DataFrame({"doc_id": ["a"], "story_id": ["a"], "text": ["x"]}).to_parquet(new)
    pd.DataFrame({"doc_id": ["a"], "text": ["x"]}).to_parquet(old)
    read = [
        read_stage_parquet(p, "classify", ["doc_id"], columns=["doc_id"], optional=("story_id",))
        for p in (new, old)
    ]
    assert list(read[0].columns) == ["doc_id", "story_id"]  # an optional column is not lost
    assert list(read[1].columns) == ["doc_id"]  # an older file without it still reads


def test_batches_by_row_group_end_at_row_group_boundaries_and_hold_the_same_rows(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "t.parquet"
    pq.write_table(
        pa.table({"a": list(range(25)), "b": [str(k) for k in range(25)]}), path, row_group_size=10
    )  # row groups of 10, 10 and 5 rows

    def read(**options):
        return [
            b.to_pydict()
            for b in iter_stage_batches(
                path, "ingest", ["a"], batch_rows=4, optional=["b", "c"], **options
            )
        ]

    whole, grouped = read(), read(by_row_group=True)
    assert [len(b["a"]) for b in whole] == [4, 4, 4, 4, 4, 4, 1]  # batches span row groups
    assert [len(b["a"]) for b in grouped] == [4, 4, 2, 4, 4, 2, 4, 1]
    assert [x for b in grouped for x in b["a"]] == list(range(25))
    assert [x for b in grouped for x in b["b"]] == [str(k) for k in range(25)]


def test_batches_read_ahead_in_a_thread_are_the_batches_read_here(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"a": list(range(25))}), path, row_group_size=10)

    def read(**options):
        return [
            b.to_pydict()
            for b in iter_stage_batches(path, "ingest", ["a"], batch_rows=4, **options)
        ]

    assert read(ahead=2) == read(ahead=0) == read()
    assert [x for b in read(ahead=1) for x in b["a"]] == list(range(25))
    for ahead in (0, 2):  # the same message either way, at the first batch
        with pytest.raises(UserError, match=r"missing column\(s\) z.*rerun the ingest stage"):
            next(iter_stage_batches(path, "ingest", ["z"], ahead=ahead))


def test_parse_json_reports_too_deep_nesting_as_malformed_json():
    assert parse_json('{"id": "a1", "tags": [1, [2, 3]]}') == {"id": "a1", "tags": [1, [2, 3]]}
    with pytest.raises(ValueError, match="nested too deeply"):
        parse_json("[" * 100_000)  # json.loads raises RecursionError here
    with pytest.raises(ValueError):
        parse_json("{not json")


@pytest.mark.parametrize(
    "header, expected",
    [
        ("file,outlet,date,title,url", ","),
        ("\ufeffid;judul;isi;tanggal", ";"),  # a spreadsheet in an Indonesian locale
        ("GKGRECORDID\tDATE\tDocumentIdentifier", "\t"),
        ('url,"judul; subjudul",tanggal', ","),  # semicolons inside a quoted field
        ("url;title,date", ","),  # a tie goes to the comma
        ("url", ","),
        ("", ","),
        ("a\tb\tc,d", "\t"),  # more fields with tabs than with commas
    ],
)
def test_csv_delimiter_splits_the_header_into_the_most_fields(header, expected):
    assert csv_delimiter(header) == expected
