"""The store sink as a telemetry destination, for ``setup_telemetry(destinations=…)``."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from emitter.config import STORE
from emitter.destinations import Destination
from ingest.sink._buffer import SinkOptions
from ingest.sink.logs import StoreLogExporter
from ingest.sink.metrics import StoreMetricExporter
from ingest.sink.spans import StoreSpanExporter
from ingest.store import Store

FLUSH_ROWS: Final = 50_000
"""The store sink writes a file once this many rows are held …"""
FLUSH_DELAY_S: Final = 1.0
"""… or once the oldest held row is this old."""


def store_destination(folder: Path) -> Destination:
    """The in-process store sink: exporters of every signal writing into the store at ``folder``.

    Batches are coalesced into fewer, larger commits (about 2.5x the events/s of one commit
    per batch, BENCHMARKS.md "Store on Delta Lake"); rows wait at most ``FLUSH_DELAY_S``, as in
    the SDK's own batch processors, and ``force_flush``/``shutdown`` write them at once.
    """
    store = Store.open(folder)
    options = SinkOptions(flush_rows=FLUSH_ROWS, max_delay_s=FLUSH_DELAY_S)
    return Destination(
        STORE,
        logs=StoreLogExporter(store, **options),
        spans=StoreSpanExporter(store, **options),
        metrics=StoreMetricExporter(store, **options),
    )
