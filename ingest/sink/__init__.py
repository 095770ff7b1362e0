"""The store sink: OpenTelemetry SDK exporters writing into a synctel store, one per signal.

Each is a small exporter behind the SDK's own interface (``LogRecordExporter``,
``SpanExporter``, ``MetricExporter``). They never raise into the SDK: a failed write is logged
once, reported as FAILURE, kept in a bounded buffer and retried on the next export; rows beyond
the buffer are counted in ``dropped``. Counters: ``exported``, ``dropped``, ``buffered``,
``last_error`` (or ``stats()`` for all at once).
"""

from ingest.sink._buffer import SinkStats
from ingest.sink.destination import store_destination
from ingest.sink.logs import StoreLogExporter
from ingest.sink.metrics import StoreMetricExporter
from ingest.sink.spans import StoreSpanExporter

__all__ = [
    "SinkStats",
    "StoreLogExporter",
    "StoreMetricExporter",
    "StoreSpanExporter",
    "store_destination",
]
