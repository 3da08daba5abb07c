"""Gold set format and the evaluation of codings against it."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest
from stage_helpers import run_classify

from analysis.classify.evaluate import (
    _corpus_records,
    classification_report,
    evaluate_gold,
    read_gold,
)
from analysis.core.codebook import COOP_TYPES, SECTORS
from analysis.core.config import IngestParams, PreprocessParams, TopicsParams
from analysis.core.errors import UserError
from analysis.text.clean import paragraph_fingerprint
from analysis.text.records import iter_records

MIN_WORDS = IngestParams().min_words
MIN_TOKEN_LENGTH = PreprocessParams().min_token_length
MIN_TOPIC_SIZE = TopicsParams().min_topic_size
LEXICONS = Path(__file__).resolve().parents[2] / "data" / "lexicons"


@pytest.fixture(scope="module")
def gold_dir(project_root: Path) -> Path:
    return project_root / "data" / "annotations"


@pytest.fixture(scope="module")
def seed_classified(tmp_path_factory, raw_dir, lexicon_dir) -> pd.DataFrame:
    """classified.parquet for the seeds, built from inputs cleaned by ingest's code path."""
    tmp = tmp_path_factory.mktemp("seeds")
    articles = list(
        iter_records(
            raw_dir,
            lexicon_dir=lexicon_dir,
            metadata_file=raw_dir / "metadata.csv",
            min_words=MIN_WORDS,
        )
    )
    assert not any(a.is_reject for a in articles)
    documents = pd.DataFrame(
        {
            "doc_id": [a.doc_id for a in articles],
            "title": [a.title for a in articles],
            "duplicate_of": [None] * len(articles),
        }
    )
    rows = []
    for a in articles:
        paras = a.text.split("\n\n")
        rows += [(f"{a.doc_id}:p{i:03d}", a.doc_id, i, p) for i, p in enumerate(paras)]
    paragraphs = pd.DataFrame(rows, columns=["para_id", "doc_id", "para_index", "text"])
    documents.to_parquet(tmp / "documents.parquet", index=False)
    paragraphs.to_parquet(tmp / "paragraphs.parquet", index=False)
    return run_classify(
        tmp / "documents.parquet",
        tmp / "paragraphs.parquet",
        classified_path=tmp / "classified.parquet",
        lexicon_dir=lexicon_dir,
    )


def test_gold_documents_format(gold_dir):
    documents, _ = read_gold(gold_dir)
    assert list(documents.columns) == [
        "corpus",
        "doc_id",
        "coop_type",
        "partners",
        "sectors",
        "split",
        "annotator_note",
    ]
    assert set(documents["corpus"]) == {"seed", "clickid"}
    assert set(documents["split"]) == {"seed", "dev", "heldout", "heldout2", "heldout3"}
    clickid = documents[documents["corpus"] == "clickid"]
    assert len(clickid) >= 60
    assert (documents["split"] == "seed").sum() == 5
    assert (documents.loc[documents["corpus"] == "seed", "split"] == "seed").all()
    # every type has positives among the clickid articles, and hard negatives dominate
    counts = clickid["coop_type"].value_counts()
    assert all(counts.get(t, 0) >= 5 for t in COOP_TYPES)
    # the held-out part is about a third of each class of the original sample
    heldout = clickid[clickid["split"] == "heldout"]
    assert 25 <= len(heldout) <= 32
    assert set(heldout["coop_type"]) == set(COOP_TYPES)
    # the second held-out batch, labelled before the classifier saw it
    heldout2 = clickid[clickid["split"] == "heldout2"]
    assert len(heldout2) >= 40
    assert set(heldout2["coop_type"]) == set(COOP_TYPES)
    # the third batch, labelled before round 3 changed a rule; the corpus had no unlabelled
    # regional-foreign cooperation left, so it has no international positive
    heldout3 = clickid[clickid["split"] == "heldout3"]
    assert len(heldout3) >= 50
    assert set(heldout3["coop_type"]) == {"agglomeration", "domestic_other", "none"}
    assert not set(heldout3["doc_id"]) & set(clickid.loc[clickid["split"] != "heldout3", "doc_id"])
    # labels only: short notes in the annotator's words, no article text
    assert documents["annotator_note"].str.len().max() <= 300
    none_rows = documents[documents["coop_type"] == "none"]
    assert (none_rows["partners"] == "").all() and (none_rows["sectors"] == "").all()
    positives = documents[documents["coop_type"] != "none"]
    assert (positives["partners"].str.count(";") >= 1).all()  # at least two parties


def test_gold_partners_are_canonical_names(gold_dir, lexicon_dir):
    documents, paragraphs = read_gold(gold_dir)
    canonical = set()
    for name in ("gazetteer_indonesia.csv", "gazetteer_foreign.csv"):
        canonical |= set(
            pd.read_csv(lexicon_dir / name, comment="#", dtype=str, keep_default_na=False)[
                "canonical"
            ]
        )
    for frame in (documents, paragraphs):
        names = {p for cell in frame["partners"] for p in cell.split(";") if p}
        assert names <= canonical, names - canonical
        sectors = {s for cell in frame["sectors"] for s in cell.split(";") if s}
        assert sectors <= set(SECTORS)


def test_gold_paragraph_fingerprints_match_the_seeds(gold_dir, raw_dir, lexicon_dir):
    _, paragraphs = read_gold(gold_dir)
    assert len(paragraphs) >= 50
    assert set(paragraphs["doc_id"]) == {p.name for p in raw_dir.glob("*.txt")}
    records = iter_records(
        raw_dir,
        lexicon_dir=lexicon_dir,
        metadata_file=raw_dir / "metadata.csv",
        min_words=MIN_WORDS,
    )
    fingerprints = {
        (a.doc_id, paragraph_fingerprint(p)) for a in records for p in a.text.split("\n\n")
    }
    keys = set(zip(paragraphs["doc_id"], paragraphs["fingerprint"], strict=True))
    assert keys <= fingerprints


def test_classification_report_hand_example():
    gold = ["agglomeration", "agglomeration", "international", "none", "none"]
    pred = ["agglomeration", "none", "international", "none", "international"]
    report = classification_report(gold, pred)
    assert report["accuracy"] == pytest.approx(3 / 5)
    agg = report["per_class"]["agglomeration"]
    assert (agg["precision"], agg["recall"], agg["support"]) == (1.0, 0.5, 2)
    assert report["per_class"]["international"]["f1"] == pytest.approx(2 / 3)
    # domestic_other appears on neither side, so it is not averaged
    assert report["macro_f1"] == pytest.approx((2 / 3 + 2 / 3 + 0.5) / 3)
    matrix = report["confusion"]["rows_gold_columns_predicted"]
    assert report["confusion"]["labels"] == list(COOP_TYPES)
    assert matrix[0] == [1, 0, 0, 1] and matrix[3] == [0, 0, 1, 1]


def test_evaluate_gold_on_seeds(seed_classified, gold_dir):
    metrics = evaluate_gold(seed_classified, gold_dir, lexicon_dir=LEXICONS, min_words=MIN_WORDS)
    seed = metrics["documents"]["seed"]
    assert seed["n"] == 5 and seed["accuracy"] == 1.0
    assert seed["partners"]["exact_match"] == 1.0
    # clickid gold rows have no prediction without the corpus: reported, not dropped
    assert metrics["documents"]["clickid"] == "not requested"
    assert len(metrics["documents"]["unmatched"]) >= 60
    paragraphs = metrics["paragraphs"]
    assert paragraphs["unmatched"] == []
    assert paragraphs["n"] >= 50 and paragraphs["accuracy"] >= 0.8
    assert all(
        set(d) == {"doc_id", "fingerprint", "para_id", "gold", "predicted"}
        for d in paragraphs["disagreements"]
    )


def test_evaluate_gold_reports_unmatched_paragraphs(seed_classified, gold_dir, tmp_path):
    (tmp_path / "gold_documents.csv").write_bytes((gold_dir / "gold_documents.csv").read_bytes())
    text = (gold_dir / "gold_paragraphs.csv").read_text(encoding="utf-8")
    text += "000_4394a814a780e277.txt,99,0123456789ab,none,,,paragraph that is not there\n"
    (tmp_path / "gold_paragraphs.csv").write_text(text, encoding="utf-8")
    metrics = evaluate_gold(seed_classified, tmp_path, lexicon_dir=LEXICONS, min_words=MIN_WORDS)
    assert {
        "doc_id": "000_4394a814a780e277.txt",
        "fingerprint": "0123456789ab",
        "para_index": 99,
    } in metrics["paragraphs"]["unmatched"]


def test_evaluate_gold_accepts_the_cli_csv(gold_dir):
    csv_like = pd.DataFrame(
        {
            "id": ["000_4394a814a780e277.txt"],
            "coop_type": ["international"],
            "partners": ["Bekasi;Jakarta"],
            "sectors": ["water"],
            "evidence": ["x"],
        }
    )
    metrics = evaluate_gold(csv_like, gold_dir, lexicon_dir=LEXICONS, min_words=MIN_WORDS)
    assert metrics["documents"]["seed"]["disagreements"] == [
        {
            "corpus": "seed",
            "doc_id": "000_4394a814a780e277.txt",
            "gold": "agglomeration",
            "predicted": "international",
            "split": "seed",
        }
    ]
    assert metrics["paragraphs"]["status"] == "no paragraph rows in the classified table"


def test_read_gold_rejects_bad_labels(tmp_path, gold_dir):
    (tmp_path / "gold_paragraphs.csv").write_bytes((gold_dir / "gold_paragraphs.csv").read_bytes())
    header = "corpus,doc_id,coop_type,partners,sectors,split,annotator_note\n"
    (tmp_path / "gold_documents.csv").write_text(
        header + "seed,x,sister_city,,,dev,\n", encoding="utf-8"
    )
    with pytest.raises(UserError, match="not in the codebook"):
        read_gold(tmp_path)
    (tmp_path / "gold_documents.csv").write_text(header + "detik,x,none,,,dev,\n", encoding="utf-8")
    with pytest.raises(UserError, match="corpus \\['detik'\\] unknown"):
        read_gold(tmp_path)


def test_read_gold_rebuilds_corpus_ids(gold_dir):
    # the file stores the corpus apart from the article id ...
    stored = (gold_dir / "gold_documents.csv").read_text(encoding="utf-8")
    assert "clickid:" not in stored
    assert "\nclickid,kompas:2262,agglomeration," in stored
    # ... and read_gold gives the id the corpus file uses
    documents, _ = read_gold(gold_dir)
    by_id = documents.set_index("doc_id")
    assert by_id.loc["clickid:kompas:2262", "corpus"] == "clickid"
    assert by_id.loc["000_4394a814a780e277.txt", "corpus"] == "seed"
    assert not documents["doc_id"].duplicated().any()


def _evaluate_with_clickid(classified, gold_dir, clickid_path):
    """evaluate_gold with the clickid gold articles coded afresh, as the classify stage calls it."""
    return evaluate_gold(
        classified, gold_dir, clickid_path=clickid_path, lexicon_dir=LEXICONS, min_words=MIN_WORDS
    )


@pytest.mark.corpus
def test_gold_on_clickid(clickid_path, seed_classified, gold_dir):
    """The gold clickid articles classified from the corpus itself (figures in benchmarks/)."""
    metrics = _evaluate_with_clickid(seed_classified, gold_dir, clickid_path)
    documents = metrics["documents"]
    assert documents["unmatched"] == []
    assert documents["all"]["n"] == len(read_gold(gold_dir)[0])
    assert {"seed", "dev", "heldout", "heldout2", "heldout3", "heldout_all", "clickid_all"} <= set(
        documents
    )
    assert documents["rejected"] == {}  # every gold article survives ingest cleaning
    # regression floors below the measured figures (all 0.897, dev 0.974, heldout 0.792,
    # heldout2 0.711, heldout3 0.538, heldout_all 0.743 with the rules of 168b68b;
    # benchmarks/RESULTS.md). heldout3 was scored once; these floors guard, they do not tune.
    assert documents["all"]["macro_f1"] >= 0.85
    assert documents["dev"]["macro_f1"] >= 0.95
    assert documents["heldout_all"]["macro_f1"] >= 0.70
    assert documents["heldout"]["n"] >= 25 and documents["heldout2"]["n"] >= 40
    # heldout_all pools the splits never used for development; heldout2 is development data now
    assert documents["heldout3"]["n"] >= 50
    assert documents["heldout_all"]["n"] == documents["heldout"]["n"] + documents["heldout3"]["n"]
    # disagreements name articles as gold_documents.csv does: corpus, then the id within it
    stored = {
        (c, i) for c, i in read_gold(gold_dir)[0][["corpus", "doc_id"]].itertuples(index=False)
    }
    clickid_rows = [d for d in documents["all"]["disagreements"] if d["corpus"] == "clickid"]
    assert clickid_rows and all(not d["doc_id"].startswith("clickid:") for d in clickid_rows)
    assert all(("clickid", "clickid:" + d["doc_id"]) in stored for d in clickid_rows)


@pytest.mark.corpus
def test_gold_notes_do_not_copy_article_text(clickid_path, gold_dir):
    documents, _ = read_gold(gold_dir)
    ids = set(documents.loc[documents["corpus"] == "clickid", "doc_id"])
    records = [json.loads(line) for line in _corpus_records(clickid_path, ids)]
    texts = {r["id"]: f"{r.get('title') or ''} {r['text']}".lower() for r in records}
    assert set(texts) == ids
    for row in documents.itertuples(index=False):
        words = row.annotator_note.lower().split()
        article = texts.get(row.doc_id, "")
        runs = [" ".join(words[k : k + 7]) for k in range(len(words) - 6)]
        assert not any(run in article for run in runs), row.doc_id


@pytest.mark.corpus
def test_gold_reads_the_corpus_once_for_gold_and_fresh_batch(
    clickid_path, seed_classified, gold_dir, monkeypatch
):
    """The gold articles and the fresh batch are coded in one pass over the corpus, with the
    same fresh-batch figures as a pass of their own."""
    from analysis.classify import evaluate

    alone = evaluate._fresh_block(gold_dir, clickid_path, LEXICONS, MIN_WORDS)
    passes = []
    original = evaluate._corpus_lines

    def counted(path, ids):
        passes.append(len(ids))
        return original(path, ids)

    monkeypatch.setattr(evaluate, "_corpus_lines", counted)
    metrics = _evaluate_with_clickid(seed_classified, gold_dir, clickid_path)
    assert len(passes) == 1
    fresh = metrics["round4"]["fresh1"]
    assert fresh == alone
    assert fresh["n"] > 0 and fresh["n_scored_negative"] > 0
    gold_clickid = (read_gold(gold_dir)[0]["corpus"] == "clickid").sum()
    assert passes[0] >= gold_clickid  # the gold ids and the fresh batch's together


def test_gold_corpus_reader_skips_unreadable_lines_and_stops_clearly_on_a_broken_file(tmp_path):
    from analysis.classify.evaluate import _corpus_lines

    good = [json.dumps({"id": "g1", "text": "satu"}), json.dumps({"id": "g2", "text": "dua"})]
    data = "\n".join([good[0], "[" * 100_000, "{not json", good[1]]).encode("utf-8")
    data += b"\n" + b'{"id": "g3", "text": "\xff\xfe"}' + b"\n"  # not UTF-8
    corpus = tmp_path / "corpus.jsonl.gz"
    corpus.write_bytes(gzip.compress(data))
    found = list(_corpus_lines(corpus, {"g1", "g2", "g3"}))
    assert [(i, line) for i, line in found[:2]] == [("g1", good[0] + "\n"), ("g2", good[1] + "\n")]
    # the undecodable bytes are replaced: a gold line like it then fails the checksum, by name
    assert [i for i, _ in found] == ["g1", "g2", "g3"] and "\ufffd" in found[2][1]
    corpus.write_bytes(gzip.compress(data)[:-40])  # truncated
    with pytest.raises(UserError, match="cannot read the corpus for the gold evaluation"):
        list(_corpus_lines(corpus, {"g1"}))
