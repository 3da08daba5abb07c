"""Exception types for mistakes a user can fix (bad params, unreadable input, missing corpus)."""

from __future__ import annotations

__all__ = ["UserError"]


class UserError(Exception):
    """A problem the user can fix; the CLI prints its message without a traceback (exit 2)."""

    def _render_traceback_(self) -> list[str]:
        # IPython (Jupyter, and so a Papermill-run stage notebook) shows this instead of a
        # traceback: the message names the file or value and what to do; frames inside the
        # package would only bury it.
        return [f"{type(self).__name__}: {self}"]
