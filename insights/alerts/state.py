"""Alert state: each alert instance's status, and the transitions still to deliver.

Kept in ``<store>/alerts/state.json``, beside the lake and the catalog but in neither:

- not in ``catalog.duckdb``: it is rebuilt by ingestion and opened read-only by every reader;
  a process writing to it would hold the lock readers wait on;
- not in the Parquet lake: lake files are immutable, append-only events for analysts; state
  is a small document rewritten at every evaluation.

A write goes to a temp file in the same folder, is flushed to disk, then ``os.replace``\\ d over
``state.json`` (atomic on POSIX): a reader, such as the dashboard, sees the old document or the
new one, never half of one, and takes no lock. Writers (``check``, ``watch`` and their delivery
threads) serialise on a ``flock`` of ``<store>/alerts/.lock`` and re-read the file inside it, so
two processes never lose each other's updates.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import json
import os
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from insights.alerts.errors import AlertsError

STATE_DIR: Final = "alerts"
"""The folder inside the store holding alert state."""
STATE_FILE: Final = "state.json"
"""The state document inside :data:`STATE_DIR`."""
LOCK_FILE: Final = ".lock"
"""Writers ``flock`` this file inside :data:`STATE_DIR`."""
VERSION: Final = 1
"""The document's format version."""

Status = Literal["pending", "firing"]
TransitionKind = Literal["firing", "resolved"]


@dataclass
class Instance:
    """One alert instance (a rule and one row of its view) whose condition holds."""

    rule: dict[str, Any]
    """The rule as :meth:`~insights.alerts.rules.AlertRule.summary` gives it."""
    key: list[tuple[str, Any]]
    """The row's grouping columns and values."""
    status: Status
    """``pending`` until the condition has held for the rule's ``for``, then ``firing``."""
    since: str
    """When the condition was first seen holding (ISO 8601, UTC evaluation clock)."""
    firing_since: str | None = None
    """When it started firing (None while pending)."""
    value: float | None = None
    """The metric at the latest evaluation."""
    checked_at: str | None = None
    """The latest evaluation that saw it."""
    link: str | None = None
    """The dashboard page of its view over the latest window."""
    webhook: str | None = None
    """The rule's webhook (kept to post the resolution if the rule leaves the file)."""
    labels: dict[str, str] = field(default_factory=dict)
    """The alert's labels as Alertmanager gets them (``alertname``, the rule's ``labels``, the
    instance's columns, an SLO window's ``severity``)."""
    annotations: dict[str, str] = field(default_factory=dict)
    """The rule's annotations, filled in for this instance (``summary``, ``runbook_url``…)."""
    condition: str | None = None
    """The condition at the latest evaluation, as one line."""
    clear_since: str | None = None
    """When a firing instance's condition stopped holding (it keeps firing for the rule's
    ``keep_firing_for``); None while it holds."""


@dataclass
class Transition:
    """Firing or resolution of an instance, to be POSTed to the rule's webhook once (in
    Alertmanager's webhook format, with synctel's own fields beside it)."""

    id: str
    """Unique id, also in the payload (receivers can drop a repeat)."""
    seq: int
    """Order of creation in this store (deliveries follow it per instance)."""
    instance: str
    """The instance id."""
    webhook: str
    """Where it is posted."""
    payload: dict[str, Any]
    """The JSON body."""
    attempts: int = 0
    """Delivery attempts so far, across runs."""
    last_error: str | None = None
    """Why the latest attempt failed."""


@dataclass
class AlertState:
    """The whole document."""

    instances: dict[str, Instance] = field(default_factory=dict)
    """Instance id -> the instance (only pending and firing ones are kept)."""
    outbox: list[Transition] = field(default_factory=list)
    """Transitions not yet delivered, oldest first; a delivered one is removed."""
    seq: int = 0
    """The last transition sequence number given."""
    checked_at: str | None = None
    """The latest evaluation (ISO 8601, UTC)."""
    alertmanager_outbox: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Alertmanager URL -> resolved alerts not yet delivered to it (firing alerts are re-sent
    from ``instances`` at every evaluation)."""
    alertmanagers: list[str] = field(default_factory=list)
    """The Alertmanager URLs the latest evaluation sent to (the dashboard reads silences there)."""
    budgets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """SLO rule name -> each group's remaining error budget at the latest evaluation."""

    def to_json(self) -> dict[str, Any]:
        """The document as written to ``state.json``."""
        return {"version": VERSION, **dataclasses.asdict(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AlertState:
        """Read a document written by :meth:`to_json`."""
        if data.get("version") != VERSION:
            raise ValueError(f"unknown state version {data.get('version')!r}")
        instances = {
            k: Instance(**{**v, "key": [tuple(p) for p in v["key"]]})
            for k, v in data["instances"].items()
        }
        outbox = [Transition(**t) for t in data["outbox"]]
        return cls(
            instances,
            outbox,
            int(data["seq"]),
            data.get("checked_at"),
            dict(data.get("alertmanager_outbox") or {}),
            list(data.get("alertmanagers") or []),
            dict(data.get("budgets") or {}),
        )


def state_path(store: Path) -> Path:
    """``<store>/alerts/state.json``."""
    return Path(store) / STATE_DIR / STATE_FILE


def read_state(store: Path) -> AlertState | None:
    """The state as last written (None when alerts never ran); lock-free, for readers.

    Raises AlertsError when the file is not a state document.
    """
    path = state_path(store)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise AlertsError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    try:
        return AlertState.from_json(json.loads(text))
    except (ValueError, KeyError, TypeError) as exc:
        raise AlertsError(
            f"{path}: not an alert state file ({exc}); move it away to start afresh"
        ) from None


class StateStore:
    """Read-modify-write transactions on a store's alert state, safe across threads and
    processes."""

    def __init__(self, store: Path) -> None:
        """Alert state of the store folder ``store`` (its ``alerts/`` folder is made on first
        write)."""
        self.path = state_path(store)
        """``<store>/alerts/state.json``."""
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[AlertState]:
        """The current state, written back atomically when the block ends without an error."""
        folder = self.path.parent
        with self._lock:
            try:
                folder.mkdir(exist_ok=True)
                lock = open(folder / LOCK_FILE, "a+b")  # noqa: SIM115 - held across the yield
            except OSError as exc:
                raise AlertsError(f"{folder}: cannot be written: {exc.strerror or exc}") from None
            with lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                try:
                    state = read_state(self.path.parent.parent) or AlertState()
                    yield state
                    self._write(state)
                finally:
                    fcntl.flock(lock, fcntl.LOCK_UN)

    def _write(self, state: AlertState) -> None:
        text = json.dumps(state.to_json(), indent=1, sort_keys=True)
        folder = self.path.parent
        fd, temp = tempfile.mkstemp(prefix=".state-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(temp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
        with contextlib.suppress(OSError):  # the rename itself reaches the disk
            dir_fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)


def iso(moment: dt.datetime) -> str:
    """A naive UTC instant as ISO 8601 with its ``Z``: how state and payloads write times."""
    return moment.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def parse_iso(text: str) -> dt.datetime:
    """Read back :func:`iso` (naive UTC)."""
    return dt.datetime.fromisoformat(text.removesuffix("Z"))
