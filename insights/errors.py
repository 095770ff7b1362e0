"""The base error of the advisor and the alerts: the message says what to do next."""

from __future__ import annotations

from vocabulary.errors import SynctelError


class InsightsError(SynctelError):
    """Anything that stops advice or alerts; the CLI prints it as one line and exits 1."""
