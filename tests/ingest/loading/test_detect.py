"""Detection by content (never by file name), the registry, and the cell parsers."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from ingest.errors import NotTelemetryError
from ingest.loaders import detect, loaders, register
from ingest.loaders.appinsights import AppInsightsLoader
from ingest.loaders.appinsights_cells import RowError, parse_timestamp
from ingest.loaders.appinsights_map import pseudonym
from tests.ingest.loading.support import DATA, events
from vocabulary.identity import pseudonymize

UTC = dt.UTC


@pytest.mark.parametrize(
    ("fixture", "renamed"),
    [
        ("dynamics_workspace.json", "export.csv"),
        ("dynamics_classic.csv", "export.json"),
        ("events_workspace.csv", "no_extension"),
    ],
)
def test_detection_reads_content_not_the_name(load, store_dir, tmp_path, fixture, renamed) -> None:
    path = tmp_path / renamed
    shutil.copy(DATA / fixture, path)
    assert isinstance(detect(path), AppInsightsLoader)
    assert load(path).code == 0
    assert events(store_dir)


@pytest.mark.parametrize(
    "content",
    [
        b"sku,price\nA-1,9.99\n",  # a CSV, but not an export
        b'{"name": "PrimaryResult", "rows": []}',  # JSON, but not a query result
        b"# Notes\n\nNot telemetry at all.\n",
        b"timestamp,value\n2026-05-01,3\n",  # a time column but no name column
    ],
)
def test_other_content_is_not_telemetry(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    with pytest.raises(NotTelemetryError, match="not a telemetry file"):
        detect(path)


def test_workspace_header_with_utc_suffix_and_bom_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "x"
    path.write_bytes(b"\xef\xbb\xbfTimeGenerated [UTC],Name,Properties\n")
    assert isinstance(detect(path), AppInsightsLoader)


def test_a_registered_loader_is_asked_after_the_built_in_ones(tmp_path: Path) -> None:
    class Lines:
        name = "lines"

        def sniff(self, head: bytes, path: Path) -> bool:
            return head.startswith(b"LINES")

        def read(self, path, context):  # pragma: no cover - never read here
            return iter(())

    path = tmp_path / "custom.txt"
    path.write_bytes(b"LINES\nnot any built-in format\n")
    with pytest.raises(NotTelemetryError):
        detect(path)
    loader = Lines()
    register(loader)
    try:
        assert detect(path) is loader
        assert isinstance(loaders()[0], AppInsightsLoader)
    finally:
        from ingest import loaders as registry

        registry._registered.remove(loader)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-05-01T08:00:01.2500000Z", dt.datetime(2026, 5, 1, 8, 0, 1, 250000, tzinfo=UTC)),
        ("2026-05-01T08:00:01.1234567Z", dt.datetime(2026, 5, 1, 8, 0, 1, 123456, tzinfo=UTC)),
        ("2026-05-01 08:00:01", dt.datetime(2026, 5, 1, 8, 0, 1, tzinfo=UTC)),
        ("2026-05-01T10:00:01+02:00", dt.datetime(2026, 5, 1, 8, 0, 1, tzinfo=UTC)),
        ("5/1/2026, 8:00:01.250 AM", dt.datetime(2026, 5, 1, 8, 0, 1, 250000, tzinfo=UTC)),
        ("5/1/2026, 12:00:00.000 AM", dt.datetime(2026, 5, 1, 0, 0, 0, tzinfo=UTC)),
        ("12/31/2026, 11:59:59.999 PM", dt.datetime(2026, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)),
        ("5/1/2026 14:00:00", dt.datetime(2026, 5, 1, 14, 0, 0, tzinfo=UTC)),
    ],
)
def test_timestamps_of_every_shape(text: str, expected: dt.datetime) -> None:
    assert parse_timestamp(text) == expected


@pytest.mark.parametrize("bad", ["", None, "13/45/2026, 1:00:00 PM", "5/1/2026, 13:00:00 PM", 17])
def test_bad_timestamps_raise_row_errors(bad) -> None:
    with pytest.raises(RowError) as info:
        parse_timestamp(bad)
    assert info.value.kind == "bad timestamp"


def test_pseudonym_is_the_engines_salted_hash() -> None:
    raw = "A1B2C3D4-E5F6-4789-ABCD-0123456789EF"
    assert pseudonym(raw, "s1") == pseudonymize(raw, "s1") != raw
    assert pseudonym(raw, "s1") != pseudonym(raw, "s2")
    assert pseudonym(None, "s1") is None
