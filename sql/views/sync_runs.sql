-- One row per sync pass: its sync.started paired with its sync.completed or sync.failed.
--
-- Grain: one row per sync_id that has a sync.started event and no sync.skipped event.
--   A sync_id seen only on an end event (no start) is not a pass here; the audit
--   pass_end_without_start reports it. A sync_id that was skipped is not a pass, even if a
--   sync.failed was also recorded for it.
--
-- Columns:
--   started_at       ts of the (earliest) sync.started.
--   ended_at         ts of the end event (the latest sync.completed / sync.failed; on a tie
--                    sync.failed wins). NULL while the pass has no end.
--   result           'success' (ended by sync.completed), 'failure' (ended by sync.failed),
--                    'incomplete' (started, never ended: still running, or the app died).
--   profile, device_id, user_id, mode, trigger, app_version, os_name, os_version,
--   device_model, network_type
--                    from the sync.started event (the device as the pass began); the end
--                    event fills in any the start lacks.
--   tables_due       number of tables due when the pass started (sync.tables_due: a list of
--                    table names, a comma-separated string, or a count).
--   duration_ms      the end event's sync.duration_ms (wall time); when it is missing,
--                    ended_at - started_at. active_duration_ms: the end event's value, only
--                    the time the app was in the foreground (S2).
--   records_down, records_up, records_removed, bytes_down, bytes_up, conflicts
--                    the end event's totals for the pass (NULL when it failed without them).
--   error_code, failure_type, error_message, failed_table
--                    from sync.failed (failed_table: the table that caused it, if one did).
WITH starts AS (
    SELECT *
    FROM sync_events
    WHERE event = 'sync.started' AND sync_id IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY sync_id ORDER BY ts, event_id) = 1
),
ends AS (
    SELECT *
    FROM sync_events
    -- the range adds nothing to the IN list; it lets a Parquet scan skip row groups by their
    -- min/max (an IN list only filters after reading)
    WHERE event IN ('sync.completed', 'sync.failed') AND sync_id IS NOT NULL
        AND event BETWEEN 'sync.completed' AND 'sync.failed'
    QUALIFY row_number() OVER (
        PARTITION BY sync_id
        ORDER BY ts DESC, (event = 'sync.failed') DESC, event_id DESC
    ) = 1
),
skipped AS (
    SELECT DISTINCT sync_id
    FROM sync_events
    WHERE event = 'sync.skipped' AND sync_id IS NOT NULL
)
SELECT
    s.sync_id,
    coalesce(s.profile, e.profile) AS profile,
    coalesce(s.device_id, e.device_id) AS device_id,
    coalesce(s.user_id, e.user_id) AS user_id,
    coalesce(s.mode, e.mode) AS mode,
    coalesce(s.trigger, e.trigger) AS trigger,
    s.ts AS started_at,
    e.ts AS ended_at,
    CASE e.event
        WHEN 'sync.completed' THEN 'success'
        WHEN 'sync.failed' THEN 'failure'
        ELSE 'incomplete'
    END AS result,
    coalesce(
        e.duration_ms,
        CAST(epoch_us(e.ts) - epoch_us(s.ts) AS DOUBLE) / 1000.0
    ) AS duration_ms,
    e.active_duration_ms,
    e.records_down,
    e.records_up,
    e.records_removed,
    e.bytes_down,
    e.bytes_up,
    e.conflicts,
    e.error_code,
    e.failure_type,
    e.error_message,
    CASE WHEN e.event = 'sync.failed' THEN e.table_name END AS failed_table,
    coalesce(s.app_version, e.app_version) AS app_version,
    coalesce(s.os_name, e.os_name) AS os_name,
    coalesce(s.os_version, e.os_version) AS os_version,
    coalesce(s.device_model, e.device_model) AS device_model,
    coalesce(s.network_type, e.network_type) AS network_type,
    CASE json_type(s.attributes -> 'sync.tables_due')
        WHEN 'ARRAY' THEN CAST(json_array_length(s.attributes -> 'sync.tables_due') AS INTEGER)
        WHEN 'VARCHAR' THEN coalesce(
            TRY_CAST(s.attributes ->> 'sync.tables_due' AS INTEGER),
            CAST(len(string_split(s.attributes ->> 'sync.tables_due', ',')) AS INTEGER)
        )
        ELSE TRY_CAST(s.attributes ->> 'sync.tables_due' AS INTEGER)
    END AS tables_due
FROM starts AS s
LEFT JOIN ends AS e USING (sync_id)
WHERE s.sync_id NOT IN (SELECT sync_id FROM skipped)
