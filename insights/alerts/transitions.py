"""From an evaluation to state changes: pending, firing, resolved (like Prometheus' ``for``).

Per alert instance (a rule and one row of its view, keyed by the rule's ``by`` columns):

- the condition holds and the instance is new: it becomes **pending** (``since`` = now);
- it holds and has held across evaluations for at least the rule's ``for``: **firing**, and a
  ``firing`` transition is recorded (``for = "0s"``: at the first evaluation);
- it does not hold (the metric is past the threshold the other way, is NULL, or the view has
  no row for it in the window): a pending instance is dropped silently, a firing one is
  **resolved** and a ``resolved`` transition is recorded;
- its rule could not be evaluated this time: left as it was;
- its rule is no longer in the rules file: dropped, and resolved if it was firing.

``for`` is measured on the evaluation clock (the wall clock), whatever the window's end.
Transitions of rules with a webhook go to the outbox until delivered.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from insights.alerts.durations import format_duration
from insights.alerts.evaluate import Evaluation, Key, Observation
from insights.alerts.links import dashboard_link
from insights.alerts.rules import AlertRule
from insights.alerts.state import AlertState, Instance, Transition, TransitionKind, iso, parse_iso


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


def apply(
    state: AlertState, rules: Sequence[AlertRule], found: Evaluation, dashboard_url: str
) -> list[Change]:
    """Update ``state`` with the evaluation ``found``; returns the transitions, in order."""
    now = found.now
    by_rule = {r.name: r for r in rules}
    seen: set[str] = set()
    changes: list[Change] = []
    for obs in found.observations:
        ident = instance_id(obs.rule.name, obs.key)
        seen.add(ident)
        current = state.instances.get(ident)
        if not obs.breached:
            if current is not None:
                _drop(state, ident, obs.rule, obs, now, changes)
            continue
        link = dashboard_link(
            dashboard_url, obs.rule.view, (*obs.rule.where, *obs.key), obs.start, obs.end
        )
        if current is None:
            current = Instance(obs.rule.summary(), list(obs.key), "pending", iso(now))
            state.instances[ident] = current
        current.rule, current.webhook = obs.rule.summary(), obs.rule.webhook
        current.value, current.checked_at, current.link = obs.value, iso(now), link
        held = now - parse_iso(current.since)
        if current.status == "pending" and held >= obs.rule.hold:
            current.status, current.firing_since = "firing", iso(now)
            changes.append(_record(state, ident, obs.rule, current, "firing", obs, now))
    for ident, inst in list(state.instances.items()):
        if ident in seen:
            continue
        rule = by_rule.get(inst.rule["name"])
        if rule is None or rule.name not in found.failures:
            _drop(state, ident, rule, None, now, changes)
    state.checked_at = iso(now)
    return changes


def _drop(
    state: AlertState,
    ident: str,
    rule: AlertRule | None,
    obs: Observation | None,
    now: dt.datetime,
    changes: list[Change],
) -> None:
    inst = state.instances.pop(ident)
    if inst.status != "firing":
        return
    inst.value = obs.value if obs is not None else None
    inst.checked_at = iso(now)
    changes.append(_record(state, ident, rule, inst, "resolved", obs, now))


def _record(
    state: AlertState,
    ident: str,
    rule: AlertRule | None,
    inst: Instance,
    kind: TransitionKind,
    obs: Observation | None,
    now: dt.datetime,
) -> Change:
    summary = rule.summary() if rule is not None else inst.rule
    payload: dict[str, Any] = {
        "id": uuid.uuid4().hex,
        "status": kind,
        "alert": summary["name"],
        "rule": summary,
        "instance": dict(inst.key),
        "value": inst.value,
        "op": summary["op"],
        "threshold": summary["threshold"],
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
    webhook = rule.webhook if rule is not None else inst.webhook
    if webhook:
        state.seq += 1
        state.outbox.append(Transition(payload["id"], state.seq, ident, webhook, payload))
    return Change(kind, dataclasses.replace(inst), payload)
