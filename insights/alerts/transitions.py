"""From an evaluation to state changes: pending, firing, resolved (like Prometheus' ``for``).

Per alert instance (a rule and one row of its view, or one group of events, keyed by the rule's
``by`` columns):

- the condition holds and the instance is new: it becomes **pending** (``since`` = now);
- it holds and has held across evaluations for at least the rule's ``for``: **firing**, and a
  ``firing`` transition is recorded (``for = "0s"``: at the first evaluation);
- fewer events than the rule's ``min_count`` stand behind it: left as it was (neither fires
  nor resolves);
- it does not hold (the metric is past the threshold the other way, is NULL, or the view has
  no row for it in the window): a pending instance is dropped silently; a firing one keeps
  firing for the rule's ``keep_firing_for`` (``clear_since`` marks when it stopped holding),
  then is **resolved** and a ``resolved`` transition is recorded;
- its rule could not be evaluated this time: left as it was;
- its rule is no longer in the rules file: dropped, and resolved if it was firing.

``for`` and ``keep_firing_for`` are measured on the evaluation clock (the wall clock), whatever
the window's end. Transitions of rules with a webhook go to the outbox until delivered;
resolutions also wait in the Alertmanager outbox of each ``--alertmanager`` until delivered.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from insights.alerts.alertmanager import annotations_of, api_alert, labels_of, webhook_body
from insights.alerts.durations import format_duration
from insights.alerts.evaluate import Evaluation, Key, Observation
from insights.alerts.links import dashboard_link
from insights.alerts.rules import AlertRule
from insights.alerts.state import AlertState, Instance, Transition, TransitionKind, iso, parse_iso

MAX_RESOLVED: Final = 1000
"""Resolutions kept per Alertmanager while it cannot be reached (the oldest go first)."""


@dataclass(frozen=True)
class Change:
    """A transition as the command prints it (whether or not it has a webhook)."""

    kind: TransitionKind
    """``firing`` or ``resolved``."""
    instance: Instance
    """The instance as it was at the transition."""
    payload: dict[str, Any]
    """The webhook body."""


def instance_id(rule: str, key: Key | list[tuple[str, Any]]) -> str:
    """The identity of an alert instance: its rule's name and its grouping values."""
    return json.dumps([rule, [list(pair) for pair in key]])


@dataclass(frozen=True)
class _Round:
    state: AlertState
    now: dt.datetime
    dashboard_url: str
    alertmanagers: Sequence[str]
    changes: list[Change]


def apply(
    state: AlertState,
    rules: Sequence[AlertRule],
    found: Evaluation,
    dashboard_url: str,
    alertmanagers: Sequence[str] = (),
) -> list[Change]:
    """Update ``state`` with the evaluation ``found``; returns the transitions, in order.
    Resolutions are queued for each of ``alertmanagers`` (their base URLs)."""
    now = found.now
    run = _Round(state, now, dashboard_url, alertmanagers, [])
    by_rule = {r.name: r for r in rules}
    seen: set[str] = set()
    for obs in found.observations:
        ident = instance_id(obs.rule.name, obs.key)
        seen.add(ident)
        current = state.instances.get(ident)
        if obs.held:
            if current is not None:
                current.checked_at = iso(now)
            continue
        if not obs.breached:
            if current is not None:
                _clear(run, ident, obs.rule, obs)
            continue
        if current is None:
            current = Instance(obs.rule.summary(), list(obs.key), "pending", iso(now))
            state.instances[ident] = current
        _refresh(run, current, obs)
        current.clear_since = None
        held = now - parse_iso(current.since)
        if current.status == "pending" and held >= obs.rule.hold:
            current.status, current.firing_since = "firing", iso(now)
            run.changes.append(_record(run, ident, obs.rule, current, "firing", obs))
    for ident, inst in list(state.instances.items()):
        if ident in seen:
            continue
        rule = by_rule.get(inst.rule["name"])
        if rule is None or rule.name not in found.failures:
            _clear(run, ident, rule, None)
    state.checked_at = iso(now)
    state.alertmanagers = list(alertmanagers)
    state.budgets = {**{k: v for k, v in state.budgets.items() if k in by_rule}, **found.budgets}
    return run.changes


def _refresh(run: _Round, inst: Instance, obs: Observation) -> None:
    """Bring ``inst`` up to date with a breaching ``obs``."""
    rule = obs.rule
    inst.rule, inst.webhook = rule.summary(), rule.webhook
    inst.value, inst.checked_at, inst.condition = obs.value, iso(run.now), obs.condition
    inst.link = dashboard_link(
        run.dashboard_url, rule.view, (*rule.where, *obs.key), obs.start, obs.end
    )
    inst.labels = labels_of(rule, obs.key, obs.labels)
    inst.annotations = annotations_of(obs, inst.labels)


def _clear(run: _Round, ident: str, rule: AlertRule | None, obs: Observation | None) -> None:
    """The condition of ``ident`` does not hold: drop it, keep it firing, or resolve it."""
    inst = run.state.instances[ident]
    if inst.status == "firing" and rule is not None and rule.keep_firing_for:
        inst.clear_since = inst.clear_since or iso(run.now)
        inst.checked_at = iso(run.now)
        if run.now - parse_iso(inst.clear_since) < rule.keep_firing_for:
            return
    run.state.instances.pop(ident)
    if inst.status != "firing":
        return
    inst.value = obs.value if obs is not None else None
    if obs is not None:
        inst.condition = obs.condition
    inst.checked_at = iso(run.now)
    run.changes.append(_record(run, ident, rule, inst, "resolved", obs))


def _record(
    run: _Round,
    ident: str,
    rule: AlertRule | None,
    inst: Instance,
    kind: TransitionKind,
    obs: Observation | None,
) -> Change:
    state, now = run.state, run.now
    summary = rule.summary() if rule is not None else inst.rule
    payload: dict[str, Any] = {
        "id": uuid.uuid4().hex,
        "status": kind,
        "alert": summary["name"],
        "rule": summary,
        "instance": dict(inst.key),
        "value": inst.value,
        "condition": inst.condition,
        "op": summary.get("op"),
        "threshold": summary.get("threshold"),
        "window": summary["window"],
        "window_start": iso(obs.start) if obs is not None else None,
        "window_end": iso(obs.end) if obs is not None else None,
        "since": inst.since,
        "firing_since": inst.firing_since,
        "at": iso(now),
        "dashboard_url": inst.link,
    }
    if rule is None:
        payload["reason"] = "the rule is no longer in the rules file"
    elif obs is None and kind == "resolved":
        payload["reason"] = f"no row for this instance in the last {format_duration(rule.window)}"
    ends = iso(now) if kind == "resolved" else None
    labels = inst.labels or {"alertname": str(summary["name"])}
    payload |= webhook_body(
        kind, labels, inst.annotations, inst.firing_since, ends, inst.link, run.dashboard_url
    )
    webhook = rule.webhook if rule is not None else inst.webhook
    if webhook:
        state.seq += 1
        state.outbox.append(Transition(payload["id"], state.seq, ident, webhook, payload))
    if kind == "resolved":
        resolved = api_alert(labels, inst.annotations, inst.firing_since, ends, inst.link)
        for url in run.alertmanagers:
            queue = state.alertmanager_outbox.setdefault(url, [])
            queue.append({"id": payload["id"], "alert": resolved})
            del queue[:-MAX_RESOLVED]
    return Change(kind, dataclasses.replace(inst), payload)


def firing_alerts(state: AlertState) -> list[dict[str, Any]]:
    """Every firing instance as a ``POST /api/v2/alerts`` alert (re-sent at each evaluation)."""
    return [
        api_alert(i.labels, i.annotations, i.firing_since, None, i.link)
        for i in state.instances.values()
        if i.status == "firing" and i.labels
    ]
