-- No negative or impossible durations: duration_ms and active_duration_ms are never negative
-- (nor NaN), active time never exceeds wall time, and no pass ends before it started.
--
-- Returns one row per offending event: event_id, event, sync_id, duration_ms,
-- active_duration_ms, problem ('negative or NaN duration', 'negative or NaN active duration',
-- 'active longer than wall', 'ended before started').
WITH checked AS (
    SELECT
        e.event_id,
        e.event,
        e.sync_id,
        e.duration_ms,
        e.active_duration_ms,
        CASE
            WHEN e.duration_ms < 0 OR isnan(e.duration_ms) THEN 'negative or NaN duration'
            WHEN e.active_duration_ms < 0 OR isnan(e.active_duration_ms)
                THEN 'negative or NaN active duration'
            WHEN e.active_duration_ms > e.duration_ms THEN 'active longer than wall'
            WHEN e.event IN ('sync.completed', 'sync.failed') AND e.ts < (
                SELECT min(s.ts)
                FROM sync_events AS s
                WHERE s.event = 'sync.started' AND s.sync_id = e.sync_id
            ) THEN 'ended before started'
        END AS problem
    FROM sync_events AS e
)
SELECT event_id, event, sync_id, duration_ms, active_duration_ms, problem
FROM checked
WHERE problem IS NOT NULL
ORDER BY event_id
