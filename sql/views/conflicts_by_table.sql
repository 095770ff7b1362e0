-- Sync conflicts per profile and table: how many, who won, how many records and devices.
--
-- Grain: one row per profile x table_name with at least one sync.conflict event.
--
-- Metrics:
--   conflicts     sync.conflict events (S7: one per record changed on both sides in a pass).
--   device_wins   of those, conflict_winner 'device' (conflict detection off, the default).
--   server_wins   of those, conflict_winner 'server' (conflict detection on; the device change
--                 was reverted and the user saw a sync conflict error).
--   records       distinct record_id in conflict.
--   devices       distinct device_id that hit a conflict.
--   first_seen, last_seen
--                 earliest and latest conflict ts.
SELECT
    profile,
    table_name,
    count(*) AS conflicts,
    count(*) FILTER (WHERE conflict_winner = 'device') AS device_wins,
    count(*) FILTER (WHERE conflict_winner = 'server') AS server_wins,
    count(DISTINCT record_id) AS records,
    count(DISTINCT device_id) AS devices,
    min(ts) AS first_seen,
    max(ts) AS last_seen
FROM sync_events
WHERE event = 'sync.conflict'
GROUP BY profile, table_name
