"""Format tests for the preprocessing lexicons, and checks that their documentation is true."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import pytest

from analysis.core.config import IngestParams, PreprocessParams, TopicsParams
from analysis.core.errors import UserError
from analysis.text.lexicons import load_stem_lexicons as load_lexicons
from analysis.text.stem import Preprocessor

MIN_WORDS = IngestParams().min_words
MIN_TOKEN_LENGTH = PreprocessParams().min_token_length
MIN_TOPIC_SIZE = TopicsParams().min_topic_size

WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def entries(path: Path) -> list[tuple[str, str]]:
    """(entry, comment) of every non-blank, non-comment line of a TXT lexicon."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        entry, _, comment = line.partition("#")
        if entry.strip():
            out.append((entry.strip(), comment.strip()))
    return out


def csv_rows(path: Path) -> list[dict[str, str]]:
    lines = [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


@pytest.fixture(scope="module")
def sastrawi():
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


def test_stopwords_format(lexicon_dir: Path) -> None:
    words = [e for e, _ in entries(lexicon_dir / "stopwords_id.txt")]
    assert len(words) == len(set(words)), "duplicate stopwords"
    for word in words:
        assert re.fullmatch(r"[a-z0-9]+(?:[-_][a-z0-9]+)*", word), word
    # the news-domain words the research asked for are in
    assert {
        "kata",
        "ujar",
        "jelasnya",
        "ucapnya",
        "imbuhnya",
        "tuturnya",
        "menurutnya",
        "tersebut",
        "senin",
        "agustus",
    } <= set(words)
    # content words of the research are not
    assert not {"kota", "pemerintah", "warga", "air", "sampah", "banjir", "kerja"} & set(words)


def test_stopword_phrases_are_multiword_expressions(lexicon_dir: Path) -> None:
    mwe = {e.replace(" ", "_") for e, _ in entries(lexicon_dir / "multiword_expressions.txt")}
    for word, _ in entries(lexicon_dir / "stopwords_id.txt"):
        if "_" in word:
            assert word in mwe, f"{word} can only match if it is a multiword expression"


def test_protected_terms_format(lexicon_dir: Path) -> None:
    words = [e for e, _ in entries(lexicon_dir / "protected_terms.txt")]
    assert len(words) == len(set(words))
    assert all(WORD.fullmatch(w) for w in words), [w for w in words if not WORD.fullmatch(w)]
    stopwords = {e for e, _ in entries(lexicon_dir / "stopwords_id.txt")}
    assert not set(words) & stopwords
    assert {
        "relawan",
        "perbankan",
        "bekasi",
        "kediri",
        "maluku",
        "jaki",
        "pdam",
        "tpst",
        "bumd",
        "mou",
        "loi",
    } <= set(words)


def test_protected_comments_state_what_sastrawi_would_do(lexicon_dir: Path, sastrawi) -> None:
    """Every ``# -> x`` note in protected_terms.txt is what PySastrawi really outputs."""
    checked = 0
    for word, comment in entries(lexicon_dir / "protected_terms.txt"):
        match = re.match(r"->\s*([a-z]+)", comment)
        if match:
            assert sastrawi.stem(word) == match.group(1), word
            checked += 1
    assert checked >= 50


def test_multiword_expressions_format(lexicon_dir: Path) -> None:
    lines = [e for e, _ in entries(lexicon_dir / "multiword_expressions.txt")]
    assert len(lines) == len(set(lines))
    for line in lines:
        words = line.split(" ")
        assert len(words) >= 2, line
        assert all(WORD.fullmatch(w) for w in words), line
    assert {
        "kuala lumpur",
        "sister city",
        "kota kembar",
        "bantar gebang",
        "park and ride",
        "pam jaya",
        "balai kota",
        "tangerang selatan",
        "wali kota",
        "kerja sama",
        "letter of intent",
        "nota kesepahaman",
        "air bersih",
        "perubahan iklim",
        "transportasi publik",
        "ruang terbuka hijau",
    } <= set(lines)


def test_token_variants_format(lexicon_dir: Path) -> None:
    rows = csv_rows(lexicon_dir / "token_variants.csv")
    assert rows and set(rows[0]) == {"variant", "canonical"}
    mwe = {e for e, _ in entries(lexicon_dir / "multiword_expressions.txt")}
    variants = [r["variant"] for r in rows]
    assert len(variants) == len(set(variants))
    for row in rows:
        assert WORD.fullmatch(row["variant"]), row
        words = row["canonical"].split(" ")
        assert all(WORD.fullmatch(w) for w in words), row
        if len(words) > 1:
            assert row["canonical"] in mwe, f"{row['canonical']} must be a multiword expression"


def test_stem_overrides_format(lexicon_dir: Path, sastrawi) -> None:
    rows = csv_rows(lexicon_dir / "stem_overrides.csv")
    assert rows and set(rows[0]) == {"token", "stem", "note"}
    tokens = [r["token"] for r in rows]
    assert len(tokens) == len(set(tokens))
    mwe = {e.replace(" ", "_") for e, _ in entries(lexicon_dir / "multiword_expressions.txt")}
    for row in rows:
        assert re.fullmatch(r"[a-z0-9]+(?:[-_][a-z0-9]+)*", row["token"]), row
        assert re.fullmatch(r"[a-z0-9]+(?:[-_][a-z0-9]+)*", row["stem"]), row
        assert row["note"], row
        if "_" in row["token"]:
            assert row["token"] in mwe, row
        else:
            assert row["stem"] != sastrawi.stem(row["token"]), (
                f"override of {row['token']} changes nothing"
            )
        match = re.match(r"Sastrawi: ([a-z]+)", row["note"])
        if match:  # the note documents Sastrawi's (wrong) output truthfully
            assert sastrawi.stem(row["token"]) == match.group(1), row


def test_lexicon_entries_reach_the_preprocessor(lexicon_dir: Path) -> None:
    lex = load_lexicons(lexicon_dir)
    assert ("kerja", "sama") in lex.multiword and ("park", "and", "ride") in lex.multiword
    assert lex.variants["kerjasama"] == ("kerja", "sama")
    assert lex.overrides["bekerja_sama"] == "kerja_sama"
    assert "salah_satu" in lex.stopwords and "bekasi" in lex.protected


# ------------------------------------------------------------------------------------------
# Gazetteers (written by the ingest/classify side; tolerated when absent)


@pytest.fixture()
def lexicon_copy(lexicon_dir: Path, tmp_path: Path) -> Path:
    """The project lexicons without any gazetteer, in a temporary directory."""
    target = tmp_path / "lexicons"
    target.mkdir()
    for name in (
        "stopwords_id.txt",
        "protected_terms.txt",
        "multiword_expressions.txt",
        "token_variants.csv",
        "stem_overrides.csv",
    ):
        shutil.copy(lexicon_dir / name, target / name)
    return target


def test_gazetteer_names_are_joined_and_protected(lexicon_copy: Path) -> None:
    before = Preprocessor.from_lexicons(lexicon_copy, MIN_TOKEN_LENGTH)
    assert before.process("Kota Tebing Tinggi dan Tarutung") == (
        ["kota", "tebing", "tinggi", "tarutung"],
        ["kota", "tebing", "tinggi", "tarutung"],
    )
    assert before.stem("pekajangan") == "kajang"  # plain Sastrawi on an unknown village name
    (lexicon_copy / "gazetteer_places.csv").write_text(
        "# test gazetteer\nname,kind\ntebing tinggi,city\nPekajangan,village\nkota bekasi,city\n",
        encoding="utf-8",
    )
    after = Preprocessor.from_lexicons(lexicon_copy, MIN_TOKEN_LENGTH)
    assert after.process("Kota Tebing Tinggi dan Pekajangan") == (
        ["kota", "tebing_tinggi", "pekajangan"],
        ["kota", "tebing_tinggi", "pekajangan"],
    )
    assert after.tokenize("Pemerintah Kota Bekasi") == [
        "pemerintah_kota",
        "bekasi",
    ]  # greedy, left first
    assert after.tokenize("warga Kota Bekasi") == ["warga", "kota_bekasi"]


def test_gazetteer_without_name_column_is_a_user_error(lexicon_copy: Path) -> None:
    (lexicon_copy / "gazetteer_bad.csv").write_text("place,kind\nbekasi,city\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"gazetteer_bad\.csv.*name"):
        load_lexicons(lexicon_copy)


def test_optional_files_may_be_absent(lexicon_copy: Path) -> None:
    (lexicon_copy / "token_variants.csv").unlink()
    (lexicon_copy / "stem_overrides.csv").unlink()
    pre = Preprocessor.from_lexicons(lexicon_copy, MIN_TOKEN_LENGTH)
    assert pre.tokenize("kerjasama") == ["kerjasama"]
    assert pre.process("kerja sama") == (["kerja_sama"], ["kerja_sama"])


def test_bad_variant_line_names_file_and_line(lexicon_copy: Path) -> None:
    with (lexicon_copy / "token_variants.csv").open("a", encoding="utf-8") as handle:
        handle.write("dua kata,satu\n")
    with pytest.raises(UserError, match=r"token_variants\.csv:\d+"):
        load_lexicons(lexicon_copy)
