"""Language identification with the compiled automaton walk: the library's own scores."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.text.language import _language_identifier, identify_language, identify_languages

SEEDS = sorted((Path(__file__).resolve().parents[2] / "data" / "raw").glob("*.txt"))

TEXTS = [
    "",
    "!!! ??? ...",
    "a",
    "Pemerintah Provinsi DKI Jakarta dan Pemerintah Kota Bekasi menandatangani kerja sama "
    "pengelolaan sampah di Bantargebang.",
    "SEMUA HURUF BESAR: JAKARTA DAN DEPOK SEPAKAT MEMBANGUN JALAN TOL BARU",
    "The city of Jakarta signed a sister-city agreement with Kuala Lumpur on Monday.",
    "Kerajaan negeri Selangor dan Dewan Bandaraya Kuala Lumpur bersetuju untuk bekerjasama.",
    "Die Stadt Heidelberg und Jakarta vereinbarten eine Partnerschaft. Größe: ÄÖÜ ß",
    "北京和雅加达签署了友好城市协议。テスト",
    "Jakarta \ud83d\ude00 caf\u00e9 na\u00efve \u2013 \u201ckutipan\u201d",
]


def test_compiled_walk_gives_the_librarys_rankings():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    library = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    compiled = _language_identifier()
    assert type(compiled).__name__ == "CompiledWalkIdentifier"
    texts = TEXTS + [p.read_text(encoding="utf-8")[:1500] for p in SEEDS]
    for text in texts:
        assert compiled.rank(text) == library.rank(text)  # every label, every float
    assert compiled.rank(TEXTS[3])[0][0] == "id"
    assert compiled.rank(TEXTS[5])[0][0] == "en"


def test_top_label_is_ranks_first_entry():
    from analysis.text.language import _top_and_indonesian

    library = _language_identifier()
    texts = TEXTS + [p.read_text(encoding="utf-8")[:1500] for p in SEEDS]
    for text in texts:
        ranked = library.rank(text)
        assert _top_and_indonesian(text) == (ranked[0][0], ranked[0][1], dict(ranked)["id"])
    # no features at all (""): uniform scores, but an aliased label (srl -> sr) holds two
    assert _top_and_indonesian("")[0] == "sr"
    assert _top_and_indonesian(TEXTS[6])[0] == "ms"


@pytest.mark.parametrize(
    ("text", "label", "indonesian"),
    [(TEXTS[3] * 3, "id", True), (TEXTS[5] * 3, "en", False)],
)
def test_identify_language_decisions(text, label, indonesian):
    found, probability, is_indonesian = identify_language(text)
    assert (found, is_indonesian) == (label, indonesian)
    assert 0.5 < probability <= 1.0


def test_a_batch_gets_each_texts_own_answer_and_the_librarys_scores():
    """The batch walks every text first and scores them after: each text's label, probability
    and verdict are those it gets alone, and its scores the library's floats."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    texts = TEXTS + [p.read_text(encoding="utf-8") for p in SEEDS] + [TEXTS[5] * 3, TEXTS[3]]
    batch = identify_languages(texts)
    assert batch == [identify_language(text) for text in texts]
    assert [found[2] for found in batch[-2:]] == [False, True]  # English, then Indonesian
    assert identify_languages([]) == []
    library = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    heads = [text[:1500] for text in texts]
    for scores, text in zip(_language_identifier().decide_many(heads), heads, strict=True):
        assert scores.tolist() == library._decide(text).tolist()


def test_compiled_walk_is_kept_in_numbas_disk_cache():
    # Compiling the walk cost about 0.7 s in every process; a cached walk loads its code.
    from numba.core.caching import NullCache

    from analysis.text._langwalk import count_hits, walk_hits

    for compiled in (walk_hits, count_hits):
        assert compiled._cache is not None and not isinstance(compiled._cache, NullCache)
        assert compiled._cache._cache_path  # a writable folder was found for it


def _same_model(a: tuple, b: tuple) -> bool:
    import numpy as np

    return all(
        np.array_equal(x, y)
        and type(x) is type(y)
        and getattr(x, "dtype", None) == getattr(y, "dtype", None)
        and getattr(x, "typecode", None) == getattr(y, "typecode", None)
        for x, y in zip(a, b, strict=True)
    )


def test_the_unpacked_model_copy_is_the_librarys_model(tmp_path, monkeypatch):
    # The first load writes an unpacked copy beside numba's cache; later loads read it. Both
    # give what py3langid's own loader gives, and a damaged copy is passed over.
    from py3langid.langid import MODEL_DIR, MODEL_FILE
    from py3langid.modelio import load_model

    from analysis.text import language

    library = load_model(MODEL_DIR / MODEL_FILE)
    monkeypatch.setenv("COOPNEWS_NUMBA_CACHE", str(tmp_path / "cache" / "numba"))
    first = language._model(MODEL_FILE)
    [copy] = (tmp_path / "cache" / "langid").iterdir()
    assert copy.name.startswith("model-") and copy.suffix == ".npz"
    written = copy.stat().st_mtime_ns
    second = language._model(MODEL_FILE)
    assert copy.stat().st_mtime_ns == written  # read, not written again
    assert _same_model(first, library) and _same_model(second, library)
    copy.write_bytes(copy.read_bytes()[:1000])  # truncated
    assert _same_model(language._model(MODEL_FILE), library)
    assert not copy.exists()  # removed, so the next load writes it again
    assert _same_model(language._model(MODEL_FILE), library) and copy.stat().st_size > 10**7
    monkeypatch.setenv("COOPNEWS_NUMBA_CACHE", "/dev/null/numba")  # cannot be written
    assert _same_model(language._model(MODEL_FILE), library)
