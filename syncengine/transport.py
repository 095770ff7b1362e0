"""How a device reaches the server: the ``Transport`` protocol, the in-process transport, and
injectable faults shared with the HTTP transport.

A fault plan is a queue of :class:`Fault` entries (``faults.fail_next(FaultKind.DROP_AFTER)``)
or a callable policy consulted on every call; either suits tests and the fleet simulator.
Transport failures are raised as :class:`~syncengine.errors.SyncFailure` in Field Service's
taxonomy.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Protocol, TypeVar

from syncengine.clock import Clock, ManualClock
from syncengine.errors import (
    SyncengineError,
    SyncFailure,
    auth_failure,
    config_failure,
    network_failure,
    server_failure,
    timeout_failure,
)
from syncengine.protocol import (
    CheckResponse,
    DownloadRequest,
    DownloadResponse,
    ReadRequest,
    ReadResponse,
    Reply,
    UploadRequest,
    UploadResponse,
)
from syncengine.server import SyncServer

T = TypeVar("T")


class Call(StrEnum):
    """The endpoints."""

    CHECK = "check"
    UPLOAD = "upload"
    DOWNLOAD = "download"
    READ = "read"
    """Online mode (S4): one record's current version."""


class FaultKind(StrEnum):
    """What can go wrong on the way to the server and back."""

    DROP_BEFORE = "drop_before"
    """The connection is cut before the server sees the request (NETWORK_ERROR 2004)."""
    DROP_AFTER = "drop_after"
    """The server applied the request, then the connection was cut (NETWORK_ERROR 2004)."""
    DELAY = "delay"
    """The answer comes late (``Fault.seconds``) but comes."""
    TIMEOUT = "timeout"
    """The server does not answer in time (ERROR 2002); it may still apply the request."""
    SERVER_ERROR = "server_error"
    """HTTP 5xx (SERVER_ERROR 2005)."""
    AUTH_FAILURE = "auth_failure"
    """HTTP 401, credentials refused (AUTH_ERROR 2006)."""
    AUTH_EXPIRED = "auth_expired"
    """HTTP 401, token expired (AUTH_ERROR 2009)."""


CLIENT_SIDE = frozenset({FaultKind.DROP_BEFORE, FaultKind.DROP_AFTER})
"""Faults the client injects (the HTTP server injects the others, as real status codes)."""
SERVER_SIDE = frozenset(FaultKind) - CLIENT_SIDE
"""Faults the HTTP server injects."""


@dataclass(frozen=True)
class Fault:
    """One planned fault."""

    kind: FaultKind
    """What happens."""
    call: Call | None = None
    """Only this endpoint; None = the next call of any endpoint."""
    seconds: float = 0.0
    """For DELAY: how late the answer is."""


Policy = Callable[[Call], Fault | None]
"""Decides, per call, whether a fault happens (e.g. seeded randomness in a simulator)."""


class Faults:
    """A fault plan: a queue of planned faults, then an optional policy; thread-safe."""

    def __init__(self, policy: Policy | None = None, *, clock: Clock | None = None) -> None:
        """``policy`` is asked when no planned fault matches; a ManualClock ``clock`` makes
        delays and timeouts advance simulated time instead of sleeping."""
        self.policy = policy
        self.clock = clock
        self._plan: list[Fault] = []
        self._lock = threading.Lock()

    def fail_next(self, kind: FaultKind, n: int = 1, *, call: Call | None = None) -> None:
        """The next ``n`` calls (of ``call``, or of any endpoint) fail with ``kind``."""
        with self._lock:
            self._plan.extend(Fault(kind, call) for _ in range(n))

    def delay_next(self, seconds: float, n: int = 1, *, call: Call | None = None) -> None:
        """The next ``n`` calls answer ``seconds`` late."""
        with self._lock:
            self._plan.extend(Fault(FaultKind.DELAY, call, seconds) for _ in range(n))

    def clear(self) -> None:
        """Forget the planned faults (the policy stays)."""
        with self._lock:
            self._plan.clear()

    @property
    def pending(self) -> int:
        """How many planned faults have not happened yet."""
        return len(self._plan)

    def take(self, call: Call, kinds: Collection[FaultKind] = frozenset(FaultKind)) -> Fault | None:
        """The fault for this ``call`` among ``kinds``, consuming it, or None."""
        with self._lock:
            for i, fault in enumerate(self._plan):
                if fault.call in (None, call) and fault.kind in kinds:
                    return self._plan.pop(i)
        chosen = self.policy(call) if self.policy is not None else None
        return chosen if chosen is not None and chosen.kind in kinds else None

    def wait(self, seconds: float) -> None:
        """Let ``seconds`` pass: simulated on a ManualClock, real otherwise."""
        if isinstance(self.clock, ManualClock):
            self.clock.advance(timedelta(seconds=seconds))
        elif seconds > 0:
            time.sleep(seconds)


def failure_for(fault: Fault, call: Call) -> SyncFailure:
    """The SyncFailure a fault surfaces as."""
    match fault.kind:
        case FaultKind.DROP_BEFORE | FaultKind.DROP_AFTER:
            return network_failure(f"the connection was lost during {call}")
        case FaultKind.TIMEOUT:
            return timeout_failure(f"the server did not answer the {call} in time")
        case FaultKind.SERVER_ERROR:
            return server_failure(f"the server answered the {call} with HTTP 503")
        case FaultKind.AUTH_FAILURE:
            return auth_failure(f"the server refused the credentials for {call} (HTTP 401)")
        case FaultKind.AUTH_EXPIRED:
            return auth_failure(
                f"the sign-in token expired during {call} (HTTP 401); sign in again",
                expired=True,
            )
    raise ValueError(f"{fault.kind} is not a failure")


class Transport(Protocol):
    """The device's way to the server."""

    def check(self) -> Reply[CheckResponse]:
        """The network check; raises SyncFailure when it gets no answer in time."""
        ...

    def upload(self, request: UploadRequest) -> Reply[UploadResponse]:
        """Send the outbox; raises SyncFailure."""
        ...

    def download(self, request: DownloadRequest) -> Reply[DownloadResponse]:
        """Fetch one table's delta; raises SyncFailure."""
        ...

    def read(self, request: ReadRequest) -> Reply[ReadResponse]:
        """Read one record online (S4); raises SyncFailure."""
        ...


class InProcessTransport:
    """Calls a :class:`SyncServer` in the same process; byte counts are the JSON wire form's."""

    def __init__(
        self, server: SyncServer, faults: Faults | None = None, *, timeout_s: float = 30.0
    ) -> None:
        """Reach ``server``; ``faults`` injects failures; answers slower than ``timeout_s``
        (DELAY faults) time out."""
        self.server = server
        self.faults = faults or Faults()
        self.timeout_s = timeout_s
        self._pending: Fault | None = None

    def check(self) -> Reply[CheckResponse]:
        """The network check."""
        self._before(Call.CHECK)
        body = _call(self.server.check)
        self._after(Call.CHECK)
        return Reply(body, 0, len(body.to_json()))

    def upload(self, request: UploadRequest) -> Reply[UploadResponse]:
        """Send the outbox (decoded from its wire form: the server sees what HTTP would give)."""
        sent = request.to_json()
        self._before(Call.UPLOAD)
        body = _call(lambda: self.server.upload(UploadRequest.from_json(sent)))
        self._after(Call.UPLOAD)
        return Reply(body, len(sent), len(body.to_json()))

    def download(self, request: DownloadRequest) -> Reply[DownloadResponse]:
        """Fetch one table's delta (its fields, ids and versions decode to what they were, so
        the objects are passed as they are; the sizes are those of their wire forms)."""
        sent = request.to_json()
        self._before(Call.DOWNLOAD)
        body = _call(lambda: self.server.download(request))
        self._after(Call.DOWNLOAD)
        return Reply(body, len(sent), len(body.to_json()))

    def read(self, request: ReadRequest) -> Reply[ReadResponse]:
        """Read one record online (S4)."""
        sent = request.to_json()
        self._before(Call.READ)
        body = _call(lambda: self.server.read(ReadRequest.from_json(sent)))
        self._after(Call.READ)
        return Reply(body, len(sent), len(body.to_json()))

    def _before(self, call: Call) -> None:
        self._pending = self.faults.take(call)
        fault = self._pending
        if fault is None or fault.kind in (FaultKind.DROP_AFTER, FaultKind.TIMEOUT):
            return
        if fault.kind is FaultKind.DELAY:
            self.faults.wait(min(fault.seconds, self.timeout_s))
            if fault.seconds > self.timeout_s:
                raise timeout_failure(f"the server did not answer the {call} in time")
            return
        raise failure_for(fault, call)

    def _after(self, call: Call) -> None:
        fault, self._pending = self._pending, None
        if fault is not None and fault.kind in (FaultKind.DROP_AFTER, FaultKind.TIMEOUT):
            if fault.kind is FaultKind.TIMEOUT:
                self.faults.wait(self.timeout_s)
            raise failure_for(fault, call)


def _call(answer: Callable[[], T]) -> T:
    """The server's answer; its refusals (unknown profile or table) become CONFIG_ERROR."""
    try:
        return answer()
    except SyncFailure:
        raise
    except SyncengineError as exc:
        raise config_failure(f"the server rejected the request: {exc}") from None
