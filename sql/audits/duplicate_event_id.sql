-- No event_id appears twice in sync_events (a reader never sees a row twice).
--
-- Returns one row per repeated event_id: event_id, copies.
SELECT event_id, count(*) AS copies
FROM sync_events
WHERE event_id IS NOT NULL
GROUP BY event_id
HAVING count(*) > 1
ORDER BY event_id
