-- No pass ends (sync.completed or sync.failed) without a sync.started for the same sync_id.
--
-- Returns one row per offending end event: event_id, ts, event, sync_id, device_id.
-- An end with a NULL sync_id offends too: it cannot be paired with any start.
SELECT e.event_id, e.ts, e.event, e.sync_id, e.device_id
FROM sync_events AS e
WHERE e.event IN ('sync.completed', 'sync.failed')
    AND NOT EXISTS (
        SELECT 1
        FROM sync_events AS s
        WHERE s.event = 'sync.started' AND s.sync_id = e.sync_id
    )
ORDER BY e.ts, e.event_id
