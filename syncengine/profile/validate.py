"""Validate a profile's TOML text and build the profile (S1, S4, S10).

Every problem is collected, not just the first, each at the line of the key it concerns and
naming the rule it breaks. Limits that need data (records and bytes on a device) are the
engine's; this module checks only what the profile itself shows.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from typing import Any

from syncengine.profile.filter_toml import FilterReader
from syncengine.profile.limits import (
    MAX_INTERVAL_MINUTES,
    MAX_RELATIONSHIPS,
    MIN_INTERVAL_MINUTES,
    RECOMMENDED_TABLES,
)
from syncengine.profile.model import (
    AdminSettings,
    AllRows,
    Direction,
    Filter,
    Profile,
    Relationship,
    TableProfile,
)
from syncengine.profile.problems import ProfileRule, ValidationReport, report
from syncengine.schema import ColumnType, Schema, default_schema
from vocabulary.problems import Collector, TomlRule, did_you_mean, syntax_problem
from vocabulary.toml_lines import KeyPath, key_lines

PROFILE_KEYS = ("name", "conflict_detection", "settings", "tables")
"""Top-level keys of a profile."""
SETTINGS_KEYS = tuple(f.name for f in fields(AdminSettings))
"""Keys of ``[settings]``."""
TABLE_KEYS = ("name", "interval_minutes", "filter", "relationships")
"""Keys of a ``[[tables]]`` entry."""
RELATIONSHIP_KEYS = ("table", "column", "direction")
"""Keys of a relationship."""


def validate_text(
    text: str, *, source: str = "<string>", schema: Schema | None = None
) -> ValidationReport:
    """Validate profile TOML; the report holds the profile when there are no errors."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return ValidationReport(None, (syntax_problem(str(exc), source),))
    return _Checker(Collector(source, key_lines(text)), schema or default_schema()).run(data)


@dataclass
class _Links:
    """A table's relationships as read, with their paths, for the cross-table checks."""

    table: str
    rels: list[tuple[Relationship, KeyPath]] = field(default_factory=list)


@dataclass
class _Checker:
    out: Collector
    schema: Schema

    def run(self, data: dict[str, Any]) -> ValidationReport:
        self.out.unknown_keys(data, (), PROFILE_KEYS)
        name = data.get("name")
        if not isinstance(name, str) or not name.strip():
            msg = 'a profile needs a name, e.g. name = "Field Service Mobile - Offline Profile"'
            self.out.error(("name",), TomlRule.REQUIRED if name is None else TomlRule.TYPE, msg)
        conflict = self._bool(data, "conflict_detection", (), default=False)
        settings = self._settings(data.get("settings", {}))
        tables, links = self._tables(data.get("tables"))
        self._cross_checks(links)
        if not isinstance(name, str) or tables is None:
            return report(self.out, None)
        profile = Profile(
            name=name,
            tables=tuple(tables),
            conflict_detection=conflict,
            settings=settings,
            source=self.out.source,
        )
        return report(self.out, profile)

    def _bool(self, raw: dict[str, Any], key: str, path: KeyPath, *, default: bool) -> bool:
        value = raw.get(key, default)
        if not isinstance(value, bool):
            self.out.error((*path, key), TomlRule.TYPE, f"{key} is true or false, not {value!r}")
            return default
        return value

    def _settings(self, raw: object) -> AdminSettings:
        path: KeyPath = ("settings",)
        if not isinstance(raw, dict):
            self.out.error(path, TomlRule.TYPE, "settings is a table: [settings]")
            return AdminSettings()
        self.out.unknown_keys(raw, path, SETTINGS_KEYS)
        values = {k: self._bool(raw, k, path, default=True) for k in SETTINGS_KEYS}
        return AdminSettings(**values)

    def _tables(self, raw: object) -> tuple[list[TableProfile] | None, list[_Links]]:
        path: KeyPath = ("tables",)
        if raw is None or raw == []:
            msg = 'a profile needs at least one table: add [[tables]] with name = "…"'
            self.out.error(path, ProfileRule.NO_TABLES, msg)
            return None, []
        if not isinstance(raw, list):
            self.out.error(path, TomlRule.TYPE, "tables is a list: write one [[tables]] per table")
            return None, []
        if len(raw) > RECOMMENDED_TABLES:
            msg = f"{len(raw)} tables is above the recommended {RECOMMENDED_TABLES}"
            self.out.warning(path, ProfileRule.TABLE_COUNT, msg)
        tables: list[TableProfile] = []
        links: list[_Links] = []
        first_line: dict[str, int] = {}
        for i, entry in enumerate(raw):
            tpath: KeyPath = ("tables", i)
            if not isinstance(entry, dict):
                self.out.error(tpath, TomlRule.TYPE, "each table is a [[tables]] section")
                continue
            name = entry.get("name")
            if isinstance(name, str):
                if name in first_line:
                    msg = f"table {name} is declared twice; first at line {first_line[name]}"
                    self.out.error((*tpath, "name"), ProfileRule.DUPLICATE_TABLE, msg)
                first_line.setdefault(name, self.out.line(tpath))
            table, rels = self._table(entry, tpath)
            if rels is not None:
                links.append(rels)
            if table is not None:
                tables.append(table)
        return (tables if len(tables) == len(raw) else None), links

    def _table(
        self, raw: dict[str, Any], path: KeyPath
    ) -> tuple[TableProfile | None, _Links | None]:
        errors_before = self.out.error_count()
        self.out.unknown_keys(raw, path, TABLE_KEYS)
        name = raw.get("name")
        known: str | None = None
        if not isinstance(name, str):
            self.out.error(path, TomlRule.REQUIRED, 'each table needs name = "<table>"')
        elif self.schema.has_table(name):
            known = name
        else:
            msg = f"unknown table {name!r}{did_you_mean(name, self.schema.tables)}"
            self.out.error((*path, "name"), ProfileRule.UNKNOWN_TABLE, msg)
        interval = self._interval(raw, path)
        raw_rels = raw.get("relationships", [])
        links = None
        if isinstance(name, str):
            links = _Links(name, self._relationships(raw_rels, path, name))
        flt: Filter | None = AllRows()
        if "filter" in raw:
            reader = FilterReader(
                self.out,
                self.schema,
                known,
                tuple(rel for rel, _ in links.rels) if links else (),
                _named_tables(raw_rels),
            )
            flt = reader.read(raw["filter"], (*path, "filter"))
        if links is None:
            return None, None
        if interval is None or flt is None or self.out.error_count() > errors_before:
            return None, links
        rels = tuple(rel for rel, _ in links.rels)
        return TableProfile(links.table, interval, flt, rels, self.out.line(path)), links

    def _interval(self, raw: dict[str, Any], path: KeyPath) -> int | None:
        value = raw.get("interval_minutes")
        ipath = (*path, "interval_minutes")
        if value is None:
            msg = (
                f"each table needs interval_minutes ({MIN_INTERVAL_MINUTES}–{MAX_INTERVAL_MINUTES})"
            )
            self.out.error(path, TomlRule.REQUIRED, msg)
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            self.out.error(
                ipath, TomlRule.TYPE, f"interval_minutes is whole minutes, not {value!r}"
            )
            return None
        allowed = f"(allowed {MIN_INTERVAL_MINUTES}–{MAX_INTERVAL_MINUTES})"
        if value < MIN_INTERVAL_MINUTES:
            msg = f"sync interval {value} is below {MIN_INTERVAL_MINUTES} minutes {allowed}"
        elif value > MAX_INTERVAL_MINUTES:
            msg = f"sync interval {value} is above {MAX_INTERVAL_MINUTES} minutes {allowed}"
        else:
            return value
        self.out.error(ipath, ProfileRule.INTERVAL, msg)
        return None

    def _relationships(
        self, raw: object, path: KeyPath, table: str
    ) -> list[tuple[Relationship, KeyPath]]:
        rpath: KeyPath = (*path, "relationships")
        if not isinstance(raw, list):
            self.out.error(rpath, TomlRule.TYPE, 'relationships is a list of { table = "…", … }')
            return []
        if len(raw) > MAX_RELATIONSHIPS:
            msg = f"{table} has {len(raw)} relationships; at most {MAX_RELATIONSHIPS} are allowed"
            self.out.error(rpath, ProfileRule.RELATIONSHIP_COUNT, msg)
        found: list[tuple[Relationship, KeyPath]] = []
        for j, entry in enumerate(raw):
            rel = self._relationship(entry, (*rpath, j), table)
            if rel is None:
                continue
            if any(rel == seen for seen, _ in found):
                msg = f"relationship to {rel.table} via {rel.column} is declared twice"
                self.out.error((*rpath, j), ProfileRule.DUPLICATE_RELATIONSHIP, msg)
                continue
            found.append((rel, (*rpath, j)))
        return found

    def _relationship(self, raw: object, path: KeyPath, table: str) -> Relationship | None:
        if not isinstance(raw, dict):
            msg = 'a relationship is { table = "…", column = "…" }'
            self.out.error(path, TomlRule.TYPE, msg)
            return None
        errors_before = self.out.error_count()
        self.out.unknown_keys(raw, path, RELATIONSHIP_KEYS)
        other, column = raw.get("table"), raw.get("column")
        direction = raw.get("direction", Direction.MANY_TO_ONE.value)
        if not isinstance(other, str) or not isinstance(column, str):
            msg = 'a relationship needs table = "<related table>" and column = "<lookup column>"'
            self.out.error(path, TomlRule.REQUIRED, msg)
            return None
        if direction not in {d.value for d in Direction}:
            msg = f"direction {direction!r} is unknown; use many_to_one or one_to_many"
            self.out.error((*path, "direction"), TomlRule.TYPE, msg)
            return None
        rel = Relationship(other, column, Direction(direction))
        if other == table:
            msg = f"{table} is related to itself; a table cannot be its own related table"
            self.out.error((*path, "table"), ProfileRule.SELF_RELATIONSHIP, msg)
        elif self.schema.has_table(table) and self.schema.has_table(other):
            self._lookup(rel, path, table)
        return rel if self.out.error_count() == errors_before else None

    def _lookup(self, rel: Relationship, path: KeyPath, table: str) -> None:
        """The lookup column must exist and point from one table to the other."""
        many_to_one = rel.direction is Direction.MANY_TO_ONE
        holder, target = (table, rel.table) if many_to_one else (rel.table, table)
        other_side, flipped = (rel.table, "one_to_many") if many_to_one else (table, "many_to_one")
        flip = ""
        if self.schema.has_column(other_side, rel.column):
            back = self.schema.column(other_side, rel.column)
            if back.target == (table if many_to_one else rel.table):
                flip = f"; the column is on {other_side}: use direction = {flipped!r}"
        if not self.schema.has_column(holder, rel.column):
            hint = flip or did_you_mean(rel.column, self.schema.tables[holder].columns)
            msg = f"{holder} has no column {rel.column!r}{hint}"
            rule = ProfileRule.UNKNOWN_COLUMN
        else:
            col = self.schema.column(holder, rel.column)
            if col.type is ColumnType.LOOKUP and col.target == target:
                return
            what = f"looks up {col.target}" if col.type is ColumnType.LOOKUP else f"is {col.type}"
            msg = f"{holder}.{rel.column} {what}, not a lookup to {target}{flip}"
            rule = ProfileRule.RELATIONSHIP_LOOKUP
        self.out.error((*path, "column"), rule, msg)

    def _cross_checks(self, links: list[_Links]) -> None:
        graph: dict[str, list[tuple[str, KeyPath]]] = {link.table: [] for link in links}
        held = graph.keys()
        for link in links:
            for rel, path in link.rels:
                if rel.table not in held:
                    msg = (
                        f"{link.table} is related to {rel.table}, which the profile does not "
                        f'hold; add a [[tables]] entry with name = "{rel.table}" or remove it'
                    )
                    self.out.error((*path, "table"), ProfileRule.RELATIONSHIP_TARGET, msg)
                elif rel.table != link.table:
                    graph[link.table].append((rel.table, path))
        for cycle, path in _cycles(graph):
            msg = f"circular relationships: {' → '.join(cycle)}; remove one of them"
            self.out.error(path, ProfileRule.RELATIONSHIP_CYCLE, msg)


def _named_tables(raw: object) -> frozenset[str]:
    """The tables a ``relationships`` entry names, whether or not it is valid."""
    if not isinstance(raw, list):
        return frozenset()
    return frozenset(
        e["table"] for e in raw if isinstance(e, dict) and isinstance(e.get("table"), str)
    )


def _cycles(graph: dict[str, list[tuple[str, KeyPath]]]) -> list[tuple[list[str], KeyPath]]:
    """Each cycle found by depth-first search, with the path of the edge that closes it."""
    found: list[tuple[list[str], KeyPath]] = []
    done: set[str] = set()
    stack: list[str] = []

    def visit(node: str) -> None:
        stack.append(node)
        for nxt, path in graph.get(node, []):
            if nxt in stack:
                found.append(([*stack[stack.index(nxt) :], nxt], path))
            elif nxt not in done:
                visit(nxt)
        stack.pop()
        done.add(node)

    for node in graph:
        if node not in done:
            visit(node)
    return found
