"""What the dashboard shows of alerts: the firing instances, read from the state file only.

Reading never locks and never raises: the Overview page must render whatever the state file
holds (the file is replaced atomically, so it is never seen half-written).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from insights.alerts.errors import AlertsError
from insights.alerts.state import read_state


@dataclass(frozen=True)
class FiringAlert:
    """One firing alert instance, as the Overview lists it."""

    name: str
    """The rule's name."""
    instance: dict[str, Any]
    """The view row's grouping columns and values (empty for a single-row view)."""
    metric: str
    """The metric compared."""
    value: float | None
    """Its value at the latest evaluation."""
    op: str
    """The comparison (``<``, ``>=``, …)."""
    threshold: float
    """The threshold."""
    window: str
    """The evaluation window (``1h``)."""
    firing_since: str | None
    """When it started firing (ISO 8601 UTC)."""
    link: str | None
    """The dashboard page of the view over the window."""
    severity: str | None = None
    """The ``severity`` label (``page``, ``ticket``…), if any."""
    condition: str | None = None
    """The condition as one line (an SLO's burn rates, an absent group's silence)."""
    kind: str = "threshold"
    """The rule's kind."""

    def describe(self) -> str:
        """One line: the instance, the comparison and since when, e.g. ``profile=Technicians,
        table_name=account: success_rate 0.5 < 0.95 over 1h, firing since 2024-05-09T12:00:00Z``."""
        value = "NULL" if self.value is None else f"{self.value:.4g}"
        where = ", ".join(f"{k}={v}" for k, v in self.instance.items())
        if self.kind != "threshold" and self.condition:
            return (
                f"{where + ': ' if where else ''}{self.condition}, firing since {self.firing_since}"
            )
        return (
            f"{where + ': ' if where else ''}{self.metric} {value} {self.op} "
            f"{self.threshold:g} over {self.window}, firing since {self.firing_since}"
        )


@dataclass(frozen=True)
class AlertSummary:
    """The state of alerts in one store."""

    firing: tuple[FiringAlert, ...]
    """Firing instances, by rule name then instance."""
    pending: int
    """Instances whose condition holds but not yet for the rule's ``for``."""
    undelivered: int
    """Transitions not yet delivered to their webhook."""
    checked_at: str | None
    """The latest evaluation (ISO 8601 UTC)."""
    problem: str | None = None
    """Why the state could not be read (then nothing else is known)."""
    budgets: tuple[Budget, ...] = ()
    """Each SLO rule's remaining error budget per group, at the latest evaluation."""
    alertmanagers: tuple[str, ...] = ()
    """The Alertmanagers the latest evaluation posted to (where silences are read)."""


@dataclass(frozen=True)
class Budget:
    """One SLO group's error budget over the rule's period."""

    rule: str
    """The SLO rule."""
    group: dict[str, Any]
    """The group's columns (``profile``, ``table_name``…)."""
    remaining: float | None
    """The share of the budget left: 1 untouched, 0 spent, below 0 overspent; None: no syncs."""
    counted: float
    """The syncs counted over the period."""


def read_summary(store: Path) -> AlertSummary | None:
    """The store's alert summary; None when alerts never ran on it."""
    try:
        state = read_state(store)
    except AlertsError as exc:
        return AlertSummary((), 0, 0, None, str(exc))
    if state is None:
        return None
    firing = [
        FiringAlert(
            str(inst.rule.get("name")),
            dict(inst.key),
            str(inst.rule.get("metric")),
            inst.value,
            str(inst.rule.get("op")),
            float(inst.rule.get("threshold", 0.0)),
            str(inst.rule.get("window")),
            inst.firing_since,
            inst.link,
            inst.labels.get("severity"),
            inst.condition,
            str(inst.rule.get("kind", "threshold")),
        )
        for inst in state.instances.values()
        if inst.status == "firing"
    ]
    firing.sort(key=lambda a: (a.name, str(sorted(a.instance.items()))))
    pending = sum(inst.status == "pending" for inst in state.instances.values())
    budgets = tuple(
        Budget(rule, dict(b.get("key") or {}), b.get("remaining"), float(b.get("total") or 0))
        for rule, groups in sorted(state.budgets.items())
        for b in groups
    )
    return AlertSummary(
        tuple(firing),
        pending,
        len(state.outbox),
        state.checked_at,
        None,
        budgets,
        tuple(state.alertmanagers),
    )
