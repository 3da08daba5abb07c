"""The preprocess stage (documents.parquet -> paragraphs.parquet) and the `stem` CLI filter."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from stage_helpers import run_preprocess

import analysis.text.paragraphs as preprocess_module
import analysis.text.stem as stem_module
from analysis.core.config import IngestParams, PreprocessParams, TopicsParams
from analysis.core.errors import UserError
from analysis.core.io import write_parquet
from analysis.text.stem import Preprocessor, stem_pool, stem_stream

MIN_WORDS = IngestParams().min_words
MIN_TOKEN_LENGTH = PreprocessParams().min_token_length
MIN_TOPIC_SIZE = TopicsParams().min_topic_size

SRC = Path(__file__).resolve().parents[2] / "src"


def documents_frame(raw_dir: Path) -> pd.DataFrame:
    """A documents.parquet stand-in: the five seeds (lines as paragraphs), an empty text and a
    duplicate. Built here so these tests do not depend on the ingest stage."""
    rows = []
    for path in sorted(raw_dir.glob("*.txt")):
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
        rows.append(
            {
                "doc_id": path.stem.split("_")[1],
                "text": "\n\n".join(filter(None, lines)),
                "duplicate_of": None,
            }
        )
    rows.append({"doc_id": "empty0000000000", "text": "", "duplicate_of": None})
    rows.append(
        {"doc_id": "dup000000000000", "text": rows[0]["text"], "duplicate_of": rows[0]["doc_id"]}
    )
    frame = pd.DataFrame(rows)
    frame["source_file"] = frame["doc_id"] + ".txt"
    return frame


@pytest.fixture()
def documents_path(raw_dir: Path, tmp_path: Path) -> Path:
    return write_parquet(tmp_path / "documents.parquet", documents_frame(raw_dir))


def test_paragraphs_follow_the_contract(
    documents_path: Path, lexicon_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "paragraphs.parquet"
    result = run_preprocess(documents_path, paragraphs_path=out, lexicon_dir=lexicon_dir)
    schema = pq.read_schema(out)
    assert schema.names == ["para_id", "doc_id", "para_index", "text", "tokens", "stems"]
    assert schema.field("para_index").type == pa.int32()
    assert schema.field("tokens").type == pa.list_(pa.string())
    assert schema.field("stems").type == pa.list_(pa.string())

    table = pd.read_parquet(out)
    assert table["para_id"].is_unique
    assert table["para_id"].iloc[0] == "4394a814a780e277:p000"
    assert all(
        pid == f"{d}:p{i:03d}" for pid, d, i in zip(table.para_id, table.doc_id, table.para_index)
    )
    # the duplicate is skipped, the empty document has no paragraph; five seeds remain
    assert sorted(table["doc_id"].unique()) == sorted(
        [
            "4394a814a780e277",
            "17a0fc84c87f51fc",
            "b0853180490134cc",
            "2e0963ee0979c594",
            "8c38530ddb7b0270",
        ]
    )
    assert all(len(t) == len(s) for t, s in zip(table.tokens, table.stems))
    first = table.iloc[0]
    assert first["text"].startswith("Ntvnews.id, Jakarta - Gubernur DKI Jakarta")
    assert list(first["tokens"][:3]) == ["jakarta", "gubernur", "dki_jakarta"]
    assert list(first["stems"][:3]) == ["jakarta", "gubernur", "jakarta"]
    assert "bekasi" in list(first["stems"]) and "bekas" not in list(first["stems"])

    metrics = result.metrics()
    assert metrics["n_documents"] == 6 and metrics["n_duplicates_skipped"] == 1
    assert metrics["n_documents_without_paragraphs"] == 1
    assert metrics["documents_without_paragraphs"] == ["empty0000000000"]
    assert metrics["n_paragraphs"] == len(table)
    assert metrics["n_tokens"] == sum(len(t) for t in table.tokens)
    assert metrics["n_types"] == len({t for ts in table.tokens for t in ts})
    assert metrics["n_stem_types"] == len({s for ss in table.stems for s in ss})
    assert dict(metrics["top_stems"][:1]) == {"jakarta": metrics["top_stems"][0][1]}
    assert metrics["n_protected_hits"] >= metrics["n_protected_hits_by_reason"]["multiword"] > 20
    assert ["kerja_sama", sum(list(ts).count("kerja_sama") for ts in table.tokens)] in metrics[
        "top_multiword"
    ]
    pd.testing.assert_frame_equal(
        result.paragraphs.reset_index(drop=True),
        table.assign(tokens=table.tokens.map(list), stems=table.stems.map(list)),
        check_dtype=False,
    )


def test_paragraph_without_tokens_is_kept(tmp_path: Path, lexicon_dir: Path) -> None:
    docs = pd.DataFrame(
        {
            "doc_id": ["d1"],
            "text": ["Kerja sama Bekasi.\n\n10 bulan yang lalu"],
            "duplicate_of": [None],
        }
    )
    path = write_parquet(tmp_path / "documents.parquet", docs)
    table = run_preprocess(path, paragraphs_path=None, lexicon_dir=lexicon_dir).paragraphs
    assert table["para_id"].tolist() == ["d1:p000", "d1:p001"]
    assert table["tokens"].tolist() == [["kerja_sama", "bekasi"], []]
    assert table["stems"].tolist() == [["kerja_sama", "bekasi"], []]


def test_only_empty_token_lists_keep_the_list_type(tmp_path: Path, lexicon_dir: Path) -> None:
    docs = pd.DataFrame({"doc_id": ["d1"], "text": ["2025"], "duplicate_of": [None]})
    out = tmp_path / "paragraphs.parquet"
    run_preprocess(
        write_parquet(tmp_path / "documents.parquet", docs),
        paragraphs_path=out,
        lexicon_dir=lexicon_dir,
    )
    assert pq.read_schema(out).field("tokens").type == pa.list_(pa.string())


def _paragraph_batch(rows: list[tuple[list[str], list[str]]]) -> pa.RecordBatch:
    """A paragraphs.parquet record batch with the given (tokens, stems) rows."""
    from analysis.core.schemas import paragraphs_schema

    n = len(rows)
    columns = (
        [f"d:p{i:03d}" for i in range(n)],
        ["d"] * n,
        list(range(n)),
        ["text"] * n,
        [tokens for tokens, _ in rows],
        [stems for _, stems in rows],
    )
    schema = paragraphs_schema()
    return pa.RecordBatch.from_arrays(
        [pa.array(values, type=schema.field(i).type) for i, values in enumerate(columns)],
        schema=schema,
    )


@pytest.mark.parametrize("compact_rows", [1, 3, 250_000])
def test_paragraph_counts_sum_batches(monkeypatch: pytest.MonkeyPatch, compact_rows: int) -> None:
    # counted by hand; compact_rows 1 and 3 sum the Arrow tables after (almost) every batch
    monkeypatch.setattr(preprocess_module, "_COMPACT_ROWS", compact_rows)
    counts = preprocess_module.ParagraphCounts()
    counts.add(
        _paragraph_batch(
            [
                (["pemilu", "relawannya", "pemilu"], ["pemilu", "relawan", "pemilu"]),
                ([], []),
            ]
        ),
        ["a"],
    )
    assert counts.token_counts == {"pemilu": 2, "relawannya": 1}
    counts.add(
        _paragraph_batch([(["relawan", "dimakan", "pemilu"], ["relawan", "makan", "pemilu"])]),
        [],
    )
    counts.add(_paragraph_batch([([], []), ([], [])]), ["b", "c"])
    assert counts.token_counts == {"pemilu": 3, "relawannya": 1, "relawan": 1, "dimakan": 1}
    assert counts.stem_counts == {"pemilu": 3, "relawan": 2, "makan": 1}
    assert (counts.n_paragraphs, counts.n_without_tokens) == (5, 3)
    assert counts.without_paragraphs == ["a", "b", "c"]


def test_paragraph_counts_empty() -> None:
    counts = preprocess_module.ParagraphCounts()
    assert counts.token_counts == {} and counts.stem_counts == {}
    assert (counts.n_paragraphs, counts.n_without_tokens) == (0, 0)


def test_rerun_is_byte_identical(documents_path: Path, lexicon_dir: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a.parquet", tmp_path / "b.parquet"
    run_preprocess(documents_path, paragraphs_path=first, lexicon_dir=lexicon_dir)
    run_preprocess(documents_path, paragraphs_path=second, lexicon_dir=lexicon_dir)
    assert first.read_bytes() == second.read_bytes()


def test_two_jobs_give_identical_output(
    documents_path: Path, lexicon_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # force the worker pool even for these few documents: several batches of two
    monkeypatch.setattr(preprocess_module, "_DOC_BATCH", 2)
    one, two = tmp_path / "one.parquet", tmp_path / "two.parquet"
    r1 = run_preprocess(documents_path, paragraphs_path=one, lexicon_dir=lexicon_dir, n_jobs=1)
    r2 = run_preprocess(documents_path, paragraphs_path=two, lexicon_dir=lexicon_dir, n_jobs=2)
    assert r2.metrics()["n_sastrawi_types"] > 300
    assert one.read_bytes() == two.read_bytes()
    assert r1.metrics() == r2.metrics()


def test_user_errors(tmp_path: Path, lexicon_dir: Path) -> None:
    with pytest.raises(UserError, match="not found; run the ingest stage"):
        run_preprocess(tmp_path / "missing.parquet", paragraphs_path=None, lexicon_dir=lexicon_dir)
    bad = tmp_path / "bad.parquet"
    bad.write_text("not parquet")
    with pytest.raises(UserError, match="not a readable Parquet file"):
        run_preprocess(bad, paragraphs_path=None, lexicon_dir=lexicon_dir)
    no_dup = write_parquet(
        tmp_path / "nodup.parquet", pd.DataFrame({"doc_id": ["a"], "text": ["x"]})
    )
    with pytest.raises(UserError, match="duplicate_of"):
        run_preprocess(no_dup, paragraphs_path=None, lexicon_dir=lexicon_dir)
    twice = write_parquet(
        tmp_path / "twice.parquet",
        pd.DataFrame({"doc_id": ["a", "a"], "text": ["x", "y"], "duplicate_of": [None, None]}),
    )
    with pytest.raises(UserError, match="doc_id must be unique"):
        run_preprocess(twice, paragraphs_path=None, lexicon_dir=lexicon_dir)
    with pytest.raises(UserError, match="n_jobs"):
        run_preprocess(twice, paragraphs_path=None, lexicon_dir=lexicon_dir, n_jobs=0)


# ------------------------------------------------------------------------------------------
# `python -m analysis stem`


def test_stem_stream_one_line_out_per_line_in(lexicon_dir: Path) -> None:
    lines = [
        "Wali Kota Bekasi menjalin kerjasama dengan Pemprov DKI.",
        "2025, dan yang tersebut",
        "",
        "Relawan perbankan di Kuala Lumpur",
    ]
    out = io.StringIO()
    n = stem_stream(
        io.StringIO("\n".join(lines) + "\n"),
        out,
        lexicon_dir=lexicon_dir,
        min_token_length=MIN_TOKEN_LENGTH,
    )
    assert n == 4
    assert out.getvalue().split("\n") == [
        "wali_kota bekasi jalin kerja_sama pemprov jakarta",
        "",
        "",
        "relawan perbankan kuala_lumpur",
        "",
    ]


def test_stem_stream_matches_preprocessor(lexicon_dir: Path, raw_dir: Path) -> None:
    text = (raw_dir / "002_b0853180490134cc.txt").read_text(encoding="utf-8")
    out = io.StringIO()
    stem_stream(io.StringIO(text), out, lexicon_dir=lexicon_dir, min_token_length=3)
    pre = Preprocessor.from_lexicons(lexicon_dir, min_token_length=3)
    expected = [" ".join(pre.process(line)[1]) for line in text.splitlines()]
    assert out.getvalue().splitlines() == expected


def test_stem_stream_batches_and_jobs_give_the_same_lines(
    lexicon_dir: Path, raw_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(raw_dir.glob("*.txt")))
    single = io.StringIO()
    stem_stream(
        io.StringIO(text), single, lexicon_dir=lexicon_dir, min_token_length=MIN_TOKEN_LENGTH
    )
    monkeypatch.setattr(stem_module, "_STREAM_BATCH_LINES", 7)
    monkeypatch.setattr(stem_module, "_MIN_PARALLEL_TYPES", 0)
    parallel = io.StringIO()
    n = stem_stream(
        io.StringIO(text),
        parallel,
        lexicon_dir=lexicon_dir,
        n_jobs=2,
        min_token_length=MIN_TOKEN_LENGTH,
    )
    assert n == len(text.splitlines()) > 100
    assert parallel.getvalue() == single.getvalue()
    assert "kerja_sama" in single.getvalue() and "bekasi" in single.getvalue()


def test_cli_stem_subprocess(lexicon_dir: Path, tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(SRC))
    proc = subprocess.run(
        [sys.executable, "-m", "analysis", "stem", "--lexicons", str(lexicon_dir), "--jobs", "2"],
        input="Pembangunan di Kediri dan Maluku\n\nBekerja sama dengan Kuala Lumpur\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=True,
    )
    assert proc.stdout == "bangun kediri maluku\n\nkerja_sama kuala_lumpur\n"


def test_cli_stem_bad_lexicon_dir(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(SRC))
    proc = subprocess.run(
        [sys.executable, "-m", "analysis", "stem", "--lexicons", str(tmp_path / "x")],
        input="kota\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert "lexicon directory" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.corpus
def test_clickid_sample_parity_and_protection(clickid_path: Path, lexicon_dir: Path) -> None:
    """On 300 real articles: every unprotected token has plain Sastrawi's stem, and no protected
    place name is cut down."""
    import gzip
    import itertools
    import json

    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    sastrawi = StemmerFactory().create_stemmer()
    pre = Preprocessor.from_lexicons(lexicon_dir, MIN_TOKEN_LENGTH)
    with gzip.open(clickid_path, "rt", encoding="utf-8") as handle:
        texts = [json.loads(line)["text"] for line in itertools.islice(handle, 300)]
    tokens = {t for text in texts for t in pre.tokenize(text)}
    assert len(tokens) > 5000
    for token in sorted(tokens):
        if pre.protection(token) is None:
            assert pre.stem(token) == sastrawi.stem(token), token
    for name in ("bekasi", "bali", "kediri"):
        if name in tokens:
            assert pre.stem(name) == name


def test_spawned_workers_give_the_same_stems(
    lexicon_dir: Path, raw_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one start method of the worker pools (spawn: lexicons are pickled to fresh interpreters)."""
    text = (raw_dir / "003_2e0963ee0979c594.txt").read_text(encoding="utf-8")
    local = Preprocessor.from_lexicons(lexicon_dir, MIN_TOKEN_LENGTH)
    tokens = local.tokenize(text)
    expected = local.stem_tokens(tokens)
    remote = Preprocessor.from_lexicons(lexicon_dir, MIN_TOKEN_LENGTH)
    monkeypatch.setattr(sys, "platform", "darwin")
    with stem_pool(2, remote) as pool:
        assert pool._pool._ctx.get_start_method() == "spawn"
        assert remote.prestem(tokens, pool=pool) > 50
    assert remote.stem_tokens(tokens) == expected
