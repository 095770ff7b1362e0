"""Fleet sync health as Prometheus metrics, with ``prometheus_client``: a collector that reads
the store at every scrape, the text (or OpenMetrics) page, and a small loopback HTTP server.

Series (``profile`` and ``table`` labels only, never a device id; see :mod:`.fleet`):

=============================================  =======  =========================================
``synctel_store_up``                           gauge    1 when the store could be read and holds
                                                        events, else 0 (the page is still 200)
``synctel_store_newest_event_age_seconds``     gauge    wall clock minus the newest event's time
``synctel_metrics_window_seconds``             gauge    the window the ``synctel_table_*``
                                                        gauges cover
``synctel_table_passes``                       gauge    table syncs in the window
``synctel_table_failures``                     gauge    failed table syncs in the window
``synctel_table_success_ratio``                gauge    successes / (successes + failures)
``synctel_table_p95_duration_seconds``         gauge    p95 duration of successful table syncs
``synctel_table_syncs_total``                  counter  table syncs in the store, by ``result``
``synctel_devices``                            gauge    devices seen in the last 7 days
``synctel_devices_stale``                      gauge    of those, no successful pass in 24 h
``synctel_devices_pending_uploads``            gauge    of those, with uploads waiting
``synctel_scrape_errors_total``                counter  scrapes that could not read the store
=============================================  =======  =========================================

**Bounded cardinality.** At most :data:`MAX_SERIES` label sets per family (the busiest first);
the rest are summed into ``profile="_other"``/``table="_other"`` (the ratio and the percentile
are left out for those). Label values are cut at :data:`MAX_LABEL_LENGTH` characters.
"""

from __future__ import annotations

import datetime as dt
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Final

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector, CollectorRegistry

from insights.metrics.fleet import FleetFigures, read_fleet

MAX_SERIES: Final = 500
"""Label sets per family at most; the rest are summed into ``_other``."""
MAX_LABEL_LENGTH: Final = 100
"""Label values are cut to this many characters."""
OTHER: Final = "_other"
"""The label value the label sets past :data:`MAX_SERIES` are summed under."""
DEFAULT_WINDOW: Final = dt.timedelta(hours=1)
"""The window of the ``synctel_table_*`` gauges by default."""

WindowEnd = Callable[[], dt.datetime | None]
"""Where the window ends at each scrape (None: just after the store's newest event)."""


def _label(value: str | None) -> str:
    return "" if value is None else value[:MAX_LABEL_LENGTH]


def _bounded(
    rows: Iterable[tuple[tuple[str, ...], tuple[float | None, ...]]], weight: int
) -> list[tuple[tuple[str, ...], tuple[float | None, ...]]]:
    """The :data:`MAX_SERIES` heaviest rows (by value ``weight``), then one ``_other`` row
    summing the additive values of the rest (others None)."""
    ordered = sorted(rows, key=lambda r: (-(r[1][weight] or 0), r[0]))
    if len(ordered) <= MAX_SERIES:
        return ordered
    kept, rest = ordered[: MAX_SERIES - 1], ordered[MAX_SERIES - 1 :]
    width = len(rest[0][1])
    summed = tuple(float(sum(r[1][i] or 0 for r in rest)) for i in range(width))
    return [*kept, ((OTHER,) * len(rest[0][0]), summed)]


class FleetCollector(Collector):
    """Reads the store at each scrape; never raises (a failed read is ``synctel_store_up 0``)."""

    def __init__(
        self,
        store: Path,
        window: dt.timedelta = DEFAULT_WINDOW,
        end: WindowEnd | None = None,
        *,
        clock: Callable[[], dt.datetime] | None = None,
        report: Callable[[str], None] | None = None,
    ) -> None:
        """Figures of ``store`` over ``window`` ending at ``end()`` (default: the wall clock);
        problems go to ``report`` (default: stderr)."""
        self.store = Path(store)
        """The store folder."""
        self.window = window
        """The window of the ``synctel_table_*`` gauges."""
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC).replace(tzinfo=None))
        self._end = end or self._clock
        self._report = report or (lambda m: print(f"synctel metrics: {m}", file=sys.stderr))
        self._errors = 0
        self._lock = threading.Lock()

    def collect(self) -> Iterator[Metric]:
        """The metric families of one scrape."""
        try:
            figures = read_fleet(self.store, self.window, self._end())
        except Exception as exc:  # noqa: BLE001 - a scrape answers whatever happens
            with self._lock:
                self._errors += 1
            self._report(f"cannot read the store {self.store}: {exc}")
            figures = FleetFigures(problem=str(exc))
        yield from self._families(figures)

    def _families(self, f: FleetFigures) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "synctel_store_up", "1 when the store could be read and holds events, else 0"
        )
        up.add_metric([], 1.0 if f.up else 0.0)
        yield up
        errors = CounterMetricFamily(
            "synctel_scrape_errors", "Scrapes that could not read the store"
        )
        errors.add_metric([], float(self._errors))
        yield errors
        window = GaugeMetricFamily(
            "synctel_metrics_window_seconds", "The window the synctel_table_* gauges cover"
        )
        window.add_metric([], self.window.total_seconds())
        yield window
        if f.newest is not None:
            age = GaugeMetricFamily(
                "synctel_store_newest_event_age_seconds",
                "Seconds from the store's newest event to the wall clock",
            )
            age.add_metric([], max(0.0, (self._clock() - f.newest).total_seconds()))
            yield age
        yield from self._tables(f)
        yield from self._devices(f)

    def _tables(self, f: FleetFigures) -> Iterator[Metric]:
        labels = ["profile", "table"]
        families = (
            ("synctel_table_passes", "Table syncs whose pass started in the window", 0),
            ("synctel_table_failures", "Failed table syncs whose pass started in the window", 1),
            ("synctel_table_success_ratio", "Successes / (successes + failures) in the window", 2),
            (
                "synctel_table_p95_duration_seconds",
                "95th percentile duration of successful table syncs in the window",
                3,
            ),
        )
        rows = _bounded(
            (
                (
                    (_label(t.profile), _label(t.table)),
                    (float(t.syncs), float(t.failures), t.success_ratio, t.p95_seconds),
                )
                for t in f.tables
            ),
            0,
        )
        for name, doc, index in families:
            family = GaugeMetricFamily(name, doc, labels=labels)
            for key, values in rows:
                value = values[index]
                if value is not None and not (key[0] == OTHER and index >= 2):
                    family.add_metric(list(key), float(value))
            yield family
        totals = CounterMetricFamily(
            "synctel_table_syncs", "Table syncs in the store, by result", labels=[*labels, "result"]
        )
        for key, (count,) in _bounded(
            (((_label(p), _label(t), _label(r)), (float(n),)) for p, t, r, n in f.totals), 0
        ):
            totals.add_metric(list(key), count or 0.0)
        yield totals

    def _devices(self, f: FleetFigures) -> Iterator[Metric]:
        families = (
            ("synctel_devices", "Devices seen in the last 7 days", 0),
            ("synctel_devices_stale", "Devices seen without a successful pass in 24 h", 1),
            ("synctel_devices_pending_uploads", "Devices seen with uploads waiting", 2),
        )
        rows = _bounded(
            (
                ((_label(d.profile),), (float(d.devices), float(d.stale), float(d.pending_uploads)))
                for d in f.devices
            ),
            0,
        )
        for name, doc, index in families:
            family = GaugeMetricFamily(name, doc, labels=["profile"])
            for key, values in rows:
                family.add_metric(list(key), values[index] or 0.0)
            yield family


def registry_for(collector: FleetCollector) -> CollectorRegistry:
    """A registry holding ``collector`` only (no process metrics: the page is about the fleet)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    return registry


def render(registry: CollectorRegistry, accept: str | None) -> tuple[bytes, str]:
    """The page for a request's ``Accept`` header: Prometheus text, or OpenMetrics when asked
    for; returns the body and its content type."""
    encoder, content_type = choose_encoder(accept or "")
    return encoder(registry), content_type
