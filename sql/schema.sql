-- synctel store schema: the single source of truth for every table's columns and types.
--
-- The store derives its Arrow/Parquet schemas by executing this file in an in-memory DuckDB,
-- so it holds plain CREATE TABLE statements only (no views, no constraints, no defaults).
--
-- Conventions
--   * Every TIMESTAMP is UTC, stored as a naive TIMESTAMP (microseconds). Writers convert to UTC
--     before writing; readers must treat the values as UTC.
--   * JSON columns hold one JSON object. Parquet files may carry them as plain strings; DuckDB's
--     JSON operators (attributes->>'key') work on both JSON and VARCHAR.
--   * Partitioning: the lake partitions each table by UTC day of its time column
--     (Hive style, day=YYYY-MM-DD): sync_events.ts, spans.start_ts, metric_points.ts,
--     quarantine.loaded_at. There is no column for the partition key in the tables below.

-- One row per telemetry event (DESIGN "Store contract"). Attribute -> column mapping:
--   event            log record event_name (sync.started, sync.completed, sync.failed, sync.table,
--                    sync.conflict, sync.skipped, sync.notification, record.not_found)
--   sync_id          sync.id          profile        sync.profile      table_name  sync.table
--   mode             sync.mode        trigger        sync.trigger
--   result           sync.completed -> 'success', sync.failed -> 'failure',
--                    sync.table -> its sync.result, other events -> NULL
--   error_code       sync.error.code  failure_type   sync.failure_type
--   error_message    sync.error.message
--   duration_ms      sync.duration_ms active_duration_ms sync.active_duration_ms
--   records_down/up/removed  sync.records.down/up/removed
--   bytes_down/up    sync.bytes.down/up
--   conflicts        sync.conflicts (the pass total, on sync.completed / sync.failed)
--   conflict_winner  sync.conflict.winner (on sync.conflict)
--   record_id        sync.record.id (on sync.conflict and record.not_found)
--   interval_minutes sync.interval_minutes (on sync.table)
--   skip_reason      sync.skip_reason (on sync.skipped)
--   device_id device.id, user_id user.id, os_name os.name, os_version os.version,
--   device_model device.model.name, app_version service.version,
--   network_type network.connection.type
--   service_name     resource service.name
--   source           'otel', 'appinsights' or 'dynamics'
--   attributes       every other attribute, keyed by its OpenTelemetry name, e.g.
--                    sync.conflict.detection, sync.tables_due, sync.due_reason,
--                    sync.notification.kind, sync.pending_uploads
CREATE TABLE sync_events (
    event_id VARCHAR,
    ts TIMESTAMP,
    event VARCHAR,
    sync_id VARCHAR,
    profile VARCHAR,
    table_name VARCHAR,
    mode VARCHAR,
    trigger VARCHAR,
    result VARCHAR,
    error_code INTEGER,
    failure_type VARCHAR,
    error_message VARCHAR,
    duration_ms DOUBLE,
    active_duration_ms DOUBLE,
    records_down BIGINT,
    records_up BIGINT,
    records_removed BIGINT,
    bytes_down BIGINT,
    bytes_up BIGINT,
    conflicts INTEGER,
    conflict_winner VARCHAR,
    record_id VARCHAR,
    interval_minutes INTEGER,
    skip_reason VARCHAR,
    device_id VARCHAR,
    user_id VARCHAR,
    os_name VARCHAR,
    os_version VARCHAR,
    device_model VARCHAR,
    app_version VARCHAR,
    network_type VARCHAR,
    service_name VARCHAR,
    source VARCHAR,
    attributes JSON
);

-- One row per finished span. Ids are lowercase hex (trace 32 chars, span 16 chars);
-- parent_span_id is NULL for a root span. kind is the OpenTelemetry SpanKind name
-- (INTERNAL, CLIENT, SERVER, PRODUCER, CONSUMER); status_code is UNSET, OK or ERROR.
CREATE TABLE spans (
    trace_id VARCHAR,
    span_id VARCHAR,
    parent_span_id VARCHAR,
    name VARCHAR,
    kind VARCHAR,
    start_ts TIMESTAMP,
    end_ts TIMESTAMP,
    duration_ms DOUBLE,
    status_code VARCHAR,
    status_message VARCHAR,
    service_name VARCHAR,
    attributes JSON,
    resource JSON
);

-- One row per exported metric data point. kind is 'sum', 'gauge' or 'histogram';
-- temporality is 'delta' or 'cumulative' (NULL for gauges).
--   sum / gauge points:  value is set; count, sum, min, max and the bucket lists are NULL.
--   histogram points:    count, sum, min, max, bucket_bounds (explicit upper bounds) and
--                        bucket_counts (one more entry than bucket_bounds) are set; value is NULL.
CREATE TABLE metric_points (
    ts TIMESTAMP,
    name VARCHAR,
    kind VARCHAR,
    unit VARCHAR,
    temporality VARCHAR,
    value DOUBLE,
    count BIGINT,
    sum DOUBLE,
    min DOUBLE,
    max DOUBLE,
    bucket_bounds DOUBLE[],
    bucket_counts BIGINT[],
    attributes JSON,
    service_name VARCHAR
);

-- A row (or line) that could not be read, kept with its reason; never silently dropped.
-- line_number is the 1-based line of a text file or row of a table; NULL when not applicable.
CREATE TABLE quarantine (
    loaded_at TIMESTAMP,
    source_file VARCHAR,
    line_number BIGINT,
    reason VARCHAR,
    raw VARCHAR
);
