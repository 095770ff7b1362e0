"""Reading Application Insights exports: the portal's CSV and the query API's JSON, in the
classic (``customDimensions``, ``timestamp``) and workspace (``Properties``, ``TimeGenerated``)
schemas, down to one :class:`Envelope` per row.

Column names are matched case-insensitively, with the portal's `` [UTC]`` header suffix removed.
Every cell may arrive as text (CSV) or typed (JSON): the parsers here accept both, and raise
:class:`RowError` for a value that cannot be read, so the row goes to the quarantine.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import polars as pl

from ingest.errors import UnreadableFileError

# canonical field -> accepted column names (lowercase; classic first, then workspace)
COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "time": ("timestamp", "timegenerated"),
    "name": ("name",),
    "dims": ("customdimensions", "properties"),
    "duration": ("duration", "durationms"),
    "id": ("id",),
    "item_type": ("itemtype", "type"),
    "success": ("success",),
    "user_id": ("user_id", "userid"),
    "app_version": ("application_version", "appversion"),
    "client_os": ("client_os", "clientos"),
    "client_model": ("client_model", "clientmodel"),
    "role_name": ("cloud_rolename", "approlename"),
}
"""Every column the loader reads, by the name it is known by here."""
REQUIRED: Final = {
    "time": "timestamp (or TimeGenerated)",
    "name": "name",
    "dims": "customDimensions (or Properties)",
}
"""Columns without which a file is not a usable export, as named in error messages."""
_UTC_SUFFIX = re.compile(r"\s*\[utc\]\s*$", re.IGNORECASE)
_LOCAL_SUFFIX = re.compile(r"\s*\[local[^\]]*\]\s*$", re.IGNORECASE)
_JSON_START = re.compile(rb"^\s*\{\s*\"tables\"\s*:", re.DOTALL)
_PORTAL_TIME = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{4}),?\s+(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?\s*([AP]M)?$",
    re.IGNORECASE,
)


class RowError(ValueError):
    """One row cannot be read; ``kind`` groups the summary, ``detail`` says what was wrong."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail


@dataclass(frozen=True)
class Envelope:
    """The App Insights columns of one row, read and typed."""

    ts: dt.datetime
    """``timestamp`` / ``TimeGenerated``, UTC (aware). For a dependency: when the call began."""
    name: str
    """The event or dependency name."""
    dims: dict[str, Any]
    """``customDimensions`` / ``Properties`` as a dict (values as exported)."""
    duration_ms: float | None = None
    """``duration`` / ``DurationMs`` in milliseconds (dependencies only)."""
    item_id: str | None = None
    """``id`` / ``Id``: the dependency call's id (same in both schemas)."""
    item_type: str | None = None
    """``itemType`` (classic: customEvent, dependency) or ``Type`` (AppEvents, AppDependencies)."""
    success: bool | None = None
    """``success`` / ``Success`` (dependencies only)."""
    user_id: str | None = None
    """``user_Id`` / ``UserId``."""
    app_version: str | None = None
    """``application_Version`` / ``AppVersion``."""
    client_os: str | None = None
    """``client_OS`` / ``ClientOS``."""
    client_model: str | None = None
    """``client_Model`` / ``ClientModel``."""
    role_name: str | None = None
    """``cloud_RoleName`` / ``AppRoleName`` (the OpenTelemetry ``service.name``)."""


@dataclass(frozen=True)
class RowProblem:
    """A row whose shape is wrong before any value is read (e.g. too few values)."""

    kind: str
    """Short reason category."""
    detail: str
    """What exactly was wrong."""
    raw: str
    """The row's values as JSON text."""


@dataclass
class ExportRows:
    """The rows of one export, with its columns resolved."""

    shape: str
    """``csv`` or ``json``."""
    columns: dict[str, str]
    """Canonical field → the file's column name (only those present)."""
    total: int
    """Number of data rows."""
    rows: Iterator[tuple[int, dict[str, Any] | RowProblem]]
    """``(1-based row, {column: value})`` or a :class:`RowProblem`, in file order."""


def _normalise(name: str) -> str:
    return _UTC_SUFFIX.sub("", name).strip().lower()


def resolve_columns(names: list[str]) -> dict[str, str]:
    """Canonical field → column name for the columns present (first alias wins)."""
    present = {_normalise(n): n for n in reversed(names)}
    out: dict[str, str] = {}
    for field, aliases in COLUMNS.items():
        for alias in aliases:
            if alias in present:
                out[field] = present[alias]
                break
    return out


def looks_like_export(names: list[str]) -> bool:
    """True when a header names a time column and a name column (the sniffing rule)."""
    cols = resolve_columns(names)
    has_local_time = any(
        _LOCAL_SUFFIX.search(n) and _normalise(_LOCAL_SUFFIX.sub("", n)) in COLUMNS["time"]
        for n in names
    )
    return ("time" in cols or has_local_time) and "name" in cols


def check_columns(path: Path, names: list[str]) -> dict[str, str]:
    """The resolved columns; raises :class:`UnreadableFileError` naming what is missing."""
    for n in names:
        if _LOCAL_SUFFIX.search(n):
            raise UnreadableFileError(
                path,
                f"column {n!r} holds local times; export again with times in UTC "
                "(portal: Settings > Time zone > UTC)",
            )
    cols = resolve_columns(names)
    missing = [label for field, label in REQUIRED.items() if field not in cols]
    if missing:
        raise UnreadableFileError(
            path,
            f"Application Insights export without a {missing[0]} column; "
            "export the table with all its columns",
        )
    return cols


def csv_header(head: bytes) -> list[str] | None:
    """The header row of a CSV, or None when the bytes are not text with a header line."""
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = head[: exc.start].decode("utf-8")
        if len(head) - exc.start > 3:  # more than a cut multi-byte character: binary
            return None
    first = text.split("\n", 1)[0].rstrip("\r")
    if not first or "\x00" in first:
        return None
    try:
        return next(csv.reader(io.StringIO(first)))
    except (csv.Error, StopIteration):
        return None


def sniff_json(head: bytes) -> bool:
    """True when the bytes start a query API result: ``{"tables": …``."""
    return _JSON_START.match(head) is not None


def read_csv(path: Path, batch_rows: int) -> ExportRows:
    """The portal's CSV export, every cell as text (polars; empty cells are None)."""
    try:
        frame = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise UnreadableFileError(path, f"cannot read the CSV: {exc}") from exc
    cols = check_columns(path, frame.columns)

    def rows() -> Iterator[tuple[int, dict[str, Any] | RowProblem]]:
        n = 0
        for part in frame.iter_slices(batch_rows):
            for row in part.iter_rows(named=True):
                n += 1
                yield n, row

    return ExportRows("csv", cols, frame.height, rows())


def read_json(path: Path) -> ExportRows:
    """The query API's JSON: the ``PrimaryResult`` table (or the first one)."""
    try:
        doc = json.loads(path.read_bytes())
    except json.JSONDecodeError as exc:
        raise UnreadableFileError(
            path,
            f"truncated or invalid JSON at line {exc.lineno} column {exc.colno} ({exc.msg}); "
            "export the query result again",
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise UnreadableFileError(path, f"cannot read the JSON: {exc}") from exc
    tables = doc.get("tables") if isinstance(doc, dict) else None
    if not isinstance(tables, list) or not tables or not all(isinstance(t, dict) for t in tables):
        raise UnreadableFileError(path, 'query API JSON without a "tables" list of tables')
    table = next((t for t in tables if t.get("name") == "PrimaryResult"), tables[0])
    columns, data = table.get("columns"), table.get("rows")
    if not isinstance(columns, list) or not isinstance(data, list):
        raise UnreadableFileError(path, 'query API table without "columns" and "rows" lists')
    names = [str(c.get("name")) if isinstance(c, dict) else str(c) for c in columns]
    cols = check_columns(path, names)

    def rows() -> Iterator[tuple[int, dict[str, Any] | RowProblem]]:
        for n, values in enumerate(data, start=1):
            if not isinstance(values, list):
                kind = type(values).__name__
                yield n, RowProblem("bad row", f"a row is a {kind}, not a list", raw_text(values))
            elif len(values) != len(names):
                detail = f"{len(values)} values for {len(names)} columns"
                yield n, RowProblem("bad row", detail, raw_text(values))
            else:
                yield n, dict(zip(names, values, strict=True))

    return ExportRows("json", cols, len(data), rows())


# -- cells ---------------------------------------------------------------------------------


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
    the portal's ``M/D/YYYY, h:mm:ss.fff AM`` display form, as an aware UTC datetime."""
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
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


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
        return float(value)
    s = text(value)
    if s is None:
        return None
    try:
        return float(s)
    except ValueError as exc:
        raise RowError("wrong type", f"{what} {_clip(s)!r} is not a number") from exc


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


def envelope(row: Mapping[str, Any], columns: Mapping[str, str]) -> Envelope:
    """Read the App Insights columns of one row; raises :class:`RowError`."""

    def cell(field: str) -> Any:
        column = columns.get(field)
        return row.get(column) if column is not None else None

    name = text(cell("name"))
    if name is None:
        raise RowError("missing name", "the name column is empty")
    return Envelope(
        ts=parse_timestamp(cell("time")),
        name=name,
        dims=parse_object(cell("dims"), "customDimensions"),
        duration_ms=parse_float(cell("duration"), "duration"),
        item_id=text(cell("id")),
        item_type=text(cell("item_type")),
        success=parse_bool(cell("success"), "success"),
        user_id=text(cell("user_id")),
        app_version=text(cell("app_version")),
        client_os=text(cell("client_os")),
        client_model=text(cell("client_model")),
        role_name=text(cell("role_name")),
    )


def raw_text(value: Any) -> str:
    """A row as JSON text, for ``quarantine.raw``."""
    return json.dumps(value, default=str, ensure_ascii=False)


def _clip(s: str, limit: int = 80) -> str:
    return s if len(s) <= limit else s[: limit - 1] + "…"
