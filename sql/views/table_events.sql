-- Every sync.table event as the device recorded it, with its due reason and payload: what the advice rules read.
--
-- Grain: one row per sync.table event (a table's part of a pass: sync_id x table_name), at
--   its ts. Unlike table_syncs, a sync.table outside any pass is kept and nothing is filled
--   in from the pass: each column is the event's own value (NULL when it lacks one).
--
-- Columns:
--   ts               when the table's part of the pass ended.
--   sync_id, profile, table_name, device_id, user_id, network_type
--                    the event's own columns.
--   result           the table's own sync.result: 'success' or 'failure'.
--   due_reason       why the table was in the pass (sync.due_reason: interval, related,
--                    forced, refresh, first, rejected), from attributes.
--   interval_minutes the table's configured sync interval (sync.interval_minutes).
--   records_down, records_up, records_removed, bytes_down, bytes_up
--                    the table's own figures.
--   payload_records  records_down + records_up (a missing side counts 0).
--   payload_bytes    bytes_down + bytes_up (a missing side counts 0).
--   empty            TRUE when records_down and records_removed are both 0 or NULL: the sync
--                    brought the device nothing new.
SELECT
    ts,
    sync_id,
    profile,
    table_name,
    device_id,
    user_id,
    network_type,
    result,
    attributes ->> 'sync.due_reason' AS due_reason,
    interval_minutes,
    records_down,
    records_up,
    records_removed,
    bytes_down,
    bytes_up,
    coalesce(records_down, 0) + coalesce(records_up, 0) AS payload_records,
    coalesce(bytes_down, 0) + coalesce(bytes_up, 0) AS payload_bytes,
    coalesce(records_down, 0) = 0 AND coalesce(records_removed, 0) = 0 AS empty
FROM sync_events
WHERE event = 'sync.table'
