"""``synctel query``: run SQL on the store's catalog and print a table, CSV or JSON."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import decimal
import json
import math
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from synctel.commands._common import CommandError, add_store_option, store_path

FORMATS = ("table", "csv", "json")
"""Output formats of ``--format``."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``query``."""
    parser = subparsers.add_parser(
        "query",
        help="run SQL on the store (read-only) and print the result",
        description=(
            "Run one DuckDB SQL statement against the newest snapshot of the store (tables "
            "sync_events, spans, metric_points, quarantine and the metric views). The query "
            "can read the snapshot and nothing else: file access, COPY, ATTACH, INSTALL and "
            "SET are refused, so it cannot change the store."
        ),
    )
    parser.add_argument("sql", nargs="?", metavar="SQL", help="the query, e.g. 'FROM daily_health'")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="output: aligned text table (default), CSV with a header, or a JSON array of objects",
    )
    parser.add_argument(
        "--list",
        action="store_true",
        help="list the tables and views with a one-line description each, then exit",
    )
    add_store_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Open the store read-only, run the query (or ``--list``) and print the result."""
    import duckdb

    from ingest import reader
    from ingest.store import Store

    if not args.list and not args.sql:
        raise CommandError("give a SQL query (e.g. synctel query 'FROM daily_health') or --list")
    store = Store.open(store_path(args), create=False)
    if args.list:
        for name, description in relations():
            print(f"{name:<{max(len(n) for n, _ in relations())}}  {description}")
        return 0
    con = reader.connect_locked(store.path)
    try:
        statements = con.extract_statements(args.sql)
        if len(statements) != 1:
            raise CommandError(f"give one SQL statement, not {len(statements)}")
        result = con.execute(statements[0])
        columns = [d[0] for d in result.description or []]
        rows = result.fetchall()
    except duckdb.Error as exc:
        raise CommandError(one_line(str(exc))) from exc
    finally:
        con.close()
    {"table": write_table, "csv": write_csv, "json": write_json}[args.format](
        columns, rows, sys.stdout
    )
    return 0


def relations() -> list[tuple[str, str]]:
    """``(name, description)`` of every store table, then every metric view."""
    from ingest.sql import view_description, view_names
    from ingest.tables import TABLES

    return [(t.name, t.description) for t in TABLES] + [
        (name, view_description(name)) for name in view_names()
    ]


def one_line(message: str) -> str:
    """DuckDB's message on one line: its text lines joined, the SQL excerpt and caret dropped."""
    lines = [line.strip() for line in message.splitlines()]
    kept = [line for line in lines if line and not line.startswith("LINE ") and set(line) != {"^"}]
    return " ".join(kept)


def _text(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def write_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], out: TextIO) -> None:
    """An aligned text table: header, rule, rows (numbers right-aligned), and a row count."""
    cells = [[_text(v) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    numeric = [
        bool(rows)
        and all(isinstance(r[i], int | float | decimal.Decimal) or r[i] is None for r in rows)
        for i in range(len(columns))
    ]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ).rstrip()

    out.write(line(columns) + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for row in cells:
        out.write(line(row) + "\n")
    out.write(f"({len(rows)} row{'' if len(rows) == 1 else 's'})\n")


def write_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]], out: TextIO) -> None:
    """CSV with a header row; NULL is an empty field."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return str(value)


def _finite(value: Any) -> Any:
    """NaN and ±Infinity are not JSON: they become null."""
    return None if isinstance(value, float) and not math.isfinite(value) else value


def write_json(columns: Sequence[str], rows: Sequence[Sequence[Any]], out: TextIO) -> None:
    """A JSON array with one object per row (times in ISO 8601; NaN and ±Infinity as null)."""
    records = [{c: _finite(v) for c, v in zip(columns, row, strict=True)} for row in rows]
    json.dump(records, out, default=_json_default, indent=1, allow_nan=False)
    out.write("\n")
