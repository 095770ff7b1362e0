"""Durations as rules write them: ``30s``, ``10m``, ``1h``, ``1d``, or a sum such as ``1h30m``."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Final

UNITS: Final = {"s": 1, "m": 60, "h": 3600, "d": 86400}
"""Seconds per unit letter."""
_PART = re.compile(r"(\d+)([smhd])")
_WHOLE = re.compile(r"(?:\d+[smhd])+")


def parse_duration(text: str) -> timedelta | None:
    """``text`` as a duration, or None when it is not one (``"90"``, ``"1x"``, ``"-5m"``)."""
    cleaned = text.strip()
    if not _WHOLE.fullmatch(cleaned):
        return None
    seconds = sum(int(n) * UNITS[unit] for n, unit in _PART.findall(cleaned))
    return timedelta(seconds=seconds)


def format_duration(span: timedelta) -> str:
    """The shortest text :func:`parse_duration` reads back as ``span`` (whole seconds)."""
    seconds = int(span.total_seconds())
    if seconds == 0:
        return "0s"
    parts = []
    for unit, size in sorted(UNITS.items(), key=lambda item: -item[1]):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)
