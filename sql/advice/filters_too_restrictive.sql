-- Filters too restrictive: how often users opened a record of each table that had left their device (Record Not Found, S9).
--
-- Grain: one row per profile x table_name with a record.not_found event in the window
--   ($start <= ts <= $end).
--
-- Columns:
--   not_found        record.not_found events.
--   devices, users   distinct device_id and user_id that hit one.
--   records          distinct record_id opened.
--   device_days      the profile's device-days in the window (profile_device_days; 0 when
--                    the profile synced nothing in the window).
--   records_removed  records that left devices in the table's syncs (S9, table_events), for
--                    context.
WITH nf AS (
    SELECT
        profile,
        table_name,
        count(*) AS not_found,
        count(DISTINCT device_id) AS devices,
        count(DISTINCT user_id) AS users,
        count(DISTINCT record_id) AS records
    FROM sync_events
    WHERE event = 'record.not_found' AND ts >= $start AND ts <= $end
    GROUP BY profile, table_name
),
days AS (
    SELECT profile, count(*) AS device_days
    FROM profile_device_days
    WHERE last_ts >= $start AND first_ts <= $end
    GROUP BY profile
),
removed AS (
    SELECT profile, table_name, coalesce(sum(records_removed), 0) AS records_removed
    FROM table_events
    WHERE ts >= $start AND ts <= $end
    GROUP BY profile, table_name
)
SELECT
    nf.*,
    coalesce(d.device_days, 0) AS device_days,
    coalesce(r.records_removed, 0) AS records_removed
FROM nf
LEFT JOIN days AS d ON d.profile IS NOT DISTINCT FROM nf.profile
LEFT JOIN removed AS r
    ON r.profile IS NOT DISTINCT FROM nf.profile
    AND r.table_name IS NOT DISTINCT FROM nf.table_name
ORDER BY nf.profile, nf.table_name
