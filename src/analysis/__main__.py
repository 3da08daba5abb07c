"""Entry point for `python -m analysis`: every command runs in the pinned numeric environment."""

import sys

from .core.runtime import ensure_pinned

ensure_pinned(["-m", "analysis", *sys.argv[1:]])

from .cli import main  # noqa: E402  (after the re-execution: NumPy must see the pinned settings)

raise SystemExit(main())
