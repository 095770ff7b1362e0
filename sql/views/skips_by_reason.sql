-- Due syncs that did not run, per UTC day, profile and skip reason.
--
-- Grain: one row per UTC day (ts::DATE) x profile x skip_reason with at least one
--   sync.skipped event.
--
-- Metrics:
--   skips    sync.skipped events (skip_reason: offline, wifi_only, on_demand, inactive,
--            network_check_timeout). A skipped sync is never a pass.
--   devices  distinct device_id that skipped.
SELECT
    CAST(ts AS DATE) AS day,
    profile,
    skip_reason,
    count(*) AS skips,
    count(DISTINCT device_id) AS devices
FROM sync_events
WHERE event = 'sync.skipped'
GROUP BY CAST(ts AS DATE), profile, skip_reason
