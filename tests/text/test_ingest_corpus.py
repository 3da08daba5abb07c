"""The clickid corpus through the ingest code path (first records only; the full run is a benchmark)."""

from __future__ import annotations

from itertools import islice

import pytest

from analysis.core.config import IngestParams, PreprocessParams, TopicsParams
from analysis.text.lexicons import load_cleaning_lexicons as load_lexicons
from analysis.text.records import iter_records

MIN_WORDS = IngestParams().min_words
MIN_TOKEN_LENGTH = PreprocessParams().min_token_length
MIN_TOPIC_SIZE = TopicsParams().min_topic_size

pytestmark = pytest.mark.corpus

N_RECORDS = 600


@pytest.fixture(scope="module")
def records(clickid_path, lexicon_dir):
    return list(
        islice(iter_records(clickid_path, lexicon_dir=lexicon_dir, min_words=MIN_WORDS), N_RECORDS)
    )


def test_clickid_records_keep_their_ids_and_metadata(records, clickid_path):
    assert len(records) == N_RECORDS
    ids = [r.doc_id for r in records]
    assert len(set(ids)) == N_RECORDS
    assert all(i.startswith(f"{clickid_path.name}#clickid:") for i in ids)
    kept = [r for r in records if not r.is_reject]
    assert len(kept) >= 0.97 * N_RECORDS
    assert all(r.date is not None for r in kept)  # every clickid date format parses
    assert {r.outlet for r in kept} <= {
        "kompas.com",
        "tempo.co",
        "okezone.com",
        "sindonews.com",
        "wowkeren.com",
        "tribunnews.com",
        "kapanlagi.com",
        "fimela.com",
        "liputan6.com",
        "posmetro-medan.com",
        "merdeka.com",
        "detik.com",
    }
    assert all(r.title and r.url for r in kept)


def test_clickid_texts_are_clean(records, lexicon_dir):
    lex = load_lexicons(lexicon_dir)
    line_rules = [r.pattern for r in lex.rules if r.scope in ("line", "trailer")]
    multi_paragraph = 0
    for record in records:
        if record.is_reject:
            continue
        text = record.text
        assert text == text.strip() and "\n\n\n" not in text
        assert not text.startswith(("-", ",", "–", "—")), record.doc_id
        assert "\u00a0" not in text and "\u200b" not in text
        paragraphs = text.split("\n\n")
        multi_paragraph += len(paragraphs) > 1
        for paragraph in paragraphs:
            assert not any(p.fullmatch(paragraph) for p in line_rules), (
                record.doc_id,
                paragraph[:60],
            )
    # the flattened ".,Kalimat" breaks are restored: almost every article has paragraphs again
    assert multi_paragraph >= 0.9 * len([r for r in records if not r.is_reject])
