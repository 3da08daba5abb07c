"""run_ingest end to end: the seeds, a corpus of bad inputs, duplicates, determinism, n_jobs."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import json
import shutil

import pandas as pd
import pytest
from stage_helpers import run_ingest

from analysis.core.config import IngestParams, PreprocessParams, TopicsParams
from analysis.core.errors import UserError
from analysis.core.schemas import DOCUMENT_COLUMNS, REJECT_COLUMNS, REJECT_REASONS
from analysis.text.records import iter_records, read_articles
from analysis.text.sources import MAX_FILE_BYTES

MIN_WORDS = IngestParams().min_words
MIN_TOKEN_LENGTH = PreprocessParams().min_token_length
MIN_TOPIC_SIZE = TopicsParams().min_topic_size

SEED_000 = "000_4394a814a780e277.txt"
SEED_001 = "001_17a0fc84c87f51fc.txt"
SEED_002 = "002_b0853180490134cc.txt"
SEED_003 = "003_2e0963ee0979c594.txt"
SEED_004 = "004_8c38530ddb7b0270.txt"

# Made-up Indonesian sentences (not from any corpus). Each test article takes its own four, so
# test articles share no word 5-shingles with each other and are never near duplicates.
SENTENCES = [
    "Pemerintah Kota Depok dan Pemerintah Provinsi DKI Jakarta sepakat memperluas layanan bus pengumpan.",
    "Kepala dinas perhubungan mengatakan rute baru itu melayani warga yang bekerja di pusat kota.",
    "Kerja sama ini diharapkan mengurangi kemacetan di jalan utama serta menekan biaya perjalanan.",
    "Kedua pemerintah daerah juga membahas pembagian biaya operasional dan pembangunan halte baru.",
    "Pemerintah Kota Surabaya menjalin kerja sama kota kembar dengan sebuah kota pelabuhan di Jepang.",
    "Wali kota menyebut kerja sama itu mencakup pertukaran tenaga ahli dan pelatihan pegawai negeri.",
    "Program pertama dijadwalkan berjalan awal tahun depan dengan melibatkan beberapa kampus setempat.",
    "Warga berharap kesepakatan tersebut membuat kota lebih bersih dan membuka lapangan kerja baru.",
    "Bupati Bogor menandatangani nota kesepahaman tentang penanganan banjir di daerah aliran sungai.",
    "Dokumen itu mengatur pembagian tugas pengerukan sungai, pembangunan tanggul, dan sistem peringatan dini.",
    "Anggaran bersama akan dibahas oleh dewan perwakilan rakyat daerah masing-masing pada rapat pekan depan.",
    "Para camat diminta menyiapkan data rumah tangga yang tinggal di bantaran sungai sebelum musim hujan.",
    "Gubernur Jawa Barat meresmikan jalur kereta ringan yang menghubungkan Bekasi dengan stasiun terpadu.",
    "Tarif perkenalan ditetapkan lima ribu rupiah selama tiga bulan pertama sejak jalur dibuka untuk umum.",
    "Operator menambah rangkaian pada jam sibuk pagi karena penumpang dari perumahan sekitar terus bertambah.",
    "Pengamat transportasi menilai integrasi tiket dengan bus kota masih perlu dipercepat oleh pemerintah.",
    "Dinas kesehatan Kota Tangerang bekerja sama dengan rumah sakit daerah tetangga untuk layanan rujukan.",
    "Pasien dari kecamatan perbatasan kini dapat dirujuk tanpa harus menunggu surat dari puskesmas asal.",
    "Sistem antrean daring dipakai bersama sehingga dokter di kedua daerah dapat melihat jadwal pemeriksaan.",
    "Evaluasi layanan ini akan dilakukan setiap enam bulan dengan melibatkan organisasi pasien dan perawat.",
    "Kota Medan dan sebuah kota di Malaysia sepakat menggelar festival budaya bersama setiap tahun.",
    "Festival perdana menampilkan tari tradisional, pameran kuliner, dan pertunjukan musik dari kedua kota.",
    "Panitia memperkirakan puluhan ribu pengunjung datang selama empat hari penyelenggaraan di lapangan kota.",
    "Dinas pariwisata juga menyiapkan paket perjalanan murah bagi wisatawan dari negara tetangga tersebut.",
    "Pemerintah Kota Makassar membangun instalasi pengolahan air limbah bersama kabupaten di sekitarnya.",
    "Instalasi itu mampu mengolah limbah rumah tangga dari sekitar tiga puluh ribu sambungan rumah.",
    "Biaya pembangunan ditanggung bersama dengan dukungan pinjaman lunak dari lembaga keuangan nasional.",
    "Warga yang rumahnya tersambung tidak dipungut biaya pemasangan selama tahun pertama program berjalan.",
    "Pemerintah Kota Malang dan sebuah kota di Korea Selatan bertukar pengalaman mengelola taman kota.",
    "Delegasi dari Korea meninjau hutan kota dan kebun bibit yang dikelola kelompok warga setempat.",
    "Kedua kota berencana menanam sepuluh ribu pohon peneduh di sepanjang jalan protokol hingga akhir tahun.",
    "Sekolah dasar di sekitar taman akan dilibatkan dalam kegiatan belajar tentang lingkungan hidup.",
    "Pemerintah Kabupaten Sleman dan Kota Yogyakarta menyepakati pengelolaan tempat pembuangan akhir bersama.",
    "Truk pengangkut sampah dari kedua daerah kini memakai jadwal bergilir agar tidak menumpuk di gerbang.",
    "Bank sampah di tingkat kelurahan diperbanyak supaya volume sampah yang dibuang terus menurun.",
    "Relawan lingkungan mengapresiasi langkah itu tetapi meminta pengawasan pembuangan liar diperketat.",
]


def _article(i: int) -> str:
    """Made-up article number i: four sentences, two paragraphs."""
    s = SENTENCES[4 * i : 4 * i + 4]
    return f"{s[0]} {s[1]}\n\n{s[2]} {s[3]}"


ARTICLE_A = _article(0)
ARTICLE_B = _article(1)
ARTICLE_LATIN1 = (
    "Kafe \u201cCaf\u00e9 Kota\u201d di Bandung menjadi tempat pertemuan para wali kota se-Bandung "
    "Raya untuk membahas kerja sama pengelolaan air bersih dan transportasi umum antarwilayah. "
    "Para kepala daerah sepakat membentuk tim bersama yang akan menyusun rencana kerja dalam tiga "
    "bulan ke depan, termasuk pembiayaan dan jadwal pembangunan jaringan pipa baru bagi warga."
)
ENGLISH = (
    "The city council met on Tuesday to discuss the new public transport plan. Officials said the "
    "plan would add more buses to the routes that connect the suburbs with the city centre, and "
    "that the council would also study a light rail line. Residents who attended the meeting "
    "asked for better footpaths and safer crossings near schools and markets."
)
HTML_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Judul Tab | Harian Contoh</title>
<meta property="og:title" content="Depok dan Jakarta Perluas Bus Pengumpan">
<meta property="og:site_name" content="Harian Contoh">
<meta property="article:published_time" content="2025-03-14T09:30:00+07:00">
<link rel="canonical" href="https://www.hariancontoh.co.id/berita/123/depok-jakarta">
<script>var tracking = "jangan masuk ke teks"; function iklan() { return 1; }</script>
<style>.x { color: red }</style></head>
<body><nav><a href="/">Beranda</a> <a href="/nasional">Nasional</a></nav>
<article><h1>Depok dan Jakarta Perluas Bus Pengumpan</h1>
<p>Pemerintah Kota Depok dan Pemerintah Provinsi DKI Jakarta sepakat memperluas layanan bus
pengumpan hingga ke perbatasan kedua wilayah mulai bulan depan, kata pejabat setempat.</p>
<figure><img src="a.jpg"><figcaption>Bus pengumpan di terminal (Foto/Contoh)</figcaption></figure>
<p>Kepala dinas perhubungan mengatakan rute baru itu akan melayani warga yang setiap hari bekerja
di Jakarta dan berharap kemacetan di jalan utama berkurang serta biaya perjalanan turun.</p>
<script>document.write("iklan sisipan")</script>
<p>Kedua pemerintah daerah juga akan membahas pembagian biaya operasional dalam rapat berikutnya.</p>
</article><footer>Hak cipta Harian Contoh</footer></body></html>"""


def _ids(result):
    docs = dict(zip(result.documents["doc_id"], result.documents["duplicate_of"]))
    rejects = {
        (sf if pd.isna(rec) else f"{sf}#{rec}"): reason
        for sf, rec, reason in zip(
            result.rejects["source_file"], result.rejects["record"], result.rejects["reason"]
        )
    }
    return docs, rejects


@pytest.fixture(scope="module")
def seed_result(raw_dir, lexicon_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("seeds")
    return run_ingest(
        raw_dir,
        documents_path=out / "documents.parquet",
        rejects_path=out / "rejects.csv",
        metadata_file=raw_dir / "metadata.csv",
        lexicon_dir=lexicon_dir,
    )


# --------------------------------------------------------------------------------- seeds


def test_seeds_with_sidecar(seed_result):
    docs = seed_result.documents.set_index("doc_id")
    assert list(docs.index) == [SEED_000, SEED_001, SEED_002, SEED_003, SEED_004]
    assert seed_result.rejects.empty
    expected = {
        SEED_000: (
            "ntvnews.id",
            "2025-07-08",
            "Wali Kota Bekasi Temui Pramono, Bahas Kolaborasi Strategis Antar Daerah",
        ),
        SEED_001: (
            "beritanasional.com",
            "2025-04-09",
            "Dikunjungi Andra Soni, Pramono Tawarkan Aplikasi JAKI untuk Digunakan di Banten",
        ),
        SEED_002: (
            "bisnis.com",
            "2025-08-11",
            "Pramono Anung Gandeng Kuala Lumpur Demi Atasi Kemacetan Jakarta",
        ),
        SEED_003: ("trt.global", "2025-08-21", None),
        SEED_004: (
            "suarablitar.com",
            "2025-08-11",
            "Jakarta dan Kuala Lumpur Jalin Kerja Sama Sister City untuk Atasi Tantangan Bersama",
        ),
    }
    for doc_id, (outlet, date, title) in expected.items():
        row = docs.loc[doc_id]
        assert row["outlet"] == outlet
        assert row["date"] == pd.Timestamp(date)
        assert (row["title"] if isinstance(row["title"], str) else None) == title
        assert row["source_file"] == doc_id and pd.isna(row["record"])
        assert row["language"] == "id"
        assert pd.isna(row["duplicate_of"])
        assert row["n_words"] == len(row["text"].split())
    assert docs.loc[SEED_000, "url"].startswith("https://stg.ntvnews.id/news/0154403/")
    assert "banjir" not in docs.loc[SEED_000, "text"].lower()


def test_seed_texts_have_no_boilerplate(seed_result):
    banned = [
        "Ntvnews.id, Jakarta",
        "BeritaNasional.com -",
        "Bisnis.com, Jakarta",
        "date 2025-",
        "Bisnis Indonesia Premium",
        "Penulis :",
        "Editor :",
        "(NTVNews.id/ Adiansyah)",
        "/Bisnis-Jessica",
        "Baca Juga",
        "Sebarkan artikel ini",
        "Avatar photo",
        "yang lalu",
        "HUKUM |",
        "Senin, 11 Agustus 2025 | 22:00",
        "×",
    ]
    for doc_id, text in zip(seed_result.documents["doc_id"], seed_result.documents["text"]):
        for phrase in banned:
            assert phrase not in text, (doc_id, phrase)
        paragraphs = text.split("\n\n")
        assert "Nasional" not in paragraphs and "3" not in paragraphs
        assert "Sholahuddin Al Ayyubi" not in paragraphs
        assert "\n\n\n" not in text and not text.startswith(("-", ",", " "))


def test_same_story_in_different_words_is_not_a_duplicate(seed_result):
    """Seeds 002 and 004 report the Jakarta-Kuala Lumpur signing in their own words."""
    docs = seed_result.documents.set_index("doc_id")
    assert pd.isna(docs.loc[SEED_002, "duplicate_of"]) and pd.isna(
        docs.loc[SEED_004, "duplicate_of"]
    )
    assert seed_result.metrics()["n_duplicates"] == 0


def test_seeds_without_sidecar(raw_dir, lexicon_dir, tmp_path):
    result = run_ingest(
        raw_dir,
        documents_path=tmp_path / "d.parquet",
        rejects_path=tmp_path / "r.csv",
        metadata_file="",
        lexicon_dir=lexicon_dir,
    )
    docs = result.documents.set_index("doc_id")
    assert len(docs) == 5 and result.rejects.empty  # metadata.csv itself is not an article
    outlets = {k: (None if pd.isna(v) else v) for k, v in docs["outlet"].items()}
    assert outlets == {
        SEED_000: "ntvnews.id",
        SEED_001: "beritanasional.com",
        SEED_002: "bisnis.com",
        SEED_003: None,
        SEED_004: None,
    }
    dates = {k: (None if pd.isna(v) else v.date()) for k, v in docs["date"].items()}
    assert dates == {
        SEED_000: dt.date(2025, 7, 8),
        SEED_001: dt.date(2025, 4, 9),
        SEED_002: dt.date(2025, 8, 11),
        SEED_003: dt.date(2025, 8, 21),
        SEED_004: None,
    }
    assert pd.isna(docs.loc[SEED_000, "title"]) and pd.isna(docs.loc[SEED_003, "title"])
    assert docs["url"].isna().all()


def test_metrics_and_summary(seed_result):
    metrics = seed_result.metrics()
    assert metrics["n_inputs"] == metrics["n_documents"] == 5
    assert metrics["n_rejects"] == 0 and set(metrics["rejects_by_reason"]) == set(REJECT_REASONS)
    assert metrics["documents_by_outlet"] == {
        "beritanasional.com": 1,
        "bisnis.com": 1,
        "ntvnews.id": 1,
        "suarablitar.com": 1,
        "trt.global": 1,
    }
    assert (metrics["date_min"], metrics["date_max"]) == ("2025-04-09", "2025-08-21")
    assert metrics["n_words_total"] == int(seed_result.documents["n_words"].sum())
    json.dumps(metrics)
    table = seed_result.summary_table()
    assert table.to_dict("records") == [
        {"status": "document", "reason": "", "format": "txt", "n": 5}
    ]


def test_a_semicolon_separated_sidecar_is_read(raw_dir, lexicon_dir, tmp_path):
    # the sidecar saved by a spreadsheet in an Indonesian locale: ";" between fields
    copy = tmp_path / "raw"
    copy.mkdir()
    shutil.copy(raw_dir / SEED_003, copy / SEED_003)
    (copy / "metadata.csv").write_text(
        f"file;outlet;date;title;url\n{SEED_003};trt.global;2025-08-21;Ankara, Jakarta;\n",
        encoding="utf-8-sig",
    )
    result = run_ingest(
        copy,
        documents_path=tmp_path / "d.parquet",
        rejects_path=tmp_path / "r.csv",
        metadata_file=copy / "metadata.csv",
        lexicon_dir=lexicon_dir,
    )
    row = result.documents.set_index("doc_id").loc[SEED_003]
    assert (row["outlet"], row["title"]) == ("trt.global", "Ankara, Jakarta")
    assert row["date"] == pd.Timestamp("2025-08-21")


def test_output_files_match_contract(seed_result, tmp_path, raw_dir, lexicon_dir):
    run_ingest(
        raw_dir,
        documents_path=tmp_path / "d.parquet",
        rejects_path=tmp_path / "r.csv",
        metadata_file=raw_dir / "metadata.csv",
        lexicon_dir=lexicon_dir,
    )
    docs = pd.read_parquet(tmp_path / "d.parquet")
    assert tuple(docs.columns) == DOCUMENT_COLUMNS
    assert str(docs["date"].dtype) == "datetime64[ns]" and str(docs["n_words"].dtype) == "int64"
    rejects = pd.read_csv(tmp_path / "r.csv")
    assert tuple(rejects.columns) == REJECT_COLUMNS


# --------------------------------------------------------------------------------- bad inputs


@pytest.fixture(scope="module")
def bad_corpus(raw_dir, tmp_path_factory):
    """A folder with every kind of input the ingest stage must cope with; returns (dir, expected)."""
    root = tmp_path_factory.mktemp("bad") / "raw"
    root.mkdir()
    seeds = {p.name: p.read_text(encoding="utf-8") for p in raw_dir.glob("*.txt")}
    for name, text in seeds.items():
        (root / name).write_text(text, encoding="utf-8")
    (root / "empty.txt").write_bytes(b"")
    (root / "blank.txt").write_text(" \n\n \t\n", encoding="utf-8")
    (root / "binary.txt").write_bytes(b"\x00\x01\x02PK binary \x00\xff" * 50)
    (root / "undecodable.txt").write_bytes(bytes(range(128, 256)) * 20)
    (root / "latin1.txt").write_bytes(ARTICLE_LATIN1.encode("cp1252"))
    (root / "utf16.txt").write_bytes(ARTICLE_B.encode("utf-16"))
    (root / "page.html").write_text(HTML_PAGE, encoding="utf-8")
    (root / "english.txt").write_text(ENGLISH, encoding="utf-8")
    (root / "copy_of_000.txt").write_text(
        "\n\n".join(seeds[SEED_000].split("\n")) + "\n", encoding="utf-8"
    )
    near = seeds[SEED_002].replace("Pramono menegaskan", "Pramono kembali menegaskan")
    near = near.replace("Hal itu dilakukan ketika", "Itu dilakukan saat")
    (root / "near_copy_of_002.txt").write_text(near, encoding="utf-8")
    (root / "short.txt").write_text("Tiga kata saja.", encoding="utf-8")
    (root / "Berita Jakarta – édisi khusus.txt").write_text(ARTICLE_A, encoding="utf-8")
    (root / "sub" / "dir").mkdir(parents=True)
    (root / "sub" / "dir" / "nested.md").write_text(
        "# Kota Kembar Malang\n\n**Malang** - " + _article(7), encoding="utf-8"
    )
    (root / "notes.pdf").write_bytes(b"%PDF-1.4 not read")
    (root / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (root / ".gitkeep").write_bytes(b"")
    (root / ".hidden").mkdir()
    (root / ".hidden" / "x.txt").write_text(ARTICLE_A, encoding="utf-8")
    with open(root / "huge.txt", "wb") as fh:  # sparse: never read, only its size is checked
        fh.truncate(MAX_FILE_BYTES + 1)
    (root / "=cmd.txt").write_bytes(b"")
    lines = [
        json.dumps(
            {
                "id": "a1",
                "title": "Bus Pengumpan",
                "text": _article(2),
                "date": "14/03/2025",
                "url": "https://news.contoh.co.id/a1",
                "source": "Contoh.co.id",
            }
        ),
        "{not json",
        json.dumps({"id": "a3", "title": "Angka", "text": 12345}),
        "",
        json.dumps([1, 2, 3]),
        json.dumps({"id": "a5", "title": ["bukan", "teks"], "text": ARTICLE_B}),
        json.dumps(
            {"id": "L9", "title": "Kunci posisi", "text": _article(3), "date": "Sep 16, 2019"}
        ),
        json.dumps({"title": "Tanpa id", "text": ""}),
    ]
    (root / "export.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with gzip.open(root / "feed.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write(
            json.dumps(
                {
                    "headline": "Kota Kembar",
                    "content": _article(4),
                    "link": "https://www.contoh.com/x",
                    "published": "31 Juli 2019",
                }
            )
            + "\n"
        )
        fh.write(json.dumps({"id": 7, "headline": "Dobel", "content": _article(5)}) + "\n")
        fh.write(
            json.dumps({"id": 7, "headline": "Dobel lagi", "content": "Terlalu pendek."}) + "\n"
        )
    csv_text = (
        "title,content,published,link,media\n"
        f'Baris Satu,"{_article(6)}",25 Okt 2019,https://www.contoh.id/1,Contoh\n'
        "Tanpa Teks,,2019-10-01,https://www.contoh.id/2,Contoh\n"
        f'=SUM(1+1),"{_article(8)}",10-Sep-19,,\n'
        "Kolom kurang,teks\n"
    )
    (root / "export.csv").write_text(csv_text, encoding="utf-8")
    (root / "no_text.csv").write_text("title,date\nJudul,2025-01-01\n", encoding="utf-8")
    expected = {
        SEED_000: "document",
        SEED_001: "document",
        SEED_002: "document",
        SEED_003: "document",
        SEED_004: "document",
        "empty.txt": "empty",
        "blank.txt": "empty",
        "binary.txt": "binary",
        "undecodable.txt": "undecodable",
        "latin1.txt": "document",
        "utf16.txt": "document",
        "page.html": "document",
        "english.txt": "not_indonesian",
        "copy_of_000.txt": f"duplicate:{SEED_000}",
        "near_copy_of_002.txt": f"duplicate:{SEED_002}",
        "short.txt": "too_short",
        "Berita Jakarta – édisi khusus.txt": "document",
        "sub/dir/nested.md": "document",
        "notes.pdf": "unsupported_format",
        "huge.txt": "too_large",
        "=cmd.txt": "empty",
        "export.jsonl#a1": "document",
        "export.jsonl#L2": "malformed",
        "export.jsonl#a3": "malformed",
        "export.jsonl#L5": "malformed",
        "export.jsonl#a5": "malformed",
        "export.jsonl#L7": "document",
        "export.jsonl#L8": "empty",
        "feed.jsonl.gz#L1": "document",
        "feed.jsonl.gz#L2": "document",
        "feed.jsonl.gz#L3": "too_short",
        "export.csv#R1": "document",
        "export.csv#R2": "empty",
        "export.csv#R3": "document",
        "export.csv#R4": "malformed",
        "no_text.csv": "malformed",
    }
    return root, expected


@pytest.fixture(scope="module")
def bad_result(bad_corpus, lexicon_dir, tmp_path_factory):
    root, _ = bad_corpus
    out = tmp_path_factory.mktemp("bad_out")
    return run_ingest(
        root,
        documents_path=out / "documents.parquet",
        rejects_path=out / "rejects.csv",
        lexicon_dir=lexicon_dir,
    )


def test_every_bad_input_appears_once_with_the_right_outcome(bad_corpus, bad_result):
    _, expected = bad_corpus
    docs, rejects = _ids(bad_result)
    assert not set(docs) & set(rejects)
    assert len(bad_result.documents) + len(bad_result.rejects) == len(docs) + len(rejects)
    seen = {
        doc_id: ("document" if pd.isna(dup) else f"duplicate:{dup}") for doc_id, dup in docs.items()
    }
    seen.update(rejects)
    assert seen == expected
    assert set(bad_result.rejects["reason"]) <= set(REJECT_REASONS)
    assert bad_result.rejects["detail"].str.len().min() > 5


def test_bad_input_details_and_values(bad_result):
    docs = bad_result.documents.set_index("doc_id")
    rejects = bad_result.rejects.assign(
        key=lambda t: t["source_file"] + t["record"].map(lambda r: "" if pd.isna(r) else f"#{r}")
    ).set_index("key")
    assert "'en'" in rejects.loc["english.txt", "detail"]
    assert "probability" in rejects.loc["english.txt", "detail"]
    assert "NUL" in rejects.loc["binary.txt", "detail"]
    assert "not valid JSON" in rejects.loc["export.jsonl#L2", "detail"]
    assert "'text' is int" in rejects.loc["export.jsonl#a3", "detail"]
    assert "no text column" in rejects.loc["no_text.csv", "detail"]
    assert "min_words is 40" in rejects.loc["short.txt", "detail"]
    # cp1252 decoding keeps the accent and the (now straight) quotes
    assert 'Kafe "Café Kota"' in docs.loc["latin1.txt", "text"]
    assert docs.loc["utf16.txt", "text"].startswith("Pemerintah Kota Surabaya")
    # HTML: metadata from the head, no script, navigation, caption or footer in the text
    page = docs.loc["page.html"]
    assert page["title"] == "Depok dan Jakarta Perluas Bus Pengumpan"
    assert page["outlet"] == "harian contoh" and page["date"] == pd.Timestamp("2025-03-14")
    assert page["url"] == "https://www.hariancontoh.co.id/berita/123/depok-jakarta"
    for junk in ("tracking", "iklan", "Beranda", "Foto/Contoh", "Hak cipta", "color"):
        assert junk not in page["text"]
    assert page["text"].count("\n\n") == 2
    # Markdown headline; sub-folder path; non-ASCII file name
    assert docs.loc["sub/dir/nested.md", "title"] == "Kota Kembar Malang"
    assert docs.loc["sub/dir/nested.md", "source_file"] == "sub/dir/nested.md"
    assert docs.loc["Berita Jakarta – édisi khusus.txt", "record"] is None or pd.isna(
        docs.loc["Berita Jakarta – édisi khusus.txt", "record"]
    )
    # record fields through the column-name aliases
    a1 = docs.loc["export.jsonl#a1"]
    assert (a1["record"], a1["title"], a1["outlet"], a1["date"]) == (
        "a1",
        "Bus Pengumpan",
        "contoh.co.id",
        pd.Timestamp("2025-03-14"),
    )
    assert docs.loc["export.jsonl#L7", "date"] == pd.Timestamp("2019-09-16")  # "L9" is not a key
    feed = docs.loc["feed.jsonl.gz#L1"]
    assert (feed["title"], feed["outlet"], feed["date"]) == (
        "Kota Kembar",
        "contoh.com",
        pd.Timestamp("2019-07-31"),
    )
    row1 = docs.loc["export.csv#R1"]
    assert (row1["outlet"], row1["date"], row1["url"]) == (
        "contoh",
        pd.Timestamp("2019-10-25"),
        "https://www.contoh.id/1",
    )
    assert docs.loc["export.csv#R3", "title"] == "=SUM(1+1)"  # data in parquet is kept verbatim
    assert docs.loc["export.csv#R3", "date"] == pd.Timestamp("2019-09-10")


def test_rejects_csv_is_spreadsheet_safe(bad_result, bad_corpus, lexicon_dir, tmp_path):
    root, _ = bad_corpus
    run_ingest(
        root,
        documents_path=tmp_path / "d.parquet",
        rejects_path=tmp_path / "r.csv",
        lexicon_dir=lexicon_dir,
    )
    table = pd.read_csv(tmp_path / "r.csv", dtype=str)
    assert "'=cmd.txt" in set(table["source_file"])
    assert not table["source_file"].str.startswith("=").any()


def test_duplicates_point_at_a_kept_document(bad_result):
    docs = bad_result.documents
    originals = docs.loc[docs["duplicate_of"].notna(), "duplicate_of"]
    assert set(originals) <= set(docs.loc[docs["duplicate_of"].isna(), "doc_id"])
    table = bad_result.summary_table()
    dup = table[table["status"] == "duplicate"].set_index("reason")["n"].to_dict()
    assert dup == {"exact_duplicate": 1, "near_duplicate": 1}


def test_near_duplicate_threshold_is_respected(bad_corpus, lexicon_dir, tmp_path):
    root, _ = bad_corpus
    strict = run_ingest(
        root,
        documents_path=tmp_path / "d.parquet",
        rejects_path=tmp_path / "r.csv",
        lexicon_dir=lexicon_dir,
        near_duplicate_threshold=1.0,
    )
    docs, _ = _ids(strict)
    assert pd.isna(docs["near_copy_of_002.txt"])
    assert docs["copy_of_000.txt"] == SEED_000  # exact copies are duplicates at any threshold


# --------------------------------------------------------------------------------- determinism


def test_two_runs_are_byte_identical_and_n_jobs_does_not_matter(bad_corpus, lexicon_dir, tmp_path):
    root, _ = bad_corpus
    paths = []
    for run, n_jobs in (("a", 1), ("b", 1), ("c", 2)):
        docs, rejects = tmp_path / run / "documents.parquet", tmp_path / run / "rejects.csv"
        run_ingest(
            root, documents_path=docs, rejects_path=rejects, lexicon_dir=lexicon_dir, n_jobs=n_jobs
        )
        paths.append((docs.read_bytes(), rejects.read_bytes()))
    assert paths[0] == paths[1] == paths[2]


# --------------------------------------------------------------------------------- API


def test_iter_records_on_one_file_and_read_articles(bad_corpus, lexicon_dir):
    root, _ = bad_corpus
    records = list(
        iter_records(root / "export.jsonl", lexicon_dir=lexicon_dir, min_words=MIN_WORDS)
    )
    assert [r.doc_id for r in records] == [
        "export.jsonl#a1",
        "export.jsonl#L2",
        "export.jsonl#a3",
        "export.jsonl#L5",
        "export.jsonl#a5",
        "export.jsonl#L7",
        "export.jsonl#L8",
    ]
    assert [r.reason for r in records] == [
        None,
        "malformed",
        "malformed",
        "malformed",
        "malformed",
        None,
        "empty",
    ]
    articles = list(read_articles(root / "feed.jsonl.gz", lexicon_dir=lexicon_dir, min_words=1))
    assert [a[:2] for a in articles] == [
        ("feed.jsonl.gz#L1", "Kota Kembar"),
        ("feed.jsonl.gz#L2", "Dobel"),
        ("feed.jsonl.gz#L3", "Dobel lagi"),
    ]


def test_user_errors(raw_dir, lexicon_dir, tmp_path):
    kwargs = dict(
        documents_path=tmp_path / "d.parquet",
        rejects_path=tmp_path / "r.csv",
        lexicon_dir=lexicon_dir,
    )
    with pytest.raises(UserError, match="not a directory"):
        run_ingest(tmp_path / "missing", **kwargs)
    (tmp_path / "only_hidden").mkdir()
    (tmp_path / "only_hidden" / ".gitkeep").write_text("", encoding="utf-8")
    with pytest.raises(UserError, match="no input files"):
        run_ingest(tmp_path / "only_hidden", **kwargs)
    with pytest.raises(UserError, match="min_words"):
        run_ingest(raw_dir, min_words=0, **kwargs)
    with pytest.raises(UserError, match="near_duplicate_threshold"):
        run_ingest(raw_dir, near_duplicate_threshold=1.5, **kwargs)
    with pytest.raises(UserError, match="metadata file .* not found"):
        run_ingest(raw_dir, metadata_file=tmp_path / "nope.csv", **kwargs)
    with pytest.raises(UserError, match="lexicon directory"):
        run_ingest(
            raw_dir,
            documents_path=tmp_path / "d.parquet",
            rejects_path=tmp_path / "r.csv",
            lexicon_dir=tmp_path / "nolex",
        )
    copy = tmp_path / "raw"
    shutil.copytree(raw_dir, copy)
    (copy / "metadata.csv").write_text(
        f"file,outlet,date,title,url,notes\n{SEED_000},,31/02/2025,,,\n", encoding="utf-8"
    )
    with pytest.raises(UserError, match="31/02/2025"):
        run_ingest(copy, metadata_file=copy / "metadata.csv", **kwargs)
    assert not (tmp_path / "d.parquet").exists()


# --------------------------------------------------------------------------------- decoding


@pytest.mark.parametrize(
    "data, text, reason",
    [
        (b"Kota dan kabupaten", "Kota dan kabupaten", None),
        (b"\xef\xbb\xbfKota \xe2\x80\x9cbaru\xe2\x80\x9d", "Kota \u201cbaru\u201d", None),
        ("Kota baru".encode("utf-16-le"), None, "binary"),  # UTF-16 without a BOM: NUL bytes
        ("Kota baru".encode("utf-16"), "Kota baru", None),  # with a BOM
        ("Kota baru".encode("utf-16-be").join([b"\xfe\xff", b""]), "Kota baru", None),
        ("Caf\u00e9 \u201ckota\u201d".encode("cp1252"), "Caf\u00e9 \u201ckota\u201d", None),
        (b"%PDF-1.7 ...", None, "binary"),
        (b"\x89PNG\r\n\x1a\n....", None, "binary"),
        (bytes(range(128, 256)) * 4, None, "undecodable"),
        (b"\x01\x02\x03\x04\x05\x06abc" * 10, None, "binary"),
    ],
)
def test_decode_bytes(data, text, reason):
    from analysis.text.sources import decode_bytes

    decoded, why, _ = decode_bytes(data)
    assert (decoded, why) == (text, reason)


def test_progress_bar_is_off_in_ci(monkeypatch):
    from analysis.core.parallel import progress_enabled

    monkeypatch.setenv("CI", "true")
    assert not progress_enabled()


def test_clean_text_finds_the_project_lexicons_by_itself(raw_dir):
    from analysis.text.clean import clean_text

    text = clean_text((raw_dir / SEED_000).read_text(encoding="utf-8"))
    assert text.startswith("Gubernur DKI Jakarta, Pramono Anung menerima kunjungan")
    assert "Baca Juga" not in text


def test_a_batch_is_processed_step_by_step_as_each_article_alone(raw_dir, lexicon_dir):
    """``_process_batch`` runs cleaning, language identification and fingerprinting one step at
    a time over the batch; every outcome equals that article processed in a batch of its own,
    rejects of every step (given reject, empty, too short, not Indonesian) between documents."""
    from analysis.text import records
    from analysis.text.lexicons import load_cleaning_lexicons
    from analysis.text.sources import SourceItem

    seeds = sorted(raw_dir.glob("*.txt"))
    english = (
        "The city council met on Monday to discuss the new budget for roads and schools. "
        "Members argued about the cost of repairs and agreed to meet again next week to vote. "
    ) * 3
    items = [
        SourceItem(seeds[0].name, None, "txt", seeds[0].read_bytes()),
        SourceItem("gone.txt", None, "txt", reject=("unreadable", "could not be read")),
        SourceItem("c.jsonl", "2", "jsonl", "   "),
        SourceItem("c.jsonl", "3", "jsonl", "Banjir di Bekasi surut pagi ini."),
        SourceItem("c.jsonl", "4", "jsonl", english, {"title": "Budget talks"}),
        SourceItem(seeds[1].name, None, "txt", seeds[1].read_bytes()),
    ]
    ctx = records._Context(load_cleaning_lexicons(lexicon_dir), 40, 20250811)
    together = records._process_batch(ctx, [(item, {}) for item in items])
    alone = [records._process_batch(ctx, [(item, {})])[0] for item in items]
    reasons = [o.record.reason for o in together]
    assert reasons == [None, "unreadable", "empty", "too_short", "not_indonesian", None]
    for a, b in zip(together, alone, strict=True):
        assert a.record == b.record
        assert (a.fingerprint is None) == (b.fingerprint is None)
        if a.fingerprint is not None:
            assert a.fingerprint.digest == b.fingerprint.digest
            assert a.fingerprint.minhash.tolist() == b.fingerprint.minhash.tolist()
    assert together[0].record.language == "id" and together[4].record.language == "en"
    assert together[0].fingerprint is not None and together[3].fingerprint is None


def test_records_and_outcomes_travel_between_processes_unchanged():
    import pickle

    import numpy as np

    from analysis.text.dedup import fingerprint
    from analysis.text.records import Outcome, RawRecord

    kept = RawRecord(
        "a.jsonl#7",
        "a.jsonl",
        "7",
        title="Jakarta dan Depok",
        text="Isi berita.",
        date=dt.date(2025, 3, 1),
        url=None,
        outlet="kompas",
        language="id",
        n_words=2,
    )
    reject = RawRecord("b.txt", "b.txt", None, reason="too_short", detail="2 words")
    for outcome in (Outcome(kept, fingerprint(kept.text, 7)), Outcome(reject)):
        back = pickle.loads(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
        assert type(back.record) is RawRecord and back.record == outcome.record
        assert back.record.date == outcome.record.date and back.record.url is None
        assert back.record.is_reject == (outcome.record.reason is not None)
        if outcome.fingerprint is None:
            assert back.fingerprint is None
        else:
            assert back.fingerprint.digest == outcome.fingerprint.digest
            assert np.array_equal(back.fingerprint.minhash, outcome.fingerprint.minhash)
    with pytest.raises(dataclasses.FrozenInstanceError):
        back.record.title = "x"  # still frozen after the trip


@pytest.mark.parametrize("name", ["deep.jsonl", "deep.jsonl.gz"])
def test_a_deeply_nested_jsonl_line_is_a_reject_and_the_lines_after_it_are_read(
    tmp_path, lexicon_dir, name
):
    # json.loads raises RecursionError (not ValueError) on such a line: it stopped ingest with a
    # traceback, in the pass that counts record ids as well as in the reading pass.
    lines = [
        json.dumps({"id": "a1", "title": "Satu", "text": ARTICLE_A}),
        "[" * 100_000,
        json.dumps({"id": "a2", "title": "Dua", "text": ARTICLE_B}),
    ]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    path = tmp_path / name
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    records = list(iter_records(path, lexicon_dir=lexicon_dir, min_words=5))
    assert [(r.doc_id, r.reason) for r in records] == [
        (f"{name}#a1", None),
        (f"{name}#L2", "malformed"),
        (f"{name}#a2", None),
    ]
    assert "line 2 is not valid JSON: nested too deeply" in records[1].detail
