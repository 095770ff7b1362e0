-- Failed passes grouped by failure type, error code and message, with their reach and first/last seen.
--
-- Grain: one row per failure_type x error_code x error_message over the passes of sync_runs
--   whose result is 'failure' (NULLs group together).
--
-- Metrics:
--   failures          failed passes.
--   devices_impacted  distinct device_id among them.
--   users_impacted    distinct user_id among them.
--   tables            distinct failed_table values (the table that caused the failure), sorted;
--                     empty when no single table was to blame.
--   first_seen, last_seen
--                     earliest and latest ended_at (the sync.failed ts).
SELECT
    failure_type,
    error_code,
    error_message,
    count(*) AS failures,
    count(DISTINCT device_id) AS devices_impacted,
    count(DISTINCT user_id) AS users_impacted,
    coalesce(
        list(DISTINCT failed_table ORDER BY failed_table) FILTER (WHERE failed_table IS NOT NULL),
        []
    ) AS tables,
    min(ended_at) AS first_seen,
    max(ended_at) AS last_seen
FROM sync_runs
WHERE result = 'failure'
GROUP BY failure_type, error_code, error_message
