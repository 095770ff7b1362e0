"""The Field Service schema catalog."""

from __future__ import annotations

import pytest

from syncengine.errors import SyncengineError
from syncengine.schema import ColumnType, default_schema, parse_schema

REQUIRED_TABLES = [
    "bookableresourcebooking",
    "msdyn_workorder",
    "account",
    "contact",
    "msdyn_customerasset",
    "product",
    "msdyn_workorderproduct",
    "msdyn_workorderservicetask",
    "msdyn_workorderincident",
    "msdyn_incidenttype",
    "bookableresource",
    "msdyn_timeentry",
]


@pytest.mark.parametrize("table", REQUIRED_TABLES)
def test_catalog_knows_the_field_service_tables_and_implicit_columns(table):
    schema = default_schema()
    assert schema.has_table(table)
    assert schema.column_type(table, "id") is ColumnType.TEXT
    assert schema.column_type(table, "modifiedon") is ColumnType.DATETIME
    assert schema.column(table, "ownerid").target == "systemuser"


@pytest.mark.parametrize(
    ("table", "column", "target"),
    [
        ("bookableresourcebooking", "msdyn_workorder", "msdyn_workorder"),
        ("bookableresourcebooking", "resource", "bookableresource"),
        ("msdyn_workorder", "msdyn_serviceaccount", "account"),
        ("msdyn_workorder", "msdyn_customerasset", "msdyn_customerasset"),
        ("msdyn_workorder", "msdyn_primaryincidenttype", "msdyn_incidenttype"),
        ("contact", "parentcustomerid", "account"),
        ("msdyn_customerasset", "msdyn_account", "account"),
        ("msdyn_customerasset", "msdyn_product", "product"),
        ("msdyn_workorderproduct", "msdyn_workorder", "msdyn_workorder"),
        ("msdyn_workorderproduct", "msdyn_product", "product"),
        ("msdyn_workorderservicetask", "msdyn_workorder", "msdyn_workorder"),
    ],
)
def test_lookups_point_at_their_tables(table, column, target):
    col = default_schema().column(table, column)
    assert col.type is ColumnType.LOOKUP
    assert col.target == target


def test_work_order_status_is_the_field_service_option_set():
    schema = default_schema()
    status = schema.column("msdyn_workorder", "msdyn_systemstatus")
    assert status.type is ColumnType.INT
    assert status.choices[690970000] == "Open - Unscheduled"
    assert status.choices[690970003] == "Open - Completed"
    assert status.choices[690970004] == "Closed - Posted"
    assert schema.column_type("bookableresourcebooking", "starttime") is ColumnType.DATETIME
    assert schema.column_type("msdyn_workorder", "msdyn_timefrompromised") is ColumnType.DATETIME


def test_unknown_names():
    schema = default_schema()
    assert not schema.has_table("msdyn_nope")
    assert not schema.has_column("account", "nope")
    assert not schema.has_column("msdyn_nope", "id")
    with pytest.raises(KeyError):
        schema.column_type("account", "nope")


def test_default_schema_is_parsed_once():
    assert default_schema() is default_schema()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[tables.a]\ncolumns.x = 'decimal'\n", "a.x has type 'decimal'; use one of text, int"),
        (
            "[tables.a]\ncolumns.x = { type = 'lookup', target = 'b' }\n",
            "looks up unknown table 'b'",
        ),
        (
            "[tables.a]\ncolumns.x = { type = 'lookup' }\n",
            "a lookup, and only a lookup, names a target",
        ),
        ("[tables.a]\ncolumns.x = { type = 'text', target = 'a' }\n", "only a lookup, names"),
        ("x = 1\n", "needs a [tables.<name>] section per table"),
        ("[tables.a\n", "invalid TOML"),
    ],
)
def test_bad_catalogs_are_rejected(text, message):
    with pytest.raises(SyncengineError, match=message.replace("[", r"\[").replace("(", r"\(")):
        parse_schema(text)
