"""The built-in profile, loading from files, and the TOML round trip."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncengine.profile import (
    ProfileError,
    default_profile,
    default_profile_text,
    load_profile,
    parse_profile,
    render_profile,
    validate_profile,
    validate_text,
)
from syncengine.profile.filters import is_time_relative
from syncengine.profile.model import (
    RELATIVE_OPS,
    AdminSettings,
    AllRows,
    Condition,
    Direction,
    Group,
    Not,
    Op,
    OwnedByUser,
    Profile,
    Related,
    Relationship,
    TableProfile,
)
from syncengine.schema import Column, ColumnType, default_schema


def comparable(profile: Profile) -> Profile:
    """The profile without where it came from (source and lines)."""
    tables = tuple(dataclasses.replace(t, line=0) for t in profile.tables)
    return dataclasses.replace(profile, tables=tables, source="")


def test_default_profile_validates_clean():
    report = validate_text(default_profile_text(), source="default_profile.toml")
    assert report.errors == ()
    assert report.warnings == ()
    assert report.profile == default_profile()


def test_default_profile_covers_the_usual_tables_at_typical_intervals():
    profile = default_profile()
    assert profile.name == "Field Service Mobile - Offline Profile"
    assert profile.conflict_detection is False
    assert profile.settings == AdminSettings()
    for name in (
        "bookableresourcebooking",
        "msdyn_workorder",
        "account",
        "contact",
        "msdyn_customerasset",
        "product",
        "msdyn_workorderproduct",
        "msdyn_workorderservicetask",
    ):
        assert name in profile.table_names
    bookings = profile.table("bookableresourcebooking")
    assert 5 <= bookings.interval_minutes <= 15
    assert bookings.filter == Group(
        "all", (OwnedByUser(), Condition("starttime", Op.ON_OR_AFTER, days=0))
    )
    assert is_time_relative(bookings.filter)
    assert Relationship("msdyn_workorder", "msdyn_workorder") in bookings.relationships
    work_orders = profile.table("msdyn_workorder")
    assert (
        Relationship("msdyn_workorderproduct", "msdyn_workorder", Direction.ONE_TO_MANY)
        in work_orders.relationships
    )
    assert 60 <= profile.table("product").interval_minutes <= 1440
    assert all(t.line > 0 for t in profile.tables)


def test_default_profile_is_parsed_once():
    assert default_profile() is default_profile()


def test_rendered_default_parses_back_equal():
    again = parse_profile(render_profile(default_profile()))
    assert comparable(again) == comparable(default_profile())


def test_load_profile_reads_a_file_and_records_lines(write_profile):
    path = write_profile(
        """
        # my profile
        name = "Mine"
        conflict_detection = true

        [settings]
        allow_online_mode = false

        [[tables]]
        name = "account"
        interval_minutes = 60
        """
    )
    profile = load_profile(path)
    assert profile.source == str(path)
    assert profile.conflict_detection is True
    assert profile.settings == AdminSettings(allow_online_mode=False)
    assert profile.tables == (TableProfile("account", 60, AllRows(), (), line=8),)


def test_load_profile_raises_for_a_missing_file(tmp_path):
    missing = tmp_path / "nope.toml"
    with pytest.raises(ProfileError) as info:
        load_profile(missing)
    assert str(info.value) == f"{missing}: no such file [file]"
    assert validate_profile(tmp_path).errors[0].message == "is a folder, not a profile file"


def test_non_utf8_file_is_one_problem(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'name = "caf\xe9"\n')
    [problem] = validate_profile(path).errors
    assert problem.rule == "file"
    assert problem.message.startswith("is not UTF-8 text")


# --- round trip: valid profiles → TOML → the same profiles -----------------------------------

SCHEMA = default_schema()


def _values(col: Column) -> st.SearchStrategy[object]:
    if col.choices:
        return st.sampled_from(sorted(col.choices))
    match col.type:
        case ColumnType.INT:
            return st.integers(-(10**9), 10**9)
        case ColumnType.FLOAT:
            return st.floats(allow_nan=False, allow_infinity=False) | st.integers(-100, 100)
        case ColumnType.BOOL:
            return st.booleans()
        case ColumnType.DATETIME:
            return st.dates().map(lambda d: d.isoformat())
    return st.text(max_size=10)


@st.composite
def conditions(draw: st.DrawFn, table: str) -> Condition:
    col = draw(st.sampled_from(sorted(SCHEMA.tables[table].columns.values(), key=lambda c: c.name)))
    ops = [Op.EQ, Op.NE, Op.IN, Op.NOT_IN, Op.NULL, Op.NOT_NULL]
    if col.type not in (ColumnType.BOOL, ColumnType.LOOKUP):
        ops += [Op.GT, Op.GE, Op.LT, Op.LE]
    if col.type is ColumnType.DATETIME:
        ops += sorted(RELATIVE_OPS)
    op = draw(st.sampled_from(ops))
    if op in RELATIVE_OPS:
        return Condition(col.name, op, days=draw(st.integers(-365, 365)))
    if op in (Op.NULL, Op.NOT_NULL):
        return Condition(col.name, op)
    if op in (Op.IN, Op.NOT_IN):
        return Condition(col.name, op, tuple(draw(st.lists(_values(col), min_size=1, max_size=3))))
    return Condition(col.name, op, draw(_values(col)))


def filters(
    table: str, levels: int, rels: tuple[Relationship, ...] = ()
) -> st.SearchStrategy[object]:
    leaf = st.just(AllRows()) | st.just(OwnedByUser()) | conditions(table)
    if rels:  # conditions on a related table, through one of the declared relationships
        leaf |= st.sampled_from(rels).flatmap(
            lambda rel: conditions(rel.table).map(lambda c: Related(rel, c))
        )
    if levels == 0:
        return leaf
    inner = filters(table, levels - 1, rels)
    groups = st.builds(
        Group, st.sampled_from(["all", "any"]), st.lists(inner, min_size=1, max_size=3).map(tuple)
    )
    return leaf | groups | st.builds(Not, inner)


def _edges(a: str, b: str) -> list[Relationship]:
    """Every valid relationship from ``a`` to ``b`` in the catalog."""
    out = [Relationship(b, c.name) for c in SCHEMA.tables[a].columns.values() if c.target == b]
    out += [
        Relationship(b, c.name, Direction.ONE_TO_MANY)
        for c in SCHEMA.tables[b].columns.values()
        if c.target == a
    ]
    return out


@st.composite
def profiles(draw: st.DrawFn) -> Profile:
    names = draw(
        st.lists(st.sampled_from(sorted(SCHEMA.tables)), min_size=1, max_size=6, unique=True)
    )
    tables = []
    for i, name in enumerate(names):
        # only towards later tables: no cycles
        candidates = [rel for later in names[i + 1 :] for rel in _edges(name, later)]
        rels = (
            draw(st.lists(st.sampled_from(candidates), max_size=15, unique=True))
            if candidates
            else []
        )
        tables.append(
            TableProfile(
                name,
                draw(st.integers(5, 1440)),
                draw(filters(name, 3, tuple(rels))),
                tuple(rels),
            )
        )
    return Profile(
        name=draw(st.text(min_size=1, max_size=30).filter(str.strip)),
        tables=tuple(tables),
        conflict_detection=draw(st.booleans()),
        settings=AdminSettings(draw(st.booleans()), draw(st.booleans()), draw(st.booleans())),
        source="",
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles())
def test_round_trip_render_parse(profile):
    text = render_profile(profile)
    report = validate_text(text, source="rt.toml")
    assert report.errors == (), text
    parsed = report.profile
    assert comparable(parsed) == profile
    lines = text.split("\n")  # TOML lines end at \n only (not at U+0085 and the like)
    assert all(lines[t.line - 1] == "[[tables]]" for t in parsed.tables)
