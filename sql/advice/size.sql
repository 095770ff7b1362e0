-- Size: what each device held after its latest first download of each table, summed per device (S10).
--
-- Grain: one row per device_id with a successful sync.table due_reason 'first' in the window
--   ($start <= ts <= $end). A first download (sign-in, reset, reconfigure) brings every record
--   the filters select, so its records_down is what the device then holds of the table.
--
-- Columns:
--   profile          the profile of the device's latest first download.
--   records          sum over tables of records_down of each table's latest first download.
--   bytes            the same sum of bytes_down.
--   tables           tables summed.
--   top_table        the table with the most records (ties: by name); top_table_records.
WITH firsts AS (
    SELECT
        device_id,
        table_name,
        arg_max(profile, ts) AS profile,
        arg_max(coalesce(records_down, 0), ts) AS records,
        arg_max(coalesce(bytes_down, 0), ts) AS bytes,
        max(ts) AS ts
    FROM table_events
    WHERE result = 'success' AND due_reason = 'first'
        AND device_id IS NOT NULL AND ts >= $start AND ts <= $end
    GROUP BY device_id, table_name
)
SELECT
    device_id,
    arg_max(profile, ts) AS profile,
    sum(records) AS records,
    sum(bytes) AS bytes,
    count(*) AS tables,
    arg_max(table_name, (records, table_name)) AS top_table,
    max(records) AS top_table_records
FROM firsts
GROUP BY device_id
ORDER BY device_id
