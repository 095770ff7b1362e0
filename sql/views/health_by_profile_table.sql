-- Sync health of each table of each offline profile: success rate, durations, volumes, staleness.
--
-- Grain: one row per profile x table_name that has at least one row in table_syncs.
--
-- Metrics:
--   syncs              table syncs (rows of table_syncs), whatever their result.
--   successes          table syncs with result 'success'.
--   failures           table syncs with result 'failure'.
--   success_rate       successes / (successes + failures); NULL when both are 0.
--   p50_duration_ms, p95_duration_ms
--                      interpolated median and 95th percentile (quantile_cont) of duration_ms
--                      over the SUCCESSFUL table syncs only.
--   records_down, records_up, records_removed, bytes_down, bytes_up
--                      sums over all table syncs (records_removed = S9 removals).
--   conflicts          sync.conflict events for this profile and table.
--   last_success       ts of the latest successful table sync; NULL if it never succeeded.
--   interval_minutes   the configured interval: sync.interval_minutes of the latest table sync
--                      that carries one.
--   as_of              the newest ts in sync_events: the store's clock. Staleness is measured
--                      against it (not the wall clock), so historical loads read the same
--                      tomorrow as today.
--   minutes_since_success
--                      minutes elapsed (fractional) from last_success to as_of; NULL if it
--                      never succeeded.
--   stale              TRUE when the table never succeeded, or minutes_since_success is more
--                      than 2 x interval_minutes (one missed interval is tolerated, two are
--                      not). NULL when it succeeded but no interval is known.
WITH per_table AS (
    SELECT
        profile,
        table_name,
        count(*) AS syncs,
        count(*) FILTER (WHERE result = 'success') AS successes,
        count(*) FILTER (WHERE result = 'failure') AS failures,
        quantile_cont(duration_ms, 0.5) FILTER (WHERE result = 'success') AS p50_duration_ms,
        quantile_cont(duration_ms, 0.95) FILTER (WHERE result = 'success') AS p95_duration_ms,
        sum(records_down) AS records_down,
        sum(records_up) AS records_up,
        sum(records_removed) AS records_removed,
        sum(bytes_down) AS bytes_down,
        sum(bytes_up) AS bytes_up,
        max(ts) FILTER (WHERE result = 'success') AS last_success,
        arg_max(interval_minutes, ts) FILTER (WHERE interval_minutes IS NOT NULL)
            AS interval_minutes
    FROM table_syncs
    GROUP BY profile, table_name
),
conflict_counts AS (
    SELECT profile, table_name, count(*) AS conflicts
    FROM sync_events
    WHERE event = 'sync.conflict'
    GROUP BY profile, table_name
),
clock AS (
    SELECT max(ts) AS as_of FROM sync_events
),
aged AS (
    SELECT
        p.*,
        coalesce(c.conflicts, 0) AS conflicts,
        clock.as_of,
        (epoch_us(clock.as_of) - epoch_us(p.last_success)) / 60e6 AS minutes_since_success
    FROM per_table AS p
    CROSS JOIN clock
    LEFT JOIN conflict_counts AS c
        ON c.profile IS NOT DISTINCT FROM p.profile
        AND c.table_name IS NOT DISTINCT FROM p.table_name
)
SELECT
    profile,
    table_name,
    syncs,
    successes,
    failures,
    CASE WHEN successes + failures > 0 THEN successes / (successes + failures) END
        AS success_rate,
    p50_duration_ms,
    p95_duration_ms,
    records_down,
    records_up,
    records_removed,
    bytes_down,
    bytes_up,
    conflicts,
    last_success,
    interval_minutes,
    as_of,
    minutes_since_success,
    CASE
        WHEN last_success IS NULL THEN TRUE
        WHEN interval_minutes IS NULL THEN NULL
        ELSE minutes_since_success > 2 * interval_minutes
    END AS stale
FROM aged
