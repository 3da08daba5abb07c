"""Command-line interface: `python -m analysis <command>` for pipeline steps and researcher tools."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .core.errors import UserError
from .core.paths import ANALYSIS_STAGES, SITE_TITLE

__all__ = ["main"]

DEFAULT_LEXICONS = Path("data/lexicons")


def _cmd_params(args: argparse.Namespace) -> int:
    from .core.config import check_stage, load_params

    if args.stage:
        check_stage(args.stage, args.file)
    else:
        load_params(args.file)
    if args.stamp:
        from .core.io import write_json

        # Constant content: stages that depend on the stamp rerun for their own params only.
        write_json(args.stamp, {"params_file": "params.yaml", "valid": True})
    print(f"{args.file}: ok")
    return 0


def _cmd_nbclean(args: argparse.Namespace) -> int:
    from .report.notebooks import clean_executed_notebook, strip_source_notebook

    for path in args.paths:
        if args.source:
            strip_source_notebook(path)
        else:
            clean_executed_notebook(path)
    return 0


def _cmd_stem(args: argparse.Namespace) -> int:
    from .text.stem import stem_stream

    stem_stream(
        sys.stdin,
        sys.stdout,
        lexicon_dir=args.lexicons,
        min_token_length=args.min_token_length,
        n_jobs=args.jobs,
    )
    return 0


def _cmd_classify(args: argparse.Namespace) -> int:
    from .classify.files import classify_input

    result = classify_input(
        args.input,
        args.output,
        lexicon_dir=args.lexicons,
        n_jobs=args.jobs,
        min_words=args.min_words,
        metadata_file=args.metadata,
    )
    print(result.summary(), file=sys.stderr)
    return 0


def _cmd_render(args: argparse.Namespace) -> int:
    from .report.render import render_site
    from .report.site_summary import site_summary

    summary = None
    if (args.reports_dir / "metrics" / "compare.json").is_file():
        summary = site_summary(args.reports_dir, args.template_dir, args.params)
    else:  # the index still lists the pages; the key findings need the compare stage's metrics
        print(
            f"{args.reports_dir / 'metrics' / 'compare.json'} not found: index without key findings",
            file=sys.stderr,
        )
    render_site(args.notebooks_dir, index_title=args.title, summary=summary)
    return 0


def _cmd_brief(args: argparse.Namespace) -> int:
    from .report.brief import build_briefs

    build_briefs(
        reports_dir=args.reports_dir, template_dir=args.template_dir, params_file=args.params
    )
    return 0


def _cmd_dask_worker(args: argparse.Namespace) -> int:
    import os

    # This process is already pinned (python -m analysis re-executes itself), so the worker and
    # the processes it starts inherit the settings.
    argv = [sys.executable, "-m", "distributed.cli.dask_worker", args.scheduler, *args.worker_args]
    os.execv(sys.executable, argv)
    return 0  # pragma: no cover


def _cmd_lab(args: argparse.Namespace) -> int:
    import os

    argv = [sys.executable, "-m", "jupyterlab", "--notebook-dir=notebooks", *args.lab_args]
    os.execv(sys.executable, argv)
    return 0  # pragma: no cover


def _cmd_explore(args: argparse.Namespace) -> int:
    from .report.explore import run_explore

    seed, max_listed = args.seed, args.max_listed_articles
    if seed is None or max_listed is None:
        from .core.config import Params, load_params

        # with --seed given and no params.yaml, the schema's default cap applies
        params = (
            load_params(args.params, check_paths=False)
            if seed is None or args.params.is_file()
            else Params()
        )
        seed = params.seed if seed is None else seed
        max_listed = params.explore.max_listed_articles if max_listed is None else max_listed
    options = {} if args.none_sample is None else {"none_sample": args.none_sample}
    path = run_explore(
        args.processed_dir,
        args.topics_dir,
        args.output,
        labels_path=args.labels,
        seed=seed,
        max_listed=max_listed,
        **options,
    )
    print(f"{path}: {path.stat().st_size / 1e6:.2f} MB", file=sys.stderr)
    return 0


def _parser() -> argparse.ArgumentParser:
    """The command-line parser.

    One piece: a flat declaration of every command and its options.
    """
    from .core.config import IngestParams, PreprocessParams

    min_words = IngestParams().min_words
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Indonesian urban-cooperation news analysis: pipeline steps and tools.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("params", help="validate params.yaml")
    p.add_argument("action", choices=["check"])
    p.add_argument("--file", type=Path, default=Path("params.yaml"))
    p.add_argument(
        "--stage",
        choices=list(ANALYSIS_STAGES),
        help="also check what this stage needs (topics: the embedding model is available offline)",
    )
    p.add_argument(
        "--stamp",
        type=Path,
        help="after a successful check, write this file (the pipeline's params stage)",
    )
    p.set_defaults(func=_cmd_params)

    p = sub.add_parser("nbclean", help="remove run timestamps from executed notebooks")
    p.add_argument("paths", nargs="+", type=Path)
    p.add_argument(
        "--source", action="store_true", help="strip outputs from source notebooks instead"
    )
    p.set_defaults(func=_cmd_nbclean)

    p = sub.add_parser("stem", help="read text lines on stdin, print processed tokens per line")
    p.add_argument("--lexicons", type=Path, default=DEFAULT_LEXICONS)
    p.add_argument("--min-token-length", type=int, default=PreprocessParams().min_token_length)
    p.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="worker processes for stemming new words of large inputs (output is the same)",
    )
    p.set_defaults(func=_cmd_stem)

    p = sub.add_parser(
        "classify",
        help="code articles: coop_type, partners, sectors, evidence",
        description="Code every article for cooperation type, partner governments and sectors. "
        "Input is cleaned as the ingest stage cleans it. OUT.csv gets one row per "
        "article: id (the record's id in a .jsonl/.jsonl.gz/.csv, the relative file "
        "name for a folder of files), coop_type, partners and sectors "
        "(semicolon-separated), evidence. Input that cannot be coded (empty, "
        "undecodable, malformed, not Indonesian, too short, ...) is never dropped "
        "silently: it is listed with its reason in OUT.rejects.csv beside OUT.csv, "
        "and a summary of both goes to stderr.",
    )
    p.add_argument(
        "input", type=Path, help="a folder of article files or one .jsonl/.jsonl.gz/.csv file"
    )
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="CSV to write; rejects go to <stem>.rejects.csv beside it",
    )
    p.add_argument("--lexicons", type=Path, default=DEFAULT_LEXICONS)
    p.add_argument(
        "--min-words",
        type=int,
        default=min_words,
        help="articles with fewer words after cleaning are rejected as too_short "
        f"(default {min_words}, as in ingest; 1 codes every non-empty article)",
    )
    p.add_argument(
        "--metadata",
        default=None,
        help="sidecar CSV with titles/dates (file,title,...); default: metadata.csv "
        "at the top of an input folder when present; '' for none",
    )
    p.add_argument("--jobs", type=int, default=1, help="worker processes (same output)")
    p.set_defaults(func=_cmd_classify)

    p = sub.add_parser(
        "dask-worker",
        help="start a Dask worker with the pinned numeric environment",
        description="Start `dask worker SCHEDULER` in the pipeline's pinned numeric environment "
        "(same bytes on any x86-64 CPU); workers of an external cluster must be "
        "started this way. Further arguments go to dask worker.",
    )
    p.add_argument("scheduler", help="scheduler address, e.g. tcp://10.0.0.5:8786")
    p.add_argument(
        "worker_args",
        nargs=argparse.REMAINDER,
        help="passed on to dask worker (e.g. --nworkers 2 --nthreads 1)",
    )
    p.set_defaults(func=_cmd_dask_worker)

    p = sub.add_parser("lab", help="JupyterLab on notebooks/ in the pinned numeric environment")
    p.add_argument("lab_args", nargs=argparse.REMAINDER, help="passed on to jupyter lab")
    p.set_defaults(func=_cmd_lab)

    p = sub.add_parser("render", help="executed notebooks -> standalone HTML + index.html")
    p.add_argument("--notebooks-dir", type=Path, default=Path("reports/notebooks"))
    p.add_argument("--title", default=SITE_TITLE)
    p.add_argument(
        "--reports-dir",
        type=Path,
        default=Path("reports"),
        help="metrics/*.json for the key findings on the index",
    )
    p.add_argument(
        "--template-dir",
        type=Path,
        default=Path("templates/brief"),
        help="the brief's strings, whose findings the index repeats",
    )
    p.add_argument("--params", type=Path, default=Path("params.yaml"))
    p.set_defaults(func=_cmd_render)

    p = sub.add_parser(
        "explore", help="write the offline topic and article explorer (one HTML file)"
    )
    p.add_argument(
        "--processed-dir",
        type=Path,
        default=Path("data/processed"),
        help="folder with documents, paragraphs, classified and topics .parquet",
    )
    p.add_argument(
        "--topics-dir",
        type=Path,
        default=Path("reports/tables/topics"),
        help="folder with the topics stage's topics.csv",
    )
    p.add_argument("-o", "--output", type=Path, default=Path("reports/explore/index.html"))
    p.add_argument("--labels", type=Path, default=Path("data/lexicons/labels_figures.csv"))
    p.add_argument(
        "--seed",
        type=int,
        default=None,
        help="seed of the sample of 'none' articles shown with text (default: params.yaml's seed)",
    )
    p.add_argument(
        "--none-sample",
        type=int,
        default=None,
        help="articles coded none whose text is included, drawn at random (default 200)",
    )
    p.add_argument(
        "--max-listed-articles",
        type=int,
        default=None,
        help="the most articles the page lists; a larger corpus lists every coded article and a "
        "seeded sample of the rest (default: params.yaml's explore.max_listed_articles)",
    )
    p.add_argument("--params", type=Path, default=Path("params.yaml"))
    p.set_defaults(func=_cmd_explore)

    from .collect.cli import add_parser as add_collect_parser

    add_collect_parser(sub)  # network: only when the user runs it (README: Collecting articles)

    p = sub.add_parser("brief", help="build the English and Indonesian PDF policy briefs")
    p.add_argument("--reports-dir", type=Path, default=Path("reports"))
    p.add_argument("--template-dir", type=Path, default=Path("templates/brief"))
    p.add_argument("--params", type=Path, default=Path("params.yaml"))
    p.set_defaults(func=_cmd_brief)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m analysis COMMAND``: a user error is one line on stderr, exit 2."""
    args = _parser().parse_args(argv)
    try:
        return args.func(args)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `python -m analysis stem | head`
        return 0
