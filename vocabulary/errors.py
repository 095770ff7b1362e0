"""The one root of every error synctel raises on purpose.

Each stage has its own subclass (``SyncengineError``, ``EmitterError``, ``IngestError``,
``InsightsError``, the CLI's ``CommandError``); the command line catches :class:`SynctelError`
and prints it as one line, its ``hint`` included, then exits non-zero.
"""

from __future__ import annotations


class SynctelError(Exception):
    """Base of every error raised on purpose; the message says what is wrong."""

    hint: str | None = None
    """What to do next, shown after the message on the CLI's one line (None: nothing to add)."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint

    def __str__(self) -> str:
        message = super().__str__()
        return f"{message}; {self.hint}" if self.hint else message
