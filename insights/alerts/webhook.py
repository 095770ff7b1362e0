"""Delivery to webhooks and Alertmanagers: one lane (a thread and its queue) per destination,
retries, and an overall deadline per attempt.

Evaluation never waits for delivery. Each destination URL has its own lane, so a webhook that
never answers delays no other: its lane retries while the others deliver.

- **Webhooks** get each transition once, in order (one instance's firing before its
  resolution). A failed attempt (no answer within the deadline, or a status outside 2xx) is
  reported and retried after an exponential backoff (``backoff``, doubling, capped at
  ``backoff_cap``) up to ``attempts`` times. A transition that still fails stays in the
  state's outbox with its attempts and last error, the lane gives up on its destination until
  the next round (what is queued behind it stays in the outbox too), and the next evaluation
  (or the next run) tries again. A delivered transition leaves the outbox, so it is never sent
  again (a crash between the answer and that write sends it once more: the payload's ``id``
  lets a receiver drop the repeat).
- **Alertmanagers** get every firing alert at every round, plus the resolutions not yet
  delivered (:mod:`insights.alerts.alertmanager`); a newer round's batch replaces one still
  waiting. A batch that fails every attempt is dropped: its firing alerts go out with the next
  round, its resolutions stay in the state's Alertmanager outbox until delivered.

Each attempt is bounded as a whole (:mod:`insights.alerts.posting`): a receiver trickling bytes
cannot hold it past ``timeout``. :meth:`Deliverer.close` aborts attempts still under way; what
they carried stays in the outbox.
"""

from __future__ import annotations

import collections
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from insights.alerts.posting import Attempt, where
from insights.alerts.state import StateStore, Transition


@dataclass(frozen=True)
class DeliveryPolicy:
    """How hard a notification is pushed before it is left for the next round."""

    attempts: int = 5
    """Attempts per round (at least 1)."""
    backoff: float = 0.5
    """Seconds before the second attempt; doubles after each failure."""
    backoff_cap: float = 30.0
    """The longest wait between two attempts, in seconds."""
    timeout: float = 5.0
    """Seconds one attempt may take as a whole: connecting, sending, reading the answer."""
    queue_size: int = 256
    """Transitions waiting at most per destination; more stay in the outbox for the next round."""


@dataclass(frozen=True)
class Batch:
    """One round's alerts for an Alertmanager."""

    url: str
    """The ``/api/v2/alerts`` URL."""
    base: str
    """The Alertmanager as given (the key of its outbox)."""
    alerts: list[dict[str, Any]]
    """Firing alerts, then the undelivered resolutions."""
    resolved: frozenset[str]
    """The ids of the resolutions it carries (they leave the outbox once delivered)."""


def to_stderr(message: str) -> None:
    """Report a delivery problem on stderr (the default reporter)."""
    print(f"synctel alerts: {message}", file=sys.stderr, flush=True)


class _Lane:
    """One destination's queue and thread."""

    def __init__(self, owner: Deliverer, url: str) -> None:
        self.owner = owner
        self.url = url
        self.items: collections.deque[Transition | Batch] = collections.deque()
        self.busy = False
        self.down = False  # gave up for this round
        self.attempt: Attempt | None = None
        self.thread = threading.Thread(
            target=self.run, name=f"synctel-alerts {where(url)}", daemon=True
        )

    def run(self) -> None:
        owner = self.owner
        while True:
            with owner.wake:
                while not self.items and not owner.stopping:
                    owner.wake.wait()
                if owner.stopping:
                    return
                item = self.items.popleft()
                self.busy = True
            try:
                if isinstance(item, Batch):
                    owner.send_batch(self, item)
                elif not self.down:
                    owner.send_transition(self, item)
            finally:
                with owner.wake:
                    self.busy = False
                    if isinstance(item, Transition):
                        owner.in_flight.discard(item.id)
                    owner.wake.notify_all()


class Deliverer:
    """The delivery lanes of one process; :meth:`submit` and :meth:`submit_batch` never block."""

    def __init__(
        self,
        states: StateStore,
        policy: DeliveryPolicy | None = None,
        report: Callable[[str], None] = to_stderr,
    ) -> None:
        """Deliver with ``policy``; outcomes are written to ``states``, problems to ``report``."""
        self.policy = policy or DeliveryPolicy()
        """The retry, deadline and queue settings."""
        self.wake = threading.Condition()
        """Guards the lanes; notified when work arrives or finishes."""
        self.in_flight: set[str] = set()
        """Transition ids queued or being sent."""
        self.stopping = False
        """Set by :meth:`close`."""
        self._states = states
        self._report = report
        self._lanes: dict[str, _Lane] = {}

    def _lane(self, url: str) -> _Lane:
        lane = self._lanes.get(url)
        if lane is None:
            lane = self._lanes[url] = _Lane(self, url)
            lane.thread.start()
        return lane

    def submit(self, transitions: Iterable[Transition]) -> None:
        """Queue the outbox's transitions (oldest first) that are not already on their way,
        each on its destination's lane."""
        with self.wake:
            if self.stopping:
                return
            for lane in self._lanes.values():
                if not lane.items and not lane.busy:  # what a down lane holds drains first,
                    lane.down = False  # so a retried transition never goes behind a later one
            for item in sorted(transitions, key=lambda t: t.seq):
                if item.id in self.in_flight:
                    continue
                lane = self._lane(item.webhook)
                waiting = sum(isinstance(i, Transition) for i in lane.items)
                if waiting >= self.policy.queue_size:
                    self._report(
                        f"webhook queue of {where(item.webhook)} full ({self.policy.queue_size}): "
                        f"{item.payload['status']} of {item.payload['alert']!r} kept for the "
                        "next round"
                    )
                    continue
                lane.items.append(item)
                self.in_flight.add(item.id)
            self.wake.notify_all()

    def submit_batch(self, batch: Batch) -> None:
        """Queue a round's batch for an Alertmanager, replacing one still waiting."""
        with self.wake:
            if self.stopping:
                return
            lane = self._lane(batch.url)
            lane.items = collections.deque(i for i in lane.items if not isinstance(i, Batch))
            lane.items.append(batch)
            self.wake.notify_all()

    def idle(self) -> bool:
        """True when nothing is queued or being sent."""
        with self.wake:
            return all(not lane.items and not lane.busy for lane in self._lanes.values())

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for every lane to empty; True if they did."""
        deadline = time.monotonic() + timeout
        with self.wake:
            while not all(not ln.items and not ln.busy for ln in self._lanes.values()):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.wake.wait(min(left, 0.1))
        return True

    def close(self, timeout: float = 5.0) -> None:
        """Stop every lane: attempts under way are aborted; what they carried stays in the
        outbox for the next round."""
        with self.wake:
            self.stopping = True
            lanes = list(self._lanes.values())
            for lane in lanes:
                lane.items.clear()
            self.wake.notify_all()
        for lane in lanes:
            if lane.attempt is not None:
                lane.attempt.abort()
        deadline = time.monotonic() + timeout
        for lane in lanes:
            lane.thread.join(max(0.0, deadline - time.monotonic()))

    def _post(self, lane: _Lane, payload: Any) -> str | None:
        attempt = Attempt(self.policy.timeout)
        lane.attempt = attempt
        try:
            if self.stopping:
                return "stopped"
            return attempt.post(lane.url, payload)
        finally:
            lane.attempt = None

    def _retry(self, lane: _Lane, payload: Any, what: str) -> tuple[str | None, int]:
        """POST until answered 2xx or out of attempts: (the last error or None, attempts)."""
        delay, error, attempt = self.policy.backoff, None, 0
        total = max(self.policy.attempts, 1)
        for attempt in range(1, total + 1):
            error = self._post(lane, payload)
            if error is None:
                return None, attempt
            last = attempt >= total or self.stopping
            self._report(
                f"{what}: attempt {attempt}/{total} failed: {error}"
                + ("" if last else f"; retrying in {delay:g} s")
            )
            if last or self._sleep(delay):
                break
            delay = min(delay * 2, self.policy.backoff_cap)
        return error, attempt

    def _sleep(self, seconds: float) -> bool:
        """Wait ``seconds``; True when :meth:`close` interrupted the wait."""
        with self.wake:
            return self.wake.wait_for(lambda: self.stopping, seconds)

    def send_transition(self, lane: _Lane, item: Transition) -> None:
        """Deliver one transition on its lane (the lane's thread)."""
        what = f"webhook {item.payload['status']} of {item.payload['alert']!r} to {where(lane.url)}"
        error, attempts = self._retry(lane, item.payload, what)
        if error is not None:
            lane.down = True  # what waits behind it stays in the outbox, in order
        self._settle(item, error, attempts)
        if error is not None:
            self._report(f"{what}: not delivered ({error}); kept to retry at the next round")

    def send_batch(self, lane: _Lane, batch: Batch) -> None:
        """Post one round's alerts to an Alertmanager (the lane's thread)."""
        what = f"Alertmanager {where(lane.url)}: {len(batch.alerts)} alert(s)"
        error, _ = self._retry(lane, batch.alerts, what)
        if error is not None:
            self._report(f"{what} not delivered ({error}); re-sent at the next round")
            return
        if batch.resolved:
            try:
                with self._states.transaction() as state:
                    queue = state.alertmanager_outbox.get(batch.base, [])
                    kept = [r for r in queue if r["id"] not in batch.resolved]
                    if kept:
                        state.alertmanager_outbox[batch.base] = kept
                    else:
                        state.alertmanager_outbox.pop(batch.base, None)
            except Exception as exc:  # noqa: BLE001 - the lane reports and keeps delivering
                self._report(
                    f"cannot record an Alertmanager delivery in {self._states.path}: {exc}"
                )

    def _settle(self, item: Transition, error: str | None, attempts: int) -> None:
        """Record the outcome: a delivered transition leaves the outbox, a failed one stays."""
        try:
            with self._states.transaction() as state:
                if error is None:
                    state.outbox = [t for t in state.outbox if t.id != item.id]
                    return
                for t in state.outbox:
                    if t.id == item.id:
                        t.attempts += attempts
                        t.last_error = error
        except Exception as exc:  # noqa: BLE001 - the lane reports and keeps delivering
            self._report(f"cannot record a webhook outcome in {self._states.path}: {exc}")
