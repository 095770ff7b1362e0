"""Delivery of transitions to webhooks: a background thread, a bounded queue, retries.

Evaluation never waits for a webhook: transitions are queued and a single worker thread
POSTs them (JSON, one at a time, so one instance's firing goes out before its resolution).
A failed attempt (no answer within the timeout, or a status outside 2xx) is reported and
retried after an exponential backoff (``backoff``, doubling, capped at ``backoff_cap``) up to
``attempts`` times. A transition that still fails stays in the state's outbox, with its
attempts and last error, and the next evaluation (or the next run) tries it again; later
transitions of the same instance wait behind it. A delivered transition leaves the outbox,
so it is never sent again (a crash between the answer and that write sends it once more: the
payload's ``id`` lets a receiver drop the repeat). A full queue drops nothing: the transition
stays in the outbox for the next round.
"""

from __future__ import annotations

import json
import queue
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from insights.alerts.state import StateStore, Transition


@dataclass(frozen=True)
class DeliveryPolicy:
    """How hard a transition is pushed before it is left for the next round."""

    attempts: int = 5
    """Attempts per round (at least 1)."""
    backoff: float = 0.5
    """Seconds before the second attempt; doubles after each failure."""
    backoff_cap: float = 30.0
    """The longest wait between two attempts, in seconds."""
    timeout: float = 5.0
    """Seconds to wait for the receiver's answer."""
    queue_size: int = 256
    """Transitions waiting at most; more stay in the outbox for the next round."""


def _where(url: str) -> str:
    """The URL without its query string or credentials, for messages."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname or ''}{port}{parts.path}"


def post(url: str, payload: dict[str, object], timeout: float) -> str | None:
    """POST ``payload`` as JSON; None when the receiver answered 2xx, else why not."""
    body = json.dumps(payload).encode("utf-8")
    request = urllib.request.Request(  # noqa: S310 - rules only accept http:// and https://
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "synctel-alerts"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 - as above
            status = int(answer.status)
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return f"no answer ({reason})"
    return None if 200 <= status < 300 else f"HTTP {status}"


def to_stderr(message: str) -> None:
    """Report a delivery problem on stderr (the default reporter)."""
    print(f"synctel alerts: {message}", file=sys.stderr, flush=True)


class Deliverer:
    """The delivery thread of one process; :meth:`submit` never blocks."""

    def __init__(
        self,
        states: StateStore,
        policy: DeliveryPolicy | None = None,
        report: Callable[[str], None] = to_stderr,
    ) -> None:
        """Deliver with ``policy``; outcomes are written to ``states``, problems to ``report``."""
        self.policy = policy or DeliveryPolicy()
        """The retry and queue settings."""
        self._states = states
        self._report = report
        self._queue: queue.Queue[Transition] = queue.Queue(self.policy.queue_size)
        self._stop = threading.Event()
        self._guard = threading.Lock()
        self._in_flight: set[str] = set()
        self._blocked: set[str] = set()  # instances with an undelivered earlier transition
        self._thread = threading.Thread(
            target=self._run, name="synctel-alert-webhooks", daemon=True
        )
        self._thread.start()

    def submit(self, transitions: Iterable[Transition]) -> None:
        """Queue the outbox's transitions (oldest first) that are not already on their way."""
        with self._guard:
            self._blocked.clear()
            for item in sorted(transitions, key=lambda t: t.seq):
                if item.id in self._in_flight:
                    continue
                try:
                    self._queue.put_nowait(item)
                except queue.Full:
                    self._report(
                        f"webhook queue full ({self.policy.queue_size}): {item.payload['status']} "
                        f"of {item.payload['alert']!r} kept for the next round"
                    )
                    break
                self._in_flight.add(item.id)

    def idle(self) -> bool:
        """True when nothing is queued or being sent."""
        with self._guard:
            return not self._in_flight

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the queue to empty; True if it did."""
        deadline = time.monotonic() + timeout
        while not self.idle():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)
        return True

    def close(self, timeout: float = 5.0) -> None:
        """Stop the thread (an attempt under way finishes; the rest stay in the outbox)."""
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                item = self._queue.get(timeout=0.05)
            except queue.Empty:
                continue
            try:
                self._deliver(item)
            finally:
                with self._guard:
                    self._in_flight.discard(item.id)

    def _deliver(self, item: Transition) -> None:
        what = f"{item.payload['status']} of {item.payload['alert']!r} to {_where(item.webhook)}"
        with self._guard:
            if item.instance in self._blocked:
                return  # an earlier transition of this instance is undelivered: keep the order
        delay, error = self.policy.backoff, None
        for attempt in range(1, max(self.policy.attempts, 1) + 1):
            error = post(item.webhook, item.payload, self.policy.timeout)
            if error is None:
                self._settle(item, None, attempt)
                return
            last = attempt >= self.policy.attempts
            self._report(
                f"webhook {what}: attempt {attempt}/{self.policy.attempts} failed: {error}"
                + ("" if last else f"; retrying in {delay:g} s")
            )
            if last or self._stop.wait(delay):
                break
            delay = min(delay * 2, self.policy.backoff_cap)
        with self._guard:
            self._blocked.add(item.instance)
        self._settle(item, error, attempt)
        self._report(f"webhook {what}: not delivered ({error}); kept to retry at the next round")

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
        except Exception as exc:  # noqa: BLE001 - the thread reports and keeps delivering
            self._report(f"cannot record a webhook outcome in {self._states.path}: {exc}")
