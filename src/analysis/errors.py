"""Exception types for mistakes a user can fix (bad params, unreadable input, missing corpus)."""

from __future__ import annotations

__all__ = ["UserError"]


class UserError(Exception):
    """A problem the user can fix; the CLI prints its message without a traceback (exit 2)."""
