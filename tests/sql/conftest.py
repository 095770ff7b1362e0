"""Fixtures for the SQL layer: a fresh in-memory store with the schema and views, and fleets."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import duckdb
import pytest

from ingest.sql import create_views, schema_sql
from tests.sql.fleet import Fleet
from tests.sql.scenarios import SCENARIOS


@pytest.fixture
def db() -> Iterator[duckdb.DuckDBPyConnection]:
    """A fresh in-memory DuckDB with ``schema.sql`` applied and every view created."""
    con = duckdb.connect()
    con.execute(schema_sql())
    create_views(con)
    yield con
    con.close()


@pytest.fixture
def fleet() -> Fleet:
    """An empty fleet to record hand-written events into."""
    return Fleet()


@pytest.fixture
def store(db: duckdb.DuckDBPyConnection, fleet: Fleet) -> Callable[..., duckdb.DuckDBPyConnection]:
    """``store("healthy", …)`` records the named scenarios into ``fleet``, loads every event
    recorded so far, and returns the connection."""

    def load(*scenarios: str) -> duckdb.DuckDBPyConnection:
        for name in scenarios:
            SCENARIOS[name](fleet)
        fleet.load(db)
        return db

    return load
