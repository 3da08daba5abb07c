#!/usr/bin/env python3
"""Refuse files over a size limit (pre-commit hook): data belongs in DVC or ../shared, not in git."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# The largest committed files (executed notebooks, briefs, screenshots) are under 0.5 MB.
DEFAULT_MAX_KB = 2048


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument(
        "--max-kb",
        type=int,
        default=DEFAULT_MAX_KB,
        help=f"largest allowed size in KiB (default {DEFAULT_MAX_KB})",
    )
    args = parser.parse_args(argv)
    too_large = [
        (p, p.stat().st_size)
        for p in args.paths
        if p.is_file() and p.stat().st_size > args.max_kb * 1024
    ]
    for path, size in too_large:
        print(
            f"{path}: {size:,} bytes, over the {args.max_kb:,} KiB limit; keep data in DVC "
            "(dvc add) or read it from ../shared instead of committing it",
            file=sys.stderr,
        )
    return 1 if too_large else 0


if __name__ == "__main__":
    sys.exit(main())
