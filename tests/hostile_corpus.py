"""A corpus of hostile input files, generated into a folder by the tests (nothing committed).

Seven short Indonesian news articles about city cooperation (written for these tests, not
taken from any outlet or corpus) carry the real content, so that every later stage has
something to work with; around them are the files that break pipelines: a 200 MB sparse file,
a gzip bomb, empty, binary, UTF-16 and mixed-encoding files, HTML with scripts, JSONL with wrong
types, CSV with formula cells and a broken row, odd file names, a deeply nested page, very long
lines, pickles that would run code if loaded, a folder link, an unreadable file.

:func:`build` returns how many inputs (documents + rejects) each file must produce.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import pickle
import random
from pathlib import Path

# --------------------------------------------------------------------------------------------
# Articles: (title, date, paragraphs)
# --------------------------------------------------------------------------------------------

ARTICLES = {
    "sampah": (
        "Jakarta dan Bekasi Perpanjang Kerja Sama Pengelolaan Sampah Bantar Gebang",
        "2025-03-10",
        [
            "Pemerintah Provinsi DKI Jakarta dan Pemerintah Kota Bekasi sepakat memperpanjang kerja "
            "sama pengelolaan sampah di Tempat Pengolahan Sampah Terpadu Bantar Gebang selama lima "
            "tahun ke depan.",
            "Penandatanganan nota kesepahaman dilakukan oleh Gubernur DKI Jakarta dan Wali Kota "
            "Bekasi di Balai Kota Jakarta pada Senin pagi.",
            "Dalam perjanjian tersebut, Jakarta menyalurkan dana kompensasi bagi warga di sekitar "
            "lokasi pembuangan, termasuk layanan kesehatan gratis dan perbaikan jalan lingkungan.",
            "Wali Kota Bekasi menyebut dana itu akan dipakai untuk membangun saluran drainase baru "
            "agar permukiman tidak tergenang saat musim hujan.",
            "Kedua pemerintah daerah juga sepakat menguji teknologi pengolahan sampah menjadi energi "
            "listrik untuk mengurangi volume timbunan yang terus bertambah.",
            "Setiap hari lebih dari tujuh ribu ton sampah dari Jakarta diangkut ke Bantar Gebang "
            "dengan ratusan truk.",
            "Pengamat tata kota menilai kerja sama antardaerah di kawasan aglomerasi Jabodetabek "
            "perlu diperkuat dengan pengawasan yang terbuka bagi publik.",
            "Evaluasi pelaksanaan perjanjian akan dilakukan setiap tahun oleh tim gabungan dari "
            "kedua pemerintah daerah.",
        ],
    ),
    "banjir": (
        "Jakarta, Depok dan Bogor Sepakati Penanganan Banjir Terpadu",
        "2025-01-21",
        [
            "Pemerintah Provinsi DKI Jakarta bersama Pemerintah Kota Depok dan Pemerintah Kabupaten "
            "Bogor menandatangani kesepakatan penanganan banjir terpadu di daerah aliran Sungai "
            "Ciliwung.",
            "Kesepakatan itu mencakup normalisasi sungai, pembangunan waduk resapan, serta sistem "
            "peringatan dini yang terhubung antarwilayah.",
            "Bupati Bogor mengatakan hujan deras di kawasan hulu sering menyebabkan banjir kiriman ke "
            "Depok dan Jakarta dalam hitungan jam.",
            "Karena itu, data curah hujan dari pos pemantauan di Bogor akan dibagikan secara langsung "
            "kepada petugas di hilir.",
            "Wali Kota Depok menambahkan bahwa kerja sama ini juga menyentuh transportasi, khususnya "
            "perbaikan jalan inspeksi di sepanjang bantaran sungai.",
            "Jakarta menyiapkan bantuan keuangan untuk pembebasan lahan waduk di wilayah Depok dan "
            "Bogor.",
            "Anggota DPRD berharap program bersama tersebut tidak berhenti pada seremoni "
            "penandatanganan saja.",
            "Warga di bantaran Ciliwung menyambut baik rencana ini dan meminta pemerintah melibatkan "
            "mereka dalam setiap tahap pembangunan.",
        ],
    ),
    "kuala_lumpur": (
        "Jakarta dan Kuala Lumpur Perkuat Hubungan Sister City",
        "2024-11-05",
        [
            "Pemerintah Provinsi DKI Jakarta dan Dewan Kota Kuala Lumpur memperbarui kerja sama "
            "sister city yang telah terjalin sejak beberapa dekade lalu.",
            "Pembaruan perjanjian ditandai dengan penandatanganan letter of intent di Balai Kota "
            "Jakarta yang dihadiri delegasi dari Malaysia.",
            "Kedua kota sepakat bertukar pengalaman dalam pengelolaan transportasi publik, terutama "
            "integrasi bus kota dan kereta ringan.",
            "Selain itu, program pertukaran pelajar dan festival budaya akan digelar bergantian di "
            "Jakarta dan Kuala Lumpur setiap tahun.",
            "Wali Kota Kuala Lumpur menyampaikan minatnya untuk mempelajari sistem pembayaran digital "
            "yang digunakan di layanan publik Jakarta.",
            "Pemerintah Jakarta menilai kerja sama luar negeri ini membuka peluang investasi di sektor "
            "pariwisata dan ekonomi kreatif.",
            "Kementerian Luar Negeri mendukung langkah tersebut selama sejalan dengan kebijakan "
            "diplomasi nasional.",
            "Tim teknis dari kedua kota dijadwalkan bertemu kembali akhir tahun ini untuk menyusun "
            "rencana aksi yang lebih rinci.",
        ],
    ),
    "ankara": (
        "Jakarta dan Ankara Jajaki Kerja Sama Kebudayaan dan Pendidikan",
        "2025-06-17",
        [
            "Pemerintah Provinsi DKI Jakarta menerima kunjungan delegasi Pemerintah Kota Ankara, "
            "Turki, untuk membahas kerja sama kebudayaan dan pendidikan.",
            "Pertemuan berlangsung di Balai Kota dan dihadiri oleh pejabat dinas kebudayaan serta "
            "dinas pendidikan kedua kota.",
            "Delegasi Ankara menawarkan beasiswa bagi pelajar Jakarta untuk belajar arsitektur dan "
            "pelestarian bangunan bersejarah.",
            "Sebaliknya, Jakarta akan memperkenalkan kesenian Betawi dalam festival budaya yang rutin "
            "diadakan di Ankara.",
            "Kedua pihak juga membicarakan pengelolaan taman kota dan ruang terbuka hijau yang ramah "
            "bagi anak.",
            "Pejabat Jakarta menyebut hubungan sister city dengan Ankara diharapkan memperkuat "
            "persahabatan antara Indonesia dan Turki.",
            "Sebuah nota kesepahaman ditargetkan ditandatangani dalam kunjungan balasan ke Turki "
            "tahun depan.",
            "Sementara itu, pameran foto tentang kota Ankara digelar di Jakarta selama dua pekan dan "
            "terbuka untuk umum.",
        ],
    ),
    "air_bersih": (
        "Surabaya dan Sidoarjo Bangun Jaringan Air Bersih Bersama",
        "2024-08-29",
        [
            "Pemerintah Kota Surabaya dan Pemerintah Kabupaten Sidoarjo meresmikan kerja sama "
            "penyediaan air bersih bagi warga di wilayah perbatasan kedua daerah.",
            "Perusahaan daerah air minum dari kedua pemerintah akan membangun pipa transmisi baru "
            "sepanjang belasan kilometer.",
            "Wali Kota Surabaya mengatakan ribuan rumah tangga di perbatasan selama ini masih membeli "
            "air dari pedagang keliling dengan harga mahal.",
            "Bupati Sidoarjo menyebut proyek ini sebagai contoh nyata kerja sama kawasan "
            "Gerbangkertosusila yang memberi manfaat langsung bagi warga.",
            "Biaya pembangunan ditanggung bersama dengan pembagian sesuai panjang jaringan di "
            "masing-masing wilayah.",
            "Pemerintah Provinsi Jawa Timur ikut mendampingi perencanaan agar proyek selesai tepat "
            "waktu.",
            "Selain air bersih, kedua daerah juga membahas pengelolaan limbah cair industri yang "
            "mencemari sungai.",
            "Pembangunan pipa ditargetkan rampung dalam dua tahun dan akan diawasi oleh tim gabungan.",
        ],
    ),
    "bus_malam": (
        "Dinas Perhubungan Jakarta Tambah Rute Bus Malam",
        "2025-02-03",
        [
            "Dinas Perhubungan DKI Jakarta menambah tiga rute bus malam untuk melayani pekerja yang "
            "pulang larut.",
            "Rute baru tersebut menghubungkan kawasan perkantoran di pusat kota dengan permukiman di "
            "wilayah timur dan selatan Jakarta.",
            "Kepala dinas mengatakan jumlah penumpang pada malam hari meningkat sejak pusat "
            "perbelanjaan memperpanjang jam operasional.",
            "Tarif bus malam tetap sama dengan tarif siang hari dan pembayaran dapat dilakukan dengan "
            "kartu elektronik.",
            "Setiap bus dilengkapi kamera pengawas dan petugas keamanan untuk menjaga kenyamanan "
            "penumpang.",
            "Warga berharap layanan ini diperluas hingga ke halte-halte kecil di permukiman padat.",
            "Dinas Perhubungan akan mengevaluasi rute tersebut setelah tiga bulan berjalan.",
            "Informasi jadwal dapat dilihat melalui aplikasi transportasi resmi milik pemerintah "
            "daerah.",
        ],
    ),
    "bandung_raya": (
        "Bandung Raya Satukan Layanan Bus Antarwilayah",
        "2025-05-12",
        [
            "Pemerintah Kota Bandung, Kota Cimahi dan Kabupaten Bandung Barat sepakat menyatukan "
            "layanan bus antarwilayah di kawasan Bandung Raya.",
            "Kesepakatan ditandatangani di Gedung Sate dengan disaksikan oleh Gubernur Jawa Barat.",
            "Melalui kerja sama ini, penumpang cukup membayar satu kali untuk perjalanan lintas kota "
            "dalam waktu dua jam.",
            "Wali Kota Cimahi mengatakan kemacetan di jalan penghubung ketiga daerah sudah lama "
            "dikeluhkan warga.",
            "Pemerintah Provinsi Jawa Barat memberikan subsidi awal agar tarif tetap terjangkau bagi "
            "pelajar dan pekerja.",
            "Halte baru akan dibangun di dekat stasiun kereta untuk memudahkan perpindahan moda.",
            "Operator bus diwajibkan melaporkan data penumpang setiap bulan kepada ketiga pemerintah "
            "daerah.",
            "Uji coba layanan terpadu dimulai bulan depan pada dua koridor utama.",
        ],
    ),
}

# A short unique article for the mixed-encoding file (40+ words, so it is not too short).
KAFE = (
    "Pemerintah Kota Bekasi membuka kafé baca di taman kota yang dikelola bersama komunitas "
    "pemuda. Kafé itu menyediakan ratusan buku bacaan anak, akses internet gratis, dan ruang "
    "diskusi bagi pelajar. Wali kota berharap fasilitas tersebut menumbuhkan minat baca warga "
    "sekaligus menjadi tempat berkumpul yang aman pada sore hari."
)
ENGLISH = (
    "The city council approved a new budget for public parks on Tuesday. Officials said the money "
    "will pay for new playgrounds, better lighting and more trees along the river. Residents "
    "welcomed the decision but asked for more frequent cleaning of the existing parks and for "
    "longer opening hours during the summer months."
)

SCRIPT_TITLE = "Jakarta dan Ankara <script>alert(1)</script><img src=x onerror=alert(2)>"
FORMULA_TITLE = '=HYPERLINK("http://evil.example/","klik di sini")'
EVIL_OUTLET = "@evil"
# Every script in this corpus calls alert(N); a rendered page must never contain one that runs.
PAYLOAD_MARK = "alert("


def article_text(key: str, *, headline: bool = True) -> str:
    title, _date, paragraphs = ARTICLES[key]
    body = "\n\n".join(paragraphs)
    return f"{title}\n\n{body}\n" if headline else body + "\n"


class PickleCanary:
    """Unpickling this object creates ``marker``: proof that a pickle was loaded."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _script_page() -> str:
    title, date, paragraphs = ARTICLES["ankara"]
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!doctype html>
<html><head>
<meta charset="utf-8">
<meta property="og:title" content="{SCRIPT_TITLE.replace('"', "&quot;")}">
<meta property="article:published_time" content="{date}T09:00:00+07:00">
<title>{title}</title>
<script>alert(3); document.location = "javascript:alert(4)";</script>
<style>body {{ background: url("javascript:alert(5)") }}</style>
</head>
<body onload="alert(6)">
<nav><a href="javascript:alert(7)">Beranda</a></nav>
<article>
<h1>{title}</h1>
{body}
<p>Catatan redaksi: teks &lt;script&gt;alert(8)&lt;/script&gt; dan
<a href="javascript:alert(9)" onclick="alert(10)">tautan ini</a> dikutip apa adanya dari
surat pembaca <img src=x onerror="alert(11)"> tanpa diubah.</p>
<script>alert(12)</script>
</article>
<footer>Hak cipta</footer>
</body></html>
"""


def _sparse(path: Path, size: int) -> None:
    with open(path, "wb") as handle:
        handle.truncate(size)


def build(raw: Path, *, dvc_safe: bool, canary: Path) -> dict[str, int]:
    """Write the hostile corpus into ``raw`` (created).

    Args:
        raw: the folder to fill (``ingest.raw_dir``).
        dvc_safe: leave out what stops DVC itself before any stage runs (DVC hashes the input
            folder: a looping or broken symbolic link makes it fail with "Too many levels of
            symbolic links" / "No such file or directory", a named pipe makes it wait forever).
            Ingest copes with all of them (tests/test_ingest_hostile.py).
        canary: path that unpickling one of the pickle files would create.

    Returns:
        ``{source_file: number of inputs}``: each file's count of documents + rejects.
    """
    raw.mkdir(parents=True, exist_ok=True)
    expected: dict[str, int] = {}

    def put(rel: str, data: bytes | str, units: int = 1) -> Path:
        path = raw / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        expected[rel] = units
        return path

    # Real articles behind hostile names and encodings.
    put("berita dengan spasi.txt", article_text("sampah"))
    put("-rf berita banjir.txt", article_text("banjir"))
    title, _d, paragraphs = ARTICLES["kuala_lumpur"]
    put(
        "=HYPERLINK(1).md",
        f"# {title}\n\n"
        + "\n\n".join(f"**{p}**" if i == 0 else p for i, p in enumerate(paragraphs))
        + "\n",
    )
    put("!serangan <img src=x onerror=alert(13)> ñandú 中文.html", _script_page())
    put("utf16 bandung raya.txt", article_text("bandung_raya").encode("utf-16"))
    put("salinan persis.TXT", article_text("sampah"))  # exact duplicate, upper-case extension
    mixed = KAFE.split(". ")
    put(
        "campuran encoding.txt",
        (". ".join(mixed[:2]) + ".\n\n").encode("utf-8")
        + (". ".join(mixed[2:]) + "\n").encode("cp1252"),
    )

    # CSV: formula cells (title, outlet), a too-short row, a row with a missing field.
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "title", "text", "date", "source"])
    title, date, paragraphs = ARTICLES["air_bersih"]
    writer.writerow(["a1", FORMULA_TITLE, "\n\n".join(paragraphs), date, EVIL_OUTLET])
    writer.writerow(["a2", "+cmd|' /C calc'!A0", "=1+2", date, "-2+3"])
    writer.writerow(["a3", "@SUM(A1:A9)", "\t=cmd"])  # too few fields
    put("formula.csv", buffer.getvalue(), units=3)

    # JSONL with wrong types, non-objects, broken JSON, a lone surrogate, blank lines.
    title, date, paragraphs = ARTICLES["bus_malam"]
    lines = [
        json.dumps(
            {
                "id": "ok",
                "title": title + " \ud800",
                "text": "\n\n".join(paragraphs),
                "date": date,
                "source": EVIL_OUTLET,
                "url": "javascript:alert(14)",
            }
        ),
        json.dumps({"id": "angka", "title": "Angka", "text": 12345}),
        json.dumps({"id": "daftar", "title": ["a", "b"], "text": "teks"}),
        json.dumps({"id": "kosong", "title": None, "text": None}),
        json.dumps({"id": "bersarang", "title": "x", "text": {"isi": "kerja sama"}}),
        json.dumps({"id": 7, "title": 7, "text": "terlalu pendek"}),
        "",
        json.dumps([1, 2, 3]),
        "null",
        '"hanya string"',
        '{"id": "rusak", "text": "tidak ditutup',
        "   ",
        json.dumps({"id": {"nested": 1}, "text": "kerja sama " * 3}),
    ]
    put("tipe salah.jsonl", "\n".join(lines) + "\n", units=11)

    # Size limits: a 200 MB sparse article and JSONL file, a gzip bomb between two records.
    _sparse(raw / "raksasa.txt", 200_000_000)
    expected["raksasa.txt"] = 1
    _sparse(raw / "raksasa.jsonl", 200_000_000)
    expected["raksasa.jsonl"] = 1
    with gzip.open(raw / "bom.jsonl.gz", "wb", compresslevel=6) as handle:
        handle.write(json.dumps({"id": "sebelum", "text": "pendek saja"}).encode() + b"\n")
        handle.write(b'{"id": "bom", "text": "')
        block = b"a" * (1 << 20)
        for _ in range(64):  # 64 MB in one line, about 64 KB compressed
            handle.write(block)
        handle.write(b'"}\n')
        handle.write(json.dumps({"id": "sesudah", "text": "pendek juga"}).encode() + b"\n")
    expected["bom.jsonl.gz"] = 3
    put("baris sangat panjang.txt", ("kerja sama Jakarta Bekasi " * 40_000).encode())  # 1 MB line
    long_line = " ".join(ARTICLES["sampah"][2][:3] + ARTICLES["banjir"][2][:3]) + " "
    put("baris panjang.txt", long_line * (60_000 // len(long_line)))  # 60 k chars, one paragraph
    _, _, paragraphs = ARTICLES["banjir"]
    put(
        "bersarang dalam.html",
        "<html><body><article>"
        + "<div>" * 20_000
        + "<p>"
        + "</p><p>".join(paragraphs[:3])
        + "</p>"
        + "</div>" * 20_000
        + "</article></body></html>",
    )
    rows = [
        "title,text",
        f"Baik,{json.dumps(' '.join(ARTICLES['ankara'][2]))}",
        'Besar,"' + "kata " * 200_000 + '"',
        "Setelah,tidak terbaca",
    ]
    put("sel besar.csv", "\n".join(rows) + "\n", units=2)  # R1 document, R2 and after rejected

    # Not articles.
    put("kosong.txt", b"")
    put("spasi saja.md", " \n\t\n  \n")
    rng = random.Random(11)
    put("biner.txt", bytes(rng.randrange(256) for _ in range(4096)))
    put("gambar.html", b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    put("utf16 tanpa bom.txt", KAFE.encode("utf-16-le"))
    put("nul di csv.csv", b"title,text\nA,B\x00C\n")
    put("bahasa inggris.txt", ENGLISH)
    put("README", "berkas tanpa ekstensi")
    put("=SUM(1+1).docx", b"PK\x03\x04 not really a document")
    canary_object = PickleCanary(canary)
    put("model.pkl", pickle.dumps(canary_object))
    put("model.joblib", pickle.dumps(canary_object))
    put("=cmd.pickle", pickle.dumps(canary_object))
    npy = io.BytesIO()
    import numpy as np

    np.save(npy, np.array([canary_object], dtype=object), allow_pickle=True)
    put("larik.npy", npy.getvalue())
    put("sub/folder/dalam/pendek.txt", "Kerja sama Jakarta dan Bekasi.")
    locked = put("terkunci.txt", "Berkas ini tidak boleh dibaca oleh siapa pun.")
    os.chmod(locked, 0)  # unreadable (except for root, who reads it as a short article)
    os.symlink("sub", raw / "tautan ke folder")  # a link to a folder: reported, not followed
    expected["tautan ke folder"] = 1
    (raw / ".tersembunyi.txt").write_text("bukan masukan")  # hidden: not an input
    (raw / ".git").mkdir()  # hidden folder: not read
    (raw / ".git" / "config").write_text("[core]\n")

    if not dvc_safe:
        os.symlink("putaran-b", raw / "putaran-a")
        os.symlink("putaran-a", raw / "putaran-b")
        os.symlink("putaran-c.txt", raw / "putaran-c.txt")
        os.symlink("/tidak/ada/berkas.txt", raw / "tautan rusak.txt")
        os.mkfifo(raw / "pipa.txt")
        expected.update(
            {
                "putaran-a": 1,
                "putaran-b": 1,
                "putaran-c.txt": 1,
                "tautan rusak.txt": 1,
                "pipa.txt": 1,
            }
        )
    return expected


def n_paragraphs() -> int:
    """Paragraphs of the unique articles (what the topic stage can count on)."""
    return sum(len(paragraphs) for _t, _d, paragraphs in ARTICLES.values())
