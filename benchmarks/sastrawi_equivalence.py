"""Compare PySastrawi 1.2.1 (the project's stemmer) with PyPI Sastrawi 1.0.1 on clickid words.

The two distributions ship the same module name (``Sastrawi``), so each runs in its own
environment; this script has three steps that talk through plain text files:

    # 1. sample distinct words (project venv; needs the corpus)
    PYTHONPATH=src /work/main/.venv/bin/python benchmarks/sastrawi_equivalence.py sample \
        --n 3000 --out benchmarks/out/equiv_words.txt
    # 2. stem them with each implementation (run the same script with each interpreter)
    /work/main/.venv/bin/python benchmarks/sastrawi_equivalence.py stem \
        benchmarks/out/equiv_words.txt benchmarks/out/equiv_pysastrawi121.tsv
    /tmp/sastrawi101/bin/python benchmarks/sastrawi_equivalence.py stem \
        benchmarks/out/equiv_words.txt benchmarks/out/equiv_sastrawi101.tsv
    # 3. compare
    python benchmarks/sastrawi_equivalence.py compare \
        benchmarks/out/equiv_pysastrawi121.tsv benchmarks/out/equiv_sastrawi101.tsv

Words are the distinct tokens the project's tokeniser produces (before stopword removal and
joining), sampled uniformly with a fixed seed; both stemmers get exactly the same strings
through their public ``stem`` method. Nothing from the corpus is written into the repository:
``benchmarks/out/`` is git-ignored.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import sys
import time
from pathlib import Path


def _default_corpus() -> Path:
    """$CLICKID_PATH, else ../shared beside the project, else /work/shared (worktree layout)."""
    if os.environ.get("CLICKID_PATH"):
        return Path(os.environ["CLICKID_PATH"])
    beside = Path(__file__).resolve().parents[2] / "shared/corpora/clickid/articles.jsonl.gz"
    return beside if beside.is_file() else Path("/work/shared/corpora/clickid/articles.jsonl.gz")


def _sample(args: argparse.Namespace) -> None:
    from analysis.text.stem import _TOKEN_RE, _normalise

    types: set[str] = set()
    with gzip.open(args.corpus or _default_corpus(), "rt", encoding="utf-8") as handle:
        for line in handle:
            types.update(_TOKEN_RE.findall(_normalise(json.loads(line)["text"])))
    words = sorted(random.Random(args.seed).sample(sorted(types), args.n))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(words) + "\n", encoding="utf-8")
    print(f"{len(types)} distinct tokens; sampled {len(words)} (seed {args.seed}) -> {args.out}")


def _stem(args: argparse.Namespace) -> None:
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    words = args.words.read_text(encoding="utf-8").split()
    stemmer = StemmerFactory().create_stemmer()
    start = time.perf_counter()
    stems = [stemmer.stem(word) for word in words]
    seconds = time.perf_counter() - start
    args.out.write_text("".join(f"{w}\t{s}\n" for w, s in zip(words, stems)), encoding="utf-8")
    print(
        f"{sys.executable}: {len(words)} words in {seconds:.1f} s "
        f"({len(words) / seconds:.0f} words/s) -> {args.out}"
    )


def _compare(args: argparse.Namespace) -> None:
    def read(path: Path) -> dict[str, str]:
        return dict(line.split("\t") for line in path.read_text(encoding="utf-8").splitlines())

    left, right = read(args.left), read(args.right)
    if left.keys() != right.keys():
        raise SystemExit("the two files do not hold the same words")
    differences = sorted((w, left[w], right[w]) for w in left if left[w] != right[w])
    print(
        f"compared {len(left)} words; identical {len(left) - len(differences)}; "
        f"different {len(differences)}"
    )
    for word, a, b in differences:
        print(f"  {word}: {args.left.name}={a!r} {args.right.name}={b!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="step", required=True)
    p = sub.add_parser("sample")
    p.add_argument("--corpus", type=Path, default=None)
    p.add_argument("--n", type=int, default=3000)
    p.add_argument("--seed", type=int, default=20250811)
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(func=_sample)
    p = sub.add_parser("stem")
    p.add_argument("words", type=Path)
    p.add_argument("out", type=Path)
    p.set_defaults(func=_stem)
    p = sub.add_parser("compare")
    p.add_argument("left", type=Path)
    p.add_argument("right", type=Path)
    p.set_defaults(func=_compare)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
