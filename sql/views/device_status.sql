-- Each device's current state: last sync and its result, last success, app, OS, network, pending uploads.
--
-- Grain: one row per device_id seen on any sync_events row (a device that only ever skipped
--   still has a row).
--
-- Columns:
--   profile, user_id, app_version, os_name, os_version, device_model, network_type
--                    from the device's latest event (by ts, then event_id) carrying the value
--                    (arg_max skips NULLs).
--   last_seen_at     ts of the device's latest event of any kind.
--   last_sync_at     started_at of the device's latest pass (sync_runs); NULL if it never
--                    started one. last_result: that pass's result (success, failure,
--                    incomplete).
--   last_success_at  ended_at of the device's latest successful pass; NULL if none.
--   pending_uploads  sync.pending_uploads from the latest event whose attributes carry it.
--   status           the device status of S6, first rule that holds:
--                      'not_connected'   the latest event's network_type is 'unavailable';
--                      'syncing'         the latest pass is incomplete;
--                      'error'           the latest pass failed;
--                      'pending_uploads' pending_uploads > 0;
--                      'warning'         the device never completed a pass successfully;
--                      'connected'       otherwise.
WITH latest AS (
    SELECT
        device_id,
        max(ts) AS last_seen_at,
        arg_max(profile, (ts, event_id)) AS profile,
        arg_max(user_id, (ts, event_id)) AS user_id,
        arg_max(app_version, (ts, event_id)) AS app_version,
        arg_max(os_name, (ts, event_id)) AS os_name,
        arg_max(os_version, (ts, event_id)) AS os_version,
        arg_max(device_model, (ts, event_id)) AS device_model,
        arg_max(network_type, (ts, event_id)) AS network_type,
        arg_max(TRY_CAST(attributes ->> 'sync.pending_uploads' AS BIGINT), (ts, event_id))
            AS pending_uploads
    FROM sync_events
    WHERE device_id IS NOT NULL
    GROUP BY device_id
),
passes AS (
    SELECT
        device_id,
        arg_max(started_at, (started_at, sync_id)) AS last_sync_at,
        arg_max(result, (started_at, sync_id)) AS last_result,
        max(ended_at) FILTER (WHERE result = 'success') AS last_success_at
    FROM sync_runs
    WHERE device_id IS NOT NULL
    GROUP BY device_id
)
SELECT
    l.device_id,
    l.profile,
    l.user_id,
    l.last_seen_at,
    p.last_sync_at,
    p.last_result,
    p.last_success_at,
    l.app_version,
    l.os_name,
    l.os_version,
    l.device_model,
    l.network_type,
    l.pending_uploads,
    CASE
        WHEN l.network_type = 'unavailable' THEN 'not_connected'
        WHEN p.last_result = 'incomplete' THEN 'syncing'
        WHEN p.last_result = 'failure' THEN 'error'
        WHEN l.pending_uploads > 0 THEN 'pending_uploads'
        WHEN p.last_success_at IS NULL THEN 'warning'
        ELSE 'connected'
    END AS status
FROM latest AS l
LEFT JOIN passes AS p USING (device_id)
