-- No pass has more than one end event (sync.completed or sync.failed) for its sync_id.
--
-- Returns one row per offending sync_id: sync_id, ends (how many end events), events (their
-- names, in ts order).
SELECT
    sync_id,
    count(*) AS ends,
    list(event ORDER BY ts, event_id) AS events
FROM sync_events
WHERE event IN ('sync.completed', 'sync.failed') AND sync_id IS NOT NULL
GROUP BY sync_id
HAVING count(*) > 1
ORDER BY sync_id
