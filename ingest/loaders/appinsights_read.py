"""Reading Application Insights exports: the portal's CSV and the query API's JSON, in the
classic (``customDimensions``, ``timestamp``) and workspace (``Properties``, ``TimeGenerated``)
schemas, down to one :class:`Envelope` per row.

Column names are matched case-insensitively, with the portal's `` [UTC]`` header suffix removed.
Cells are read by :mod:`ingest.loaders.appinsights_cells`, whose :class:`RowError` sends a row
to the quarantine.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Final

import polars as pl

from ingest.errors import UnreadableFileError
from ingest.loaders.appinsights_cells import (
    RowError,
    parse_bool,
    parse_float,
    parse_object,
    parse_timestamp,
    text,
)

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
    values: Any
    """The row as found (a list of values, or whatever stood in its place)."""


@dataclass
class ExportRows:
    """The rows of one export, with its columns resolved."""

    shape: str
    """``csv`` or ``json``."""
    names: list[str]
    """Every column name of the file, in order."""
    columns: dict[str, str]
    """Canonical field → the file's column name (only those present)."""
    total: int
    """Number of data rows."""
    rows: Iterator[tuple[int, dict[str, Any] | RowProblem]]
    """``(1-based row, {column: value})`` or a :class:`RowProblem`, in file order."""


def normalise_column(name: str) -> str:
    """A column name as matched here: lowercase, the portal's `` [UTC]`` suffix removed."""
    return _UTC_SUFFIX.sub("", name).strip().lower()


def resolve_columns(names: list[str]) -> dict[str, str]:
    """Canonical field → column name for the columns present (first alias wins)."""
    present = {normalise_column(n): n for n in reversed(names)}
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
        _LOCAL_SUFFIX.search(n) and normalise_column(_LOCAL_SUFFIX.sub("", n)) in COLUMNS["time"]
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


@contextlib.contextmanager
def _polars_source(path: Path) -> Iterator[str | BinaryIO]:
    """What polars reads ``path`` from: its name, or (for a name that is not UTF-8, which polars
    cannot take) the open file."""
    try:
        name = os.fsencode(path).decode("utf-8")
    except UnicodeDecodeError:
        with open(path, "rb") as fh:
            yield fh
        return
    yield name


def read_csv(path: Path, batch_rows: int) -> ExportRows:
    """The portal's CSV export, every cell as text (polars; empty cells are None)."""
    try:
        with _polars_source(path) as source:
            frame = pl.read_csv(source, infer_schema=False, encoding="utf8-lossy")
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise UnreadableFileError(path, f"cannot read the CSV: {exc}") from exc
    cols = check_columns(path, frame.columns)

    def rows() -> Iterator[tuple[int, dict[str, Any] | RowProblem]]:
        n = 0
        for part in frame.iter_slices(batch_rows):
            for row in part.iter_rows(named=True):
                n += 1
                yield n, row

    return ExportRows("csv", frame.columns, cols, frame.height, rows())


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
                yield n, RowProblem("bad row", f"a row is a {kind}, not a list", values)
            elif len(values) != len(names):
                detail = f"{len(values)} values for {len(names)} columns"
                yield n, RowProblem("bad row", detail, values)
            else:
                yield n, dict(zip(names, values, strict=True))

    return ExportRows("json", names, cols, len(data), rows())


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
