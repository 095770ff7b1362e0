"""``synctel load FILE…``: load telemetry files into the store, format detected by content."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from synctel.commands._common import add_store_option, store_path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``load``."""
    parser = subparsers.add_parser(
        "load",
        help="load telemetry files (Application Insights exports) into the store",
        description=(
            "Load telemetry files into the store. The format is detected from each file's "
            "content: Application Insights exports (portal CSV or query API JSON, classic or "
            "workspace schema) of our own customEvents and of Field Service's "
            "Offline.SyncDatabase / …GetRecords dependencies. Loading a file twice adds "
            "nothing; unreadable rows go to the quarantine table with their reason. "
            "Raw device and user ids are pseudonymised with $SYNCTEL_ID_SALT, else with a "
            "random salt kept in the store folder (.id-salt, mode 0600); OTLP resources marked "
            "synctel.ids=pseudonymous are stored as sent."
        ),
    )
    parser.add_argument(
        "files", nargs="+", type=Path, metavar="FILE", help="telemetry file to load"
    )
    add_store_option(parser)
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show progress on stderr (default: a bar when stderr is a terminal; "
        "--progress on a non-terminal prints a counter line per batch)",
    )
    parser.set_defaults(func=run_load)


def run_load(args: argparse.Namespace) -> int:
    """Load every file; one summary line per file on stdout, one error line per failed file
    on stderr. Exit 1 when any file failed (the others still load)."""
    from ingest.errors import IngestError, display_path
    from ingest.identities import id_salt
    from ingest.loaders import Loader, detect
    from ingest.loaders.progress import Progress
    from ingest.loaders.runner import FileReport, load_file, new_context, summary_line
    from ingest.store import Store

    failed = False
    detected: list[tuple[Path, Loader]] = []
    for path in args.files:
        try:
            detected.append((path, detect(path)))
        except IngestError as exc:
            failed = _fail(str(exc))
        except OSError as exc:
            failed = _fail(f"{display_path(path)}: cannot read: {exc.strerror or exc}")
    if not detected:
        return 1
    store = Store.open(store_path(args))
    context = new_context(id_salt(store.path))
    is_tty = sys.stderr.isatty()
    show = is_tty if args.progress is None else bool(args.progress)
    reports: list[FileReport] = []
    for path, loader in detected:
        progress = Progress(display_path(path), sys.stderr, enabled=show, bar=is_tty)
        report = load_file(store, path, context, progress, loader)
        reports.append(report)
        print(summary_line(report), flush=True)
        if report.error is not None:
            failed = _fail(report.error)
    if len(reports) > 1:
        total = FileReport(Path(f"total ({len(reports)} files)"))
        for r in reports:
            total.rows_read += r.rows_read
            total.loaded += r.loaded
            total.duplicates += r.duplicates
            total.other_rows += r.other_rows
            total.quarantined.update(r.quarantined)
            total.ignored.update(r.ignored)
        print(summary_line(total))
    return 1 if failed else 0


def _fail(message: str) -> bool:
    print(f"synctel load: {message}", file=sys.stderr)
    return True
