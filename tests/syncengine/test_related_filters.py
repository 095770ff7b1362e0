"""Filters that include related tables (S1, S3, S9) over both transports: "bookings whose
status is not Completed" is evaluated on the server, and a change to the related row (a status
renamed to Completed) moves the bookings that point at it in or out at the next pass."""

from __future__ import annotations

from datetime import timedelta

import pytest

from syncengine.errors import RecordNotFound
from syncengine.profile.filters import compile_filter, is_time_relative, related_tables
from syncengine.profile.model import (
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
from tests.syncengine.helpers import NOTHING, START, WO, WOP, expected_rows
from vocabulary.contract import DueReason

BOOKING, STATUS = "bookableresourcebooking", "bookingstatus"
TO_STATUS = Relationship(STATUS, "bookingstatus")
TO_PRODUCTS = Relationship(WOP, "workorder_id", Direction.ONE_TO_MANY)
NOT_COMPLETED = Related(TO_STATUS, Condition("name", Op.NE, "Completed"))
BIG_LINE = Related(TO_PRODUCTS, Condition("qty", Op.GE, 3))

RELATED_PROFILE = Profile(
    name="Related",
    tables=(
        TableProfile(BOOKING, 5, Group("all", (OwnedByUser(), NOT_COMPLETED)), (TO_STATUS,)),
        TableProfile(STATUS, 1440, NOTHING),
        TableProfile(WO, 60, BIG_LINE, (TO_PRODUCTS,)),
        TableProfile(WOP, 120, NOTHING),
    ),
)
"""u1's bookings whose status is not Completed (many-to-one), with their statuses; work
orders with a product line of at least 3 (one-to-many), with their product lines."""


@pytest.fixture
def related_server(server):
    """The seeded server, also serving RELATED_PROFILE, with statuses and u1's bookings."""
    server.add_profile(RELATED_PROFILE)
    for sid, name in [("s1", "Scheduled"), ("s2", "In Progress"), ("s3", "Completed")]:
        server.upsert(STATUS, sid, {"name": name})
    for bid, owner, status in [
        ("rb1", "u1", "s1"),
        ("rb2", "u1", "s2"),
        ("rb3", "u1", "s3"),
        ("rb4", "u2", "s1"),  # not u1's
    ]:
        server.upsert(BOOKING, bid, {"bookingstatus": status}, owner=owner)
    return server


def ids(device, table):
    return set(device.records(table))


def rows(device):
    return {t: device.records(t) for t in device.profile.table_names}


def test_bookings_whose_status_is_not_completed(transport, related_server, make_device):
    device = make_device(transport, profile=RELATED_PROFILE)
    assert device.tick().ok
    # the seeded bookings b1, b2, b4 of u1 have no status: no related row matches them
    assert ids(device, BOOKING) == {"rb1", "rb2"}
    assert ids(device, STATUS) == {"s1", "s2"}  # pulled in by the held bookings only
    assert ids(device, WO) == {"w2", "w3"}  # w2 has p3 (qty 3), w3 has p4 (qty 4)
    assert ids(device, WOP) == {"p3", "p4"}
    assert rows(device) == expected_rows(related_server, RELATED_PROFILE, "u1")


def test_a_status_renamed_to_completed_removes_its_bookings_at_the_next_pass(
    transport, related_server, make_device, clock
):
    device = make_device(transport, profile=RELATED_PROFILE)
    assert device.tick().ok
    related_server.upsert(STATUS, "s2", {"name": "Completed"})  # only the status changed
    clock.advance(timedelta(minutes=5))
    result = device.tick()
    assert result.ok
    assert {d.table: d.reason for d in result.due} == {
        BOOKING: DueReason.INTERVAL,
        STATUS: DueReason.RELATED,
    }
    assert ids(device, BOOKING) == {"rb1"}
    assert ids(device, STATUS) == {"s1"}  # no held booking points at s2 any more
    assert result.counts.records_removed == 2  # rb2 and s2 (S9)
    with pytest.raises(RecordNotFound):
        device.open_record(BOOKING, "rb2")
    assert rows(device) == expected_rows(related_server, RELATED_PROFILE, "u1")


def test_a_status_renamed_away_from_completed_brings_its_bookings(
    transport, related_server, make_device, clock
):
    device = make_device(transport, profile=RELATED_PROFILE)
    assert device.tick().ok
    related_server.upsert(STATUS, "s3", {"name": "Closed"})
    clock.advance(timedelta(minutes=5))
    result = device.tick()
    assert result.ok
    assert ids(device, BOOKING) == {"rb1", "rb2", "rb3"}
    assert ids(device, STATUS) == {"s1", "s2", "s3"}
    assert result.counts.records_down == 2  # rb3 and s3
    assert rows(device) == expected_rows(related_server, RELATED_PROFILE, "u1")


def test_a_booking_pointed_at_a_completed_status_leaves(
    transport, related_server, make_device, clock
):
    device = make_device(transport, profile=RELATED_PROFILE)
    assert device.tick().ok
    related_server.upsert(BOOKING, "rb1", {"bookingstatus": "s3"})  # the booking itself changed
    clock.advance(timedelta(minutes=5))
    assert device.tick().ok
    assert ids(device, BOOKING) == {"rb2"}
    assert ids(device, STATUS) == {"s2"}
    assert rows(device) == expected_rows(related_server, RELATED_PROFILE, "u1")


def test_nothing_changed_nothing_moves(transport, related_server, make_device, clock):
    device = make_device(transport, profile=RELATED_PROFILE)
    assert device.tick().ok
    related_server.upsert(WO, "w9", {"status": "open"})  # a table the bookings do not read
    clock.advance(timedelta(minutes=5))
    result = device.tick()
    assert result.ok
    assert result.counts.records_down == result.counts.records_removed == 0


def test_one_to_many_a_changed_product_line_moves_its_work_order(
    transport, related_server, make_device, clock
):
    device = make_device(transport, profile=RELATED_PROFILE)
    assert device.tick().ok
    related_server.upsert(WOP, "p1", {"qty": 5})  # w1 now has a big line
    related_server.upsert(WOP, "p3", {"qty": 1})  # w2 no longer has one
    clock.advance(timedelta(minutes=60))
    result = device.tick()
    assert result.ok
    assert ids(device, WO) == {"w1", "w3"}
    assert ids(device, WOP) == {"p1", "p2", "p4"}  # the lines of the held work orders
    with pytest.raises(RecordNotFound):
        device.open_record(WO, "w2")
    assert rows(device) == expected_rows(related_server, RELATED_PROFILE, "u1")


def test_not_of_a_related_filter_keeps_rows_without_a_related_row(related_server):
    today = START.date()
    where, params = compile_filter(Not(NOT_COMPLETED), user_id="u1", today=today)
    found = {
        r[0]
        for r in related_server.execute(
            f"SELECT id FROM records WHERE tbl=? AND ({where})", (BOOKING, *params)
        )
    }
    # rb3's status is Completed; b1-b4 have no status at all
    assert found == {"rb3", "b1", "b2", "b3", "b4"}


def test_related_tables_and_day_relative_related_filters():
    assert related_tables(RELATED_PROFILE.table(BOOKING).filter) == {STATUS}
    assert related_tables(Not(BIG_LINE)) == {WOP}
    assert related_tables(OwnedByUser()) == frozenset()
    assert not is_time_relative(NOT_COMPLETED)
    dated = Related(TO_PRODUCTS, Condition("due", Op.ON_OR_AFTER, days=0))
    assert is_time_relative(Group("any", (OwnedByUser(), dated)))
