-- Interval longer than needed: each table's own scheduled passes, how many brought nothing, and how often its data changed.
--
-- Grain: one row per profile x table_name with a successful sync.table event in the window
--   ($start <= ts <= $end). Reads table_events (every sync.table, due_reason from attributes)
--   and profile_device_days, windowed here; no rule needs the pass pairing of sync_runs.
--
-- Columns:
--   interval_minutes  the configured interval (sync.interval_minutes of the latest table sync).
--   device_days       the profile's device-days in the window (profile_device_days).
--   own_passes        successful table syncs with due_reason 'interval' (its own interval was due).
--   own_empty         of those, the empty ones (records_down and records_removed both 0 or NULL).
--   changed_passes    successful table syncs, other than 'first', that downloaded or removed
--                     records: how often the table's data changed for a device.
--   empty_pass_bytes  median payload_bytes (bytes_down + bytes_up) of the empty own passes (the
--                     cost of asking).
WITH days AS (
    SELECT profile, count(*) AS device_days
    FROM profile_device_days
    WHERE last_ts >= $start AND first_ts <= $end
    GROUP BY profile
),
per_table AS (
    SELECT
        profile,
        table_name,
        arg_max(interval_minutes, ts) FILTER (WHERE interval_minutes IS NOT NULL)
            AS interval_minutes,
        count(*) FILTER (WHERE due_reason = 'interval' AND result = 'success') AS own_passes,
        count(*) FILTER (WHERE due_reason = 'interval' AND result = 'success' AND empty)
            AS own_empty,
        count(*) FILTER (
            WHERE result = 'success' AND due_reason IS DISTINCT FROM 'first'
            AND (coalesce(records_down, 0) > 0 OR coalesce(records_removed, 0) > 0)
        ) AS changed_passes,
        median(payload_bytes) FILTER (
            WHERE due_reason = 'interval' AND result = 'success' AND empty
        ) AS empty_pass_bytes
    FROM table_events
    WHERE ts >= $start AND ts <= $end
    GROUP BY profile, table_name
    HAVING count(*) FILTER (WHERE result = 'success') > 0
)
SELECT p.*, d.device_days
FROM per_table AS p
JOIN days AS d ON d.profile IS NOT DISTINCT FROM p.profile
ORDER BY p.profile, p.table_name
