"""``synctel alerts check`` and ``watch``: evaluate, update the state, deliver, print.

One :class:`Runner` per process. A round evaluates every rule (no lock held), then applies
the result to the state in one short transaction (:mod:`insights.alerts.transitions`), then
hands the outbox to the delivery thread (:mod:`insights.alerts.webhook`) and returns: a slow
or failing webhook never delays the next evaluation.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from insights.alerts.alertmanager import api_url
from insights.alerts.errors import AlertsError
from insights.alerts.evaluate import Evaluation, WindowEnd, evaluate, require_store, utc_now
from insights.alerts.links import DEFAULT_DASHBOARD_URL
from insights.alerts.rules import AlertRule
from insights.alerts.state import Instance, StateStore, iso
from insights.alerts.transitions import Change, apply, firing_alerts
from insights.alerts.webhook import Batch, Deliverer, DeliveryPolicy, to_stderr

EXIT_FIRING = 3
"""``check``'s exit code when at least one alert fires."""
EXIT_RULE_FAILED = 1
"""``check``'s exit code when none fires but a rule could not be evaluated."""


@dataclass(frozen=True)
class Settings:
    """What a run evaluates and where it reports."""

    store: Path
    """The store folder."""
    rules: Sequence[AlertRule]
    """The rules, from :func:`~insights.alerts.rules.load_rules`."""
    end: WindowEnd = "now"
    """Where windows end: ``now`` (live stores), ``latest`` (the newest event) or an instant."""
    dashboard_url: str = DEFAULT_DASHBOARD_URL
    """The dashboard's base URL, for the links in payloads."""
    policy: DeliveryPolicy = field(default_factory=DeliveryPolicy)
    """Retries, the deadline of each attempt, and queue size."""
    alertmanagers: tuple[str, ...] = ()
    """Alertmanagers (base URLs) every firing alert is posted to at each round."""


@dataclass(frozen=True)
class Round:
    """The outcome of one evaluation round."""

    evaluation: Evaluation
    """What the rules found."""
    changes: list[Change]
    """Transitions, in order."""
    firing: list[Instance]
    """Every firing instance after the round."""
    pending: list[Instance]
    """Every pending instance after the round."""


class Runner:
    """Evaluation rounds against one store, with a delivery thread; :meth:`close` when done."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Callable[[], dt.datetime] = utc_now,
        report: Callable[[str], None] = to_stderr,
    ) -> None:
        """Rounds read ``clock`` (naive UTC) for ``now``; problems go to ``report``.

        Raises AlertsError when ``settings.store`` is not a store."""
        require_store(settings.store)
        self.settings = settings
        """The run's settings."""
        self.states = StateStore(settings.store)
        """The store's alert state."""
        self._clock = clock
        self._report = report
        self.deliverer = Deliverer(self.states, settings.policy, report)
        """The delivery thread."""

    def round(self) -> Round:
        """Evaluate every rule once, record the transitions, and queue what is undelivered."""
        s = self.settings
        found = evaluate(s.store, s.rules, now=self._clock(), end=s.end)
        for name, why in found.failures.items():
            self._report(f"alert {name!r}: cannot be evaluated: {why}")
        with self.states.transaction() as state:
            changes = apply(state, s.rules, found, s.dashboard_url, s.alertmanagers)
            instances = sorted(state.instances.values(), key=lambda i: (i.rule["name"], i.since))
            outbox = list(state.outbox)
            firing = firing_alerts(state)
            batches = [
                Batch(
                    api_url(base),
                    base,
                    firing + [r["alert"] for r in state.alertmanager_outbox.get(base, [])],
                    frozenset(r["id"] for r in state.alertmanager_outbox.get(base, [])),
                )
                for base in s.alertmanagers
            ]
        self.deliverer.submit(outbox)
        for batch in batches:
            self.deliverer.submit_batch(batch)
        return Round(
            found,
            changes,
            [i for i in instances if i.status == "firing"],
            [i for i in instances if i.status == "pending"],
        )

    def close(self, wait: float) -> int:
        """Give deliveries up to ``wait`` seconds, then stop every lane (attempts under way are
        aborted); returns how many notifications are still undelivered: webhook transitions and
        Alertmanager resolutions, kept in the outbox for the next run."""
        self.deliverer.wait(wait)
        self.deliverer.close()
        with self.states.transaction() as state:
            left = len(state.outbox)
            resolutions = sum(len(q) for q in state.alertmanager_outbox.values())
        if left:
            self._report(f"{left} transition(s) not delivered yet; the next run retries them")
        if resolutions:
            self._report(
                f"{resolutions} resolution(s) not delivered to Alertmanager yet; the next run "
                "re-sends them"
            )
        return left + resolutions


def delivery_budget(policy: DeliveryPolicy) -> float:
    """Seconds one notification may take through every attempt and backoff of a round: what a
    run waits at most for its deliveries (destinations are served in parallel, and one that
    fails every attempt is given up on until the next round)."""
    waits, delay = 0.0, policy.backoff
    for _ in range(max(policy.attempts, 1) - 1):
        waits += delay
        delay = min(delay * 2, policy.backoff_cap)
    return waits + policy.attempts * policy.timeout


def _key(inst: Instance) -> str:
    return " ".join(f"{c}={v}" for c, v in inst.key) or "-"


def _value(value: float | None) -> str:
    return "NULL" if value is None else f"{value:.6g}"


def describe(inst: Instance) -> str:
    """``name  key  condition``, e.g. ``t  profile=T  success_rate=0.5 < 0.95 over 1h``."""
    r = inst.rule
    if inst.condition:
        severity = inst.labels.get("severity")
        return f"{r['name']}  {_key(inst)}  {inst.condition}" + (
            f"  [{severity}]" if severity else ""
        )
    return (
        f"{r['name']}  {_key(inst)}  {r['metric']}={_value(inst.value)} "
        f"{r['op']} {r['threshold']:g} over {r['window']}"
    )


def print_round(result: Round, out: TextIO, *, full: bool) -> None:
    """Print a round: its transitions; with ``full``, every firing and pending instance and a
    summary line too (``check``)."""
    for change in result.changes:
        p = change.payload
        out.write(f"{p['at']}  {change.kind.upper():<8}  {describe(change.instance)}\n")
    if not full:
        return
    for inst in result.firing:
        out.write(f"firing    {describe(inst)}  since {inst.firing_since}\n")
        if inst.link:
            out.write(f"          {inst.link}\n")
    for inst in result.pending:
        out.write(f"pending   {describe(inst)}  holding since {inst.since}\n")
    end = result.evaluation.end
    ends = f"windows end {iso(end)}" if end is not None else "the store has no events"
    out.write(f"{len(result.firing)} firing, {len(result.pending)} pending ({ends})\n")


def check(settings: Settings, out: TextIO | None = None) -> int:
    """One round; prints it and returns the exit code: 3 when an alert fires, 1 when none does
    but a rule could not be evaluated, else 0. Waits (bounded) for the webhooks."""
    runner = Runner(settings)
    try:
        result = runner.round()
        print_round(result, out or sys.stdout, full=True)
    finally:
        runner.close(delivery_budget(settings.policy))
    if result.firing:
        return EXIT_FIRING
    return EXIT_RULE_FAILED if result.evaluation.failures else 0


def watch(
    settings: Settings,
    interval: float,
    count: int = 0,
    out: TextIO | None = None,
    report: Callable[[str], None] = to_stderr,
) -> int:
    """A round every ``interval`` seconds (``count`` rounds, 0: until interrupted), printing
    each transition as it happens; a round that fails is reported and the next one runs."""
    out = out or sys.stdout
    runner = Runner(settings, report=report)
    where = {"now": "the wall clock", "latest": "the newest event"}.get(str(settings.end))
    out.write(
        f"watching {len(settings.rules)} rule(s) every {interval:g} s; windows end at "
        f"{where or settings.end}\n"
    )
    out.flush()
    rounds = 0
    try:
        while True:
            started = time.monotonic()
            try:
                print_round(runner.round(), out, full=False)
            except AlertsError as exc:
                report(f"round failed: {exc}")
            out.flush()
            rounds += 1
            if count and rounds >= count:
                return 0
            time.sleep(max(0.0, interval - (time.monotonic() - started)))
    finally:
        runner.close(delivery_budget(settings.policy) if count else 1.0)
