"""Ingest: the synctel store and everything that writes into it.

- :mod:`ingest.store` — ``Store``: Parquet lakes by UTC day plus ``catalog.duckdb`` (views);
- :mod:`ingest.sink` — OpenTelemetry exporters writing into a store;
- :mod:`ingest.convert` — OpenTelemetry SDK data → Arrow rows of the store's tables;
- :mod:`ingest.errors` — ``IngestError`` and its subclasses, whose messages say what to do.

Kept import-light on purpose: ``synctel`` imports ``ingest.errors`` for every command.
"""
