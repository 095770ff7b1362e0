"""Altair charts of the dashboard's frames; every axis is titled with its unit.

Each function takes a frame from :mod:`dashboards.queries` / :mod:`dashboards.queries_detail`
and returns a chart; unit conversions (ms -> s, rate -> %) happen here, never in SQL.
"""

from __future__ import annotations

from typing import Final

import altair as alt
import polars as pl

DAY: Final = alt.X(
    "yearmonthdate(day):T", title="Day (UTC)", axis=alt.Axis(format="%b %d", tickCount="day")
)
"""The x axis of the daily charts."""
MATRIX_METRICS: Final = {
    "success_rate": "Success rate (%)",
    "p95_duration_ms": "p95 duration (s)",
    "staleness": "Staleness (x configured interval)",
}
"""What the health matrix can colour by (query value -> legend title with unit)."""


def _floats(frame: pl.DataFrame) -> pl.DataFrame:
    """Decimals (DuckDB sums) as floats, for the chart's JSON."""
    return frame.with_columns(
        pl.col(c).cast(pl.Float64) for c, t in frame.schema.items() if isinstance(t, pl.Decimal)
    )


def success_trend(daily: pl.DataFrame) -> alt.Chart:
    """Daily success rate (line) of ``daily_health``."""
    data = daily.with_columns((pl.col("success_rate") * 100).alias("success_pct"))
    chart: alt.Chart = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            DAY,
            alt.Y("success_pct:Q", title="Success rate (%)", scale=alt.Scale(domain=[0, 100])),
            tooltip=["day:T", alt.Tooltip("success_pct:Q", format=".1f"), "syncs:Q"],
        )
    )
    return chart


def daily_devices(daily: pl.DataFrame) -> alt.Chart:
    """Active devices per day (bars) of ``daily_health``."""
    chart: alt.Chart = (
        alt.Chart(daily)
        .mark_bar()
        .encode(DAY, alt.Y("active_devices:Q", title="Active devices (count)"))
    )
    return chart


def _stacked_bars(
    frame: pl.DataFrame,
    x: alt.X,
    count: tuple[str, str],
    stack: tuple[str, str],
    tooltip: list[str],
) -> alt.Chart:
    """Bars over time: ``count`` (column, axis title) stacked by ``stack`` (column, legend)."""
    chart: alt.Chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x,
            alt.Y(f"{count[0]}:Q", title=count[1]),
            alt.Color(f"{stack[0]}:N", title=stack[1]),
            tooltip=tooltip,
        )
    )
    return chart


def modes_over_time(frame: pl.DataFrame) -> alt.Chart:
    """Passes per day stacked by sync mode."""
    return _stacked_bars(
        frame,
        DAY,
        ("passes", "Passes (count)"),
        ("mode", "Sync mode"),
        ["day:T", "mode:N", "passes:Q"],
    )


def health_matrix(frame: pl.DataFrame, metric: str) -> alt.LayerChart:
    """One cell per profile and table, coloured by ``metric`` (a key of :data:`MATRIX_METRICS`)."""
    title = MATRIX_METRICS[metric]
    data = _floats(frame).with_columns(
        (pl.col("success_rate") * 100).alias("success_rate"),
        (pl.col("p95_duration_ms") / 1000).alias("p95_duration_ms"),
    )
    scheme = (
        alt.Scale(scheme="redyellowgreen", domain=[0, 100])
        if metric == "success_rate"
        else alt.Scale(scheme="orangered")
    )
    base = alt.Chart(data).encode(
        alt.X("table_name:N", title="Table", axis=alt.Axis(labelAngle=-30, labelLimit=220)),
        alt.Y("profile:N", title="Offline profile", axis=alt.Axis(labelLimit=260)),
    )
    cells = base.mark_rect().encode(
        alt.Color(f"{metric}:Q", title=title, scale=scheme),
        tooltip=[
            "profile:N",
            "table_name:N",
            alt.Tooltip("success_rate:Q", title="Success rate (%)", format=".1f"),
            alt.Tooltip("p95_duration_ms:Q", title="p95 duration (s)", format=".1f"),
            alt.Tooltip("staleness:Q", title="Staleness (x interval)", format=".2f"),
            alt.Tooltip("syncs:Q", title="Table syncs"),
        ],
    )
    labels = base.mark_text(baseline="middle", fontWeight="bold").encode(
        alt.Text(f"{metric}:Q", format=".1f"),
    )
    layered: alt.LayerChart = (cells + labels).properties(height=alt.Step(44))
    return layered


def intervals(frame: pl.DataFrame) -> alt.Chart:
    """Configured against actual interval (minutes) per profile and table."""
    data = frame.select(
        (pl.col("profile") + " / " + pl.col("table_name")).alias("profile_table"),
        pl.col("interval_minutes").cast(pl.Float64).alias("Configured"),
        pl.col("actual_interval_minutes").cast(pl.Float64).alias("Actual (median)"),
    ).unpivot(index="profile_table", variable_name="interval", value_name="minutes")
    chart: alt.Chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            alt.Y("profile_table:N", title="Profile / table", axis=alt.Axis(labelLimit=360)),
            alt.X("minutes:Q", title="Interval (minutes)"),
            alt.Color("interval:N", title="Interval"),
            alt.YOffset("interval:N"),
            tooltip=["profile_table:N", "interval:N", alt.Tooltip("minutes:Q", format=".1f")],
        )
    )
    return chart


def table_trend(frame: pl.DataFrame) -> alt.Chart:
    """One table's daily success rate."""
    return success_trend(frame)


def error_timeline(frame: pl.DataFrame) -> alt.Chart:
    """Failed passes per hour, stacked by failure type."""
    return _stacked_bars(
        frame,
        alt.X("yearmonthdatehours(hour):T", title="Hour (UTC)"),
        ("failures", "Failed passes (count)"),
        ("failure_type", "Failure type"),
        ["hour:T", "failure_type:N", "failures:Q", "devices:Q"],
    )


def conflicts_over_time(frame: pl.DataFrame) -> alt.Chart:
    """Conflicts per day, stacked by winner."""
    return _stacked_bars(
        frame,
        DAY,
        ("conflicts", "Conflicts (count)"),
        ("winner", "Winner"),
        ["day:T", "winner:N", "conflicts:Q"],
    )


def duration_percentiles(frame: pl.DataFrame, label: str) -> alt.Chart:
    """p50, p95 and p99 pass duration (seconds) per group."""
    data = frame.select(
        "group_value",
        (pl.col("p50_duration_ms") / 1000).alias("p50"),
        (pl.col("p95_duration_ms") / 1000).alias("p95"),
        (pl.col("p99_duration_ms") / 1000).alias("p99"),
    ).unpivot(index="group_value", variable_name="percentile", value_name="seconds")
    chart: alt.Chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            alt.Y("group_value:N", title=label),
            alt.X("seconds:Q", title="Pass duration (s)"),
            alt.Color("percentile:N", title="Percentile"),
            alt.YOffset("percentile:N"),
            tooltip=["group_value:N", "percentile:N", alt.Tooltip("seconds:Q", format=".2f")],
        )
    )
    return chart


def active_vs_wall(frame: pl.DataFrame) -> alt.Chart:
    """Active (foreground) and background seconds per OS and mode, stacked to wall time."""
    data = frame.select(
        (pl.col("os_name") + " / " + pl.col("mode")).alias("os_mode"),
        pl.col("active_s").alias("Active (foreground)"),
        (pl.col("wall_s") - pl.col("active_s")).alias("Background"),
    ).unpivot(index="os_mode", variable_name="time", value_name="seconds")
    chart: alt.Chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            alt.Y("os_mode:N", title="OS / sync mode"),
            alt.X("seconds:Q", title="Wall time of successful passes (s)"),
            alt.Color("time:N", title="Time"),
            tooltip=["os_mode:N", "time:N", alt.Tooltip("seconds:Q", format=",.1f")],
        )
    )
    return chart


def payload_by_mode(frame: pl.DataFrame) -> alt.Chart:
    """Average and p95 payload per pass (KB) by sync mode."""
    data = (
        _floats(frame)
        .select(
            "mode",
            (pl.col("avg_payload_bytes") / 1000).alias("average"),
            (pl.col("p95_payload_bytes") / 1000).alias("p95"),
        )
        .unpivot(index="mode", variable_name="statistic", value_name="kb")
    )
    chart: alt.Chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            alt.Y("mode:N", title="Sync mode"),
            alt.X("kb:Q", title="Payload per pass (KB)"),
            alt.Color("statistic:N", title="Statistic"),
            alt.YOffset("statistic:N"),
            tooltip=["mode:N", "statistic:N", alt.Tooltip("kb:Q", format=",.1f")],
        )
    )
    return chart


def records_over_time(frame: pl.DataFrame) -> alt.Chart:
    """Records synced down, up and removed per day."""
    data = (
        _floats(frame)
        .select("day", "records_down", "records_up", "records_removed")
        .unpivot(index="day", variable_name="direction", value_name="records")
    )
    chart: alt.Chart = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            DAY,
            alt.Y("records:Q", title="Records (count)"),
            alt.Color("direction:N", title="Records"),
            tooltip=["day:T", "direction:N", "records:Q"],
        )
    )
    return chart


def device_timeline(frame: pl.DataFrame) -> alt.Chart:
    """One device's passes: start time against duration (seconds), coloured by result."""
    data = frame.with_columns((pl.col("duration_ms") / 1000).alias("duration_s"))
    chart: alt.Chart = (
        alt.Chart(data)
        .mark_circle(size=80)
        .encode(
            alt.X("started_at:T", title="Pass start (UTC)"),
            alt.Y("duration_s:Q", title="Pass duration (s)"),
            alt.Color(
                "result:N",
                title="Result",
                scale=alt.Scale(
                    domain=["success", "failure", "incomplete"],
                    range=["#2ca02c", "#d62728", "#7f7f7f"],
                ),
            ),
            tooltip=["started_at:T", "result:N", "mode:N", "duration_s:Q", "sync_id:N"],
        )
    )
    return chart


def pass_gantt(tables: pl.DataFrame) -> alt.Chart:
    """One pass's tables as bars from their start (end - duration) to their end."""
    data = tables.with_columns(
        (pl.col("ts") - pl.duration(milliseconds=pl.col("duration_ms").fill_null(0))).alias("began")
    )
    chart: alt.Chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            alt.Y("table_name:N", title="Table"),
            alt.X("began:T", title="Time (UTC)"),
            alt.X2("ts:T"),
            alt.Color("result:N", title="Result"),
            tooltip=["table_name:N", "result:N", "duration_ms:Q", "records_down:Q"],
        )
    )
    return chart


def skips_by_reason(frame: pl.DataFrame) -> alt.Chart:
    """Skipped due syncs per day, stacked by reason."""
    chart: alt.Chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            DAY,
            alt.Y("skips:Q", title="Skipped syncs (count)"),
            alt.Color("skip_reason:N", title="Skip reason"),
            tooltip=["day:T", "skip_reason:N", "skips:Q", "devices:Q"],
        )
    )
    return chart
