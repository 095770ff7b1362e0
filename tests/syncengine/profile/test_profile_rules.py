"""Each validation rule: the exact line, the rule, and a message that says how to correct it."""

from __future__ import annotations

import pytest

from syncengine.profile import ProfileError, parse_profile
from syncengine.profile.model import Condition, Group, Not, Op, OwnedByUser
from syncengine.schema import parse_schema
from vocabulary.problems import Problem


def where(problems: tuple[Problem, ...]) -> list[tuple[int, str]]:
    return [(p.line, p.rule.value) for p in problems]


def test_interval_below_minimum_names_file_line_and_rule(check):
    report = check(
        """
        name = "p"
        [[tables]]
        name = "account"
        interval_minutes = 2
        """
    )
    assert [str(p) for p in report.errors] == [
        "p.toml line 4: sync interval 2 is below 5 minutes (allowed 5–1440) [interval]"
    ]
    assert report.profile is None


def test_interval_above_maximum(check):
    report = check('name = "p"\n[[tables]]\nname = "account"\ninterval_minutes = 1441\n')
    assert where(report.errors) == [(4, "interval")]
    assert "sync interval 1441 is above 1440 minutes" in report.errors[0].message


@pytest.mark.parametrize("value", [5, 1440])
def test_interval_bounds_are_inclusive(check, value):
    report = check(f'name = "p"\n[[tables]]\nname = "account"\ninterval_minutes = {value}\n')
    assert report.ok
    assert report.profile is not None
    assert report.profile.tables[0].interval_minutes == value


@pytest.mark.parametrize("value", ['"5"', "5.0", "true"])
def test_interval_must_be_whole_minutes(check, value):
    report = check(f'name = "p"\n[[tables]]\nname = "account"\ninterval_minutes = {value}\n')
    assert where(report.errors) == [(4, "type")]


def test_missing_interval_is_reported_at_the_table_header(check):
    report = check(
        """
        name = "p"

        [[tables]]
        name = "account"
        interval_minute = 60
        """
    )
    assert where(report.errors) == [(3, "required"), (5, "unknown-key")]
    assert (
        report.errors[1].message
        == "unknown key 'interval_minute'; did you mean 'interval_minutes'?"
    )


def test_unknown_keys_everywhere_suggest_the_closest(check):
    report = check(
        """
        name = "p"
        conflict_detecton = true
        [settings]
        allow_wifi_onli = true
        [[tables]]
        name = "bookableresourcebooking"
        interval_minutes = 5
        filter = { column = "starttime", op = "on_or_after", day = 0 }
        relationships = [{ table = "msdyn_workorder", colum = "msdyn_workorder" }]
        [[tables]]
        name = "msdyn_workorder"
        interval_minutes = 5
        """
    )
    unknown = [(p.line, p.message) for p in report.errors if p.rule == "unknown-key"]
    assert unknown == [
        (2, "unknown key 'conflict_detecton'; did you mean 'conflict_detection'?"),
        (4, "unknown key 'allow_wifi_onli'; did you mean 'allow_wifi_only'?"),
        (8, "unknown key 'day'; did you mean 'days'?"),
        (9, "unknown key 'colum'; did you mean 'column'?"),
    ]


def test_unknown_key_without_a_close_match_lists_valid_keys(check):
    report = check('name = "p"\nzzz = 1\n[[tables]]\nname = "account"\ninterval_minutes = 60\n')
    assert where(report.errors) == [(2, "unknown-key")]
    assert "valid keys: name, conflict_detection, settings, tables" in report.errors[0].message


def test_unknown_table_suggests_the_closest(check):
    report = check('name = "p"\n[[tables]]\nname = "msdyn_wrkorder"\ninterval_minutes = 60\n')
    assert [str(p) for p in report.errors] == [
        "p.toml line 3: unknown table 'msdyn_wrkorder'; did you mean 'msdyn_workorder'? "
        "[unknown-table]"
    ]


def test_duplicate_table_points_at_the_first_declaration(check):
    report = check(
        """
        name = "p"
        [[tables]]
        name = "account"
        interval_minutes = 60

        [[tables]]
        name = "account"
        interval_minutes = 30
        """
    )
    assert where(report.errors) == [(7, "duplicate-table")]
    assert report.errors[0].message == "table account is declared twice; first at line 2"


def test_no_tables(check):
    report = check('name = "p"\n')
    assert where(report.errors) == [(0, "no-tables")]
    assert str(report.errors[0]).startswith("p.toml: a profile needs at least one table")


def test_missing_name_and_wrong_types(check):
    report = check(
        """
        conflict_detection = "no"
        [settings]
        allow_online_mode = 1
        [[tables]]
        name = "account"
        interval_minutes = 60
        """
    )
    assert where(report.errors) == [(0, "required"), (1, "type"), (3, "type")]


def test_unknown_column_in_a_nested_filter_is_on_its_own_line(check):
    report = check(
        """
        name = "p"
        [[tables]]
        name = "bookableresourcebooking"
        interval_minutes = 5
        filter = { all = [
          { owner = "user" },
          { any = [
            { column = "endtime", op = "not_null" },
            { column = "startime", op = "on_or_after", days = 0 },
          ] },
        ] }
        """
    )
    assert [str(p) for p in report.errors] == [
        "p.toml line 9: bookableresourcebooking has no column 'startime'; did you mean "
        "'starttime'? [unknown-column]"
    ]


def _nested(levels: int) -> str:
    inner = '{ owner = "user" }'
    for i in range(levels):
        inner = f"{{ not = {inner} }}" if i % 2 else f"{{ all = [\n  {inner},\n] }}"
    return inner


def test_filter_depth_three_is_allowed_and_counts_groups_and_nots(check):
    head = 'name = "p"\n[[tables]]\nname = "account"\ninterval_minutes = 60\n'
    text = f"{head}filter = {_nested(3)}\n"
    report = check(text)
    assert report.ok, report.errors
    flt = report.profile.tables[0].filter
    assert flt == Group("all", (Not(Group("all", (OwnedByUser(),))),))


def test_filter_depth_four_is_reported_at_the_fourth_level(check):
    report = check(
        """
        name = "p"
        [[tables]]
        name = "account"
        interval_minutes = 60
        filter = { all = [
          { any = [
            { owner = "user" },
            { all = [
              { owner = "user" },
              { not = { owner = "user" } },
            ] },
          ] },
        ] }
        """
    )
    assert [str(p) for p in report.errors] == [
        "p.toml line 10: filter nests 4 levels deep here; at most 3 levels of all/any/not are "
        "allowed [filter-depth]"
    ]


@pytest.mark.parametrize(
    ("condition", "rule", "message"),
    [
        (
            '{ column = "msdyn_systemstatus", op = "after", value = 1 }',
            "op",
            "unknown op 'after'; did you mean 'on_or_after'?",
        ),
        (
            '{ column = "msdyn_systemstatus", op = "in", value = 690970000 }',
            "value",
            "op 'in' needs a list of values, e.g. value = [1, 2]",
        ),
        (
            '{ column = "msdyn_systemstatus", op = "not_in", value = [] }',
            "value",
            "op 'not_in' needs a list of values, e.g. value = [1, 2]",
        ),
        (
            '{ column = "msdyn_systemstatus", op = "eq", value = [690970000] }',
            "value",
            "op 'eq' compares with one value, not a list; use in or not_in",
        ),
        (
            '{ column = "msdyn_timefrompromised", op = "on_or_after" }',
            "value",
            "op 'on_or_after' needs whole days, e.g. days = 0 for today or later",
        ),
        (
            '{ column = "msdyn_timefrompromised", op = "on_or_before", days = 1.5 }',
            "value",
            "op 'on_or_before' needs whole days, e.g. days = 0 for today or later",
        ),
        (
            '{ column = "msdyn_name", op = "eq", value = "x", days = 1 }',
            "value",
            "days only goes with op 'on_or_after' or 'on_or_before', not 'eq'",
        ),
        (
            '{ column = "msdyn_name", op = "null", value = "x" }',
            "value",
            "op 'null' takes no value; remove it",
        ),
        ('{ column = "msdyn_name", op = "eq" }', "required", "op 'eq' needs a value"),
        (
            '{ column = "msdyn_systemstatus", op = "eq", value = "Completed" }',
            "value",
            "msdyn_systemstatus takes a whole number, not 'Completed'",
        ),
        (
            '{ column = "msdyn_systemstatus", op = "eq", value = 1 }',
            "value",
            "1 is not a msdyn_systemstatus value; use one of 690970000 (Open - Unscheduled), "
            "690970001 (Open - Scheduled), 690970002 (Open - In Progress), 690970003 (Open - "
            "Completed), 690970004 (Closed - Posted), 690970005 (Closed - Canceled)",
        ),
        (
            '{ column = "msdyn_totalamount", op = "gt", value = true }',
            "value",
            "msdyn_totalamount takes a number, not true",
        ),
        (
            '{ column = "msdyn_timefrompromised", op = "ge", value = "soon" }',
            "value",
            'msdyn_timefrompromised takes an ISO date or date-time such as "2024-05-01", '
            "not 'soon'",
        ),
        (
            '{ column = "msdyn_name", op = "on_or_after", days = 0 }',
            "op",
            "op 'on_or_after' compares dates, but msdyn_name is text",
        ),
        (
            '{ column = "msdyn_serviceaccount", op = "gt", value = "a" }',
            "op",
            "op 'gt' does not apply to msdyn_serviceaccount (lookup); use eq, ne, in or not_in",
        ),
        ('{ op = "eq", value = 1 }', "required", 'a condition needs column = "<column name>"'),
        ('{ colum = "msdyn_name" }', "filter", "filter with keys 'colum' is unknown; did you"),
        ('"everything"', "filter", "filter 'everything' is unknown; write \"all\""),
        (
            '{ owner = "team" }',
            "filter",
            "owner = 'team' is not supported; write { owner = \"user\" }",
        ),
        ("{ all = [] }", "filter", "all takes a non-empty list of filters"),
        (
            '{ all = [{ owner = "user" }], any = [{ owner = "user" }] }',
            "filter",
            "'all' stands alone in its inline table; move 'any' inside it",
        ),
    ],
)
def test_condition_rules(check, condition, rule, message):
    report = check(
        f"""
        name = "p"
        [[tables]]
        name = "msdyn_workorder"
        interval_minutes = 5
        filter = {condition}
        """
    )
    assert where(report.errors) == [(5, rule)], report.errors
    assert report.errors[0].message.startswith(message)


def test_value_types_that_fit_are_accepted(check):
    report = check(
        """
        name = "p"
        [[tables]]
        name = "msdyn_workorder"
        interval_minutes = 5
        filter = { all = [
          { column = "msdyn_totalamount", op = "ge", value = 10 },
          { column = "msdyn_timefrompromised", op = "le", value = 2024-05-01 },
          { column = "msdyn_name", op = "in", value = ["a", "b"] },
          { column = "msdyn_customerasset", op = "null" },
        ] }
        """
    )
    assert report.ok, report.errors
    items = report.profile.tables[0].filter.items
    assert items[1] == Condition("msdyn_timefrompromised", Op.LE, "2024-05-01")
    assert items[2] == Condition("msdyn_name", Op.IN, ("a", "b"))


def test_relationship_rules(check):
    report = check(
        """
        name = "p"
        [[tables]]
        name = "bookableresourcebooking"
        interval_minutes = 5
        relationships = [
          { table = "bookableresourcebooking", column = "msdyn_workorder" },
          { table = "msdyn_workorder", column = "resource" },
          { table = "bookableresource", column = "resource" },
          { table = "msdyn_workorder", column = "msdyn_workordr" },
          { table = "msdyn_workorder", column = "msdyn_workorder", direction = "sideways" },
          { table = "msdyn_timeentry", column = "msdyn_bookableresourcebooking" },
          { table = "msdyn_workorder", column = "msdyn_workorder" },
          { table = "msdyn_workorder", column = "msdyn_workorder" },
        ]
        [[tables]]
        name = "msdyn_workorder"
        interval_minutes = 5
        """
    )
    assert [(p.line, p.rule.value, p.message) for p in report.errors] == [
        (
            6,
            "self-relationship",
            "bookableresourcebooking is related to itself; a table cannot be its own related table",
        ),
        (
            7,
            "relationship-lookup",
            "bookableresourcebooking.resource looks up bookableresource, not a lookup to "
            "msdyn_workorder",
        ),
        (
            8,
            "relationship-target",
            "bookableresourcebooking is related to bookableresource, which the profile does not "
            'hold; add a [[tables]] entry with name = "bookableresource" or remove it',
        ),
        (
            9,
            "unknown-column",
            "bookableresourcebooking has no column 'msdyn_workordr'; did you mean "
            "'msdyn_workorder'?",
        ),
        (10, "type", "direction 'sideways' is unknown; use many_to_one or one_to_many"),
        (
            11,
            "unknown-column",
            "bookableresourcebooking has no column 'msdyn_bookableresourcebooking'; the column "
            "is on msdyn_timeentry: use direction = 'one_to_many'",
        ),
        (
            13,
            "duplicate-relationship",
            "relationship to msdyn_workorder via msdyn_workorder is declared twice",
        ),
    ]


def test_one_to_many_lookup_must_point_back_at_this_table(check):
    report = check(
        """
        name = "p"
        [[tables]]
        name = "msdyn_workorder"
        interval_minutes = 5
        relationships = [
          { table = "msdyn_timeentry", column = "msdyn_workorder", direction = "one_to_many" },
          { table = "msdyn_timeentry", column = "msdyn_start", direction = "one_to_many" },
        ]
        [[tables]]
        name = "msdyn_timeentry"
        interval_minutes = 15
        """
    )
    assert [str(p) for p in report.errors] == [
        "p.toml line 7: msdyn_timeentry.msdyn_start is datetime, not a lookup to "
        "msdyn_workorder [relationship-lookup]"
    ]


def test_relationship_cycle_reports_the_path(check):
    report = check(
        """
        name = "p"
        [[tables]]
        name = "msdyn_workorder"
        interval_minutes = 5
        [[tables.relationships]]
        table = "msdyn_workorderproduct"
        column = "msdyn_workorder"
        direction = "one_to_many"

        [[tables]]
        name = "msdyn_workorderproduct"
        interval_minutes = 15
        [[tables.relationships]]
        table = "msdyn_customerasset"
        column = "msdyn_customerasset"

        [[tables]]
        name = "msdyn_customerasset"
        interval_minutes = 60
        [[tables.relationships]]
        table = "msdyn_workorder"
        column = "msdyn_customerasset"
        direction = "one_to_many"
        """
    )
    assert [str(p) for p in report.errors] == [
        "p.toml line 20: circular relationships: msdyn_workorder → msdyn_workorderproduct → "
        "msdyn_customerasset → msdyn_workorder; remove one of them [relationship-cycle]"
    ]


def test_too_many_relationships(check):
    spokes = [f"spoke{i}" for i in range(16)]
    columns = "\n".join(
        f'columns.to{i} = {{ type = "lookup", target = "{s}" }}' for i, s in enumerate(spokes)
    )
    schema = parse_schema(f"[tables.hub]\n{columns}\n" + "".join(f"[tables.{s}]\n" for s in spokes))
    rels = "\n".join(f'  {{ table = "{s}", column = "to{i}" }},' for i, s in enumerate(spokes))
    tables = "".join(f'[[tables]]\nname = "{s}"\ninterval_minutes = 60\n' for s in spokes)
    head = 'name = "p"\n[[tables]]\nname = "hub"\ninterval_minutes = 5\nrelationships = [\n'
    text = f"{head}{rels}\n]\n{tables}"
    report = check(text, schema=schema)
    assert [str(p) for p in report.errors] == [
        "p.toml line 5: hub has 16 relationships; at most 15 are allowed [relationship-count]"
    ]
    fifteen = text.replace('  { table = "spoke15", column = "to15" },\n', "")
    assert check(fifteen, schema=schema).ok


def test_more_than_recommended_tables_is_a_warning_not_an_error(check):
    schema = parse_schema("".join(f"[tables.t{i}]\n" for i in range(101)))
    text = 'name = "big"\n' + "".join(
        f'[[tables]]\nname = "t{i}"\ninterval_minutes = 60\n' for i in range(101)
    )
    report = check(text, schema=schema)
    assert report.ok
    assert report.profile is not None
    assert [str(p) for p in report.warnings] == [
        "p.toml line 2: 101 tables is above the recommended 100 [table-count]"
    ]
    at_limit = text[: text.index('[[tables]]\nname = "t100"')]
    assert check(at_limit, schema=schema).warnings == ()


def test_syntax_error_carries_the_line(check):
    report = check('name = "p"\n\n[[tables]]\nname = "account"\ninterval_minutes = \n')
    assert [str(p) for p in report.errors] == [
        "p.toml line 5: invalid TOML: Invalid value (column 20) [toml-syntax]"
    ]


def test_every_error_is_collected_in_line_order(check):
    report = check(
        """
        name = "p"
        [[tables]]
        name = "accont"
        interval_minutes = 1
        [[tables]]
        name = "contact"
        interval_minutes = 99999
        filter = { column = "fullname", op = "like", value = "a" }
        """
    )
    assert where(report.errors) == [
        (3, "unknown-table"),
        (4, "interval"),
        (7, "interval"),
        (8, "op"),
    ]


def test_parse_profile_raises_with_every_problem_one_per_line():
    text = 'name = "p"\n[[tables]]\nname = "account"\ninterval_minutes = 1\nfilter = "some"\n'
    with pytest.raises(ProfileError) as info:
        parse_profile(text, source="mine.toml")
    assert str(info.value).splitlines() == [
        "mine.toml line 4: sync interval 1 is below 5 minutes (allowed 5–1440) [interval]",
        'mine.toml line 5: filter \'some\' is unknown; write "all", { owner = "user" }, '
        "{ column, op, value }, { related, column, op, value }, or { all|any|not = … } [filter]",
    ]
    assert [p.severity for p in info.value.problems] == ["error", "error"]


def test_inline_tables_array_form_has_lines_too(check):
    report = check(
        """
        name = "p"
        tables = [
          { name = "account", interval_minutes = 60 },
          { name = "contact", interval_minutes = 3 },
        ]
        """
    )
    assert where(report.errors) == [(4, "interval")]
