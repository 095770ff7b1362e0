"""Progress on stderr while a file loads: a bar on a terminal, plain counter lines otherwise."""

from __future__ import annotations

import time
from typing import Final, TextIO

BAR_WIDTH: Final = 30
"""Characters in the bar."""
REDRAW_SECONDS: Final = 0.1
"""The bar is redrawn at most this often."""


class Progress:
    """Shows how many input rows of one file have been read.

    ``bar`` draws a self-overwriting bar (for a terminal); otherwise each update prints one
    ``label: N/M rows`` line. A disabled Progress prints nothing.
    """

    def __init__(self, label: str, stream: TextIO, *, enabled: bool, bar: bool) -> None:
        self.label = label
        """Shown before the counts (the file name)."""
        self._stream = stream
        self._enabled = enabled
        self._bar = bar
        self._done = 0
        self._total: int | None = None
        self._drawn_at = 0.0
        self._drew = False

    def advance(self, rows: int, total: int | None = None) -> None:
        """``rows`` more input rows were read; ``total`` is the file's row count if now known."""
        if total is not None:
            self._total = total
        self._done += rows
        if not self._enabled:
            return
        if not self._bar:
            self._stream.write(f"{self.label}: {self._counts()} rows\n")
            self._stream.flush()
            return
        now = time.monotonic()
        if now - self._drawn_at >= REDRAW_SECONDS or self._done == self._total:
            self._draw()
            self._drawn_at = now

    def close(self) -> None:
        """End the bar's line (nothing for counter lines)."""
        if self._enabled and self._bar and self._drew:
            self._draw()
            self._stream.write("\n")
            self._stream.flush()

    def _counts(self) -> str:
        return f"{self._done}/{self._total}" if self._total is not None else str(self._done)

    def _draw(self) -> None:
        if self._total:
            share = min(self._done / self._total, 1.0)
            filled = round(share * BAR_WIDTH)
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            line = f"\r{self.label} [{bar}] {share:4.0%} {self._counts()} rows"
        else:
            line = f"\r{self.label} {self._counts()} rows"
        self._stream.write(line)
        self._stream.flush()
        self._drew = True
