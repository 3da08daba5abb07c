"""Score cooperation codings against the hand-labelled gold set (data/annotations)."""

from __future__ import annotations

import gzip
import hashlib
import tempfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import pandas as pd

from ..core.codebook import COOP_TYPES, SECTORS
from ..core.errors import UserError
from ..core.io import parse_json
from ..text.clean import split_paragraphs
from .files import input_records
from .rules import Classifier
from .scoring import (
    bootstrap_interval,
    cohen_kappa,
    krippendorff_alpha_nominal,
    wilson_interval,
)

__all__ = ["evaluate_gold", "classification_report", "read_gold", "gold_doc_ids", "round4_report", "GOLD_CORPORA",
           "HELDOUT_SPLITS", "CLICKID_CHECKSUM", "UNTOUCHED_SPLIT", "EXPOSED_SPLIT"]

_DOC_COLUMNS = ["corpus", "doc_id", "coop_type", "partners", "sectors", "split"]
# Gold splits never used to write or tune the rules; pooled as ``heldout_all``, the honest
# estimate for new articles. heldout2 was held out in round 2 and scored once, then used for
# development in round 3 (data/annotations/GUIDE.md), so it is no longer part of it.
HELDOUT_SPLITS = ("heldout", "heldout3")
# Round 4 (issue 20): the split no rule of the round saw, scored once at the end, and the split
# whose errors the issue itself named (so no longer honest); data/annotations/GUIDE.md §7.
UNTOUCHED_SPLIT = "heldout3"
EXPOSED_SPLIT = "heldout"
_FRESH_FILE = "fresh1_labels.csv"
_SECOND_CODER_FILE = "second_coder.csv"
_RESOLUTIONS_FILE = "resolutions.csv"
_POSITIVE = ("agglomeration", "domestic_other", "international")
# Where gold documents come from: the bundled seeds (doc_id = file name in data/raw) or an
# external corpus read at run time, whose ids are "<corpus>:<article id>" in the corpus file.
# The gold file stores the corpus name and the article id apart, so that no corpus id (and no
# search for corpus text in the repository) mixes with the labels.
GOLD_CORPORA = ("seed", "clickid")
# In the gold folder: the sha256 of the gold clickid articles (see that file).
CLICKID_CHECKSUM = "clickid_gold.sha256"
_PARA_COLUMNS = ["doc_id", "para_index", "fingerprint", "coop_type", "partners", "sectors"]


def read_gold(gold_dir: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read and check gold_documents.csv and gold_paragraphs.csv.

    ``gold_documents.csv`` stores each document's ``corpus`` (``seed`` or ``clickid``) and its id
    within that corpus; the returned table's ``doc_id`` is the full id the classifier sees: the
    file name for a seed, ``<corpus>:<id>`` otherwise (the id field of the corpus file).

    Returns:
        (documents, paragraphs); documents has the columns of the file, doc_id rebuilt.

    Raises:
        UserError: a file is missing, lacks a column, repeats a key or uses a label outside the
            codebook.
    """
    gold_dir = Path(gold_dir)
    documents = _read(gold_dir / "gold_documents.csv", _DOC_COLUMNS)
    paragraphs = _read(gold_dir / "gold_paragraphs.csv", _PARA_COLUMNS)
    unknown = sorted(set(documents["corpus"]) - set(GOLD_CORPORA))
    if unknown:
        raise UserError(f"{gold_dir / 'gold_documents.csv'}: corpus {unknown} unknown; use one of "
                        f"{list(GOLD_CORPORA)}")
    external = documents["corpus"] != "seed"
    documents.loc[external, "doc_id"] = documents.loc[external, "corpus"] + ":" + \
        documents.loc[external, "doc_id"]
    for name, frame, key in (("gold_documents.csv", documents, ["doc_id"]),
                             ("gold_paragraphs.csv", paragraphs, ["doc_id", "fingerprint"])):
        path = gold_dir / name
        bad = sorted(set(frame["coop_type"]) - set(COOP_TYPES))
        if bad:
            raise UserError(f"{path}: coop_type {bad} not in the codebook {list(COOP_TYPES)}")
        sectors = {s for cell in frame["sectors"] for s in _split(cell)}
        if sectors - set(SECTORS):
            raise UserError(f"{path}: sectors {sorted(sectors - set(SECTORS))} not in the codebook")
        duplicated = frame[frame.duplicated(key, keep=False)]
        if not duplicated.empty:
            raise UserError(f"{path}: key {key} repeated, e.g. {duplicated.iloc[0][key].tolist()}")
    paragraphs["para_index"] = pd.to_numeric(paragraphs["para_index"], errors="coerce")
    return documents, paragraphs


def gold_doc_ids(gold_dir: str | Path) -> set[str]:
    """The doc_ids (as the classifier sees them) of every gold document and gold paragraph: the
    only rows of classified.parquet that :func:`evaluate_gold` looks at."""
    documents, paragraphs = read_gold(gold_dir)
    return set(documents["doc_id"]) | set(paragraphs["doc_id"])


def _read(path: Path, required: Sequence[str]) -> pd.DataFrame:
    if not path.is_file():
        raise UserError(f"{path}: gold file not found; it lives in data/annotations/ in the repository")
    frame = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False)
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise UserError(f"{path}: missing column(s) {', '.join(missing)}")
    return frame


def _full_id(corpus: str, doc_id: str) -> str:
    """The id the classifier sees for a gold row: the file name for a seed, else corpus:id."""
    return doc_id if corpus == "seed" else f"{corpus}:{doc_id}"


def _split(cell: object) -> list[str]:
    if cell is None or (isinstance(cell, float) and pd.isna(cell)):
        return []
    if isinstance(cell, str):
        return [x for x in cell.split(";") if x]
    return [str(x) for x in cell]


def classification_report(gold: Sequence[str], predicted: Sequence[str],
                          labels: Sequence[str] = COOP_TYPES) -> dict:
    """Per-class precision/recall/F1/support, macro-F1, accuracy and confusion matrix.

    Macro-F1 averages over the labels that occur in the gold or the predicted labels (a class
    absent from both says nothing about the classifier). Confusion rows are gold, columns
    predicted, both in ``labels`` order.
    """
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted differ in length")
    index = {label: k for k, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, predicted, strict=True):
        matrix[index[g]][index[p]] += 1
    per_class = {}
    used = []
    for k, label in enumerate(labels):
        tp = matrix[k][k]
        support = sum(matrix[k])
        predicted_n = sum(row[k] for row in matrix)
        precision = tp / predicted_n if predicted_n else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[label] = {"precision": precision, "recall": recall, "f1": f1,
                            "support": support, "predicted": predicted_n}
        if support or predicted_n:
            used.append(f1)
    n = len(gold)
    return {
        "n": n,
        "accuracy": sum(matrix[k][k] for k in range(len(labels))) / n if n else None,
        "macro_f1": sum(used) / len(used) if used else None,
        "per_class": per_class,
        "confusion": {"labels": list(labels), "rows_gold_columns_predicted": matrix},
    }


def _set_scores(gold_sets: Iterable[set[str]], predicted_sets: Iterable[set[str]]) -> dict:
    tp = fp = fn = exact = n = 0
    for g, p in zip(gold_sets, predicted_sets, strict=True):
        tp += len(g & p)
        fp += len(p - g)
        fn += len(g - p)
        exact += g == p
        n += 1
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    f1 = (2 * precision * recall / (precision + recall)
          if precision is not None and recall is not None and precision + recall else None)
    return {"n": n, "micro_precision": precision, "micro_recall": recall, "micro_f1": f1,
            "exact_match": exact / n if n else None}


def _document_predictions(classified: pd.DataFrame) -> pd.DataFrame:
    frame = classified
    if "level" in frame.columns:
        frame = frame[frame["level"] == "document"]
    elif "id" in frame.columns and "doc_id" not in frame.columns:
        frame = frame.rename(columns={"id": "doc_id"})  # the classify CLI's CSV
    missing = [c for c in ("doc_id", "coop_type") if c not in frame.columns]
    if missing:
        raise UserError(f"classified table lacks column(s) {missing}; pass classified.parquet "
                        f"or the CSV written by `python -m analysis classify`")
    out = frame[["doc_id", "coop_type"]].copy()
    out["partners"] = frame["partners"].map(_split) if "partners" in frame else [[]] * len(frame)
    out["sectors"] = frame["sectors"].map(_split) if "sectors" in frame else [[]] * len(frame)
    if "confidence" in frame:
        out["confidence"] = frame["confidence"]
    return out.drop_duplicates("doc_id", keep="last")


def _corpus_records(corpus_path: Path, ids: set[str]) -> Iterator[str]:
    """The JSON lines of a .jsonl(.gz) corpus whose ``id`` is in ``ids``, in file order."""
    for _, line in _corpus_lines(corpus_path, ids):
        yield line


def _corpus_lines(corpus_path: Path, ids: set[str]) -> Iterator[tuple[str, str]]:
    """``(id, JSON line)`` for the records of a .jsonl(.gz) corpus whose ``id`` is in ``ids``.

    Bytes that are not UTF-8 are replaced, not fatal: a gold line that holds any then fails the
    recorded checksum (:func:`_check_gold_text` says so), and any other line is only read for
    its id. A file that cannot be read to its end (a truncated or corrupt gzip) stops with a
    :class:`UserError`.
    """
    opener = gzip.open if corpus_path.name.lower().endswith(".gz") else open
    try:
        with opener(corpus_path, "rt", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if not line.strip():
                    continue
                try:
                    record = parse_json(line)
                except ValueError:
                    continue  # not a gold article; ingest reports such lines when reading it
                if isinstance(record, dict) and str(record.get("id")) in ids:
                    yield str(record["id"]), line if line.endswith("\n") else line + "\n"
    except (OSError, EOFError, zlib.error) as exc:
        raise UserError(f"{corpus_path}: cannot read the corpus for the gold evaluation ({exc}); "
                        "point classify.clickid_path at an intact copy of the clickid corpus"
                        ) from None


def _check_gold_text(digest: str, corpus_path: Path, checksum: Path) -> None:
    """Stop unless the gold articles read from the corpus (their lines' SHA-256 ``digest``) are
    the text the labels were made on."""
    expected = [line.strip() for line in checksum.read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.startswith("#")]
    if expected != [digest]:
        raise UserError(f"{corpus_path}: its gold clickid articles are not the text recorded in "
                        f"{checksum} (sha256 {digest}); point classify.clickid_path at the "
                        "clickid corpus the gold set was labelled on")


def _classify_corpus(corpus_path: Path, ids: set[str], lexicon_dir: str | Path,
                     min_words: int, checksum: Path | None = None,
                     checked_ids: set[str] | None = None
                     ) -> tuple[pd.DataFrame, dict[str, str]]:
    """Code the articles ``ids`` of a corpus file exactly as ``classify_input`` would.

    Only those records are copied to a temporary .jsonl (outside the repository, deleted
    after use), which :func:`analysis.text.records.iter_records` then cleans like any input
    (with the ingest stage's ``min_words``, so gold sees what the pipeline sees); reading the
    whole corpus would take a minute. With ``checksum``, the lines of the records in
    ``checked_ids`` (default: all of ``ids``), in file order, must hash to the value recorded
    there. Returns the codings and ``{id: reject reason}``.
    """
    checked = ids if checked_ids is None else checked_ids
    classifier = Classifier.from_lexicons(lexicon_dir)
    rows, rejected = [], {}
    with tempfile.TemporaryDirectory(prefix="gold-") as tmp:
        subset = Path(tmp) / "gold.jsonl"
        digest = hashlib.sha256()
        with subset.open("w", encoding="utf-8") as handle:
            for record_id, line in _corpus_lines(corpus_path, ids):
                handle.write(line)
                if record_id in checked:
                    digest.update(line.encode("utf-8"))
        if checksum is not None:
            _check_gold_text(digest.hexdigest(), corpus_path, checksum)
        for doc_id, record in input_records(subset, Path(lexicon_dir), min_words=min_words,
                                            n_jobs=1, metadata_file=""):
            if record.is_reject:
                rejected[doc_id] = f"{record.reason}: {record.detail}"
                continue
            coding = classifier.classify_document(record.title, tuple(split_paragraphs(record.text)),
                                                  paragraph_codings=False)
            rows.append((doc_id, coding.coop_type, list(coding.partners), list(coding.sectors),
                         coding.confidence))
    frame = pd.DataFrame(rows, columns=["doc_id", "coop_type", "partners", "sectors", "confidence"])
    return frame, rejected


def _only(codings: tuple[pd.DataFrame, dict[str, str]], ids: set[str]
          ) -> tuple[pd.DataFrame, dict[str, str]]:
    """The codings and rejects of :func:`_classify_corpus` restricted to ``ids`` (file order)."""
    frame, rejected = codings
    kept = frame[frame["doc_id"].isin(ids)].reset_index(drop=True)
    return kept, {doc_id: why for doc_id, why in rejected.items() if doc_id in ids}


def _fresh_ids(gold_dir: Path) -> set[str]:
    """The ids of the sealed fresh batch (empty when its label file is absent)."""
    path = gold_dir / _FRESH_FILE
    if not path.is_file():
        return set()
    labels = _read(path, ["corpus", "doc_id"])
    return {f"{c}:{d}" for c, d in zip(labels["corpus"], labels["doc_id"], strict=True)}


def evaluate_gold(classified: pd.DataFrame, gold_dir: str | Path,
                  clickid_path: str | Path | None = None, *,
                  lexicon_dir: str | Path, min_words: int) -> dict:
    """Compare codings with the gold set; return JSON-ready metrics.

    Args:
        classified: classified.parquet as a DataFrame (document and paragraph rows), or the CSV
            of ``python -m analysis classify`` (columns id, coop_type, partners, sectors).
        gold_dir: folder with gold_documents.csv and gold_paragraphs.csv.
        clickid_path: the clickid corpus; when given and present, the gold clickid articles are
            read from it (only those ids), cleaned by ingest's code path and classified afresh
            (as ``python -m analysis classify`` would), and these codings are used for them in
            the document-level evaluation.
        lexicon_dir: lexicons for cleaning and classifying the clickid gold articles.
        min_words: shorter clickid gold articles are rejected, as ingest rejects them.

    Returns:
        ``{"documents": {...}, "paragraphs": {...}}``. ``documents`` holds ``all`` and one entry
        per gold split (seed, dev, heldout, heldout2, heldout3) with a classification report,
        partner and sector set scores on documents both sides code as cooperation, and
        ``disagreements`` (ids and labels only); ``clickid_all`` covers the clickid rows of every
        split and ``heldout_all`` the splits never used for development pooled
        (:data:`HELDOUT_SPLITS`: heldout and heldout3; heldout2 became development data after
        round 2). Gold rows
        without a prediction are listed under ``unmatched`` (and, when ingest cleaning rejected
        the article, under ``rejected`` with the reason) and left out of the scores, never
        dropped silently.
    """
    gold_docs, gold_paras = read_gold(gold_dir)
    predictions = _document_predictions(classified)
    clickid_status = "not requested"
    rejected: dict[str, str] = {}
    coded: tuple[pd.DataFrame, dict[str, str]] | None = None
    clickid = gold_docs["corpus"] == "clickid"
    if clickid_path is not None:
        clickid_path = Path(clickid_path)
        ids = set(gold_docs.loc[clickid, "doc_id"])
        if clickid_path.is_file():
            checksum = Path(gold_dir) / CLICKID_CHECKSUM
            # one pass over the corpus codes the gold articles and the fresh batch together
            coded = _classify_corpus(clickid_path, ids | _fresh_ids(Path(gold_dir)), lexicon_dir,
                                     min_words, checksum if checksum.is_file() else None,
                                     checked_ids=ids)
            fresh, rejected = _only(coded, ids)
            predictions = pd.concat([predictions[~predictions["doc_id"].isin(set(fresh["doc_id"]))],
                                     fresh], ignore_index=True)
            clickid_status = f"classified {len(fresh)} of {len(ids)} gold clickid articles"
            if rejected:
                clickid_status += f" ({len(rejected)} rejected by ingest cleaning)"
        else:
            clickid_status = f"{clickid_path} not found; clickid gold rows without predictions"

    merged = gold_docs.merge(predictions, on="doc_id", how="left", suffixes=("_gold", "_pred"))
    unmatched = merged[merged["coop_type_pred"].isna()]
    matched = merged[merged["coop_type_pred"].notna()]
    documents: dict = {
        "clickid": clickid_status,
        "unmatched": sorted(unmatched["doc_id"]),
        "rejected": dict(sorted(rejected.items())),
        "all": _document_block(matched),
    }
    for split in sorted(set(gold_docs["split"])):
        documents[split] = _document_block(matched[matched["split"] == split])
    held_out = [s for s in HELDOUT_SPLITS if s in set(gold_docs["split"])]
    if held_out:  # every split kept out of rule writing, pooled
        documents["heldout_all"] = _document_block(matched[matched["split"].isin(held_out)])
    documents["clickid_all"] = _document_block(matched[matched["corpus"] == "clickid"])
    result = {"documents": documents, "paragraphs": _paragraph_block(classified, gold_paras)}
    result["round4"] = round4_report(
        matched, Path(gold_dir), clickid_path if clickid_path is not None and
        Path(clickid_path).is_file() else None, lexicon_dir=lexicon_dir, min_words=min_words,
        codings=coded)
    return result


def _document_block(frame: pd.DataFrame) -> dict:
    gold = frame["coop_type_gold"].tolist()
    pred = frame["coop_type_pred"].tolist()
    block = classification_report(gold, pred)
    both = frame[(frame["coop_type_gold"] != "none") & (frame["coop_type_pred"] != "none")]
    block["partners"] = _set_scores((set(_split(x)) for x in both["partners_gold"]),
                                    (set(_split(x)) for x in both["partners_pred"]))
    block["sectors"] = _set_scores((set(_split(x)) for x in both["sectors_gold"]),
                                   (set(_split(x)) for x in both["sectors_pred"]))
    # ids as gold_documents.csv writes them (corpus, id within it), so a reader finds the row
    block["disagreements"] = [
        {"corpus": r.corpus, "doc_id": _local_id(r.doc_id, r.corpus), "gold": r.coop_type_gold,
         "predicted": r.coop_type_pred, "split": r.split}
        for r in frame.itertuples(index=False) if r.coop_type_gold != r.coop_type_pred
    ]
    return block


def _local_id(doc_id: str, corpus: str) -> str:
    """``doc_id`` without the ``<corpus>:`` prefix that :func:`read_gold` adds."""
    prefix = f"{corpus}:"
    return doc_id[len(prefix):] if corpus != "seed" and doc_id.startswith(prefix) else doc_id


def _paragraph_block(classified: pd.DataFrame, gold_paras: pd.DataFrame) -> dict:
    if "level" not in classified.columns or "para_fingerprint" not in classified.columns:
        return {"status": "no paragraph rows in the classified table",
                "unmatched": [{"doc_id": r.doc_id, "fingerprint": r.fingerprint}
                              for r in gold_paras.itertuples(index=False)]}
    paras = classified[classified["level"] == "paragraph"]
    by_key: dict[tuple[str, str], list] = {}
    for r in paras.itertuples(index=False):
        by_key.setdefault((r.doc_id, r.para_fingerprint), []).append(r)
    gold, pred, unmatched, disagreements = [], [], [], []
    gold_sectors, pred_sectors = [], []
    for g in gold_paras.itertuples(index=False):
        candidates = by_key.get((g.doc_id, g.fingerprint))
        if not candidates:
            unmatched.append({"doc_id": g.doc_id, "fingerprint": g.fingerprint,
                              "para_index": None if pd.isna(g.para_index) else int(g.para_index)})
            continue
        # identical paragraphs in one document: take the one nearest the index hint
        hint = -1 if pd.isna(g.para_index) else g.para_index
        best = min(candidates, key=lambda r: abs((r.para_index if pd.notna(r.para_index) else 0)
                                                 - hint))
        gold.append(g.coop_type)
        pred.append(best.coop_type)
        gold_sectors.append(set(_split(g.sectors)))
        pred_sectors.append(set(_split(best.sectors)))
        if g.coop_type != best.coop_type:
            disagreements.append({"doc_id": g.doc_id, "fingerprint": g.fingerprint,
                                  "para_id": best.para_id, "gold": g.coop_type,
                                  "predicted": best.coop_type})
    block = classification_report(gold, pred)
    block["sectors"] = _set_scores(gold_sectors, pred_sectors)
    block["unmatched"] = unmatched
    block["disagreements"] = disagreements
    return block


def _macro_f1(gold: Sequence[str], predicted: Sequence[str]) -> float | None:
    return classification_report(gold, predicted)["macro_f1"]


def _split_scores(frame: pd.DataFrame, note: str) -> dict:
    """Macro-F1 with its bootstrap 95 % interval, per-class precision and recall, and how
    many positives of each type the split holds (few: say so)."""
    gold = frame["coop_type_gold"].tolist()
    pred = frame["coop_type_pred"].tolist()
    report = classification_report(gold, pred)
    interval = bootstrap_interval(gold, pred, _macro_f1)
    return {
        "n": len(gold),
        "n_positive": {t: gold.count(t) for t in _POSITIVE},
        "macro_f1": report["macro_f1"],
        "macro_f1_ci95": list(interval) if interval else None,
        "accuracy": report["accuracy"],
        "per_class": {t: {k: report["per_class"][t][k] for k in ("precision", "recall", "support",
                                                              "predicted")}
                      for t in ("none", *_POSITIVE)},
        "note": note,
    }


def _gold_sectors(matched: pd.DataFrame) -> dict:
    """Sector micro-F1 on every gold cooperation document (a missed one predicts no sector)."""
    positive = matched[matched["coop_type_gold"] != "none"]
    return _set_scores((set(_split(x)) for x in positive["sectors_gold"]),
                       (set(_split(x)) if p != "none" else set()
                        for x, p in zip(positive["sectors_pred"], positive["coop_type_pred"],
                                        strict=True)))


def _by_confidence(matched: pd.DataFrame) -> dict:
    """Precision of the coded gold documents by confidence level (dev-like splits included)."""
    coded = matched[matched["coop_type_pred"] != "none"]
    if "confidence" not in coded.columns:
        return {}
    out = {}
    for level in ("high", "low"):
        rows = coded[coded["confidence"].fillna("") == level]
        right = int((rows["coop_type_pred"] == rows["coop_type_gold"]).sum())
        out[level] = {"n": len(rows), "correct": right,
                      "precision": right / len(rows) if len(rows) else None}
    return out


def round4_report(matched: pd.DataFrame, gold_dir: Path, clickid_path: Path | None, *,
                  lexicon_dir: str | Path, min_words: int,
                  codings: tuple[pd.DataFrame, dict[str, str]] | None = None) -> dict:
    """The round-4 figures (issue 20): the untouched split, the exposed one, the fresh
    negative-heavy test, inter-coder agreement, sector F1 and precision by confidence.

    Every number is computed here from the label files and the codings; nothing is typed in.
    ``codings`` (from :func:`_classify_corpus`), when given, already hold the fresh batch's
    articles, so the corpus is not read a second time.
    """
    out: dict = {}
    for split, note in ((UNTOUCHED_SPLIT, "no round-4 rule written on its articles, scored once; "
                                          "optimistic: the issue's named misses repeat the "
                                          "descriptions of its round-3 errors (GUIDE §7)"),
                        (EXPOSED_SPLIT, "exposed: the issue named three of its errors")):
        rows = matched[matched["split"] == split]
        if len(rows):
            out[split] = _split_scores(rows, note)
    out["sectors_gold"] = _gold_sectors(matched)
    out["by_confidence"] = _by_confidence(matched)
    out["fresh1"] = _fresh_block(gold_dir, clickid_path, lexicon_dir, min_words, codings)
    out["agreement"] = _agreement_block(gold_dir)
    return out


def _fresh_block(gold_dir: Path, clickid_path: Path | None, lexicon_dir: str | Path,
                 min_words: int, codings: tuple[pd.DataFrame, dict[str, str]] | None = None
                 ) -> dict:
    """False-positive rate (Wilson 95 % interval) on the sealed fresh batch, and its positives."""
    path = gold_dir / _FRESH_FILE
    if not path.is_file():
        return {"status": f"{_FRESH_FILE} not found"}
    labels = _read(path, ["corpus", "doc_id", "coop_type"])
    if clickid_path is None:
        return {"status": "clickid corpus not found; fresh1 not scored", "n": len(labels)}
    ids = {f"{c}:{d}" for c, d in zip(labels["corpus"], labels["doc_id"], strict=True)}
    coded, rejected = (_only(codings, ids) if codings is not None
                       else _classify_corpus(clickid_path, ids, lexicon_dir, min_words))
    predicted = dict(zip(coded["doc_id"], coded["coop_type"], strict=True))
    confidence = dict(zip(coded["doc_id"], coded["confidence"], strict=True))
    negatives = [f"{c}:{d}" for c, d, t in zip(labels["corpus"], labels["doc_id"],
                                               labels["coop_type"], strict=True) if t == "none"]
    scored = [d for d in negatives if d in predicted]
    false_pos = [d for d in scored if predicted[d] != "none"]
    high_fp = [d for d in false_pos if confidence.get(d) == "high"]
    interval = wilson_interval(len(false_pos), len(scored))
    positives = [(f"{c}:{d}", t) for c, d, t in zip(labels["corpus"], labels["doc_id"],
                                                    labels["coop_type"], strict=True) if t != "none"]
    return {
        "n": len(labels), "n_negative": len(negatives), "n_scored_negative": len(scored),
        "false_positives": len(false_pos),
        "false_positive_rate": len(false_pos) / len(scored) if scored else None,
        "false_positive_rate_ci95": list(interval) if interval else None,
        "false_positives_high_confidence": len(high_fp),
        "false_positive_rate_high_confidence": len(high_fp) / len(scored) if scored else None,
        "false_positive_ids": sorted(false_pos),
        "n_positive": len(positives),
        "positives_found": sum(predicted.get(d) == t for d, t in positives),
        "rejected": dict(sorted(rejected.items())),
    }


def _agreement_block(gold_dir: Path) -> dict:
    """Cohen's κ and Krippendorff's α of the second coder against the gold coop_type as it was
    when the second coder worked (the agreement to report), and against the gold after the
    written resolutions of GUIDE §7 (``resolutions.csv`` lists each changed label)."""
    path = gold_dir / _SECOND_CODER_FILE
    if not path.is_file():
        return {"status": f"{_SECOND_CODER_FILE} not found"}
    second = _read(path, ["corpus", "doc_id", "coop_type"])
    documents, _paragraphs = read_gold(gold_dir)
    after = dict(zip(documents["doc_id"], documents["coop_type"], strict=True))
    before = dict(after)
    resolutions = gold_dir / _RESOLUTIONS_FILE
    changed = (_read(resolutions, ["corpus", "doc_id", "coop_type_before", "coop_type_after"])
               if resolutions.is_file() else pd.DataFrame(columns=["corpus", "doc_id"]))
    for row in changed.itertuples(index=False):
        key = _full_id(row.corpus, row.doc_id)
        if after.get(key) != row.coop_type_after:
            raise UserError(f"{resolutions}: {key} is {after.get(key)!r} in the gold file, "
                            f"not the resolved {row.coop_type_after!r}")
        before[key] = row.coop_type_before
    keys = [_full_id(c, d) for c, d in zip(second["corpus"], second["doc_id"], strict=True)]
    missing = [k for k in keys if k not in after]
    kept = [(k, t) for k, t in zip(keys, second["coop_type"], strict=True) if k in after]
    if not kept:
        return {"status": "no double-coded article in the gold set"}

    def stats(gold: dict) -> dict:
        a, b = [gold[k] for k, _ in kept], [t for _, t in kept]
        return {"agree": sum(x == y for x, y in zip(a, b, strict=True)),
                "cohen_kappa": cohen_kappa(a, b), "krippendorff_alpha": krippendorff_alpha_nominal(a, b)}

    return {"n": len(kept), "not_in_gold": missing, **stats(before),
            "against": "gold as it was when the second coder worked (before the GUIDE §7 resolutions)",
            "n_resolved": len(changed), "after_resolutions": stats(after)}
