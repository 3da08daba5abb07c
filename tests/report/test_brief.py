"""Policy briefs: every number printed comes from the metrics, figures embedded, stable bytes."""

from __future__ import annotations

import base64
import copy
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from analysis.core.config import Params
from analysis.core.errors import UserError
from analysis.report.brief import (
    NumberFormat,
    brief_data,
    build_briefs,
    load_strings,
    source_commit,
)

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates" / "brief"

# Hand-made metrics: small numbers whose formatted forms are checked by hand below.
COMPARE = {
    "corpus": {
        "n_documents": 40,
        "n_paragraphs": 1312,
        "n_outlets": 3,
        "outlets": ["detik.com", "kompas.com", "tempo.co"],
        "date_min": "2024-01-05",
        "date_max": "2025-08-11",
    },
    "coverage": {
        "documents": {"agglomeration": 18, "international": 7, "domestic_other": 5, "none": 10},
        "paragraphs": {"agglomeration": 150, "international": 61},
    },
    "sectors": {
        "agglomeration": {
            "transport": {"share": 0.5, "ci_low": 0.278, "ci_high": 0.722, "n_docs": 9},
            "flood": {"share": 0.333333, "ci_low": 0.111, "ci_high": 0.556, "n_docs": 6},
        },
        "international": {
            "culture_tourism": {"share": 0.571429, "ci_low": 0.2857, "ci_high": 0.857, "n_docs": 4},
        },
    },
    "top_sectors": {"agglomeration": ["transport", "flood"], "international": ["culture_tourism"]},
    "distinctive_terms": {
        "agglomeration": [
            {"term": "banjir", "z": 3.2, "count": 14},
            {"term": "bantar_gebang", "z": 2.5, "count": 6},
        ],
        "international": [
            {"term": "sister_city", "z": -3.9, "count": 11},
            {"term": "kuala_lumpur", "z": -3.1, "count": 8},
        ],
    },
    "partners": {
        "agglomeration": [
            {"partner": "Bekasi", "n_documents": 9},
            {"partner": "Depok", "n_documents": 4},
        ],
        "international": [
            {"partner": "Kuala Lumpur", "n_documents": 5},
            {"partner": "Ankara", "n_documents": 1},
        ],
    },
    "topics": {
        "agglomeration": [
            # readable words (topics.csv label_readable) beside the stems
            {
                "topic": 2,
                "label": "kait, banjir, kali, normalisasi",
                "label_readable": "terkait, banjir, Kali Malang, normalisasi",
                "share": 0.4,
            },
            {"topic": 3, "label": "dana_usul_mitra", "share": 0.45},
            {"topic": -1, "label": "outliers", "share": 0.7},
        ],
        "international": [{"topic": 5, "label": "sister_city_budaya", "share": 0.625}],
    },
    "stories": {
        "agglomeration": {"n_articles": 18, "n_stories": 11},
        "international": {"n_articles": 7, "n_stories": 6},
        "domestic_other": {"n_articles": 5, "n_stories": 2},
    },
    "confident_only": {"n_articles": 21, "n_articles_all": 30},
}
CLASSIFY = {
    "documents": {"all": {"macro_f1": 0.91, "n": 160}, "heldout_all": {"macro_f1": 0.8472, "n": 60}}
}
# Topic 3 is larger than topic 2 in metropolitan coverage but unstable: the brief names topic 2.
# BERTopic is behind NMF on coherence: the brief states the loss.
TOPICS = {
    "n_topics": 7,
    "ensemble": {"n_seeds": 5, "ari_mean": 0.7104, "n_topics_stable": 6, "n_topics_unstable": 1},
    "topic_stability": {"2": {"stable": True}, "3": {"stable": False}, "5": {"stable": True}},
    "coherence_verdict": {"reference": "reference", "bertopic_at_least_nmf": False},
    "coherence": {
        "references": {"reference": {"n_paragraphs": 179033}},
        "bertopic": {"reference": {"c_v": 0.6003}},
        "nmf": {"reference": {"c_v": 0.6102}},
    },
}
INGEST = {"n_duplicates": 2, "n_rejects": 1}
PARAMS = {"compare": {"focal": "Jakarta", "n_bootstrap": 2000, "ci_level": 0.95, "top_terms": 15}}

FIGURE_NAMES = ("sectors", "log_odds", "partners")
# Every fixture figure carries a raster of its own size, so the PDF shows which file it embeds.
RASTER_SIZES = {
    "en": {"sectors": (7, 3), "log_odds": (9, 3), "partners": (11, 3)},
    "id": {"sectors": (13, 3), "log_odds": (15, 3), "partners": (17, 3)},
}


def _png(width: int, height: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (27, 120, 55)).save(buffer, format="PNG")
    return buffer.getvalue()


def _svg(label_size: tuple[int, int]) -> str:
    data = base64.b64encode(_png(*label_size)).decode("ascii")
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="480" height="260" viewBox="0 0 480 260">'
        '<rect x="0" y="0" width="480" height="260" fill="#ffffff"/>'
        '<rect x="40" y="40" width="300" height="40" fill="#1b7837"/>'
        '<rect x="40" y="120" width="180" height="40" fill="#762a83"/>'
        f'<image x="380" y="200" width="70" height="30" href="data:image/png;base64,{data}"/>'
        "</svg>"
    )


def make_project(
    root: Path, compare=COMPARE, classify=CLASSIFY, topics=TOPICS, ingest=INGEST
) -> tuple[Path, Path]:
    """A params.yaml and a reports/ folder with metrics and figures; returns (reports, params)."""
    reports = root / "reports"
    metrics = reports / "metrics"
    metrics.mkdir(parents=True)
    for name, value in (
        ("compare", compare),
        ("classify", classify),
        ("topics", topics),
        ("ingest", ingest),
    ):
        if value is not None:
            (metrics / f"{name}.json").write_text(json.dumps(value), encoding="utf-8")
    for language, sub in (("en", ""), ("id", "id")):
        folder = reports / "figures" / "compare" / sub
        folder.mkdir(parents=True, exist_ok=True)
        for name in FIGURE_NAMES:
            (folder / f"{name}.svg").write_text(
                _svg(RASTER_SIZES[language][name]), encoding="utf-8"
            )
    params = root / "params.yaml"
    params.write_text(yaml.safe_dump(PARAMS), encoding="utf-8")
    return reports, params


def pdf_text(path: Path) -> str:
    """The PDF's text with every kind of space collapsed, so line breaks do not matter."""
    text = "".join(page.extract_text() for page in PdfReader(path).pages)
    return " ".join(text.replace("\u2060", "").split())


def norm(value: str) -> str:
    return " ".join(value.replace("\u2060", "").split())


@pytest.fixture(scope="module")
def briefs(tmp_path_factory):
    root = tmp_path_factory.mktemp("project")
    reports, params = make_project(root)
    written = build_briefs(reports_dir=reports, template_dir=TEMPLATES, params_file=params)
    return dict(zip(("en", "id"), written))


@pytest.fixture(scope="module")
def formats():
    return {lang: NumberFormat.from_strings(load_strings(TEMPLATES, lang)) for lang in ("en", "id")}


def test_number_formats_by_hand(formats):
    en, id_ = formats["en"], formats["id"]
    assert en.count(1234567) == "1,234,567" and id_.count(1234567) == "1.234.567"
    assert en.decimal(0.8472) == "0.85" and id_.decimal(0.8472) == "0,85"
    assert en.decimal(0.845) == "0.85"  # half up, not to even
    assert en.decimal(1234.5, digits=1) == "1,234.5" and id_.decimal(1234.5, digits=1) == "1.234,5"
    assert en.percent(0.125) == "13%" and norm(id_.percent(0.125)) == "13 persen"
    assert en.percent(0.175) == "18%" and en.percent(0) == "0%" and en.percent(1) == "100%"
    assert en.percent(0.004) == "<1%" and norm(id_.percent(0.004)) == "kurang dari 1 persen"
    assert norm(en.percent_range(0.278, 0.722)) == "28–72%"
    assert norm(id_.percent_range(0.278, 0.722)) == "28–72 persen"
    assert en.date("2025-08-11") == "11 August 2025"
    assert id_.date("2025-08-11T00:00:00") == "11 Agustus 2025"
    with pytest.raises(UserError, match="not YYYY-MM-DD"):
        en.date("11/08/2025")


def test_two_briefs_of_two_to_four_pages_without_dates(briefs):
    assert [p.name for p in briefs.values()] == ["brief_en.pdf", "brief_id.pdf"]
    for language, path in briefs.items():
        reader = PdfReader(path)
        assert 2 <= len(reader.pages) <= 4, (language, len(reader.pages))
        info = reader.metadata
        assert "/CreationDate" not in info and "/ModDate" not in info
    assert PdfReader(briefs["en"]).metadata.title == "City cooperation in Indonesian news"
    assert PdfReader(briefs["id"]).metadata.title == (
        "Kerja sama antarkota dalam pemberitaan Indonesia"
    )


@pytest.mark.parametrize("language", ["en", "id"])
def test_brief_has_every_section(briefs, language):
    text = pdf_text(briefs[language])
    strings = load_strings(TEMPLATES, language)
    for heading in strings["text"]["headings"].values():
        assert norm(heading) in text, heading
    assert norm(strings["text"]["title"]) in text
    assert "dvc repro" in text


def test_english_and_indonesian_text(briefs):
    english, indonesian = pdf_text(briefs["en"]), pdf_text(briefs["id"])
    assert "Key findings" in english and "Limitations" in english
    assert "Temuan utama" in indonesian and "Keterbatasan" in indonesian
    assert "Key findings" not in indonesian and "Limitations" not in indonesian
    # the commit line, localised: this fixture project is not a git checkout
    assert "not a git checkout" in english
    assert "bukan salinan repositori git" in indonesian
    # hand-checked sentences with numbers in each language's own format
    assert "Of the 40 news articles analysed, 18 (45%) report cooperation" in english
    assert "Dari 40 artikel berita yang dianalisis, 18 (45 persen) memberitakan" in indonesian
    assert "transport (50%; CI 28–72%) and flood control (33%; CI 11–56%)" in english
    assert "transportasi (50 persen; SK 28–72 persen), dan pengendalian banjir" in indonesian
    assert "macro-averaged F1 score of 0.85" in english and "F1 makro 0,85" in indonesian
    assert "from 2,000 bootstrap" in english and "dari 2.000 kali" in indonesian
    assert "between 5 January 2024 and 11 August 2025" in english
    assert "antara 5 Januari 2024 dan 11 Agustus 2025" in indonesian
    assert "Bekasi (9 articles) and Depok (4 articles)" in english
    assert "commit unknown (not a git checkout)" in english
    assert "Ankara (1 article)" in english and "Ankara (1 artikel)" in indonesian
    assert "“bantar gebang”" in english and "“sister city budaya”" in english
    # topic labels: the readable words in the finding, the stems named once in the method
    assert "coverage is “terkait, banjir, Kali Malang, normalisasi”" in english
    assert "stands for the stems “kait, banjir, kali, normalisasi”" in english
    assert "aglomerasi adalah “terkait, banjir, Kali Malang, normalisasi”" in indonesian
    assert "mewakili kata dasar “kait, banjir, kali, normalisasi”" in indonesian
    assert "None" not in english and "None" not in indonesian
    # topic sentences: the stable solution, how stable it is, and the coherence loss stated
    assert "dana usul mitra" not in english  # unstable topic, not named as a finding
    assert "most typical of 5 topic models" in english and "of 0.71, where 1" in english
    assert "6 of its 7 topics come back" in english and "the 1 that do not" in english
    assert "is 0.60 for BERTopic and 0.61 for NMF" in english
    assert "179,033 paragraphs of a larger Indonesian news corpus" in english
    assert "hang together less well" in english
    assert "at least as coherent" not in english
    assert (
        "6 dari 7 topiknya" in indonesian and "0,60 untuk BERTopic dan 0,61 untuk NMF" in indonesian
    )
    assert "179.033 paragraf" in indonesian


def _expected_numbers(fmt: NumberFormat) -> set[str]:
    """Every number the brief derives from the fixture metrics and params, formatted."""
    corpus, documents = COMPARE["corpus"], COMPARE["coverage"]["documents"]
    expected = {fmt.count(corpus[k]) for k in ("n_documents", "n_paragraphs", "n_outlets")}
    expected |= {fmt.date(corpus["date_min"]), fmt.date(corpus["date_max"])}
    for count in documents.values():
        expected |= {fmt.count(count), fmt.percent(count / corpus["n_documents"])}
    for sectors in COMPARE["sectors"].values():
        for stats in sectors.values():
            expected |= {
                fmt.percent(stats["share"]),
                fmt.percent_range(stats["ci_low"], stats["ci_high"]),
            }
    for partners in COMPARE["partners"].values():
        expected |= {fmt.count(p["n_documents"]) for p in partners}
    expected |= {fmt.percent(0.4), fmt.percent(0.625)}  # largest non-outlier topic per side
    expected |= {
        fmt.decimal(CLASSIFY["documents"]["heldout_all"]["macro_f1"]),
        fmt.count(CLASSIFY["documents"]["heldout_all"]["n"]),
        fmt.count(TOPICS["n_topics"]),
        fmt.count(INGEST["n_duplicates"]),
        fmt.count(INGEST["n_rejects"]),
    }
    expected |= {
        fmt.count(sum(v["n_stories"] for v in COMPARE["stories"].values())),
        fmt.count(COMPARE["confident_only"]["n_articles"]),
        fmt.count(COMPARE["confident_only"]["n_articles_all"]),
    }
    expected |= {
        fmt.count(5),
        fmt.decimal(0.7104),
        fmt.count(6),
        fmt.count(1),
        fmt.count(179033),
        fmt.decimal(0.6003),
        fmt.decimal(0.6102),
    }  # topics.json
    expected |= {
        fmt.percent(PARAMS["compare"]["ci_level"]),
        fmt.count(PARAMS["compare"]["n_bootstrap"]),
    }
    return {norm(value) for value in expected}


@pytest.mark.parametrize("language", ["en", "id"])
def test_every_number_from_the_metrics_is_printed(briefs, formats, language):
    text = pdf_text(briefs[language])
    missing = [n for n in _expected_numbers(formats[language]) if n not in text]
    assert missing == []


@pytest.mark.parametrize("language", ["en", "id"])
def test_no_number_is_typed_by_hand(briefs, formats, language):
    """Each number in the PDF comes from the metrics, params or the page counter.

    The only numbers the strings files may contain are these, none a result: the year of the
    log-odds reference, the Python version, and "1" (F1 = 1 means full agreement).
    """
    text = pdf_text(briefs[language])
    static = {"2008", "3.11", "1"}
    derived = set()
    for value in _expected_numbers(formats[language]):
        derived |= set(re.findall(r"\d+(?:[.,]\d+)*", value))
    n_pages = len(PdfReader(briefs[language]).pages)
    pages = {str(n) for n in range(1, n_pages + 1)}
    printed = re.findall(r"(?<![\w.,])\d+(?:[.,]\d+)*", text)
    stray = sorted({n.rstrip(".,") for n in printed} - derived - static - pages)
    assert stray == []


@pytest.mark.parametrize("language", ["en", "id"])
def test_figures_of_the_right_language_are_embedded(briefs, language):
    sizes = []
    for page in PdfReader(briefs[language]).pages:
        sizes += [image.image.size for image in page.images]
    assert sorted(sizes) == sorted(RASTER_SIZES[language].values())


def test_two_builds_are_byte_identical(tmp_path):
    outputs = []
    for name in ("first", "second"):
        reports, params = make_project(tmp_path / name)
        outputs.append([p.read_bytes() for p in build_briefs(reports, TEMPLATES, params)])
    assert outputs[0] == outputs[1]


def test_missing_optional_metrics_leave_sentences_out(tmp_path):
    compare = copy.deepcopy(COMPARE)
    for key in ("partners", "topics", "distinctive_terms", "sectors", "top_sectors"):
        del compare[key]
    del compare["corpus"]["date_min"]
    reports, params = make_project(
        tmp_path, compare=compare, classify={"other": 1}, topics=None, ingest=None
    )
    en, id_ = build_briefs(reports, TEMPLATES, params)
    english, indonesian = pdf_text(en), pdf_text(id_)
    assert "Of the 40 news articles analysed" in english
    for absent in (
        "F1",
        "partners named",
        "largest topic",
        "published between",
        "BERTopic",
        "duplicate",
        "None",
        "{",
    ):
        assert absent not in english, absent
    for absent in ("F1", "Mitra Jakarta", "Topik terbesar", "terbit antara", "None", "{"):
        assert absent not in indonesian, absent
    assert 2 <= len(PdfReader(en).pages) <= 4


def test_required_key_or_file_missing_is_a_user_error(tmp_path):
    compare = copy.deepcopy(COMPARE)
    del compare["corpus"]["n_documents"]
    reports, params = make_project(tmp_path / "a", compare=compare)
    with pytest.raises(UserError, match=r"compare\.json: required key corpus\.n_documents"):
        build_briefs(reports, TEMPLATES, params)
    reports, params = make_project(tmp_path / "b", compare=None)
    with pytest.raises(UserError, match=r"compare\.json: not found"):
        build_briefs(reports, TEMPLATES, params)
    reports, params = make_project(tmp_path / "c")
    (reports / "metrics" / "classify.json").write_text("{oops", encoding="utf-8")
    with pytest.raises(UserError, match=r"classify\.json: not valid JSON"):
        build_briefs(reports, TEMPLATES, params)


def test_missing_figure_is_a_user_error(tmp_path):
    reports, params = make_project(tmp_path)
    (reports / "figures" / "compare" / "id" / "log_odds.svg").unlink()
    with pytest.raises(UserError, match=r"id/log_odds\.svg: figure 'log_odds' for the id brief"):
        build_briefs(reports, TEMPLATES, params)


def test_names_from_the_data_are_printed_literally(tmp_path):
    compare = copy.deepcopy(COMPARE)
    compare["partners"]["agglomeration"][0]["partner"] = "Kota *Bekasi* #lorem(3) <script>"
    reports, params = make_project(tmp_path, compare=compare)
    en, _ = build_briefs(reports, TEMPLATES, params)
    assert "Kota *Bekasi* #lorem(3) <script> (9 articles)" in pdf_text(en)


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_source_commit_follows_pipeline_inputs_only(tmp_path):
    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    (repo / "reports").mkdir()
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "test@example.org")
    _git(repo, "config", "user.name", "Test")
    (repo / "params.yaml").write_text("seed: 1\n", encoding="utf-8")
    (repo / "src" / "stage.py").write_text("x = 1\n", encoding="utf-8")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "pipeline")
    pipeline = _git(repo, "rev-parse", "HEAD")[:12]
    assert source_commit(repo) == (pipeline, False)

    (repo / "reports" / "brief_en.pdf").write_bytes(b"%PDF")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "regenerated brief")
    assert source_commit(repo) == (pipeline, False)  # committing outputs changes nothing

    (repo / "params.yaml").write_text("seed: 2\n", encoding="utf-8")
    assert source_commit(repo) == (pipeline, True)
    (repo / "params.yaml").write_text("seed: 1\n", encoding="utf-8")
    (repo / "src" / "new_stage.py").write_text("y = 2\n", encoding="utf-8")  # untracked input
    assert source_commit(repo) == (pipeline, True)

    assert source_commit(tmp_path / "elsewhere") == (None, False)
    (tmp_path / "elsewhere").mkdir()
    assert source_commit(tmp_path / "elsewhere") == (None, False)
    assert source_commit(repo / "src") == (None, False)  # a sub-folder is not the project


def test_dirty_commit_is_stated_in_both_languages(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    reports, params = make_project(tmp_path)
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "config", "user.email", "test@example.org")
    _git(tmp_path, "config", "user.name", "Test")
    _git(tmp_path, "add", "params.yaml")
    _git(tmp_path, "commit", "-q", "-m", "params")
    commit = _git(tmp_path, "rev-parse", "HEAD")[:12]
    params.write_text(params.read_text(encoding="utf-8") + "seed: 3\n", encoding="utf-8")
    en, id_ = build_briefs(reports, TEMPLATES, params)
    assert f"commit {commit} (with uncommitted changes)" in pdf_text(en)
    assert f"git checkout {commit}" in pdf_text(en)
    assert f"commit {commit} (dengan perubahan yang belum di-commit)" in pdf_text(id_)


def test_citation_comes_from_citation_cff(tmp_path):
    reports, params = make_project(tmp_path)
    (tmp_path / "CITATION.cff").write_text(
        'cff-version: 1.2.0\ntitle: "Coop news: a pipeline"\nversion: "0.3.1"\n'
        'authors:\n  - name: "The coopnews contributors"\n'
        "  - given-names: Sri\n    family-names: Mulyani\n",
        encoding="utf-8",
    )
    en, id_ = build_briefs(reports, TEMPLATES, params)
    assert (
        "The coopnews contributors, Sri Mulyani. Coop news: a pipeline, version 0.3.1, "
        "commit unknown (not a git checkout)."
    ) in pdf_text(en)
    assert "Coop news: a pipeline, versi 0.3.1, commit tidak diketahui" in pdf_text(id_)


def test_stories_and_confidence_sentence_in_both_languages():
    params = Params.model_validate(PARAMS)
    metrics = {"compare": COMPARE, "classify": CLASSIFY, "topics": TOPICS, "ingest": INGEST}
    for lang, expected in (
        ("en", "The 30 articles coded as cooperation report 19 distinct stories"),
        ("id", "Sebanyak 30 artikel yang tergolong kerja sama memuat 19 peristiwa"),
    ):
        data = brief_data(metrics, params, load_strings(TEMPLATES, lang), commit=(None, False))
        method = " ".join(data["method"])
        assert expected in method and "21" in method, lang
    # without the round-4 keys the sentence is left out, not half-filled
    old = {k: v for k, v in COMPARE.items() if k not in ("stories", "confident_only")}
    data = brief_data(
        {**metrics, "compare": old}, params, load_strings(TEMPLATES, "en"), commit=(None, False)
    )
    method = " ".join(data["method"])
    assert "distinct stories" not in method
