-- Data moved per sync mode: passes, records and bytes down and up, average and p95 payload.
--
-- Grain: one row per mode (FIRST_SYNC, DELTA_SYNC, GRID_SYNC, FORCED_SYNC, SINGLE_RECORD_SYNC)
--   over the SUCCESSFUL passes of sync_runs (a failed pass reports no totals).
--
-- Metrics:
--   passes                 successful passes.
--   records_down, records_up, bytes_down, bytes_up
--                          sums over those passes.
--   payload_records        per pass: records_down + records_up (a missing side counts 0).
--   payload_bytes          per pass: bytes_down + bytes_up (a missing side counts 0).
--   avg_payload_records, p95_payload_records, avg_payload_bytes, p95_payload_bytes
--                          mean and interpolated 95th percentile (quantile_cont) of those.
WITH passes AS (
    SELECT
        mode,
        records_down,
        records_up,
        bytes_down,
        bytes_up,
        coalesce(records_down, 0) + coalesce(records_up, 0) AS payload_records,
        coalesce(bytes_down, 0) + coalesce(bytes_up, 0) AS payload_bytes
    FROM sync_runs
    WHERE result = 'success'
)
SELECT
    mode,
    count(*) AS passes,
    sum(records_down) AS records_down,
    sum(records_up) AS records_up,
    sum(bytes_down) AS bytes_down,
    sum(bytes_up) AS bytes_up,
    avg(payload_records) AS avg_payload_records,
    quantile_cont(payload_records, 0.95) AS p95_payload_records,
    avg(payload_bytes) AS avg_payload_bytes,
    quantile_cont(payload_bytes, 0.95) AS p95_payload_bytes
FROM passes
GROUP BY mode
