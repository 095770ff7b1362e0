-- Cellular data heavy: bytes each table moves on cellular networks, with what an interval change would touch.
--
-- Grain: one row per profile x table_name with a sync.table event on network_type 'cell' in
--   the window ($start <= ts <= $end).
--
-- Columns:
--   cell_bytes        bytes_down + bytes_up of the table's syncs on cellular.
--   cell_records      records_down + records_up of those.
--   cell_passes       those table syncs.
--   all_bytes         bytes_down + bytes_up of all the table's syncs, any network.
--   interval_minutes  the configured interval (latest sync.interval_minutes).
--   own_passes        successful table syncs due by its own interval ('interval'), any network.
--   empty_pass_bytes  median bytes of those that downloaded and removed nothing.
--   device_days       the profile's device-days in the window (profile_device_days).
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
        sum(payload_bytes) FILTER (WHERE network_type = 'cell') AS cell_bytes,
        sum(payload_records) FILTER (WHERE network_type = 'cell') AS cell_records,
        count(*) FILTER (WHERE network_type = 'cell') AS cell_passes,
        sum(payload_bytes) AS all_bytes,
        arg_max(interval_minutes, ts) FILTER (WHERE interval_minutes IS NOT NULL)
            AS interval_minutes,
        count(*) FILTER (WHERE due_reason = 'interval' AND result = 'success') AS own_passes,
        median(payload_bytes) FILTER (
            WHERE due_reason = 'interval' AND result = 'success' AND empty
        ) AS empty_pass_bytes
    FROM table_events
    WHERE ts >= $start AND ts <= $end
    GROUP BY profile, table_name
    HAVING count(*) FILTER (WHERE network_type = 'cell') > 0
)
SELECT p.*, d.device_days
FROM per_table AS p
JOIN days AS d ON d.profile IS NOT DISTINCT FROM p.profile
ORDER BY p.profile, p.cell_bytes DESC, p.table_name
