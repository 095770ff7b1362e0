"""A table's record filter in TOML, read and checked against the schema, and written back.

The TOML forms:

- ``"all"`` (or no ``filter`` key): every row → ``AllRows``;
- ``{ owner = "user" }``: rows the signed-in user owns → ``OwnedByUser``;
- ``{ column = "…", op = "…", value = … }`` or, for date windows, ``{ column, op, days }``
  → ``Condition``;
- ``{ related = "…", column, op, value }`` (``via = "<lookup column>"`` when the table has
  more than one relationship to that table): the condition on a column of a related table,
  through a relationship the table declares → ``Related``;
- ``{ all = [ … ] }``, ``{ any = [ … ] }``, ``{ not = { … } }`` → ``Group`` / ``Not``.

Depth counts ``all``/``any``/``not`` levels: a bare condition is 0, ``{ all = [cond] }`` is 1;
at most ``MAX_FILTER_DEPTH`` (3).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from typing import Literal, cast

from syncengine.profile.limits import MAX_FILTER_DEPTH
from syncengine.profile.model import (
    RELATIVE_OPS,
    VALUELESS_OPS,
    AllRows,
    Condition,
    Filter,
    Group,
    Not,
    Op,
    OwnedByUser,
    Related,
    Relationship,
    Scalar,
)
from syncengine.profile.problems import ProfileRule
from syncengine.schema import Column, ColumnType, Schema
from vocabulary.problems import Collector, TomlRule, did_you_mean
from vocabulary.toml_lines import KeyPath

CONDITION_KEYS = ("column", "op", "value", "days")
"""Keys of a condition."""
RELATED_KEYS = ("related", "via", *CONDITION_KEYS)
"""Keys of a condition on a related table."""
FILTER_KINDS = ("column", "owner", "related", "all", "any", "not")
"""The key that tells which kind of filter an inline table is."""
_OP_NAMES = tuple(op.value for op in Op)
_ORDERED_OPS = frozenset({Op.GT, Op.GE, Op.LT, Op.LE})
_UNORDERED_TYPES = frozenset({ColumnType.BOOL, ColumnType.LOOKUP})
_TYPE_WORDS = {
    ColumnType.TEXT: "text",
    ColumnType.LOOKUP: "a record id (text)",
    ColumnType.INT: "a whole number",
    ColumnType.FLOAT: "a number",
    ColumnType.BOOL: "true or false",
    ColumnType.DATETIME: 'an ISO date or date-time such as "2024-05-01"',
}


@dataclass(frozen=True)
class FilterReader:
    """Reads one table's filter, reporting problems to ``out``."""

    out: Collector
    """Where problems go."""
    schema: Schema
    """The catalog columns are checked against."""
    table: str | None
    """The table the filter selects from; None when the schema does not know it."""
    relationships: tuple[Relationship, ...] = ()
    """The table's valid declared relationships: related filters go through one of them."""
    declared: frozenset[str] = frozenset()
    """Every table its relationship entries name, valid or not (a broken relationship is
    reported once, as itself, not again by the filters that use it)."""

    def read(self, raw: object, path: KeyPath, depth: int = 0) -> Filter | None:
        """The filter at ``path``, or None when it has errors (all of them reported)."""
        if isinstance(raw, str):
            if raw == "all":
                return AllRows()
            self.out.error(path, ProfileRule.FILTER, f"filter {raw!r} is unknown; {_FORMS}")
            return None
        if not isinstance(raw, dict):
            self.out.error(
                path, ProfileRule.FILTER, f"a filter is a string or inline table; {_FORMS}"
            )
            return None
        if "related" in raw:
            return self._related(raw, path)
        if "column" in raw or "op" in raw:
            return self._condition(raw, path, self.table, CONDITION_KEYS)
        if "owner" in raw:
            self.out.unknown_keys(raw, path, ["owner"])
            if raw["owner"] != "user":
                msg = f'owner = {raw["owner"]!r} is not supported; write {{ owner = "user" }}'
                self.out.error((*path, "owner"), ProfileRule.FILTER, msg)
                return None
            return OwnedByUser() if len(raw) == 1 else None
        kinds = [k for k in ("all", "any", "not") if k in raw]
        if not kinds:
            keys = ", ".join(repr(k) for k in raw)
            hint = next((h for k in raw if (h := did_you_mean(k, FILTER_KINDS))), "")
            self.out.error(
                path, ProfileRule.FILTER, f"filter with keys {keys} is unknown{hint}; {_FORMS}"
            )
            return None
        if len(raw) > 1:
            others = ", ".join(repr(k) for k in raw if k != kinds[0])
            msg = f"{kinds[0]!r} stands alone in its inline table; move {others} inside it"
            self.out.error(path, ProfileRule.FILTER, msg)
            return None
        if depth >= MAX_FILTER_DEPTH:
            msg = (
                f"filter nests {depth + 1} levels deep here; at most {MAX_FILTER_DEPTH} levels of "
                "all/any/not are allowed"
            )
            self.out.error(path, ProfileRule.FILTER_DEPTH, msg)
            return None
        kind = kinds[0]
        inner = raw[kind]
        if kind == "not":
            item = self.read(inner, (*path, "not"), depth + 1)
            return None if item is None else Not(item)
        if not isinstance(inner, list) or not inner:
            msg = (
                f'{kind} takes a non-empty list of filters, e.g. {kind} = [ {{ owner = "user" }} ]'
            )
            self.out.error((*path, kind), ProfileRule.FILTER, msg)
            return None
        items = [self.read(item, (*path, kind, i), depth + 1) for i, item in enumerate(inner)]
        if any(item is None for item in items):
            return None
        return Group(cast(Literal["all", "any"], kind), tuple(cast(list[Filter], items)))

    def _related(self, raw: dict[str, object], path: KeyPath) -> Related | None:
        """``{ related, [via,] column, op, value }``: a condition on a related table's column."""
        errors_before = self.out.error_count()
        other, via = raw.get("related"), raw.get("via")
        rel: Relationship | None = None
        known: str | None = None
        if not isinstance(other, str):
            msg = 'related names a related table, e.g. related = "bookingstatus"'
            self.out.error((*path, "related"), TomlRule.TYPE, msg)
        elif not self.schema.has_table(other):
            msg = f"unknown table {other!r}{did_you_mean(other, self.schema.tables)}"
            self.out.error((*path, "related"), ProfileRule.UNKNOWN_TABLE, msg)
        else:
            known = other
            rel = self._through(other, via, path)
        cond = self._condition(raw, path, known, RELATED_KEYS)  # reports unknown keys too
        if cond is None or rel is None or self.out.error_count() > errors_before:
            return None
        return Related(rel, cond)

    def _through(self, other: str, via: object, path: KeyPath) -> Relationship | None:
        """The declared relationship to ``other`` a related filter goes through."""
        if self.table is None:
            return None  # an unknown table is reported on its own
        if other == self.table:
            msg = (
                f"{other} is this filter's own table: write {{ column, op, value }} without related"
            )
            self.out.error((*path, "related"), ProfileRule.RELATED_FILTER, msg)
            return None
        candidates = [r for r in self.relationships if r.table == other]
        if not candidates:
            if other in self.declared:
                return None  # declared but broken: reported as a relationship problem
            msg = (
                f"{self.table} declares no relationship to {other}; a filter reads a related "
                f"table only through one: {self._suggest(other)}"
            )
            self.out.error((*path, "related"), ProfileRule.RELATED_FILTER, msg)
            return None
        if via is not None:
            if not isinstance(via, str):
                msg = f'via is the lookup column of the relationship, e.g. via = "{other}"'
                self.out.error((*path, "via"), TomlRule.TYPE, msg)
                return None
            for rel in candidates:
                if rel.column == via:
                    return rel
            declared = ", ".join(repr(r.column) for r in candidates)
            msg = f"{self.table} declares no relationship to {other} via {via!r} ({declared})"
            self.out.error((*path, "via"), ProfileRule.RELATED_FILTER, msg)
            return None
        if len(candidates) == 1:
            return candidates[0]
        cols = ", ".join(repr(r.column) for r in candidates)
        msg = (
            f"{self.table} relates to {other} through {len(candidates)} relationships ({cols}); "
            f'say which with via = "{candidates[0].column}"'
        )
        self.out.error((*path, "related"), ProfileRule.RELATED_FILTER, msg)
        return None

    def _suggest(self, other: str) -> str:
        assert self.table is not None
        mine = self.schema.tables[self.table].columns.values()
        theirs = self.schema.tables[other].columns.values()
        for c in mine:
            if c.target == other and c.name != "ownerid":
                return f'add {{ table = "{other}", column = "{c.name}" }} to its relationships'
        for c in theirs:
            if c.target == self.table and c.name != "ownerid":
                return (
                    f'add {{ table = "{other}", column = "{c.name}", direction = "one_to_many" }}'
                    " to its relationships"
                )
        return f"no lookup links {self.table} and {other} in the schema"

    def _condition(
        self, raw: dict[str, object], path: KeyPath, table: str | None, keys: tuple[str, ...]
    ) -> Condition | None:
        """``{ column, op, value }`` on a column of ``table`` (unchecked when it is unknown)."""
        errors_before = self.out.error_count()
        self.out.unknown_keys(raw, path, keys)
        column, op_text = raw.get("column"), raw.get("op")
        col: Column | None = None
        if not isinstance(column, str):
            self.out.error(path, TomlRule.REQUIRED, 'a condition needs column = "<column name>"')
        elif table is not None:
            if self.schema.has_column(table, column):
                col = self.schema.column(table, column)
                if table != self.table:  # messages name a related table's column in full
                    col = replace(col, name=f"{table}.{column}")
            else:
                hint = did_you_mean(column, self.schema.tables[table].columns)
                msg = f"{table} has no column {column!r}{hint}"
                self.out.error((*path, "column"), ProfileRule.UNKNOWN_COLUMN, msg)
        op: Op | None = None
        if not isinstance(op_text, str):
            self.out.error(path, TomlRule.REQUIRED, f'a condition needs op = "<{"|".join(Op)}>"')
        elif op_text not in _OP_NAMES:
            hint = did_you_mean(op_text, _OP_NAMES) or f"; use one of {', '.join(Op)}"
            self.out.error((*path, "op"), ProfileRule.OP, f"unknown op {op_text!r}{hint}")
        else:
            op = Op(op_text)
        value = None
        if op is not None:
            value = self._operand(raw, path, op, col)
        if self.out.error_count() > errors_before or op is None or not isinstance(column, str):
            return None
        days = raw.get("days", 0)
        return Condition(column, op, value, days if isinstance(days, int) else 0)

    def _operand(
        self, raw: dict[str, object], path: KeyPath, op: Op, col: Column | None
    ) -> Scalar | tuple[Scalar, ...] | None:
        """Check ``value``/``days`` against ``op`` and the column; return the value."""
        if op in RELATIVE_OPS:
            days = raw.get("days")
            if not isinstance(days, int) or isinstance(days, bool):
                msg = f"op '{op}' needs whole days, e.g. days = 0 for today or later, -1 from "
                msg += "yesterday"
                self.out.error((*path, "days") if "days" in raw else path, TomlRule.VALUE, msg)
            if col is not None and col.type is not ColumnType.DATETIME:
                msg = f"op '{op}' compares dates, but {col.name} is {col.type}"
                self.out.error((*path, "op"), ProfileRule.OP, msg)
        elif "days" in raw:
            msg = f"days only goes with op 'on_or_after' or 'on_or_before', not '{op}'"
            self.out.error((*path, "days"), TomlRule.VALUE, msg)
        if op in VALUELESS_OPS:
            if "value" in raw:
                self.out.error(
                    (*path, "value"), TomlRule.VALUE, f"op '{op}' takes no value; remove it"
                )
            return None
        if col is not None and op in _ORDERED_OPS and col.type in _UNORDERED_TYPES:
            msg = f"op '{op}' does not apply to {col.name} ({col.type}); use eq, ne, in or not_in"
            self.out.error((*path, "op"), ProfileRule.OP, msg)
        if "value" not in raw:
            self.out.error(path, TomlRule.REQUIRED, f"op '{op}' needs a value")
            return None
        value, vpath = raw["value"], (*path, "value")
        if op in (Op.IN, Op.NOT_IN):
            if not isinstance(value, list) or not value:
                self.out.error(
                    vpath, TomlRule.VALUE, f"op '{op}' needs a list of values, e.g. value = [1, 2]"
                )
                return None
            items = [self._scalar(v, vpath, col) for v in value]
            return tuple(items) if all(i is not None for i in items) else None  # type: ignore[arg-type]
        if isinstance(value, list):
            self.out.error(
                vpath,
                TomlRule.VALUE,
                f"op '{op}' compares with one value, not a list; use in or not_in",
            )
            return None
        return self._scalar(value, vpath, col)

    def _scalar(self, value: object, path: KeyPath, col: Column | None) -> Scalar | None:
        if isinstance(value, dt.date | dt.datetime | dt.time):
            value = value.isoformat()
        if not isinstance(value, str | int | float | bool):
            self.out.error(
                path, TomlRule.VALUE, f"{value!r} is not a text, number or boolean value"
            )
            return None
        if col is None:
            return value
        if not _fits(value, col.type):
            msg = f"{col.name} takes {_TYPE_WORDS[col.type]}, not {_show(value)}"
            self.out.error(path, TomlRule.VALUE, msg)
            return None
        if col.choices and value not in col.choices:
            allowed = ", ".join(f"{v} ({label})" for v, label in col.choices.items())
            msg = f"{_show(value)} is not a {col.name} value; use one of {allowed}"
            self.out.error(path, TomlRule.VALUE, msg)
            return None
        return value


_FORMS = (
    'write "all", { owner = "user" }, { column, op, value }, { related, column, op, value }, '
    "or { all|any|not = … }"
)


def _fits(value: Scalar, kind: ColumnType) -> bool:
    if kind is ColumnType.BOOL:
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind is ColumnType.INT:
        return isinstance(value, int)
    if kind is ColumnType.FLOAT:
        return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))
    if not isinstance(value, str):
        return False
    if kind is ColumnType.DATETIME:
        try:
            dt.datetime.fromisoformat(value)
        except ValueError:
            return False
    return True


def _show(value: Scalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, str) else str(value)
