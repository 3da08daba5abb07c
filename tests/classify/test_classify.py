"""Cooperation classifier: the seed articles, hand-checked rules and the pipeline stage."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from stage_helpers import run_classify

from analysis.classify.files import classify_input
from analysis.classify.rules import Classifier
from analysis.cli import main
from analysis.core.config import IngestParams, PreprocessParams, TopicsParams
from analysis.core.errors import UserError
from analysis.text.clean import paragraph_fingerprint

MIN_WORDS = IngestParams().min_words
MIN_TOKEN_LENGTH = PreprocessParams().min_token_length
MIN_TOPIC_SIZE = TopicsParams().min_topic_size

SEEDS = {
    "000": "000_4394a814a780e277.txt",
    "001": "001_17a0fc84c87f51fc.txt",
    "002": "002_b0853180490134cc.txt",
    "003": "003_2e0963ee0979c594.txt",
    "004": "004_8c38530ddb7b0270.txt",
}


@pytest.fixture(scope="module")
def classifier(lexicon_dir: Path) -> Classifier:
    return Classifier.from_lexicons(lexicon_dir)


def _seed(raw_dir: Path, key: str) -> tuple[str | None, list[str]]:
    """Title from metadata.csv and paragraphs as ingest cleaning gives them (non-empty lines,
    "Baca Juga" link lines removed)."""
    meta = pd.read_csv(raw_dir / "metadata.csv", dtype=str, keep_default_na=False)
    title = dict(zip(meta["file"], meta["title"], strict=True))[SEEDS[key]] or None
    lines = (raw_dir / SEEDS[key]).read_text(encoding="utf-8").splitlines()
    paragraphs = [
        ln.strip() for ln in lines if ln.strip() and not ln.strip().lower().startswith("baca juga")
    ]
    return title, paragraphs


@pytest.mark.parametrize(
    "key, coop_type, partners",
    [
        ("000", "agglomeration", ("Bekasi", "Jakarta")),
        ("001", "agglomeration", ("Banten", "Jakarta")),
        ("002", "international", ("Jakarta", "Kuala Lumpur")),
        ("003", "international", ("Ankara", "Jakarta")),
        ("004", "international", ("Jakarta", "Kuala Lumpur")),
    ],
)
def test_seed_documents(classifier, raw_dir, key, coop_type, partners):
    coding = classifier.classify_document(*_seed(raw_dir, key))
    assert coding.coop_type == coop_type
    assert coding.partners == partners


def test_seed_000_sectors_exactly_transport_water_waste(classifier, raw_dir):
    coding = classifier.classify_document(*_seed(raw_dir, "000"))
    assert coding.sectors == ("transport", "water", "waste")


def test_seed_000_baca_juga_line_is_ignored_even_if_not_cleaned(classifier, raw_dir):
    lines = [
        ln.strip()
        for ln in (raw_dir / SEEDS["000"]).read_text(encoding="utf-8").splitlines()
        if ln.strip()
    ]
    assert any(ln.startswith("Baca Juga") for ln in lines)
    coding = classifier.classify_document(None, lines)
    assert "flood" not in coding.sectors
    link = [c for ln, c in zip(lines, coding.paragraphs, strict=True) if ln.startswith("Baca Juga")]
    assert link[0].basis == "link" and link[0].sectors == ()


def test_seed_002_sectors(classifier, raw_dir):
    coding = classifier.classify_document(*_seed(raw_dir, "002"))
    assert {
        "health",
        "flood",
        "environment_climate",
        "transport",
        "waste",
        "culture_tourism",
    } <= set(coding.sectors)


def test_seed_004_passing_partners_are_not_main_partners(classifier, raw_dir):
    coding = classifier.classify_document(*_seed(raw_dir, "004"))
    assert "Heidelberg" not in coding.partners and "Chungcheongnam-do" not in coding.partners
    assert "Heidelberg" in coding.evidence  # still auditable
    # the paragraph that names the earlier partners codes them
    para = next(c for c in coding.paragraphs if "Heidelberg" in c.partners)
    assert para.coop_type == "international"
    assert set(para.partners) == {"Chungcheongnam-do", "Heidelberg", "Jakarta", "Kuala Lumpur"}


@pytest.mark.parametrize(
    "text, coop_type, partners",
    [
        # two governments in one metro region
        (
            "Pemkot Depok dan Pemprov DKI Jakarta menandatangani perjanjian kerja sama pengelolaan sampah.",
            "agglomeration",
            ("Depok", "Jakarta"),
        ),
        # a province and a city inside its metro region, with a signed instrument
        (
            "Gubernur Jawa Timur dan Wali Kota Surabaya menandatangani nota kesepahaman penanganan banjir.",
            "agglomeration",
            ("Jawa Timur", "Surabaya"),
        ),
        # an official introduced with the title counts as the government later in the paragraph
        (
            "Gubernur Jawa Tengah Ganjar Pranowo menemui Gubernur Jawa Timur Khofifah Indar Parawansa. "
            "Ganjar dan Khofifah sepakat bekerja sama mengelola sungai.",
            "domestic_other",
            ("Jawa Tengah", "Jawa Timur"),
        ),
        # two regions in different metro regions
        (
            "Pemkot Surabaya menjalin kerja sama dengan Pemkot Makassar di bidang pendidikan.",
            "domestic_other",
            ("Makassar", "Surabaya"),
        ),
        # bare regency name resolved by the government word before it
        (
            "Bupati Bekasi dan Wali Kota Bekasi sepakat bekerja sama soal air bersih.",
            "agglomeration",
            ("Bekasi", "Kabupaten Bekasi"),
        ),
        # sister city with a foreign city; the country after the city is a qualifier
        (
            "Pemkot Bandung menjalin kerja sama sister city dengan Braunschweig, Jerman.",
            "international",
            ("Bandung", "Braunschweig"),
        ),
    ],
)
def test_paragraph_rules(classifier, text, coop_type, partners):
    coding = classifier.classify_paragraph(text)
    assert (coding.coop_type, coding.partners) == (coop_type, partners)


@pytest.mark.parametrize(
    "text, coop_type, partners",
    [
        # a regional agency acts for its government (GUIDE.md: dinas, BPBD ...)
        (
            "BPBD Riau menyatakan belum membutuhkan bantuan petugas dari Pemprov DKI Jakarta.",
            "domestic_other",
            ("Jakarta", "Riau"),
        ),
        # the partner named right after the cue's preposition, and the list it heads
        (
            "Pemprov DKI Jakarta menjalin kerja sama dengan Kota Bekasi, Depok, dan Tangerang Selatan.",
            "agglomeration",
            ("Bekasi", "Depok", "Jakarta", "Tangerang Selatan"),
        ),
        (
            "Pemprov DKI Jakarta menyalurkan bantuan keuangan kepada Depok untuk membangun jalan.",
            "agglomeration",
            ("Depok", "Jakarta"),
        ),
        # a counted group of regional heads, the number written as a word
        (
            "Gubernur Jambi bersama sembilan bupati dan dua wali kota menandatangani pernyataan bersama.",
            "domestic_other",
            ("Jambi",),
        ),
        # strengthening ties between two named governments
        (
            "Dinas Pendidikan Provinsi DKI Jakarta mengirim pelajar untuk mempererat hubungan Jakarta dan "
            "Moskow.",
            "international",
            ("Jakarta", "Moscow"),
        ),
        # a foreign government's development agency acts for its country
        (
            "Pemkot Bandung menjalin kerja sama dengan JICA untuk pengolahan air limbah.",
            "international",
            ("Bandung", "Japan"),
        ),
    ],
)
def test_paragraph_rules_second_round(classifier, text, coop_type, partners):
    coding = classifier.classify_paragraph(text)
    assert (coding.coop_type, coding.partners) == (coop_type, partners)


@pytest.mark.parametrize(
    "text, coop_type, partners",
    [
        # coordination between two governments (new cue family)
        (
            "Gubernur Jawa Tengah berkoordinasi dengan Bupati Lampung Selatan soal pemudik.",
            "domestic_other",
            ("Jawa Tengah", "Kabupaten Lampung Selatan"),
        ),
        # a team sent to help another region: the region after "ke" is the partner
        (
            "Gubernur Jawa Timur mengirim 40 personel pemadam kebakaran ke Jambi.",
            "domestic_other",
            ("Jambi", "Jawa Timur"),
        ),
        # provinces sharing a cost: an unnamed group of governors with the regions listed next to it
        (
            "Menteri meminta empat gubernur patungan membangun asrama pelajar. "
            "Asrama Aceh, NTB, Maluku nanti disatukan.",
            "domestic_other",
            ("Aceh", "Maluku", "Nusa Tenggara Barat"),
        ),
        # a facility shared by several regions is cooperation among them, the province included
        (
            "Gubernur Jawa Barat dan Wali Kota Depok membahas pembiayaan TPA regional.",
            "agglomeration",
            ("Depok", "Jawa Barat"),
        ),
        # a standing body of regional governments acting with a named member
        (
            "Bupati Gorontalo selaku Ketua Kopek menyatakan festival berikutnya digelar Gorontalo.",
            "domestic_other",
            ("Kabupaten Gorontalo",),
        ),
        # several places listed before the cue are its subjects, so they cooperate
        (
            "Bupati Tangerang dan Wali Kota Tangerang berkoordinasi menata sungai.",
            "agglomeration",
            ("Kabupaten Tangerang", "Tangerang"),
        ),
    ],
)
def test_paragraph_rules_third_round(classifier, text, coop_type, partners):
    coding = classifier.classify_paragraph(text)
    assert (coding.coop_type, coding.partners) == (coop_type, partners)


@pytest.mark.parametrize(
    "text, reason",
    [
        # a province coordinating a city inside it is hierarchy (no shared facility, no signature)
        ("Gubernur Jawa Barat dan Wali Kota Depok menggelar rapat koordinasi banjir.", "hierarchy"),
        # a sending verb without a team or aid word in the sentence is not a cue
        ("Gubernur Bali mengirim surat ke Gubernur Riau.", "no cooperation cue"),
        # a team sent abroad travels; the foreign country is not a recipient of help
        ("Pemkot Padang memberangkatkan petugas ke Belanda menelusuri dokumen.", "fewer than two"),
        # governments listed after the cue are the counterparts of its (non-government) subject
        (
            "Komandan berkoordinasi dengan Bupati Tangerang, Wali Kota Tangerang, dan instansi lain.",
            "one list after the cue",
        ),
        # recipients of a third party's aid are not partners of each other
        (
            "Relawan akan mengirim bantuan ke Kota Batam, Kab. Bintan, dan Kab. Karimun.",
            "one list of recipients",
        ),
        # "di beberapa wilayah X": where something happens
        (
            "Polisi menerjunkan personel di sebagian wilayah Maluku dan Maluku Utara, kata Gubernur "
            "Maluku.",
            "fewer than two",
        ),
        # counted places after "di" are locations, not a group of governments
        (
            "Lomba diadakan di tiga kota, yakni Bandung, Semarang dan Denpasar, dan sponsor "
            "menawarkan hadiah.",
            "fewer than two",
        ),
        # subordination is not coordination
        (
            "Unit layanan di Kota Kediri dan Kabupaten Agam berada di bawah koordinasi Pemkot Kediri dan "
            "Pemkab Agam.",
            "no cooperation cue",
        ),
        # a public-private partnership scheme (KPBU) is not cooperation between governments
        (
            "Gubernur Jawa Barat memilih pola kerja sama pemerintah dan badan usaha bagi Kota Bandung.",
            "no cooperation cue",
        ),
    ],
)
def test_paragraph_hard_negatives_third_round(classifier, text, reason):
    coding = classifier.classify_paragraph(text)
    assert coding.coop_type == "none"
    assert reason in coding.evidence


def test_shared_facility_named_anywhere_lifts_hierarchy_in_the_document(classifier):
    # the counted group of regions ("5 daerah") completes the cooperation with the province
    paragraphs = [
        "Gubernur Jawa Barat mengajukan bantuan dana angkutan sampah 5 daerah.",
        "Proyek TPA Regional itu akan dibangun tahun depan.",
    ]
    assert classifier.classify_document(None, paragraphs).coop_type == "domestic_other"
    # without the shared facility the province and its regions are hierarchy
    assert classifier.classify_document(None, paragraphs[:1]).coop_type == "none"


def test_di_is_a_location_and_DI_the_special_region(classifier):
    coding = classifier.classify_paragraph(
        "Gubernur DI Yogyakarta sepakat bekerja sama dengan Gubernur Jawa Tengah."
    )
    assert coding.partners == ("DI Yogyakarta", "Jawa Tengah")
    coding = classifier.classify_paragraph(
        "Gubernur Jawa Tengah sepakat bekerja sama dengan pengusaha di Yogyakarta."
    )
    assert coding.coop_type == "none" and "Yogyakarta(location)" in coding.evidence


def test_people_of_a_country_are_not_its_government(classifier):
    # Malaysia's government is marked elsewhere in the document; "orang Malaysia" are its people
    text = "Gubernur DKI Jakarta menyebut bantuan perlu karena orang Malaysia ikut terdampak asap."
    assert classifier.classify_paragraph(text, governments={"Malaysia"}).coop_type == "none"
    text = "Gubernur DKI Jakarta menyebut bantuan pemerintah Malaysia perlu diterima."
    assert (
        classifier.classify_paragraph(text, governments={"Malaysia"}).coop_type == "international"
    )


def test_bare_title_stands_for_the_documents_only_government_of_its_level(classifier):
    # the scraper dropped "Depok" after "Pemkot"; Kota Depok is the only city marked
    paragraphs = [
        "Kepala Dinas Perhubungan Kota Depok mengatakan usulan sudah dikirim.",
        "Tahun ini Pemkot mendapat bantuan keuangan dari Pemprov DKI Jakarta.",
    ]
    coding = classifier.classify_document(None, paragraphs)
    assert (coding.coop_type, coding.partners) == ("agglomeration", ("Depok", "Jakarta"))
    # with two cities marked, a bare "Pemkot" is not resolved
    paragraphs[0] = "Kepala Dinas Perhubungan Kota Depok dan Wali Kota Bogor bertemu."
    assert classifier.classify_document(None, paragraphs).coop_type == "none"
    # no city marked as a government: the only city the text names
    paragraphs[0] = "Warga Kota Depok menyambut rencana pembangunan itu."
    coding = classifier.classify_document(None, paragraphs)
    assert (coding.coop_type, coding.partners) == ("agglomeration", ("Depok", "Jakarta"))


def test_foreign_government_met_in_the_lead_is_the_partner_of_later_cues(classifier):
    title = "Terima Konsul Jenderal Jepang, Wagub Sumsel Paparkan Potensi Daerah"
    paragraphs = [
        "Konsul Jenderal Jepang melakukan audiensi dengan Wakil Gubernur Sumatera Selatan di "
        "Palembang, Senin.",
        "Wakil Gubernur memaparkan pelabuhan dan kawasan industri yang dimiliki daerahnya.",
        "Menurut dia, bila terjalin kerja sama maka perdagangan Sumsel akan meningkat.",
    ]
    coding = classifier.classify_document(title, paragraphs)
    assert (coding.coop_type, coding.partners) == ("international", ("Japan", "Sumatera Selatan"))
    assert "counterpart Japan" in coding.paragraphs[2].evidence
    # without a foreign government in the title or first paragraph nothing is completed
    coding = classifier.classify_document("Wagub Sumsel Paparkan Potensi Daerah", paragraphs[1:])
    assert coding.coop_type == "none"


@pytest.mark.parametrize(
    "text",
    [
        # government-company deal
        "Pemprov DKI Jakarta menandatangani kerja sama dengan PT Telkom untuk layanan internet.",
        # police cooperation: place names inside organisation names
        "Polres Bekasi bekerja sama dengan Polda Metro Jaya dan Polresta Bogor mengungkap kasus narkoba.",
        # teamwork in sport
        "Kerja sama tim Persija Jakarta dan pemain asal Bandung membuat laga berjalan baik.",
        # national-level diplomacy, no subnational government
        "Indonesia dan Jepang sepakat memperkuat kerja sama ekonomi dalam pertemuan di Tokyo.",
        # a nationality, not a government
        "Pemkot Surabaya bekerja sama dengan perusahaan Jepang membangun pabrik.",
        # a cue with no places
        "Kerja sama yang baik antara warga dan petugas membuat acara lancar.",
        # a province with a city inside it and no signed instrument: hierarchy, not cooperation
        "Gubernur Jawa Timur dan Wali Kota Surabaya sepakat bekerja sama menangani banjir.",
        # a former official does not act for the government
        "Mantan Wali Kota Bekasi dan Gubernur DKI Jakarta sepakat soal koalisi partai.",
        # a title binds the first place after it: the embassy is Singapore's, not Jakarta's
        "Kedutaan Besar Singapura Jakarta berjanji memberikan bantuan kepada Polri.",
        # a hotel's press release mentions a sister city: no government is named
        "Tahun ini menandai 30 tahun kerja sama sister city Jakarta dan Tokyo, kata manajer hotel.",
        # the complement rule needs a government on the other side: places in a list are scenery
        "Hujan deras mengguyur Bekasi, Depok, dan Bogor sehingga warga meminta bantuan.",
    ],
)
def test_paragraph_hard_negatives(classifier, text):
    assert classifier.classify_paragraph(text).coop_type == "none"


def test_government_prefix_names_need_a_government_word(classifier):
    # "Batu" is a city (Kota Batu) and the word for stone
    assert classifier.classify_paragraph(
        "Pemkot Malang dan Pemkot Batu sepakat bekerja sama."
    ).partners == ("Batu", "Malang")
    assert (
        classifier.classify_paragraph(
            "Pemkot Malang bekerja sama membangun taman Batu Alam."
        ).coop_type
        == "none"
    )


def test_fingerprint_is_robust_to_case_spacing_quotes_and_dateline():
    a = paragraph_fingerprint("Ntvnews.id, Jakarta - Gubernur DKI  Jakarta “menerima” kunjungan.")
    b = paragraph_fingerprint('gubernur dki jakarta "menerima" kunjungan')
    assert a == b and len(a) == 12
    assert a != paragraph_fingerprint("Gubernur DKI Jakarta menolak kunjungan.")


def test_classify_input_directory(tmp_path, raw_dir, lexicon_dir):
    out = tmp_path / "out.csv"
    result = classify_input(raw_dir, out, lexicon_dir=lexicon_dir, n_jobs=1, min_words=MIN_WORDS)
    table = result.codings
    assert list(table.columns) == [
        "id",
        "coop_type",
        "partners",
        "sectors",
        "confidence",
        "confidence_reasons",
        "story_id",
        "evidence",
    ]
    assert table["id"].tolist() == sorted(SEEDS.values())  # metadata.csv is not an input
    assert table["coop_type"].tolist() == [
        "agglomeration",
        "agglomeration",
        "international",
        "international",
        "international",
    ]
    assert table.loc[2, "partners"] == "Jakarta;Kuala Lumpur"
    # every seed has strong evidence; 002 and 004 report the same signing on the same day
    assert table["confidence"].tolist() == ["high"] * 5
    assert table.loc[2, "confidence_reasons"] == "instrument;several_units;title_cue;two_sided"
    assert table["story_id"].tolist() == [
        SEEDS["000"],
        SEEDS["001"],
        SEEDS["002"],
        SEEDS["003"],
        SEEDS["002"],
    ]
    # ingest cleaning removed the "Baca Juga" line of 000, so flood is not a sector
    assert table.loc[0, "sectors"] == "transport;water;waste"
    # nothing rejected, and the rejects file says so (header only)
    assert result.rejects_csv == tmp_path / "out.rejects.csv"
    assert result.rejects_csv.read_text(encoding="utf-8") == "id,source_file,record,reason,detail\n"
    again = tmp_path / "again.csv"
    classify_input(raw_dir, again, lexicon_dir=lexicon_dir, n_jobs=1, min_words=MIN_WORDS)
    assert out.read_bytes() == again.read_bytes()


# About 45 words of Indonesian written for this test (not from any corpus).
_COOPERATION_TEXT = (
    "Pemerintah Provinsi DKI Jakarta dan Pemerintah Kota Tokyo menandatangani nota kesepahaman "
    "kota kembar di Balai Kota pada Senin pagi. Kerja sama kedua kota mencakup transportasi "
    "umum, pengelolaan sampah dan pertukaran pelajar. Gubernur mengatakan kerja sama ini akan "
    "dievaluasi setiap tahun oleh tim bersama dari kedua pemerintah daerah."
)


def test_classify_input_jsonl_ids_and_rejects(tmp_path, lexicon_dir):
    import json

    src = tmp_path / "a.jsonl"
    src.write_text(
        json.dumps({"id": "x1", "title": "Jakarta gandeng Tokyo", "text": _COOPERATION_TEXT})
        + "\n"
        + json.dumps({"id": "x2", "title": None, "text": "Hujan turun di Bogor sore ini."})
        + "\n"
        + "{not json\n",
        encoding="utf-8",
    )
    out = tmp_path / "o.csv"
    result = classify_input(src, out, lexicon_dir=lexicon_dir, n_jobs=1, min_words=MIN_WORDS)
    # the record's own id, not the ingest doc_id "a.jsonl#x1"
    assert result.codings["id"].tolist() == ["x1"]
    assert result.codings.loc[0, "coop_type"] == "international"
    assert result.codings.loc[0, "partners"] == "Jakarta;Tokyo"
    rejects = pd.read_csv(tmp_path / "o.rejects.csv", dtype=str, keep_default_na=False)
    assert rejects["id"].tolist() == ["x2", "L3"]
    assert rejects["reason"].tolist() == ["too_short", "malformed"]
    assert rejects.loc[0, "source_file"] == "a.jsonl"
    assert "min_words" in rejects.loc[0, "detail"]
    assert "too_short 1" in result.summary() and "malformed 1" in result.summary()
    # min_words=1 codes the short article too
    result = classify_input(src, out, lexicon_dir=lexicon_dir, min_words=1, n_jobs=1)
    assert result.codings["id"].tolist() == ["x1", "x2"]
    assert result.codings.loc[1, "coop_type"] == "none"
    assert pd.read_csv(tmp_path / "o.rejects.csv")["reason"].tolist() == ["malformed"]
    with pytest.raises(UserError, match="not found"):
        classify_input(
            tmp_path / "missing.jsonl",
            tmp_path / "p.csv",
            lexicon_dir=lexicon_dir,
            n_jobs=1,
            min_words=MIN_WORDS,
        )


def _stage_inputs(tmp_path: Path) -> tuple[Path, Path]:
    documents = pd.DataFrame(
        {
            "doc_id": ["d1", "d2", "d3"],
            "title": ["Bekasi dan Jakarta kerja sama air bersih", None, "Copy"],
            "duplicate_of": [None, None, "d1"],
        }
    )
    texts = {
        "d1": [
            "Wali Kota Bekasi dan Gubernur DKI Jakarta sepakat bekerja sama.",
            "Kerja sama ini mencakup distribusi air bersih.",
        ],
        "d2": ["Harga cabai naik di pasar."],
        "d3": ["Wali Kota Bekasi dan Gubernur DKI Jakarta sepakat bekerja sama."],
    }
    rows = [(f"{d}:p{i:03d}", d, i, t) for d, ts in texts.items() for i, t in enumerate(ts)]
    paragraphs = pd.DataFrame(rows, columns=["para_id", "doc_id", "para_index", "text"])
    paragraphs["para_index"] = paragraphs["para_index"].astype("int32")
    doc_path, para_path = tmp_path / "documents.parquet", tmp_path / "paragraphs.parquet"
    documents.to_parquet(doc_path, index=False)
    paragraphs.to_parquet(para_path, index=False)
    return doc_path, para_path


def test_run_classify_contract(tmp_path, lexicon_dir):
    doc_path, para_path = _stage_inputs(tmp_path)
    out = tmp_path / "classified.parquet"
    table = run_classify(doc_path, para_path, classified_path=out, lexicon_dir=lexicon_dir)
    read = pd.read_parquet(out)
    assert list(read.columns)[:2] == ["level", "doc_id"]
    assert {"para_id", "coop_type", "partners", "sectors", "evidence"} <= set(read.columns)
    assert "d3" not in set(read["doc_id"])  # duplicate skipped
    docs = read[read["level"] == "document"].set_index("doc_id")
    assert docs.loc["d1", "coop_type"] == "agglomeration"
    assert list(docs.loc["d1", "partners"]) == ["Bekasi", "Jakarta"]
    assert list(docs.loc["d1", "sectors"]) == ["water"]
    assert docs.loc["d2", "coop_type"] == "none"
    paras = read[read["level"] == "paragraph"]
    assert paras["para_id"].tolist() == ["d1:p000", "d1:p001", "d2:p000"]
    assert paras["coop_type"].tolist() == ["agglomeration", "agglomeration", "none"]
    assert docs["para_id"].isna().all()
    assert len(table) == len(read)
    first = out.read_bytes()
    run_classify(doc_path, para_path, classified_path=out, lexicon_dir=lexicon_dir)
    assert out.read_bytes() == first
    import pyarrow.parquet as pq

    schema = pq.read_schema(out)
    assert str(schema.field("partners").type) == "list<element: string>"
    assert str(schema.field("para_index").type) == "int32"
    # round 4: confidence, reasons and story on coded document rows, cues on every row
    assert docs.loc["d1", "confidence"] == "high"
    assert list(docs.loc["d1", "confidence_reasons"]) == ["several_units", "title_cue", "two_sided"]
    assert docs.loc["d1", "story_id"] == "d1"  # no date in this documents file: its own story
    assert "bekerja sama" in list(docs.loc["d1", "cues"])
    assert pd.isna(docs.loc["d2", "confidence"]) and pd.isna(docs.loc["d2", "story_id"])
    assert list(docs.loc["d2", "cues"]) == []
    assert paras["confidence"].isna().all() and paras["story_id"].isna().all()
    assert list(paras["cues"].iloc[2]) == []
    assert str(schema.field("confidence_reasons").type) == "list<element: string>"


def test_run_classify_groups_dated_reports_of_one_event_into_a_story(tmp_path, lexicon_dir):
    text = [
        "Wali Kota Bekasi dan Gubernur DKI Jakarta sepakat bekerja sama menata sungai.",
        "Kerja sama ini mencakup pengerukan dan tanggul sungai perbatasan.",
    ]
    documents = pd.DataFrame(
        {
            "doc_id": ["b", "a", "c"],
            "title": ["Bekasi dan Jakarta kerja sama tata sungai"] * 3,
            "date": pd.to_datetime(["2019-09-16", "2019-09-17", "2019-10-30"]),
            "duplicate_of": [None, None, None],
        }
    )
    rows = [(f"{d}:p{i:03d}", d, i, t) for d in ("a", "b", "c") for i, t in enumerate(text)]
    paragraphs = pd.DataFrame(rows, columns=["para_id", "doc_id", "para_index", "text"])
    paragraphs["para_index"] = paragraphs["para_index"].astype("int32")
    documents.to_parquet(tmp_path / "d.parquet", index=False)
    paragraphs.to_parquet(tmp_path / "p.parquet", index=False)
    table = run_classify(tmp_path / "d.parquet", tmp_path / "p.parquet", lexicon_dir=lexicon_dir)
    stories = table[table["level"] == "document"].set_index("doc_id")["story_id"]
    # a and b: same parties and words, one day apart -> one story named after the earlier (b);
    # c: the same words six weeks later -> a story of its own
    assert stories.to_dict() == {"a": "b", "b": "b", "c": "c"}


def test_run_classify_types_hold_without_any_cooperation(tmp_path, lexicon_dir):
    pd.DataFrame({"doc_id": ["a"], "title": [None], "duplicate_of": [None]}).to_parquet(
        tmp_path / "d.parquet", index=False
    )
    pd.DataFrame(
        {"para_id": ["a:p000"], "doc_id": ["a"], "para_index": [0], "text": ["Hujan turun."]}
    ).to_parquet(tmp_path / "p.parquet", index=False)
    run_classify(
        tmp_path / "d.parquet",
        tmp_path / "p.parquet",
        classified_path=tmp_path / "c.parquet",
        lexicon_dir=lexicon_dir,
    )
    import pyarrow.parquet as pq

    schema = pq.read_schema(tmp_path / "c.parquet")
    assert str(schema.field("partners").type) == "list<element: string>"
    assert str(schema.field("sectors").type) == "list<element: string>"


def test_run_classify_errors(tmp_path, lexicon_dir):
    doc_path, para_path = _stage_inputs(tmp_path)
    with pytest.raises(UserError, match="not found"):
        run_classify(
            tmp_path / "missing.parquet",
            para_path,
            classified_path=tmp_path / "c.parquet",
            lexicon_dir=lexicon_dir,
        )
    orphan = pd.DataFrame(
        {"para_id": ["zz:p000"], "doc_id": ["zz"], "para_index": [0], "text": ["x"]}
    )
    orphan.to_parquet(para_path, index=False)
    with pytest.raises(UserError, match="not in"):
        run_classify(
            doc_path, para_path, classified_path=tmp_path / "c.parquet", lexicon_dir=lexicon_dir
        )


def test_cli_classify(tmp_path, raw_dir, lexicon_dir, capsys):
    out = tmp_path / "coded.csv"
    assert main(["classify", str(raw_dir), "-o", str(out), "--lexicons", str(lexicon_dir)]) == 0
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert (
        table.loc[0, "coop_type"] == "agglomeration"
        and table.loc[0, "partners"] == "Bekasi;Jakarta"
    )
    assert table.loc[0, "sectors"] == "transport;water;waste"
    err = capsys.readouterr().err
    assert "classified 5 documents" in err and "no input rejected" in err
    assert (tmp_path / "coded.rejects.csv").is_file()
    assert (
        main(
            ["classify", str(tmp_path / "nothing"), "-o", str(out), "--lexicons", str(lexicon_dir)]
        )
        == 2
    )
    assert "not found" in capsys.readouterr().err


def test_parallel_coding_equals_serial(tmp_path, raw_dir, lexicon_dir):
    """120 documents (the seeds repeated) coded by two worker processes give the same table."""
    src = tmp_path / "many.jsonl"
    import json

    lines = []
    for k in range(24):
        for path in sorted(raw_dir.glob("*.txt")):
            lines.append(
                json.dumps(
                    {
                        "id": f"{k}-{path.name}",
                        "title": None,
                        "text": path.read_text(encoding="utf-8"),
                    }
                )
            )
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    serial = classify_input(
        src, tmp_path / "a.csv", lexicon_dir=lexicon_dir, n_jobs=1, min_words=MIN_WORDS
    ).codings
    parallel = classify_input(
        src, tmp_path / "b.csv", lexicon_dir=lexicon_dir, n_jobs=2, min_words=MIN_WORDS
    ).codings
    assert len(serial) == 120
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert parallel["coop_type"].value_counts().to_dict() == {
        "international": 72,
        "agglomeration": 48,
    }


def test_document_level_shortcut_gives_the_same_document_fields(classifier, raw_dir):
    """paragraph_codings=False (the CLI) skips documents without any cue, nothing else."""
    cases = [_seed(raw_dir, key) for key in SEEDS]
    cases += [
        ("Harga cabai naik", ["Harga cabai di pasar Bekasi naik lagi pekan ini."]),
        (None, ["Kerjasamanya dengan warga berjalan baik di Depok."]),
    ]
    for title, paragraphs in cases:
        full = classifier.classify_document(title, paragraphs)
        quick = classifier.classify_document(title, paragraphs, paragraph_codings=False)
        assert (quick.coop_type, quick.partners, quick.sectors, quick.evidence) == (
            full.coop_type,
            full.partners,
            full.sectors,
            full.evidence,
        )
    # the cue-less document is the one returned without unit codings
    assert classifier.classify_document(*cases[5], paragraph_codings=False).paragraphs == ()
    # an enclitic on a cue word keeps the full path ("kerjasamanya")
    assert classifier.classify_document(*cases[6], paragraph_codings=False).paragraphs != ()
