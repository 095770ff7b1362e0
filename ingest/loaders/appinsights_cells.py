"""The cells of Application Insights exports: text, times, JSON objects, numbers, booleans.

Every cell may arrive as text (CSV) or typed (JSON): the parsers here accept both, and raise
:class:`RowError` for a value that cannot be read, so the row goes to the quarantine. Times
must lie between :data:`EARLIEST` and :data:`LATEST`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from typing import Any, Final

from ingest.convert import LATEST_NS

_PORTAL_TIME = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{4}),?\s+(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?\s*([AP]M)?$",
    re.IGNORECASE,
)


EARLIEST: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
"""The earliest time a row may carry (OTLP's nanoseconds since 1970 cannot go earlier)."""
LATEST: Final = EARLIEST + dt.timedelta(microseconds=LATEST_NS // 1000)
"""The latest time a row may carry (2262-04-11T23:47:16.854775Z, see ``LATEST_NS``)."""


class RowError(ValueError):
    """One row cannot be read; ``kind`` groups the summary, ``detail`` says what was wrong."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail


def text(value: Any) -> str | None:
    """A cell as stripped text; None for missing or empty."""
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    s = str(value).strip()
    return s or None


def parse_timestamp(value: Any) -> dt.datetime:
    """An ISO 8601 time (``Z``, an offset, or none meaning UTC; up to 7 fraction digits) or
    the portal's ``M/D/YYYY, h:mm:ss.fff AM`` display form, as an aware UTC datetime between
    :data:`EARLIEST` and :data:`LATEST` (else ``time out of range``)."""
    s = text(value)
    if s is None:
        raise RowError("bad timestamp", "the time is empty")
    if not isinstance(value, str):
        raise RowError("bad timestamp", f"{value!r} is a {type(value).__name__}, not a time")
    m = _PORTAL_TIME.match(s)
    try:
        if m:
            month, day, year, hour, minute, second, frac, ampm = m.groups()
            h = int(hour)
            if ampm:
                if not 1 <= h <= 12:
                    raise ValueError(f"hour {h} with {ampm}")
                h = h % 12 + (12 if ampm.upper() == "PM" else 0)
            micro = int((frac or "0")[:6].ljust(6, "0"))
            parsed = dt.datetime(
                int(year), int(month), int(day), h, int(minute), int(second), micro
            )
        else:
            parsed = dt.datetime.fromisoformat(s)
    except ValueError as exc:
        raise RowError("bad timestamp", f"{s!r} is not a time ({exc})") from exc
    try:
        utc = parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)
    except OverflowError as exc:  # e.g. 0001-01-01T00:00+01:00 is in year 0 in UTC
        raise RowError("time out of range", f"{s!r} is before year 1 in UTC") from exc
    return check_time(utc, repr(s))


def check_time(ts: dt.datetime, shown: str) -> dt.datetime:
    """``ts`` (aware) when it lies between :data:`EARLIEST` and :data:`LATEST`; raises
    :class:`RowError` naming it as ``shown`` otherwise."""
    if not EARLIEST <= ts <= LATEST:
        raise RowError(
            "time out of range",
            f"{shown} is outside 1970-01-01 to 2262-04-11 UTC (what telemetry times can hold)",
        )
    return ts


def parse_object(value: Any, what: str) -> dict[str, Any]:
    """A JSON object given as text or already decoded; ``what`` names it in the error."""
    if isinstance(value, dict):
        return value
    s = text(value)
    if s is None:
        return {}
    if not isinstance(value, str):
        raise RowError(f"{what} is not JSON", f"{value!r} is a {type(value).__name__}")
    try:
        decoded = json.loads(s)
    except json.JSONDecodeError as exc:
        raise RowError(f"{what} is not JSON", f"{_clip(s)} ({exc.msg})") from exc
    if not isinstance(decoded, dict):
        raise RowError(f"{what} is not JSON", f"{_clip(s)} is not an object")
    return decoded


def parse_float(value: Any, what: str) -> float | None:
    """A number from text or JSON; None when empty."""
    if isinstance(value, bool):
        raise RowError("wrong type", f"{what} {value!r} is not a number")
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        s = text(value)
        if s is None:
            return None
        try:
            number = float(s)
        except ValueError as exc:
            raise RowError("wrong type", f"{what} {_clip(s)!r} is not a number") from exc
    if not math.isfinite(number):
        raise RowError("wrong type", f"{what} {_clip(str(value))!r} is not a finite number")
    return number


def parse_bool(value: Any, what: str) -> bool | None:
    """``true``/``false`` (any case, or 1/0) from text or JSON; None when empty."""
    if isinstance(value, bool):
        return value
    s = text(value)
    if s is None:
        return None
    low = s.lower()
    if low in ("true", "1"):
        return True
    if low in ("false", "0"):
        return False
    raise RowError("wrong type", f"{what} {_clip(s)!r} is not true or false")


def raw_text(value: Any) -> str:
    """A row as JSON text, for ``quarantine.raw``."""
    return json.dumps(value, default=str, ensure_ascii=False)


def _clip(s: str, limit: int = 80) -> str:
    return s if len(s) <= limit else s[: limit - 1] + "…"
