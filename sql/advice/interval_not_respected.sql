-- Interval not respected: how often each table is pulled along by a related table with a shorter interval (S3), and by which.
--
-- Grain: one row per profile x table_name with a successful scheduled table sync (due_reason
--   'interval' or 'related') in the window ($start <= ts <= $end).
--
-- Columns:
--   interval_minutes  the configured interval (latest sync.interval_minutes).
--   device_days       the profile's device-days in the window (profile_device_days).
--   passes            successful table syncs due by 'interval' or 'related'.
--   related_passes    of those, due_reason 'related'.
--   related_bytes     payload_bytes (bytes_down + bytes_up) moved by the related ones.
--   source_table      the table most often due by its own interval, with a shorter interval,
--                     in the same passes as the related pulls (ties: the shorter interval,
--                     then the name); NULL when none was.
--   source_interval   its interval. source_passes: related pulls it shared a pass with.
WITH t AS (
    SELECT sync_id, profile, table_name, ts, interval_minutes, payload_bytes, due_reason
    FROM table_events
    WHERE result = 'success' AND ts >= $start AND ts <= $end
),
days AS (
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
        count(*) FILTER (WHERE due_reason IN ('interval', 'related')) AS passes,
        count(*) FILTER (WHERE due_reason = 'related') AS related_passes,
        coalesce(sum(payload_bytes) FILTER (WHERE due_reason = 'related'), 0) AS related_bytes
    FROM t
    GROUP BY profile, table_name
    HAVING count(*) FILTER (WHERE due_reason IN ('interval', 'related')) > 0
),
co_due AS (
    SELECT
        r.profile,
        r.table_name,
        o.table_name AS source_table,
        min(o.interval_minutes) AS source_interval,
        count(DISTINCT r.sync_id) AS source_passes
    FROM t AS r
    JOIN t AS o
        ON o.sync_id = r.sync_id
        AND o.due_reason = 'interval'
        AND o.table_name <> r.table_name
        AND o.interval_minutes < r.interval_minutes
    WHERE r.due_reason = 'related'
    GROUP BY r.profile, r.table_name, o.table_name
),
best AS (
    SELECT
        profile,
        table_name,
        arg_max(source_table, (source_passes, -source_interval, source_table)) AS source_table,
        arg_max(source_interval, (source_passes, -source_interval, source_table))
            AS source_interval,
        max(source_passes) AS source_passes
    FROM co_due
    GROUP BY profile, table_name
)
SELECT p.*, d.device_days, b.source_table, b.source_interval, b.source_passes
FROM per_table AS p
JOIN days AS d ON d.profile IS NOT DISTINCT FROM p.profile
LEFT JOIN best AS b
    ON b.profile IS NOT DISTINCT FROM p.profile AND b.table_name = p.table_name
ORDER BY p.profile, p.table_name
