"""Durations as rules write them: ``30s``, ``10m``, ``1h``, ``1d``, or a sum such as ``1h30m``.

Alerts look at recent events: no duration may exceed :data:`LONGEST` (a year), so a typo such
as ``"3000000d"`` is one clear error instead of a window reaching before year 1.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Final

UNITS: Final = {"s": 1, "m": 60, "h": 3600, "d": 86400}
"""Seconds per unit letter."""
LONGEST: Final = timedelta(days=366)
"""The longest duration a rule may hold (windows, ``for``, ``keep_firing_for``, periods)."""
_PART = re.compile(r"(\d+)([smhd])")
_WHOLE = re.compile(r"(?:\d+[smhd])+")


class DurationTooLong(ValueError):
    """A well-formed duration longer than :data:`LONGEST`."""


def parse_duration(text: str) -> timedelta | None:
    """``text`` as a duration, or None when it is not one (``"90"``, ``"1x"``, ``"-5m"``).

    Raises DurationTooLong past :data:`LONGEST` (whatever the number of digits)."""
    cleaned = text.strip()
    if not _WHOLE.fullmatch(cleaned):
        return None
    parts = _PART.findall(cleaned)
    if any(len(n) > 12 for n, _ in parts):  # int() of thousands of digits is refused anyway
        raise DurationTooLong(f"{cleaned[:20]!r}… is longer than {format_duration(LONGEST)}")
    seconds = sum(int(n) * UNITS[unit] for n, unit in parts)
    if seconds > LONGEST.total_seconds():
        raise DurationTooLong(f"{cleaned!r} is longer than {format_duration(LONGEST)}")
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
