"""OTLP ingest: the OTLP/HTTP receiver behind ``synctel serve`` and the shared decoding.

- :mod:`ingest.otlp.decode`: a request body (protobuf or OTLP JSON, plain or gzip) → the
  collector service's request message, with the size limit enforced while inflating;
- :mod:`ingest.otlp.records`: such a message → store rows through :mod:`ingest.convert`'s one
  attribute → column mapping, plus the records that could not be mapped (quarantined);
- :mod:`ingest.otlp.writer`: the bounded queue and the thread that appends to the store;
- :mod:`ingest.otlp.receiver`: the HTTP server.

The OTLP JSON-lines file loader (:mod:`ingest.loaders.otlp_json`) reuses the first two.
"""
