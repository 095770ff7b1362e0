"""A table's record filter as a parameterised SQLite expression.

The server evaluates filters in SQL so that a table of 200,000 rows is filtered by SQLite, not
row by row in Python. Relative date windows are resolved against ``today`` at compile time, so
the same filter selects different rows on different days (S9: rows leave when they fall out).
A predicate on a related table is a correlated ``EXISTS`` over the server's current rows of
that table: one primary-key seek per row for many-to-one, one index seek (the relationship's
expression index) for one-to-many.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from syncengine.profile.model import (
    AllRows,
    Condition,
    Direction,
    Filter,
    Group,
    Not,
    Op,
    OwnedByUser,
    Related,
    Scalar,
)

ColumnSql = Callable[[str], str]
"""Maps a column name to the SQL expression that reads it."""

_COMPARE = {Op.EQ: "=", Op.NE: "<>", Op.GT: ">", Op.GE: ">=", Op.LT: "<", Op.LE: "<="}


def json_column(name: str) -> str:
    """Read ``name`` from the JSON ``fields`` column of the server's records."""
    return f"json_extract(fields, '$.\"{name}\"')"


def compile_filter(
    flt: Filter,
    *,
    user_id: str,
    today: date,
    column: ColumnSql = json_column,
    owner_sql: str = "owner",
    row: str = "records",
) -> tuple[str, list[Scalar]]:
    """``(sql, params)`` selecting the rows ``flt`` keeps for ``user_id`` on ``today``.

    ``row`` is the alias (or table name) of the filtered ``records`` row in the enclosing
    query: predicates on related tables refer to it from inside their subquery. Column names
    must already be validated against the schema: they are quoted, not bound.
    """
    params: list[Scalar] = []

    def emit(f: Filter) -> str:
        match f:
            case AllRows():
                return "1"
            case OwnedByUser():
                params.append(user_id)
                return f"{owner_sql} = ?"
            case Group(kind=kind, items=items):
                if not items:
                    return "1" if kind == "all" else "0"
                joiner = " AND " if kind == "all" else " OR "
                return "(" + joiner.join(emit(i) for i in items) + ")"
            case Not(item=item):
                return f"NOT COALESCE({emit(item)}, 0)"
            case Condition():
                return _condition(f, column(f.column), today, params)
            case Related():
                return _related(f, row, today, params)
        raise TypeError(f"not a filter: {f!r}")

    return emit(flt), params


def _condition(c: Condition, col: str, today: date, params: list[Scalar]) -> str:
    if c.op in _COMPARE:
        if isinstance(c.value, tuple) or c.value is None:
            raise TypeError(f"{c.op} on {c.column} needs one value, got {c.value!r}")
        params.append(c.value)
        return f"{col} {_COMPARE[c.op]} ?"
    if c.op in (Op.IN, Op.NOT_IN):
        values = c.value if isinstance(c.value, tuple) else (c.value,)
        params.extend(v for v in values if v is not None)
        marks = ", ".join("?" * len(values))
        return f"{col} {'IN' if c.op is Op.IN else 'NOT IN'} ({marks})"
    if c.op is Op.NULL:
        return f"{col} IS NULL"
    if c.op is Op.NOT_NULL:
        return f"{col} IS NOT NULL"
    # Dates are ISO-8601 text; the first 10 characters are the calendar day.
    params.append((today + timedelta(days=c.days)).isoformat())
    cmp = ">=" if c.op is Op.ON_OR_AFTER else "<="
    return f"substr({col}, 1, 10) {cmp} ?"


_REL = "rel_row"
"""Alias of the related table's row inside a related predicate's subquery."""


def _related(f: Related, row: str, today: date, params: list[Scalar]) -> str:
    rel, cond = f.relationship, f.condition
    params.append(rel.table)
    if rel.direction is Direction.MANY_TO_ONE:
        # the row's lookup holds the related row's id; only text equals an id exactly, as in
        # the relationship's own pull
        ref = _json_of(row, rel.column)
        link = f"typeof({ref})='text' AND {_REL}.id={ref}"
    else:
        # the related rows hold this row's id (text affinity, as the one-to-many pull compares)
        link = f"CAST({_json_of(_REL, rel.column)} AS TEXT)={row}.id"
    test = _condition(cond, _json_of(_REL, cond.column), today, params)
    return f"EXISTS (SELECT 1 FROM records {_REL} WHERE {_REL}.tbl=? AND {link} AND {test})"


def _json_of(alias: str, name: str) -> str:
    return json_column(name).replace("fields", f"{alias}.fields", 1)


def related_tables(flt: Filter) -> frozenset[str]:
    """The tables whose rows the filter reads through related predicates."""
    match flt:
        case Related(relationship=rel):
            return frozenset({rel.table})
        case Group(items=items):
            return frozenset().union(*(related_tables(i) for i in items))
        case Not(item=item):
            return related_tables(item)
    return frozenset()


def is_time_relative(flt: Filter) -> bool:
    """True when the filter's result depends on the day (a relative date window)."""
    match flt:
        case Condition(op=op):
            return op in (Op.ON_OR_AFTER, Op.ON_OR_BEFORE)
        case Related(condition=cond):
            return is_time_relative(cond)
        case Group(items=items):
            return any(is_time_relative(i) for i in items)
        case Not(item=item):
            return is_time_relative(item)
    return False
