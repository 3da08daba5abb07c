"""benchmarks/synth_corpus.py: the generated benchmark corpus is deterministic, realistic in its
structure, and never (nearly) equal to a clickid article. Runs on the first 150 clickid articles
(a few seconds); skipped when clickid is absent."""

from __future__ import annotations

import collections
import gzip
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import synth_corpus as sc  # noqa: E402

N_SOURCE = 150
N_OUT = 400  # 2.7 cycles of the source: every base is used two or three times
_WORD = re.compile(r"\w+")


def _shingles(text: str) -> set[tuple[str, ...]]:
    """Word 5-shingles as ingest builds them (lower-cased \\w+ runs)."""
    words = _WORD.findall(text.casefold())
    return {tuple(words[k : k + 5]) for k in range(len(words) - 4)} or {tuple(words)}


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def _read(folder: Path) -> list[dict]:
    records = []
    for shard in sorted(folder.glob("part-*.jsonl.gz")):
        with gzip.open(shard, "rt", encoding="utf-8") as handle:
            records.extend(json.loads(line) for line in handle)
    return records


@pytest.fixture(scope="module")
def source(clickid_path):
    return sc.load_source(clickid_path, limit=N_SOURCE)


@pytest.fixture(scope="module")
def generated(clickid_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "a"
    manifest = sc.generate(
        N_OUT, out, source_path=clickid_path, source_limit=N_SOURCE, shard_size=150, jobs=1
    )
    return out, manifest, _read(out)


@pytest.fixture(scope="module")
def source_records(clickid_path):
    records = []
    with gzip.open(clickid_path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                records.append(json.loads(line))
            if len(records) == N_SOURCE:
                break
    return records


def test_deterministic_whatever_the_sharding_and_jobs(generated, clickid_path, tmp_path):
    out, manifest, records = generated
    again = sc.generate(
        N_OUT,
        tmp_path / "b",
        source_path=clickid_path,
        source_limit=N_SOURCE,
        shard_size=150,
        jobs=2,
    )
    assert [s["sha256"] for s in again["shards"]] == [s["sha256"] for s in manifest["shards"]]
    other_shards = sc.generate(
        N_OUT,
        tmp_path / "c",
        source_path=clickid_path,
        source_limit=N_SOURCE,
        shard_size=1000,
        jobs=1,
    )
    assert len(other_shards["shards"]) == 1
    assert _read(tmp_path / "c") == records
    sc.generate(20, tmp_path / "d", source_path=clickid_path, source_limit=N_SOURCE, seed=1, jobs=1)
    assert [r["text"] for r in _read(tmp_path / "d")] != [r["text"] for r in records[:20]]
    assert manifest["n_articles"] == len(records) == N_OUT
    assert not any(p.name.startswith(".") and p.suffix == ".tmp" for p in out.iterdir())


def test_records_have_the_clickid_format_new_ids_and_dates_over_a_year(generated):
    _, _, records = generated
    assert all(set(r) == {"id", "source", "url", "date", "title", "text"} for r in records)
    assert len({r["id"] for r in records}) == N_OUT
    assert len({r["url"] for r in records}) == N_OUT
    months = collections.Counter()
    for r in records:
        style, month = sc.parse_month(r["date"])
        assert month is not None and month.startswith("2019-"), r["date"]
        months[month] += 1
    assert len(months) == 12  # 400 uniform days of 2019 fall in every month


def test_outlet_mix_and_structure_follow_the_bases(generated, source, source_records):
    _, _, records = generated
    gen = sc.Generator(source, sc.DEFAULT_SEED)
    # one full cycle uses every source article once: the outlet mix is the source's exactly
    cycle = collections.Counter(r["source"] for r in records[:N_SOURCE])
    assert cycle == collections.Counter(r["source"] for r in source_records)
    ratios, off = [], []
    for i, record in enumerate(records):
        again, trace = gen.article_with_trace(i)
        assert again == record
        base = source.articles[trace["base"]]
        # one output paragraph per base paragraph: a donor's own punctuation rarely joins or
        # splits one when the text is read back (which donors are drawn depends on the cue
        # lexicon, so "rarely" is checked as a share, and never more than half the paragraphs)
        deviation = abs(len(sc.split_paragraphs(record["text"])) - len(base))
        assert deviation <= len(base) // 2 + 1, (i, deviation, len(base))
        off += [i] if deviation > max(1, len(base) // 5) else []
        assert record["title"] == source.meta[trace["base"]][1]
        assert trace["words_kept"] <= sc.KEEP_FRACTION * trace["words_base"]
        n_words = len(_WORD.findall(record["text"]))
        ratios.append(n_words / trace["words_base"])
        assert 0.5 <= ratios[-1] <= 2.0, (i, n_words, trace)
    assert len(off) <= 0.02 * len(records), off
    ratios.sort()
    assert 0.9 <= ratios[len(ratios) // 2] <= 1.1  # the length distribution is the base's


def test_donor_sentences_carry_no_cooperation_cue(generated, source):
    """Every cue sentence of an output comes from its base: the cooperation signal is the base's."""
    _, _, records = generated
    gen = sc.Generator(source, sc.DEFAULT_SEED)
    by_text: dict[str, set[int]] = collections.defaultdict(set)
    for a, paras in enumerate(source.articles):
        for ids in paras:
            for s in ids:
                by_text[source.sentences[s]].add(a)
    unknown = 0
    for i, record in enumerate(records):
        _, trace = gen.article_with_trace(i)
        for paragraph in sc.split_paragraphs(record["text"]):
            for sentence in sc.split_sentences(paragraph):
                owners = by_text.get(sentence)
                if owners is None:
                    unknown += 1  # re-split differently after joining (rare)
                    continue
                cue = any(
                    source.cue_sent[s]
                    for a in owners
                    for ids in source.articles[a]
                    for s in ids
                    if source.sentences[s] == sentence
                )
                if cue:
                    assert trace["base"] in owners, (i, sentence)
    assert unknown < 0.02 * sum(len(sc.split_paragraphs(r["text"])) for r in records)


def test_no_output_equals_or_nearly_equals_an_input_or_another_output(generated, source_records):
    _, _, records = generated
    inputs = [_shingles(r["text"]) for r in source_records]
    outputs = [_shingles(r["text"]) for r in records]
    input_texts = {r["text"] for r in source_records}
    assert not any(r["text"] in input_texts for r in records)
    worst_input = max(_jaccard(o, i) for o in outputs for i in inputs)
    # ingest flags near duplicates at Jaccard >= 0.8 (LSH candidates from 0.65)
    assert worst_input < 0.5, worst_input
    worst_output = max(
        _jaccard(outputs[a], outputs[b])
        for a in range(len(outputs))
        for b in range(a + 1, len(outputs))
    )
    assert worst_output < 0.5, worst_output


def test_refuses_to_write_into_the_repository(clickid_path):
    with pytest.raises(SystemExit, match="inside the repository"):
        sc.generate(
            5,
            ROOT / "data" / "synth_should_not_exist",
            source_path=clickid_path,
            source_limit=N_SOURCE,
        )
    assert not (ROOT / "data" / "synth_should_not_exist").exists()


def test_dates_are_written_in_the_source_formats():
    import datetime as dt

    day = dt.date(2019, 3, 7)
    for original in (
        "2019-09-13",
        "10/09/2019",
        "10-Sep-19",
        "25 Okt 2019",
        "31 Juli 2019",
        "Oktober 19, 2019",
        "Sep 30, 2019",
    ):
        style, month = sc.parse_month(original)
        assert month is not None, original
        written = sc.format_date(day, style)
        assert sc.parse_month(written) == (style, "2019-03"), (original, written)
