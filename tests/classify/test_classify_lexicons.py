"""Format of the classification lexicons: columns, codebook ids, unambiguous lower-case names."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.classify.places import (
    CONTEXT_KINDS,
    CUE_KINDS,
)
from analysis.classify.places import (
    load_classify_lexicons as load_lexicons,
)
from analysis.core.codebook import AGGLOMERATIONS, SECTORS
from analysis.text.tokens import tokenize


def _read(lexicon_dir: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(lexicon_dir / name, comment="#", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def indonesia(lexicon_dir):
    return _read(lexicon_dir, "gazetteer_indonesia.csv")


@pytest.fixture(scope="module")
def foreign(lexicon_dir):
    return _read(lexicon_dir, "gazetteer_foreign.csv")


def test_gazetteer_columns(indonesia, foreign):
    assert list(indonesia.columns)[:5] == [
        "name",
        "canonical",
        "level",
        "province",
        "agglomeration",
    ]
    assert list(foreign.columns)[:4] == ["name", "canonical", "level", "country"]


@pytest.mark.parametrize("frame_name", ["indonesia", "foreign"])
def test_names_lower_case_trimmed_unique(request, frame_name):
    frame = request.getfixturevalue(frame_name)
    names = frame["name"]
    assert (names == names.str.lower()).all()
    assert (names == names.str.strip()).all() and (names != "").all()
    assert not names.duplicated().any()


def test_no_name_with_two_meanings_across_gazetteers(indonesia, foreign):
    both = pd.concat([indonesia[["name", "canonical"]], foreign[["name", "canonical"]]])
    meanings = both.groupby("name")["canonical"].nunique()
    assert meanings.max() == 1, meanings[meanings > 1].index.tolist()


def test_indonesia_codebook_values(indonesia):
    assert set(indonesia["level"]) == {"province", "special_region", "city", "regency"}
    assert set(indonesia["agglomeration"]) <= {"", *AGGLOMERATIONS}
    assert set(indonesia["agglomeration"]) - {""} == set(AGGLOMERATIONS)
    provinces = set(
        indonesia.loc[indonesia["level"].isin(["province", "special_region"]), "canonical"]
    )
    assert len(provinces) == 38
    assert set(indonesia["province"]) == provinces  # every row points at a real province
    units = indonesia.drop_duplicates("canonical")
    assert (units["level"] == "city").sum() == 98
    assert (units["level"] == "regency").sum() == 416
    # one canonical name means one place
    per_canonical = indonesia.groupby("canonical")[["level", "province", "agglomeration"]].nunique()
    assert (per_canonical == 1).all().all()


@pytest.mark.parametrize(
    "name, canonical, agglomeration",
    [
        ("bekasi", "Bekasi", "jabodetabekjur"),
        ("kabupaten bekasi", "Kabupaten Bekasi", "jabodetabekjur"),
        ("tangsel", "Tangerang Selatan", "jabodetabekjur"),
        ("dki jakarta", "Jakarta", "jabodetabekjur"),
        ("banten", "Banten", "jabodetabekjur"),
        ("jabar", "Jawa Barat", "jabodetabekjur"),
        ("kabupaten cianjur", "Kabupaten Cianjur", "jabodetabekjur"),
        ("serang", "Serang", ""),
        ("sidoarjo", "Kabupaten Sidoarjo", "gerbangkertosusila"),
        ("cimahi", "Cimahi", "bandung_raya"),
        ("salatiga", "Salatiga", "kedungsepur"),
        ("binjai", "Binjai", "mebidangro"),
        ("denpasar", "Denpasar", "sarbagita"),
        ("gowa", "Kabupaten Gowa", "maminasata"),
        ("sleman", "Kabupaten Sleman", "kartamantul"),
        ("jogja", "Yogyakarta", "kartamantul"),
        ("medan", "Medan", "mebidangro"),
        ("kota jambi", "Kota Jambi", ""),
    ],
)
def test_indonesia_rows(indonesia, name, canonical, agglomeration):
    row = indonesia.set_index("name").loc[name]
    assert (row["canonical"], row["agglomeration"]) == (canonical, agglomeration)


def test_names_that_are_ambiguous_across_provinces_are_not_bare(indonesia):
    assert "banjar" not in set(
        indonesia["name"]
    )  # Kota Banjar (Jabar) vs Kabupaten Banjar (Kalsel)
    assert {"kota banjar", "kabupaten banjar"} <= set(indonesia["name"])


@pytest.mark.parametrize(
    "name, canonical, level, country",
    [
        ("kuala lumpur", "Kuala Lumpur", "city", "Malaysia"),
        ("ankara", "Ankara", "city", "Turkey"),
        ("chungcheongnam-do", "Chungcheongnam-do", "region", "South Korea"),
        ("heidelberg", "Heidelberg", "city", "Germany"),
        ("moskow", "Moscow", "city", "Russia"),
        ("belanda", "Netherlands", "country", "Netherlands"),
        ("jerman", "Germany", "country", "Germany"),
        ("turki", "Turkey", "country", "Turkey"),
        ("korea selatan", "South Korea", "country", "South Korea"),
        ("rotterdam", "Rotterdam", "city", "Netherlands"),
        ("jica", "Japan", "agency", "Japan"),  # acts for its government: the partner is Japan
    ],
)
def test_foreign_rows(foreign, name, canonical, level, country):
    row = foreign.set_index("name").loc[name]
    assert (row["canonical"], row["level"], row["country"]) == (canonical, level, country)


def test_foreign_codebook_values(foreign):
    assert set(foreign["level"]) == {"city", "region", "country", "agency"}
    countries = set(foreign.loc[foreign["level"] == "country", "canonical"])
    assert set(foreign["country"]) <= countries
    agencies = foreign[foreign["level"] == "agency"]
    assert (agencies["canonical"] == agencies["country"]).all()


def test_cue_and_context_files(lexicon_dir):
    cues = _read(lexicon_dir, "cooperation_cues.csv")
    assert list(cues.columns)[:3] == ["term", "kind", "requires"]
    assert set(cues["kind"]) == set(CUE_KINDS)  # every kind is used
    # requires: lower-case words separated by spaces, only on cues that are not exclusions
    required = cues[cues["requires"] != ""]
    assert len(required) >= 5 and (required["kind"] != "exclude").all()
    assert (required["requires"] == required["requires"].str.lower()).all()
    assert {"mengirimkan", "koordinasi", "patungan", "tpa regional", "tim gabungan"} <= set(
        cues["term"]
    )
    assert {
        "kerja sama",
        "kerjasama",
        "sister city",
        "kota kembar",
        "kota bersaudara",
        "mou",
        "nota kesepahaman",
        "loi",
        "letter of intent",
        "kolaborasi",
        "penandatanganan",
        "kemitraan",
        "perjanjian kerja sama",
        "bersinergi",
    } <= set(cues["term"])
    assert (cues["term"] == cues["term"].str.lower()).all() and not cues["term"].duplicated().any()
    context = _read(lexicon_dir, "place_context.csv")
    assert list(context.columns)[:3] == ["term", "kind", "target"]
    assert set(context["kind"]) <= set(CONTEXT_KINDS)
    assert set(context.loc[context["kind"] == "government", "target"]) <= {
        "",
        "city",
        "regency",
        "province",
    }
    assert set(context.loc[context["kind"] == "collective", "target"]) <= {"", *AGGLOMERATIONS}
    # a bare title stands for one level of government, and each is also a government word
    bare = context[context["kind"] == "bare_title"]
    assert set(bare["target"]) == {"city", "regency", "province"}
    governments = context[context["kind"] == "government"]
    assert set(bare["term"]) <= set(governments["term"])
    assert {"gubernur", "pemkot", "pemko", "bupati", "wali kota"} <= set(bare["term"])
    assert {"dua", "sembilan", "sejumlah"} <= set(
        context.loc[context["kind"] == "quantifier", "term"]
    )
    # a generic government word counts as a group only after a number, never a vague quantifier
    numbers = set(context.loc[context["kind"] == "number", "term"])
    assert {"dua", "sembilan"} <= numbers and not {"sejumlah", "seluruh"} & numbers
    assert {"daerah", "provinsi", "pemda"} <= set(
        context.loc[context["kind"] == "collective_numbered", "term"]
    )
    assert "wilayah" in set(context.loc[context["kind"] == "location_filler", "term"])
    assert set(
        context.loc[~context["kind"].isin(["government", "collective", "bare_title"]), "target"]
    ) == {""}
    assert set(context["kind"]) == set(CONTEXT_KINDS)  # every kind is used
    assert not context.duplicated(["term", "kind"]).any()
    assert (context["term"] == context["term"].str.lower()).all()


def test_sector_terms(lexicon_dir):
    terms = _read(lexicon_dir, "sector_terms.csv")
    assert list(terms.columns)[:2] == ["term", "sector"]
    assert set(terms["sector"]) == {*SECTORS, "none"}  # every sector has terms
    assert (terms["term"] == terms["term"].str.lower()).all()
    assert not terms["term"].duplicated().any()  # one term, one sector
    # too generic to name a sector (seed 000 must stay transport, water, waste)
    assert not {"pembangunan", "infrastruktur", "pelayanan publik", "air"} & set(terms["term"])


def test_load_lexicons_resolves_and_rejects_conflicts(lexicon_dir, tmp_path):
    lex = load_lexicons(lexicon_dir)
    assert lex.resolve("Kabupaten  Bekasi").canonical == "Kabupaten Bekasi"
    assert lex.resolve("moskow").country == "Russia"
    for name in (
        "gazetteer_foreign.csv",
        "cooperation_cues.csv",
        "sector_terms.csv",
        "place_context.csv",
    ):
        (tmp_path / name).write_bytes((lexicon_dir / name).read_bytes())
    text = (lexicon_dir / "gazetteer_indonesia.csv").read_text(encoding="utf-8")
    (tmp_path / "gazetteer_indonesia.csv").write_text(
        text + "bekasi,Kabupaten Bekasi,regency,Jawa Barat,jabodetabekjur,\n", encoding="utf-8"
    )
    from analysis.core.errors import UserError

    with pytest.raises(UserError, match="means both"):
        load_lexicons(tmp_path)


def test_tokenizer_splits_hyphens_and_keeps_abbreviation_periods():
    tokens = tokenize("Chungcheongnam-do, Korea Selatan. Kab. Bogor")
    assert [t.lower for t in tokens] == ["chungcheongnam", "do", "korea", "selatan", "kab", "bogor"]
    assert [t.sentence for t in tokens] == [0, 0, 0, 0, 1, 1]
    assert tokens[2].hard_before and tokens[2].cut_before
    assert not tokens[1].hard_before and not tokens[5].hard_before
