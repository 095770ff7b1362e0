"""The sidebar keeps its filters under :mod:`ingest.scope`'s query parameter names, the names
alert links use (``tests/insights/alerts/test_command.py`` checks the links' side)."""

from __future__ import annotations

from dashboards import filters
from ingest import scope


def test_filter_parameters_are_the_shared_ones() -> None:
    assert filters.RANGE_PARAM == scope.RANGE_PARAM
    assert filters.FROM_PARAM == scope.FROM_PARAM
    assert filters.TO_PARAM == scope.TO_PARAM
    assert "custom" in filters.PRESETS
    assert {field: param for field, (param, _) in filters.MULTI.items()} == scope.QUERY_PARAMS
