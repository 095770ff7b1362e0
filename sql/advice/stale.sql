-- Stale: for each device still trying to sync, how long each of its tables has gone without a successful sync (S6).
--
-- Grain: one row per device_id x table_name seen on a sync.table event in the window
--   ($start <= ts <= $end), for devices with an attempt in the window.
--
-- Columns:
--   profile            the profile of the device's latest sync.table for the table.
--   interval_minutes   the table's configured interval (latest sync.interval_minutes).
--   last_success       ts of the latest successful sync.table; NULL when none in the window.
--   last_attempt       the device's latest try: a sync.started, or a sync.skipped for lack of
--                      network (offline, network_check_timeout). Skips the user chose (Wi-Fi
--                      only, on demand) or an inactive app are not tries.
--   minutes_without    minutes from last_success (or $start when NULL) to last_attempt.
--   failures           failed sync.table of the table after last_success.
WITH attempts AS (
    SELECT device_id, max(ts) AS last_attempt
    FROM sync_events
    WHERE ts >= $start AND ts <= $end AND device_id IS NOT NULL
        AND (event = 'sync.started'
            OR (event = 'sync.skipped' AND skip_reason IN ('offline', 'network_check_timeout')))
    GROUP BY device_id
),
t AS (
    SELECT
        device_id,
        table_name,
        arg_max(profile, ts) AS profile,
        arg_max(interval_minutes, ts) FILTER (WHERE interval_minutes IS NOT NULL)
            AS interval_minutes,
        max(ts) FILTER (WHERE result = 'success') AS last_success,
        list(ts) FILTER (WHERE result = 'failure') AS failed_at
    FROM table_events
    WHERE ts >= $start AND ts <= $end AND device_id IS NOT NULL
    GROUP BY device_id, table_name
)
SELECT
    t.device_id,
    t.table_name,
    t.profile,
    t.interval_minutes,
    t.last_success,
    a.last_attempt,
    (epoch_us(a.last_attempt) - epoch_us(coalesce(t.last_success, $start))) / 60e6
        AS minutes_without,
    len(list_filter(
        coalesce(t.failed_at, []), lambda x: t.last_success IS NULL OR x > t.last_success
    )) AS failures
FROM t
JOIN attempts AS a USING (device_id)
ORDER BY t.device_id, t.table_name
