"""Offline paragraph embeddings: deterministic TF-IDF→SVD, local-only sentence models, the cache."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.core.errors import UserError
from analysis.topics.embeddings import TfidfSvdEmbedder, embed_paragraphs, load_sentence_model

TEXTS = [
    "Jakarta dan Kuala Lumpur menjalin kerja sama sister city.",
    "Kerja sama sister city Jakarta Kuala Lumpur mengatasi kemacetan.",
    "PAM Jaya menyalurkan air bersih ke Bekasi.",
    "Air bersih dari Jakarta untuk warga Bekasi.",
    "Sampah Jakarta dibuang ke Bantar Gebang di Bekasi.",
    "Perpanjangan kerja sama Bantar Gebang dibahas gubernur.",
    "Aplikasi JAKI ditawarkan kepada Provinsi Banten.",
    "Gubernur Banten menerima tawaran aplikasi JAKI.",
]


def test_tfidf_svd_is_deterministic_and_unit_length():
    first = TfidfSvdEmbedder(n_components=4, seed=7).fit(TEXTS).embed(TEXTS)
    second = TfidfSvdEmbedder(n_components=4, seed=7).fit(TEXTS).embed(TEXTS)
    assert first.shape == (8, 4) and first.dtype == np.float64
    assert np.array_equal(first, second)
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0)


def test_components_are_capped_by_corpus_size():
    embedded = TfidfSvdEmbedder(n_components=50, seed=1).fit(TEXTS).embed(TEXTS)
    assert embedded.shape == (8, 7)  # at most one fewer than the paragraphs


def test_similar_paragraphs_are_close():
    vectors = TfidfSvdEmbedder(n_components=6, seed=1).fit(TEXTS).embed(TEXTS)
    similarity = vectors @ vectors.T
    # the two sister-city paragraphs resemble each other more than a water paragraph
    assert similarity[0, 1] > similarity[0, 2]


def test_deferred_fit_embeds_exactly_like_an_eager_fit():
    eager = TfidfSvdEmbedder(n_components=4, seed=3).fit(TEXTS)
    lazy = TfidfSvdEmbedder(n_components=4, seed=3).defer_fit(TEXTS)
    new = ["Kemacetan Jakarta dan Kuala Lumpur", "air bersih Bekasi"]
    assert np.array_equal(eager.embed(new), lazy.embed(new))


def test_text_without_words_is_refused():
    with pytest.raises(UserError, match="distinct words"):
        TfidfSvdEmbedder(50, 0).fit(["123 456", "7 8 9"])


def test_cache_round_trip_is_exact(tmp_path):
    fit = TEXTS[:6]
    first, _, info = embed_paragraphs(fit, TEXTS, svd_components=4, seed=5, cache_dir=tmp_path)
    files = list(tmp_path.glob("*.npy"))
    assert [f.stem for f in files] == [info["cache_key"]]
    second, embedder, again = embed_paragraphs(
        fit, TEXTS, svd_components=4, seed=5, cache_dir=tmp_path
    )
    assert again["cache_key"] == info["cache_key"]
    assert np.array_equal(first, second)
    # the embedder of a cache hit still embeds new texts exactly as a fitted one would
    fresh = TfidfSvdEmbedder(n_components=4, seed=5).fit(fit)
    assert np.array_equal(embedder.embed(["air bersih"]), fresh.embed(["air bersih"]))
    no_cache, _, _ = embed_paragraphs(fit, TEXTS, svd_components=4, seed=5, cache_dir=None)
    assert np.array_equal(first, no_cache)


def test_cache_key_covers_texts_and_settings(tmp_path):
    keys = {
        embed_paragraphs(TEXTS, TEXTS, svd_components=4, seed=5, cache_dir=None)[2]["cache_key"],
        embed_paragraphs(TEXTS, TEXTS, svd_components=3, seed=5, cache_dir=None)[2]["cache_key"],
        embed_paragraphs(TEXTS, TEXTS, svd_components=4, seed=6, cache_dir=None)[2]["cache_key"],
        embed_paragraphs(TEXTS, TEXTS[::-1], svd_components=4, seed=5, cache_dir=None)[2][
            "cache_key"
        ],
        embed_paragraphs(TEXTS[:7], TEXTS, svd_components=4, seed=5, cache_dir=None)[2][
            "cache_key"
        ],
    }
    assert len(keys) == 5


def test_damaged_cache_file_is_recomputed(tmp_path):
    good, _, info = embed_paragraphs(TEXTS, TEXTS, svd_components=4, seed=5, cache_dir=tmp_path)
    path = tmp_path / f"{info['cache_key']}.npy"
    path.write_bytes(b"not an array")
    again, _, _ = embed_paragraphs(TEXTS, TEXTS, svd_components=4, seed=5, cache_dir=tmp_path)
    assert np.array_equal(good, again)
    assert np.array_equal(np.load(path), good)  # repaired


def test_missing_sentence_model_is_a_user_error_and_nothing_is_downloaded(tmp_path):
    with pytest.raises(UserError) as err:
        load_sentence_model(str(tmp_path / "no-such-model"))
    message = str(err.value)
    assert "is not available locally" in message
    assert "topics.embedding: tfidf-svd" in message
    assert not any(tmp_path.iterdir())


def _tiny_sentence_model(folder):
    """A 16-dimensional static word-embedding model built offline (random vectors)."""
    pytest.importorskip("sentence_transformers", reason="needs `make embeddings`")
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import StaticEmbedding
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import Whitespace

    words = sorted({w.strip(".,").lower() for text in TEXTS for w in text.split()})
    vocab = {"[UNK]": 0, "[PAD]": 1, **{w: i + 2 for i, w in enumerate(words)}}
    tokenizer = Tokenizer(WordLevel(vocab, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = Whitespace()
    weights = np.random.default_rng(0).normal(size=(len(vocab), 16)).astype(np.float32)
    model = SentenceTransformer(
        modules=[StaticEmbedding(tokenizer, embedding_weights=weights)], device="cpu"
    )
    model.save(str(folder))
    return folder


def test_local_sentence_model_is_used_and_cached(tmp_path):
    model_dir = _tiny_sentence_model(tmp_path / "tiny-model")
    vectors, embedder, info = embed_paragraphs(
        TEXTS,
        TEXTS,
        embedding=str(model_dir),
        svd_components=50,
        seed=0,
        cache_dir=tmp_path / "cache",
    )
    assert vectors.shape == (8, 16) and info["embedding"] == str(model_dir)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    again, _, info_again = embed_paragraphs(
        TEXTS,
        TEXTS,
        embedding=str(model_dir),
        svd_components=50,
        seed=0,
        cache_dir=tmp_path / "cache",
    )
    assert np.array_equal(vectors, again) and info_again["cache_key"] == info["cache_key"]
    # replacing the model behind the same path must not reuse the old embeddings
    (model_dir / "README.md").write_text("changed", encoding="utf-8")
    _, _, changed = embed_paragraphs(
        TEXTS, TEXTS, embedding=str(model_dir), svd_components=50, seed=0, cache_dir=None
    )
    assert changed["cache_key"] != info["cache_key"]


def test_cache_key_names_the_numeric_environment(monkeypatch):
    """Vectors computed without the pins (or under other pins) are never reused by a pinned run."""
    from analysis.core import runtime
    from analysis.topics import embeddings

    for key in runtime.PINNED:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
    host = embeddings._cache_key({"embedding": "tfidf-svd"}, ["a b"], ["a b"])
    for key, value in runtime.pinned_environment().items():
        monkeypatch.setenv(key, value)
    assert runtime.is_pinned()
    pinned = embeddings._cache_key({"embedding": "tfidf-svd"}, ["a b"], ["a b"])
    assert host != pinned and len(pinned) == 32
    assert pinned == embeddings._cache_key({"embedding": "tfidf-svd"}, ["a b"], ["a b"])


def test_cache_folder_keeps_only_the_latest_vectors(tmp_path):
    texts = ["kerja sama jakarta bekasi", "sister city kuala lumpur", "banjir dan sampah"]
    _, _, info = embed_paragraphs(texts, texts, svd_components=2, seed=7, cache_dir=tmp_path)
    assert [p.name for p in tmp_path.glob("*.npy")] == [f"{info['cache_key']}.npy"]
    _, _, info2 = embed_paragraphs(
        texts[:2], texts[:2], svd_components=2, seed=7, cache_dir=tmp_path
    )
    assert info2["cache_key"] != info["cache_key"]
    assert [p.name for p in tmp_path.glob("*.npy")] == [f"{info2['cache_key']}.npy"]
