-- Every conflict's winner follows its detection setting (S7): detection on => 'server' wins,
-- detection off => 'device' wins.
--
-- detection is attributes->>'sync.conflict.detection', read case-insensitively: on/true/yes/1
-- mean on, off/false/no/0 mean off. A sync.conflict whose detection is missing or unreadable,
-- or whose winner is missing, offends too: its outcome cannot be checked.
-- Returns one row per offending sync.conflict: event_id, sync_id, table_name, record_id,
-- detection (as recorded), conflict_winner.
WITH conflicts AS (
    SELECT
        event_id,
        sync_id,
        table_name,
        record_id,
        attributes ->> 'sync.conflict.detection' AS detection,
        conflict_winner,
        CASE lower(attributes ->> 'sync.conflict.detection')
            WHEN 'on' THEN 'server'
            WHEN 'true' THEN 'server'
            WHEN 'yes' THEN 'server'
            WHEN '1' THEN 'server'
            WHEN 'off' THEN 'device'
            WHEN 'false' THEN 'device'
            WHEN 'no' THEN 'device'
            WHEN '0' THEN 'device'
        END AS expected_winner
    FROM sync_events
    WHERE event = 'sync.conflict'
)
SELECT event_id, sync_id, table_name, record_id, detection, conflict_winner
FROM conflicts
WHERE expected_winner IS NULL
    OR conflict_winner IS NULL
    OR conflict_winner <> expected_winner
ORDER BY event_id
