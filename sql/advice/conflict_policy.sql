-- Conflict policy: each profile's conflicts with detection on and off, who won, and the tables they hit (S7).
--
-- Grain: one row per profile with a sync.conflict event in the window ($start <= ts <= $end).
--
-- Columns:
--   detection        the setting most conflicts carried (sync.conflict.detection 'on'/'off';
--                    a JSON true/false counts as on/off); NULL when none carried it.
--   conflicts        sync.conflict events. detection_on, detection_off: of those, by setting.
--   device_wins      winner 'device': the device's change overwrote the office's edit.
--   server_wins      winner 'server': the device's change was reverted, the user saw an error.
--   records, devices distinct record_id and device_id in conflict.
--   top_table        the table with most conflicts (ties: by name). top_table_conflicts: its count.
--   device_days      the profile's device-days in the window (profile_device_days); 0 when none.
WITH c AS (
    SELECT
        profile,
        table_name,
        record_id,
        device_id,
        conflict_winner,
        CASE lower(attributes ->> 'sync.conflict.detection')
            WHEN 'on' THEN 'on' WHEN 'true' THEN 'on'
            WHEN 'off' THEN 'off' WHEN 'false' THEN 'off'
        END AS detection
    FROM sync_events
    WHERE event = 'sync.conflict' AND ts >= $start AND ts <= $end
),
per_table AS (
    SELECT profile, table_name, count(*) AS n FROM c GROUP BY profile, table_name
),
top AS (
    SELECT
        profile,
        arg_max(table_name, (n, table_name)) AS top_table,
        max(n) AS top_table_conflicts
    FROM per_table
    GROUP BY profile
),
days AS (
    SELECT profile, count(*) AS device_days
    FROM profile_device_days
    WHERE last_ts >= $start AND first_ts <= $end
    GROUP BY profile
),
per_profile AS (
    SELECT
        profile,
        count(*) AS conflicts,
        count(*) FILTER (WHERE detection = 'on') AS detection_on,
        count(*) FILTER (WHERE detection = 'off') AS detection_off,
        count(*) FILTER (WHERE conflict_winner = 'device') AS device_wins,
        count(*) FILTER (WHERE conflict_winner = 'server') AS server_wins,
        count(DISTINCT record_id) AS records,
        count(DISTINCT device_id) AS devices
    FROM c
    GROUP BY profile
)
SELECT
    p.profile,
    CASE
        WHEN p.detection_on + p.detection_off = 0 THEN NULL
        WHEN p.detection_on > p.detection_off THEN 'on'
        ELSE 'off'
    END AS detection,
    p.conflicts,
    p.detection_on,
    p.detection_off,
    p.device_wins,
    p.server_wins,
    p.records,
    p.devices,
    t.top_table,
    t.top_table_conflicts,
    coalesce(d.device_days, 0) AS device_days
FROM per_profile AS p
JOIN top AS t ON t.profile IS NOT DISTINCT FROM p.profile
LEFT JOIN days AS d ON d.profile IS NOT DISTINCT FROM p.profile
ORDER BY p.profile
