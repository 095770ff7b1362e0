-- Fleet health per UTC day: passes, successes, failures, success rate, active devices, p95 duration.
--
-- Grain: one row per UTC calendar day (day = started_at::DATE) with at least one pass in sync_runs.
--
-- Metrics:
--   syncs           passes started that day, whatever their result (skipped syncs are not passes).
--   successes       of those, result 'success'.
--   failures        of those, result 'failure'.
--   incomplete      of those, result 'incomplete' (never ended).
--   success_rate    successes / (successes + failures): finished passes only, so a pass still
--                   running does not count against the day. NULL when none finished.
--   active_devices  distinct device_id that started a pass that day.
--   p95_duration_ms interpolated 95th percentile (quantile_cont) of duration_ms over the
--                   day's SUCCESSFUL passes (wall time, sync.duration_ms).
SELECT
    CAST(started_at AS DATE) AS day,
    count(*) AS syncs,
    count(*) FILTER (WHERE result = 'success') AS successes,
    count(*) FILTER (WHERE result = 'failure') AS failures,
    count(*) FILTER (WHERE result = 'incomplete') AS incomplete,
    CASE
        WHEN count(*) FILTER (WHERE result IN ('success', 'failure')) > 0
            THEN count(*) FILTER (WHERE result = 'success')
                / count(*) FILTER (WHERE result IN ('success', 'failure'))
    END AS success_rate,
    count(DISTINCT device_id) AS active_devices,
    quantile_cont(duration_ms, 0.95) FILTER (WHERE result = 'success') AS p95_duration_ms
FROM sync_runs
GROUP BY CAST(started_at AS DATE)
