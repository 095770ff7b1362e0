-- One row per table synced inside a pass (sync.table), with its pass's mode, trigger and device.
--
-- Grain: one row per sync.table event whose sync_id is a pass in sync_runs. A sync.table
--   outside any pass is not counted here; the audit table_sync_outside_pass reports it.
--
-- Columns:
--   ts               when the table's part of the pass ended (the sync.table event).
--   result           the table's own sync.result: 'success' or 'failure'.
--   due_reason       why the table was in the pass (sync.due_reason: interval, related,
--                    forced, refresh, first, rejected), from attributes.
--   interval_minutes the table's configured sync interval (sync.interval_minutes).
--   duration_ms, records_down, records_up, records_removed, bytes_down, bytes_up
--                    the table's own figures.
--   profile, device_id, user_id
--                    from the sync.table event, falling back to its pass.
--   mode, trigger, pass_result, pass_started_at
--                    from the pass (sync_runs).
SELECT
    t.event_id,
    t.ts,
    t.sync_id,
    coalesce(t.profile, r.profile) AS profile,
    t.table_name,
    t.result,
    t.attributes ->> 'sync.due_reason' AS due_reason,
    t.interval_minutes,
    t.duration_ms,
    t.records_down,
    t.records_up,
    t.records_removed,
    t.bytes_down,
    t.bytes_up,
    r.mode,
    r.trigger,
    coalesce(t.device_id, r.device_id) AS device_id,
    coalesce(t.user_id, r.user_id) AS user_id,
    r.result AS pass_result,
    r.started_at AS pass_started_at
FROM sync_events AS t
JOIN sync_runs AS r USING (sync_id)
WHERE t.event = 'sync.table'
