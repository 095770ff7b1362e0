"""Helpers for the advisor's tests: advice over a fleet's events, and a unified-diff applier."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import duckdb

from ingest.sql import schema_sql
from insights.advisor import Report, advise_connection, read_profile_file
from tests.sql.fleet import Fleet
from tests.stores import to_arrow


def advise_fleet(fleet: Fleet, profile_file: Path | None = None) -> Report:
    """The advice over ``fleet``'s events loaded into a fresh in-memory ``sync_events``."""
    con = duckdb.connect()
    try:
        con.execute(schema_sql())
        events = to_arrow(fleet)  # noqa: F841  (read by the INSERT below)
        con.execute("INSERT INTO sync_events BY NAME SELECT * FROM events")
        given = read_profile_file(profile_file) if profile_file is not None else None
        return advise_connection(con, profile=given)
    finally:
        con.close()


def patched(text: str, diff: str) -> str:
    """``text`` with the unified ``diff`` applied (a small applier, independent of difflib's
    writer, so the test checks the diff itself)."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    pos = 0
    for hunk in re.finditer(
        r"^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@\n((?:[ +-].*\n?)*)", diff, re.M
    ):
        start = int(hunk.group(1)) - 1
        out += lines[pos:start]
        pos = start
        for line in hunk.group(3).splitlines(keepends=True):
            if line.startswith("+"):
                out.append(line[1:])
            elif line.startswith("-"):
                assert lines[pos] == line[1:], "the diff does not apply"
                pos += 1
            else:
                assert lines[pos] == line[1:], "the diff's context does not match"
                out.append(lines[pos])
                pos += 1
    out += lines[pos:]
    assert difflib  # difflib writes the diffs under test; the applier does not use it
    return "".join(out)
