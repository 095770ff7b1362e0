"""Filters that include related tables (S1, S3): read through a declared relationship, checked
like every other filter, each error at its own line with its rule."""

from __future__ import annotations

import pytest

from syncengine.profile import parse_profile, render_profile
from syncengine.profile.model import (
    Condition,
    Direction,
    Group,
    Not,
    Op,
    OwnedByUser,
    Related,
    Relationship,
)


def where(problems):
    return [(p.line, p.rule.value) for p in problems]


BOOKINGS = """
name = "p"

[[tables]]
name = "bookableresourcebooking"
interval_minutes = 5
filter = {{ all = [
  {{ owner = "user" }},
  {filter}
] }}
relationships = [
  {relationship}
]

[[tables]]
name = "bookingstatus"
interval_minutes = 1440
"""
"""Bookings of the user and a related filter at line 8; the relationships at line 11."""

TO_STATUS = '{ table = "bookingstatus", column = "bookingstatus" }'


def bookings(filter_text: str, relationship: str = TO_STATUS) -> str:
    return BOOKINGS.format(filter=filter_text, relationship=relationship)


def test_bookings_whose_status_is_not_completed(check):
    report = check(
        bookings(
            '{ related = "bookingstatus", column = "msdyn_fieldservicestatus", op = "ne", '
            "value = 690970004 },"
        )
    )
    assert report.ok, report.errors
    booking = report.profile.tables[0]
    assert booking.filter == Group(
        "all",
        (
            OwnedByUser(),
            Related(
                Relationship("bookingstatus", "bookingstatus"),
                Condition("msdyn_fieldservicestatus", Op.NE, 690970004),
            ),
        ),
    )


def test_one_to_many_and_nested_in_not(check):
    report = check(
        """
        name = "p"
        [[tables]]
        name = "msdyn_workorder"
        interval_minutes = 15
        filter = { not = { any = [
          { related = "msdyn_workorderproduct", column = "msdyn_quantity", op = "lt", value = 1 },
        ] } }
        relationships = [
        { table = "msdyn_workorderproduct", column = "msdyn_workorder", direction = "one_to_many" },
        ]
        [[tables]]
        name = "msdyn_workorderproduct"
        interval_minutes = 60
        """
    )
    assert report.ok, report.errors
    line_of_work = Related(
        Relationship("msdyn_workorderproduct", "msdyn_workorder", Direction.ONE_TO_MANY),
        Condition("msdyn_quantity", Op.LT, 1),
    )
    assert report.profile.tables[0].filter == Not(Group("any", (line_of_work,)))


def test_via_chooses_between_two_relationships_and_the_filter_renders_back(check):
    billed = '{ related = "account", via = "msdyn_billingaccount", column = "statecode", '
    billed += 'op = "eq", value = 0 }'
    report = check(
        f"""
        name = "p"
        [[tables]]
        name = "msdyn_workorder"
        interval_minutes = 15
        filter = {billed}
        relationships = [
          {{ table = "account", column = "msdyn_serviceaccount" }},
          {{ table = "account", column = "msdyn_billingaccount" }},
        ]
        [[tables]]
        name = "account"
        interval_minutes = 60
        """
    )
    assert report.ok, report.errors
    profile = report.profile
    billed_to_active = Related(
        Relationship("account", "msdyn_billingaccount"), Condition("statecode", Op.EQ, 0)
    )
    assert profile.tables[0].filter == billed_to_active
    text = render_profile(profile)
    assert f"filter = {billed}" in text
    again = parse_profile(text)
    assert [(t.filter, t.relationships) for t in again.tables] == [
        (t.filter, t.relationships) for t in profile.tables
    ]


@pytest.mark.parametrize(
    ("filter_text", "relationship", "rule", "message"),
    [
        (
            '{ related = "bookingstatus", column = "name", op = "ne", value = "Completed" },',
            "",
            "related-filter",
            "bookableresourcebooking declares no relationship to bookingstatus; a filter reads "
            'a related table only through one: add { table = "bookingstatus", column = '
            '"bookingstatus" } to its relationships',
        ),
        (
            '{ related = "bookingstatuss", column = "name", op = "ne", value = "Completed" },',
            TO_STATUS,
            "unknown-table",
            "unknown table 'bookingstatuss'; did you mean 'bookingstatus'?",
        ),
        (
            '{ related = "bookingstatus", column = "staus", op = "eq", value = 1 },',
            TO_STATUS,
            "unknown-column",
            "bookingstatus has no column 'staus'; did you mean 'status'?",
        ),
        (
            '{ related = "bookingstatus", column = "status", op = "ne", value = "Completed" },',
            TO_STATUS,
            "value",
            "bookingstatus.status takes a whole number, not 'Completed'",
        ),
        (
            '{ related = "bookingstatus", column = "status", op = "eq", value = 9 },',
            TO_STATUS,
            "value",
            "9 is not a bookingstatus.status value; use one of 1 (Proposed), 2 (Committed), "
            "3 (Canceled)",
        ),
        (
            '{ related = "bookingstatus", column = "name", op = "on_or_after", days = 0 },',
            TO_STATUS,
            "op",
            "op 'on_or_after' compares dates, but bookingstatus.name is text",
        ),
        (
            '{ related = "bookingstatus", via = "resource", column = "name", op = "null" },',
            TO_STATUS,
            "related-filter",
            "bookableresourcebooking declares no relationship to bookingstatus via 'resource' "
            "('bookingstatus')",
        ),
        (
            '{ related = "bookableresourcebooking", column = "name", op = "null" },',
            TO_STATUS,
            "related-filter",
            "bookableresourcebooking is this filter's own table",
        ),
        (
            '{ related = 7, column = "name", op = "null" },',
            TO_STATUS,
            "type",
            'related names a related table, e.g. related = "bookingstatus"',
        ),
        (
            '{ related = "bookingstatus", column = "name" },',
            TO_STATUS,
            "required",
            "a condition needs op",
        ),
        (
            '{ related = "bookingstatus", owner = "user", column = "name", op = "null" },',
            TO_STATUS,
            "unknown-key",
            "unknown key 'owner'",
        ),
    ],
)
def test_bad_related_filters_name_line_and_rule(check, filter_text, relationship, rule, message):
    report = check(bookings(filter_text, relationship))
    assert where(report.errors) == [(8, rule)], report.errors
    assert report.errors[0].message.startswith(message), report.errors[0].message
    assert str(report.errors[0]).startswith("p.toml line 8: ")


def test_two_relationships_to_the_table_need_via(check):
    report = check(
        """
        name = "p"
        [[tables]]
        name = "msdyn_workorder"
        interval_minutes = 15
        filter = { all = [
          { owner = "user" },
          { related = "account", column = "statecode", op = "eq", value = 0 },
        ] }
        relationships = [
          { table = "account", column = "msdyn_serviceaccount" },
          { table = "account", column = "msdyn_billingaccount" },
        ]
        [[tables]]
        name = "account"
        interval_minutes = 60
        """
    )
    assert [str(p) for p in report.errors] == [
        "p.toml line 7: msdyn_workorder relates to account through 2 relationships "
        "('msdyn_serviceaccount', 'msdyn_billingaccount'); say which with "
        'via = "msdyn_serviceaccount" [related-filter]'
    ]


def test_a_broken_relationship_is_reported_once_as_itself(check):
    report = check(
        bookings(
            '{ related = "bookingstatus", column = "name", op = "ne", value = "Completed" },',
            '{ table = "bookingstatus", column = "status_id" }',
        )
    )
    assert where(report.errors) == [(11, "unknown-column")]
    assert report.errors[0].message.startswith("bookableresourcebooking has no column")


def test_a_related_table_outside_the_profile_is_the_relationship_s_problem(check):
    report = check(
        """
        name = "p"
        [[tables]]
        name = "bookableresourcebooking"
        interval_minutes = 5
        filter = { related = "bookingstatus", column = "name", op = "ne", value = "Completed" }
        relationships = [{ table = "bookingstatus", column = "bookingstatus" }]
        """
    )
    assert where(report.errors) == [(6, "relationship-target")]


def test_a_related_filter_counts_as_a_condition_for_depth(check):
    report = check(
        bookings(
            '{ not = { any = [{ related = "bookingstatus", column = "name", op = "null" }] } },'
        )
    )
    assert report.ok, report.errors  # all → not → any: 3 levels, the related filter is a leaf
