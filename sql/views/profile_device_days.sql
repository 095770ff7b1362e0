-- Device-days of each profile: the UTC days each device ran a table sync, the advice rules' unit of use.
--
-- Grain: one row per profile x device_id x day (UTC calendar day, ts::DATE) with at least one
--   row in table_events (a sync.table event, whatever its result).
--
-- Columns:
--   first_ts, last_ts  ts of the device's earliest and latest sync.table that day.
--   syncs              sync.table events of the device that day.
--
-- Over a time window [start, end], the device-days in it are the rows with last_ts >= start
-- and first_ts <= end: the device ran a table sync inside the window that day. (The one case
-- this does not decide is a window that starts and ends inside one UTC day with the device's
-- syncs on both sides of it and none within; a window ending at the newest event, as the
-- advisor's does, never is that case.)
SELECT
    profile,
    device_id,
    CAST(ts AS DATE) AS day,
    min(ts) AS first_ts,
    max(ts) AS last_ts,
    count(*) AS syncs
FROM table_events
GROUP BY profile, device_id, CAST(ts AS DATE)
