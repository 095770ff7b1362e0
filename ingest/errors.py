"""The ingest package's exceptions: one small hierarchy whose messages say what to do next.

Ingest raises these on purpose (bad store, bad batch, unwritable lake); the store sinks never
let them reach the OpenTelemetry SDK (they catch, count and report instead).
"""

from __future__ import annotations

import os
from pathlib import Path

from vocabulary.errors import SynctelError


def display_path(path: Path | str) -> str:
    """A path as text that can always be printed and stored: bytes of a file name that are not
    UTF-8 are shown as ``\\xNN`` escapes instead of unencodable surrogates."""
    return os.fsencode(path).decode("utf-8", errors="backslashreplace")


class IngestError(SynctelError):
    """Base of every error the ingest package raises on purpose."""


class StoreNotFoundError(IngestError):
    """The store folder (or its catalog) does not exist and creation was not asked for."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"no store at {path}: run `synctel simulate` or `synctel load` first, "
            "or pass --store DIR (or set $SYNCTEL_STORE)"
        )
        self.path = path


class StoreLayoutError(IngestError):
    """The folder exists but is not a synctel store (or is from an incompatible version)."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(
            f"{path} is not a usable synctel store: {problem}; "
            "point --store at a store folder or at an empty/new folder"
        )
        self.path = path


class SchemaMismatchError(IngestError):
    """A batch handed to the store does not fit the table's schema (from ``sql/schema.sql``)."""

    def __init__(self, table: str, problem: str) -> None:
        super().__init__(
            f"batch for {table} does not fit sql/schema.sql: {problem}; "
            "convert it with ingest.convert or drop/rename the offending columns"
        )
        self.table = table


class LakeWriteError(IngestError):
    """Writing a Parquet file into the lake failed (disk full, read-only, permissions)."""

    def __init__(self, path: Path, cause: OSError) -> None:
        reason = cause.strerror or str(cause)
        super().__init__(
            f"cannot write {path}: {reason}; free disk space or fix permissions on the store "
            "folder, then retry (nothing partial was left visible)"
        )
        self.path = path
        self.errno = cause.errno


class CatalogError(IngestError):
    """Building or opening ``catalog.duckdb`` failed."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(
            f"catalog {path}: {problem}; delete catalog.duckdb and reopen the store to rebuild it "
            "(the Parquet lake is the data, the catalog only holds views)"
        )
        self.path = path


class NotTelemetryError(IngestError):
    """``synctel load`` was given a file that no loader recognises as telemetry."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(
            f"{display_path(path)}: not a telemetry file ({problem}); expected an Application "
            "Insights export (portal CSV or query API JSON) or another format "
            "`synctel load --help` lists"
        )
        self.path = path


class UnreadableFileError(IngestError):
    """A file looks like telemetry but cannot be read as a whole (truncated, missing columns)."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{display_path(path)}: {problem}")
        self.path = path


class CorruptTableError(IngestError):
    """A store table's Delta log cannot be read (a corrupt or truncated entry, a missing log)."""

    def __init__(self, table: str, path: Path, problem: str) -> None:
        first_line = problem.splitlines()[0] if problem else "unknown problem"
        super().__init__(
            f"table {table} at {path} cannot be read: {first_line}",
            hint=(
                "nothing was deleted; restore the table folder from a backup, "
                "or move it aside and load its sources again"
            ),
        )
        self.table = table
        self.path = path
