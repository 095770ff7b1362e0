"""The Dynamics 365 Field Service tables the engine knows, with their columns and types.

The catalog ships as ``syncengine/data/fieldservice_schema.toml``. Profiles are validated against
it (unknown tables and columns, lookups that do not point where a relationship says), and the
server uses it to know which tables exist. Every table implicitly has ``id``, ``ownerid`` and
``modifiedon``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from syncengine.errors import SyncengineError

SCHEMA_RESOURCE = "fieldservice_schema.toml"
"""File name of the built-in catalog inside ``syncengine/data``."""


class ColumnType(StrEnum):
    """The type of a column's values."""

    TEXT = "text"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    DATETIME = "datetime"
    """ISO-8601 text; the first 10 characters are the calendar day."""
    LOOKUP = "lookup"
    """The id of a row of ``Column.target``."""


@dataclass(frozen=True)
class Column:
    """One column of a table."""

    name: str
    """Logical column name, e.g. ``msdyn_systemstatus``."""
    type: ColumnType
    """The type of its values."""
    target: str | None = None
    """For lookups: the table whose ids the column holds."""
    choices: Mapping[int, str] = field(default_factory=lambda: MappingProxyType({}))
    """For option sets: value → label (e.g. 690970000 → "Open - Unscheduled"); empty otherwise."""


@dataclass(frozen=True)
class TableSchema:
    """One table of the catalog."""

    name: str
    """Logical table name, e.g. ``msdyn_workorder``."""
    label: str
    """Display name, e.g. "Work Order"."""
    columns: Mapping[str, Column]
    """Every column by name, the implicit ``id``/``ownerid``/``modifiedon`` included."""


IMPLICIT_COLUMNS: tuple[Column, ...] = (
    Column("id", ColumnType.TEXT),
    Column("ownerid", ColumnType.LOOKUP, target="systemuser"),
    Column("modifiedon", ColumnType.DATETIME),
)
"""Columns every table has."""


@dataclass(frozen=True)
class Schema:
    """A catalog of tables. Immutable; look tables and columns up by logical name."""

    tables: Mapping[str, TableSchema]
    """Every table by name."""

    def has_table(self, table: str) -> bool:
        """True when the catalog knows ``table``."""
        return table in self.tables

    def has_column(self, table: str, column: str) -> bool:
        """True when ``table`` is known and has ``column``."""
        known = self.tables.get(table)
        return known is not None and column in known.columns

    def column(self, table: str, column: str) -> Column:
        """The column; KeyError when the table or the column is unknown."""
        return self.tables[table].columns[column]

    def column_type(self, table: str, column: str) -> ColumnType:
        """The column's type; KeyError when the table or the column is unknown."""
        return self.column(table, column).type


def parse_schema(text: str, *, source: str = "<schema>") -> Schema:
    """Build a schema from catalog TOML (the format of ``fieldservice_schema.toml``)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SyncengineError(f"{source}: invalid TOML: {exc}") from exc
    raw_tables = data.get("tables")
    if not isinstance(raw_tables, dict) or not raw_tables:
        raise SyncengineError(f"{source}: needs a [tables.<name>] section per table")
    tables = {
        name: _table(name, raw, source) for name, raw in raw_tables.items() if isinstance(raw, dict)
    }
    for table in tables.values():
        for col in table.columns.values():
            if col.target is not None and col.target not in tables and col not in IMPLICIT_COLUMNS:
                raise SyncengineError(
                    f"{source}: {table.name}.{col.name} looks up unknown table {col.target!r}"
                )
    return Schema(MappingProxyType(tables))


def _table(name: str, raw: dict[str, Any], source: str) -> TableSchema:
    columns = {c.name: c for c in IMPLICIT_COLUMNS}
    for col_name, spec in raw.get("columns", {}).items():
        columns[col_name] = _column(f"{name}.{col_name}", col_name, spec, source)
    return TableSchema(name, str(raw.get("label", name)), MappingProxyType(columns))


def _column(where: str, name: str, spec: object, source: str) -> Column:
    if isinstance(spec, str):
        spec = {"type": spec}
    if not isinstance(spec, dict):
        raise SyncengineError(f"{source}: {where} must be a type name or an inline table")
    try:
        kind = ColumnType(str(spec.get("type")))
    except ValueError:
        allowed = ", ".join(t.value for t in ColumnType)
        raise SyncengineError(
            f"{source}: {where} has type {spec.get('type')!r}; use one of {allowed}"
        ) from None
    target = spec.get("target")
    if (kind is ColumnType.LOOKUP) != isinstance(target, str):
        raise SyncengineError(f"{source}: {where}: a lookup, and only a lookup, names a target")
    choices = {int(value): str(label) for value, label in spec.get("choices", {}).items()}
    return Column(name, kind, target, MappingProxyType(choices))


@cache
def default_schema() -> Schema:
    """The built-in Field Service catalog (parsed once)."""
    text = resources.files("syncengine").joinpath("data", SCHEMA_RESOURCE).read_text("utf-8")
    return parse_schema(text, source=SCHEMA_RESOURCE)
