-- No table sync outside a pass: every sync.table event's sync_id has a sync.started.
--
-- Returns one row per offending sync.table event: event_id, ts, sync_id, table_name, device_id.
-- A sync.table with a NULL sync_id offends too.
SELECT t.event_id, t.ts, t.sync_id, t.table_name, t.device_id
FROM sync_events AS t
WHERE t.event = 'sync.table'
    AND NOT EXISTS (
        SELECT 1
        FROM sync_events AS s
        WHERE s.event = 'sync.started' AND s.sync_id = t.sync_id
    )
ORDER BY t.ts, t.event_id
