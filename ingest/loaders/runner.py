"""Loading one file into a store: detect its format, write its batches, count what happened.

Idempotent: every event carries a stable ``event_id`` and is appended with ``skip_existing``,
so loading the same file again adds nothing (its rows count as duplicates). Quarantine rows
are kept every time a file is loaded (they record each attempt). The id salt comes from
:func:`ingest.identities.id_salt`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from ingest.errors import IngestError, display_path
from ingest.loaders import Batch, LoadContext, Loader, QuarantineRow, detect
from ingest.tables import arrow_schemas

if TYPE_CHECKING:
    from ingest.loaders.progress import Progress
    from ingest.store import Store


@dataclass
class FileReport:
    """What loading one file did."""

    path: Path
    """The file."""
    format: str | None = None
    """The loader that read it (None when no loader recognised it)."""
    rows_read: int = 0
    """Input rows read."""
    loaded: int = 0
    """``sync_events`` rows written."""
    duplicates: int = 0
    """Events left out because their ``event_id`` was already stored (or repeated)."""
    other_rows: int = 0
    """``spans`` and ``metric_points`` rows written."""
    quarantined: Counter[str] = field(default_factory=Counter)
    """Quarantine rows written, by reason category."""
    ignored: Counter[str] = field(default_factory=Counter)
    """Rows that are not sync telemetry, by label (e.g. their name)."""
    error: str | None = None
    """Why the file as a whole failed (one line), or None."""


def new_context(salt: str) -> LoadContext:
    """A context for one ``synctel load`` run."""
    return LoadContext(id_salt=salt, loaded_at=dt.datetime.now(dt.UTC).replace(tzinfo=None))


def load_file(
    store: Store, path: Path, context: LoadContext, progress: Progress, loader: Loader | None = None
) -> FileReport:
    """Load one file into ``store``; never raises for the file's content (see ``error``).

    ``loader`` is the detected loader (detected here when None).
    """
    report = FileReport(path)
    try:
        loader = loader or detect(path)
        report.format = loader.name
        for batch in loader.read(path, context):
            _write(store, batch, report, path, context)
            progress.advance(batch.rows_read, batch.total_rows)
    except IngestError as exc:
        report.error = str(exc)
    except OSError as exc:
        report.error = f"{display_path(path)}: cannot read: {exc.strerror or exc}"
    except (ArithmeticError, ValueError, pa.ArrowException) as exc:
        # a row no loader check caught: the file fails with one line, the others still load
        first = next(iter(str(exc).splitlines()), "")
        report.error = (
            f"{display_path(path)}: cannot store a row ({type(exc).__name__}: {first}); "
            "the rows before it are loaded, loading again skips them; please report this file"
        )
    finally:
        progress.close()
    return report


def _write(store: Store, batch: Batch, report: FileReport, path: Path, ctx: LoadContext) -> None:
    schemas = arrow_schemas()
    report.rows_read += batch.rows_read
    report.ignored.update(batch.ignored)
    if batch.events:
        table = pa.Table.from_pylist(batch.events, schema=schemas["sync_events"])
        written = store.append_events(table, skip_existing=True)
        report.loaded += written
        report.duplicates += len(batch.events) - written
    if batch.spans:
        report.other_rows += store.append_spans(
            pa.Table.from_pylist(batch.spans, schema=schemas["spans"]), skip_existing=True
        )
    if batch.metrics:
        report.other_rows += store.append_metrics(
            pa.Table.from_pylist(batch.metrics, schema=schemas["metric_points"]),
            skip_existing=True,
        )
    if batch.quarantine:
        store.append_quarantine(_quarantine_table(batch.quarantine, path, ctx))
        report.quarantined.update(q.kind for q in batch.quarantine)


def _quarantine_table(rows: list[QuarantineRow], path: Path, ctx: LoadContext) -> pa.Table:
    return pa.Table.from_pylist(
        [
            {
                "loaded_at": ctx.loaded_at,
                "source_file": display_path(path),
                "line_number": q.line_number,
                "reason": q.reason,
                "raw": q.raw,
            }
            for q in rows
        ],
        schema=arrow_schemas()["quarantine"],
    )


def summary_line(report: FileReport) -> str:
    """One line: rows read, loaded, duplicates, quarantined by reason, ignored."""
    parts = [
        f"{report.rows_read} rows read",
        f"{report.loaded} events loaded",
        f"{report.duplicates} skipped as duplicates",
    ]
    if report.other_rows:
        parts.append(f"{report.other_rows} spans/metric points loaded")
    quarantined = sum(report.quarantined.values())
    if quarantined:
        by_reason = ", ".join(f"{k}: {n}" for k, n in sorted(report.quarantined.items()))
        parts.append(f"{quarantined} quarantined ({by_reason})")
    else:
        parts.append("0 quarantined")
    ignored = sum(report.ignored.values())
    if ignored:
        top = ", ".join(f"{k}: {n}" for k, n in report.ignored.most_common(3))
        more = ", …" if len(report.ignored) > 3 else ""
        parts.append(f"{ignored} ignored as not sync telemetry ({top}{more})")
    shown = display_path(report.path)
    label = f"{shown} ({report.format})" if report.format else shown
    return f"{label}: " + ", ".join(parts)
