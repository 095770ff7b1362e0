"""Several receiver processes on one port, so decoding uses more than one core.

Each worker is a forked process running its own :class:`~ingest.otlp.receiver.OtlpReceiver`
(HTTP threads and store writer) bound with ``SO_REUSEPORT``; the kernel spreads connections
among them. They append to the same store, whose writers serialise on its file lock. Every
acknowledged request is already durable in the store, so a worker that dies loses nothing it
acknowledged; :meth:`WorkerPool.close` stops them all cleanly.

Workers never outlive their parent: on Linux the kernel sends each one SIGTERM when the parent
dies (``prctl(PR_SET_PDEATHSIG)``), and every worker also checks every 0.2 s that its parent
is still there. Either way it stops as on SIGTERM (writing what it acknowledged) and frees the
port, so a ``kill -9`` of ``synctel serve`` leaves no orphan answering on it.
"""

from __future__ import annotations

import ctypes
import multiprocessing as mp
import os
import queue
import signal
import socket
import sys
from dataclasses import replace
from multiprocessing.synchronize import Event as MpEvent
from pathlib import Path
from typing import Any, Final

from ingest.errors import IngestError
from ingest.otlp.receiver import OtlpReceiver, ReceiverConfig, ReceiverConfigError

START_SECONDS: Final = 60.0
"""How long :meth:`WorkerPool.start` waits for every worker to listen."""
_PR_SET_PDEATHSIG: Final = 1  # from <linux/prctl.h>


def die_with_parent(sig: signal.Signals = signal.SIGTERM) -> bool:
    """Ask Linux to send this process ``sig`` when its parent dies; True when it took (False
    on other systems, where only the parent-liveness check of the workers applies)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _worker(
    store_path: Path, config: ReceiverConfig, stop: MpEvent, messages: mp.Queue[Any], parent: int
) -> None:
    from ingest.store import Store

    terminated: list[int] = []  # a signal handler may only touch a plain flag, not locks
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the pool's parent
    signal.signal(signal.SIGTERM, lambda signum, frame: terminated.append(signum))
    die_with_parent(signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before the request above took effect
        return
    try:
        receiver = OtlpReceiver(Store.open(store_path), config).start()
    except (IngestError, OSError) as exc:
        messages.put(("failed", str(exc)))
        return
    messages.put(("ready", receiver.port))
    orphaned = False
    while not terminated and not orphaned and not stop.wait(0.2):
        orphaned = os.getppid() != parent
    orphaned = orphaned or os.getppid() != parent
    clean = receiver.close()
    if orphaned:  # nobody reads the queue any more: do not wait to flush into it
        messages.cancel_join_thread()
    else:
        messages.put(("done", (receiver.accepted, receiver.rejected, clean)))


class WorkerPool:
    """``workers`` receiver processes sharing ``config``'s port; start, then close."""

    def __init__(self, store_path: Path, config: ReceiverConfig, workers: int) -> None:
        if workers < 1:
            raise ReceiverConfigError(f"workers must be at least 1, not {workers}")
        config.check()
        self.config = replace(config, reuse_port=True)
        """The configuration every worker runs with."""
        self.token_required = config.token_required
        """Whether requests must carry the bearer token."""
        self.workers = workers
        """How many processes."""
        self.port = config.port
        """The port they share (the one picked when ``config.port`` is 0)."""
        self.accepted = 0
        """Records the workers acknowledged as stored (known after :meth:`close`)."""
        self.rejected = 0
        """Records the workers acknowledged as rejected (known after :meth:`close`)."""
        self._store_path = store_path
        self._ctx = mp.get_context("fork")
        self._stop = self._ctx.Event()
        self._messages: mp.Queue[Any] = self._ctx.Queue()
        self._procs: list[Any] = []

    @property
    def url(self) -> str:
        """``http://host:port``."""
        host = self.config.host
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    def alive(self) -> bool:
        """True while every worker runs."""
        return all(p.is_alive() for p in self._procs)

    def start(self) -> WorkerPool:
        """Fork the workers and wait until each listens; raises ``ReceiverConfigError`` (after
        stopping the others) when one cannot. Call it from the main thread (or one that
        outlives the pool): Linux signals the workers when the thread that forked them ends."""
        family = socket.AF_INET6 if ":" in self.config.host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as placeholder:
            # Bound, never listening: it only fixes the port (for port 0) until workers bind.
            placeholder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            try:
                placeholder.bind((self.config.host.strip("[]"), self.config.port))
            except OSError as exc:
                raise ReceiverConfigError(
                    f"cannot listen on {self.config.host}:{self.config.port}: {exc.strerror or exc}"
                ) from exc
            self.port = int(placeholder.getsockname()[1])
            self.config = replace(self.config, port=self.port)
            args = (self._store_path, self.config, self._stop, self._messages, os.getpid())
            for i in range(self.workers):
                proc = self._ctx.Process(target=_worker, args=args, name=f"otlp-worker-{i}")
                proc.start()
                self._procs.append(proc)
            for _ in self._procs:
                try:
                    kind, detail = self._messages.get(timeout=START_SECONDS)
                except queue.Empty:
                    kind, detail = "failed", f"no answer within {START_SECONDS:.0f} s"
                if kind != "ready":
                    self.close()
                    raise ReceiverConfigError(f"a receiver worker could not start: {detail}")
        return self

    def close(self, timeout: float = 60.0) -> bool:
        """Stop every worker cleanly (each writes what it acknowledged or queued); True when
        all of them finished in time. Sums their counts into :attr:`accepted`/:attr:`rejected`.
        """
        self._stop.set()
        for proc in self._procs:
            proc.join(timeout)
        clean = True
        finished = 0
        while True:
            try:
                kind, detail = self._messages.get(timeout=0.5)
            except queue.Empty:
                break
            if kind == "done":
                accepted, rejected, worker_clean = detail
                self.accepted += accepted
                self.rejected += rejected
                clean = clean and worker_clean
                finished += 1
        for proc in self._procs:
            if proc.is_alive():
                clean = False
                proc.kill()
                proc.join(5)
        return clean and finished == len(self._procs)
