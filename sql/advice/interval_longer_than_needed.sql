-- Interval longer than needed: each table's own scheduled passes, how many brought nothing, and how often its data changed.
--
-- Grain: one row per profile x table_name with a successful sync.table event in the window
--   ($start <= ts <= $end). Reads sync_events directly, with table_syncs' definitions
--   (due_reason from attributes); no rule needs the pass pairing of sync_runs.
--
-- Columns:
--   interval_minutes  the configured interval (sync.interval_minutes of the latest table sync).
--   device_days       distinct device_id x UTC day with any sync.table of the profile.
--   own_passes        successful table syncs with due_reason 'interval' (its own interval was due).
--   own_empty         of those, the ones with records_down and records_removed both 0 or NULL.
--   changed_passes    successful table syncs, other than 'first', that downloaded or removed
--                     records: how often the table's data changed for a device.
--   empty_pass_bytes  median bytes_down + bytes_up of the empty own passes (the cost of asking).
WITH t AS (
    SELECT
        profile,
        table_name,
        device_id,
        ts,
        result,
        interval_minutes,
        records_down,
        records_removed,
        coalesce(bytes_down, 0) + coalesce(bytes_up, 0) AS bytes,
        attributes ->> 'sync.due_reason' AS due_reason
    FROM sync_events
    WHERE event = 'sync.table' AND ts >= $start AND ts <= $end
),
days AS (
    SELECT profile, count(DISTINCT (device_id, CAST(ts AS DATE))) AS device_days
    FROM t
    GROUP BY profile
),
per_table AS (
    SELECT
        profile,
        table_name,
        arg_max(interval_minutes, ts) FILTER (WHERE interval_minutes IS NOT NULL)
            AS interval_minutes,
        count(*) FILTER (WHERE due_reason = 'interval' AND result = 'success') AS own_passes,
        count(*) FILTER (
            WHERE due_reason = 'interval' AND result = 'success'
            AND coalesce(records_down, 0) = 0 AND coalesce(records_removed, 0) = 0
        ) AS own_empty,
        count(*) FILTER (
            WHERE result = 'success' AND due_reason IS DISTINCT FROM 'first'
            AND (coalesce(records_down, 0) > 0 OR coalesce(records_removed, 0) > 0)
        ) AS changed_passes,
        median(bytes) FILTER (
            WHERE due_reason = 'interval' AND result = 'success'
            AND coalesce(records_down, 0) = 0 AND coalesce(records_removed, 0) = 0
        ) AS empty_pass_bytes
    FROM t
    GROUP BY profile, table_name
    HAVING count(*) FILTER (WHERE result = 'success') > 0
)
SELECT p.*, d.device_days
FROM per_table AS p
JOIN days AS d ON d.profile IS NOT DISTINCT FROM p.profile
ORDER BY p.profile, p.table_name
