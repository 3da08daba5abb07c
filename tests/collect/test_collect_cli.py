"""`python -m analysis collect`: exit 0 for a completed run, one-line messages for user mistakes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from collect_server import LoopbackServer, Reply, article_body, generated_paragraphs

from analysis.cli import main
from analysis.core.config import load_params
from analysis.core.errors import UserError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def urls(tmp_path) -> Path:
    path = tmp_path / "urls.txt"
    path.write_text("http://127.0.0.1:9/tidak-dipakai\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ([], "--contact is required"),
        (
            ["--contact", "x@example.org", "--since", "12-05-2025"],
            "--since '12-05-2025' is not a date",
        ),
        (
            ["--contact", "x@example.org", "--since", "2025-06-01", "--until", "2025-01-01"],
            "--since 2025-06-01 is after --until 2025-01-01",
        ),
        (["--contact", "x@example.org", "--query", "(Bekasi"], "is never closed"),
        (["--contact", "x@example.org", "--min-delay", "-1"], "--min-delay -1.0 is out of range"),
        (
            ["--contact", "x@example.org", "--max-articles", "0"],
            "--max-articles 0 must be at least 1",
        ),
        (
            ["--contact", "x@example.org", "--user-agent", "Mozilla 5.0 (pura-pura)"],
            "product token",
        ),
    ],
)
def test_usage_errors_exit_2_with_one_line(tmp_path, urls, capsys, extra, message):
    assert main(["collect", str(urls), "-o", str(tmp_path / "out"), *extra]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1
    assert not (tmp_path / "out" / "manifest.csv").exists()  # stopped before any request


def test_missing_source_and_missing_out_dir(tmp_path, urls, capsys):
    assert main(["collect", "tidak-ada.txt", "-o", str(tmp_path), "--contact", "x@e.org"]) == 2
    assert "neither a file nor an http(s):// URL" in capsys.readouterr().err
    assert main(["collect", str(urls), "--contact", "x@e.org"]) == 2
    assert "-o OUT_DIR" in capsys.readouterr().err
    assert main(["collect", "-o", str(tmp_path), "--contact", "x@e.org"]) == 2
    assert "at least one SOURCE" in capsys.readouterr().err
    assert main(["collect", "--reextract", "-o", str(tmp_path / "kosong")]) == 2
    assert "manifest.csv not found" in capsys.readouterr().err


def test_a_run_with_failed_urls_exits_0_and_says_what_happened(tmp_path, capsys):
    server = LoopbackServer(
        {
            "/berita/satu": Reply(body=article_body("Satu", generated_paragraphs(1))),
            "/robots.txt": Reply(404, ""),
        }
    )
    try:
        urls = tmp_path / "urls.txt"
        urls.write_text(f"{server.url('/berita/satu')}\n{server.url('/berita/hilang')}\n")
        status = main(
            [
                "collect",
                str(urls),
                "-o",
                str(tmp_path / "out"),
                "--contact",
                "x@e.org",
                "--min-delay",
                "0",
                "--query",
                "Bekasi OR Depok",
            ]
        )
        err = capsys.readouterr().err
        assert status == 0
        assert (
            "2 URLs: 1 fetched, 1 failed, 0 skipped (reasons: http_error 1); 1 articles (1 relevant)"
            in err
        )
        assert "warning: --min-delay 0 s is below 1 s" in err
    finally:
        server.close()


def test_the_command_prints_no_traceback_for_a_user_mistake(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis",
            "collect",
            "nope.txt",
            "-o",
            str(tmp_path),
            "--contact",
            "x@e.org",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1


def _params(tmp_path: Path, **collect) -> Path:
    params = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))
    params["collect"].update(collect)
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(params), encoding="utf-8")
    return path


def test_params_mode_reads_the_collect_section(tmp_path, capsys):
    server = LoopbackServer(
        {"/berita/satu": Reply(body=article_body("Satu", generated_paragraphs(2)))}
    )
    try:
        (tmp_path / "urls.txt").write_text(server.url("/berita/satu") + "\n")
        (tmp_path / "data" / "lexicons").mkdir(parents=True)
        for name in (
            "input_columns.csv",
            "boilerplate_rules.csv",
            "outlet_aliases.csv",
            "public_suffixes.txt",
        ):
            (tmp_path / "data" / "lexicons" / name).write_bytes(
                (ROOT / "data" / "lexicons" / name).read_bytes()
            )
        path = _params(
            tmp_path, sources=["urls.txt"], out_dir="koleksi", contact="x@e.org", min_delay=0.0
        )
        assert main(["collect", "--params", str(path)]) == 0
        assert (tmp_path / "koleksi" / "articles" / "articles.jsonl.gz").is_file()
        assert main(["collect", "--params", str(path), "--reextract"]) == 0
        assert main(["collect", "--params", str(path), "urls.txt"]) == 2
        assert "remove --sources" in capsys.readouterr().err
    finally:
        server.close()


def test_params_mode_needs_a_contact_and_sources(tmp_path, capsys):
    assert main(["collect", "--params", str(_params(tmp_path, sources=["x.txt"]))]) == 2
    assert "collect.contact is empty" in capsys.readouterr().err
    assert main(["collect", "--params", str(_params(tmp_path, contact="x@e.org"))]) == 2
    assert "collect.sources is empty" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"since": "2025/01/01"}, "collect.since = '2025/01/01' is not allowed"),
        ({"since": "2025-06-01", "until": "2025-01-01"}, "is before collect.since (2025-06-01)"),
        ({"user_agent": "Mozilla/5.0 (X11)"}, "must be a product token"),
        ({"min_delay": -0.5}, "collect.min_delay = -0.5 is not allowed"),
        ({"out_dir": " "}, "must name the folder"),
        ({"proxy": "http://x"}, "unknown key 'collect.proxy'"),
    ],
)
def test_collect_params_are_validated_like_the_rest(tmp_path, values, message):
    with pytest.raises(UserError, match=None) as info:
        load_params(_params(tmp_path, **values), check_paths=False)
    assert message in str(info.value)


def test_the_shipped_params_validate_and_collect_is_off_by_default():
    section = load_params(ROOT / "params.yaml", check_paths=False).collect
    assert section.sources == [] and section.contact == "" and section.min_delay >= 1.0
