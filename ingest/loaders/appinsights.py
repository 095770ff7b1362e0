"""The Application Insights loader: portal CSV and query API JSON exports, classic or
workspace schema, holding our own customEvents and/or Field Service offline sync dependencies.

Detection (by content, never by file name):

* JSON: the file starts (after a byte order mark and white space) with ``{"tables":``.
* CSV: the first line is a CSV header naming a time column (``timestamp`` or ``TimeGenerated``,
  with or without the portal's `` [UTC]`` suffix) and a ``name`` column, case-insensitively.

Each row is then classified by its name and ``itemType`` / ``Type``: one of our event names →
``source = 'appinsights'``; ``Offline.SyncDatabase`` or a name ending in ``GetRecords`` →
``source = 'dynamics'``; anything else is counted as ignored (not sync telemetry).

Field Service's raw ``DeviceInfo_Id`` and ``user_Id`` are hashed with the store's salt; our own
customEvents carry pseudonyms already (the engine hashed them before Azure Monitor saw them) and
are stored as found. A quarantined row or file keeps its content with every identity hashed
(:mod:`ingest.loaders.appinsights_scrub`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from ingest.errors import UnreadableFileError, display_path
from ingest.identities import Pseudonyms
from ingest.loaders.appinsights_cells import RowError
from ingest.loaders.appinsights_map import (
    SOURCE_DYNAMICS,
    classify,
    custom_event_rows,
    dynamics_rows,
)
from ingest.loaders.appinsights_read import (
    ExportRows,
    RowProblem,
    csv_header,
    envelope,
    looks_like_export,
    read_csv,
    read_json,
    sniff_json,
)
from ingest.loaders.appinsights_scrub import scrub_export, scrub_row, scrub_values
from ingest.loaders.base import Batch, LoadContext, QuarantineRow, read_head

RAW_FILE_LIMIT: Final = 1 << 20
"""At most this many bytes of an unreadable file are kept in its quarantine row."""


class AppInsightsLoader:
    """Loads Application Insights exports (see the module docstring for the detection rules)."""

    name = "appinsights"
    """Format name shown in the summary."""

    def sniff(self, head: bytes, path: Path) -> bool:
        """True for a query API JSON result or a CSV whose header is an App Insights export."""
        if sniff_json(head):
            return True
        header = csv_header(head)
        return header is not None and looks_like_export(header)

    def read(self, path: Path, context: LoadContext) -> Iterator[Batch]:
        """Batches of ``sync_events`` and quarantine rows. A file that cannot be read as a whole
        (truncated JSON, a required column missing) yields one quarantine row holding the file,
        then raises :class:`~ingest.errors.UnreadableFileError`."""
        ids = context.ids
        try:
            export = self._open(path, context)
        except UnreadableFileError as exc:
            yield Batch(quarantine=[_whole_file(path, str(exc), ids)])
            raise
        batch = Batch(total_rows=export.total)
        ignored: Counter[str] = Counter()
        for n, row in export.rows:
            batch.rows_read += 1
            if isinstance(row, RowProblem):
                raw = scrub_values(row.values, export.names, ids)
                batch.quarantine.append(QuarantineRow(row.kind, row.detail, raw, n))
            else:
                try:
                    env = envelope(row, export.columns)
                    kind = classify(env)
                    if kind is None:
                        ignored[env.name] += 1
                    elif kind == SOURCE_DYNAMICS:
                        batch.events.extend(dynamics_rows(env, salt=context.id_salt))
                    else:
                        batch.events.extend(custom_event_rows(env))
                except RowError as exc:
                    raw = scrub_row(row, ids)
                    batch.quarantine.append(QuarantineRow(exc.kind, exc.detail, raw, n))
            if batch.rows_read >= context.batch_rows:
                batch.ignored = dict(ignored)
                yield batch
                batch, ignored = Batch(), Counter()
        batch.ignored = dict(ignored)
        yield batch

    @staticmethod
    def _open(path: Path, context: LoadContext) -> ExportRows:
        if sniff_json(read_head(path)):
            return read_json(path)
        return read_csv(path, context.batch_rows)


def _whole_file(path: Path, problem: str, ids: Pseudonyms) -> QuarantineRow:
    with open(path, "rb") as fh:
        raw = fh.read(RAW_FILE_LIMIT).decode("utf-8", errors="replace")
    detail = problem.removeprefix(f"{display_path(path)}: ")
    return QuarantineRow("unreadable file", detail, scrub_export(raw, ids))
