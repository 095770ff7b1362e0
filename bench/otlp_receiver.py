"""OTLP receiver throughput: sustained events/s acknowledged by ``synctel serve``'s receiver.

Target (issue 4): ≥ 50,000 events/s with 512-event batches on 2 cores, on loopback.

    python -m bench.otlp_receiver [--runs 3] [--seconds 5] [--clients 16] [--batch 512]
                                  [--workers 1]

The receiver runs as ``synctel serve --workers N`` does (:class:`ingest.otlp.workers.WorkerPool`:
N forked receiver processes, each with its HTTP threads and store writer, all writing one real
store in a temp folder with the default auto-compaction). The clients run in separate
processes too: each keeps one HTTP/1.1 connection open and posts
pre-serialised protobuf ``ExportLogsServiceRequest`` bodies of ``--batch`` sync events, each
batch with its own sync id, as fast as it is answered. Only 200 answers count (every one was
durably written before it was sent); 429/503 answers are counted apart. Each run is bounded by
``--seconds``; the median over ``--runs`` is reported. More concurrent clients let the store
writer merge more requests into one fsynced append, which is where the time goes.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing as mp
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.logs.v1.logs_pb2 import LogRecord, ResourceLogs, ScopeLogs
from opentelemetry.proto.resource.v1.resource_pb2 import Resource

from bench._timing import report
from ingest.convert import events_table
from ingest.identities import Pseudonyms, id_salt
from ingest.otlp.decode import LOGS, Format, parse_request
from ingest.otlp.receiver import ReceiverConfig
from ingest.otlp.records import map_request
from ingest.otlp.workers import WorkerPool
from ingest.store import Store

T0 = 1_779_703_200_000_000_000


def _kv(key: str, value: str | int | float) -> KeyValue:
    if isinstance(value, str):
        return KeyValue(key=key, value=AnyValue(string_value=value))
    if isinstance(value, int):
        return KeyValue(key=key, value=AnyValue(int_value=value))
    return KeyValue(key=key, value=AnyValue(double_value=value))


def batch_body(batch: int, size: int) -> bytes:
    """One request of ``size`` ``sync.table`` events (typical attributes), serialised."""
    records = [
        LogRecord(
            time_unix_nano=T0 + (batch * size + i) * 1_000_000,
            event_name="sync.table",
            attributes=[
                _kv("microsoft.custom_event.name", "sync.table"),
                _kv("sync.id", f"bench-{batch}"),
                _kv("sync.table", f"table_{i % 20}"),
                _kv("sync.result", "success"),
                _kv("sync.due_reason", "interval"),
                _kv("sync.interval_minutes", 60),
                _kv("sync.records.down", i),
                _kv("sync.bytes.down", i * 512),
                _kv("sync.duration_ms", 12.5 + i),
                _kv("user.id", f"user-{i % 50}"),
                _kv("network.connection.type", "wifi"),
            ],
        )
        for i in range(size)
    ]
    resource = Resource(
        attributes=[
            _kv("service.name", "fieldapp"),
            _kv("service.version", "4.2.0"),
            _kv("device.id", f"device-{batch % 100}"),
            _kv("os.name", "Android"),
        ]
    )
    request = ExportLogsServiceRequest(
        resource_logs=[ResourceLogs(resource=resource, scope_logs=[ScopeLogs(log_records=records)])]
    )
    return bytes(request.SerializeToString())


def _client(port: int, bodies: list[bytes], seconds: float, out: mp.Queue) -> None:  # type: ignore[type-arg]
    statuses: Counter[int] = Counter()
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/x-protobuf"}
    deadline = time.monotonic() + seconds
    i = 0
    while time.monotonic() < deadline:
        con.request("POST", "/v1/logs", body=bodies[i % len(bodies)], headers=headers)
        resp = con.getresponse()
        resp.read()
        statuses[resp.status] += 1
        i += 1
        if resp.status != 200:
            time.sleep(float(resp.getheader("Retry-After") or 1) / 10)
    con.close()
    out.put(dict(statuses))


def one_run(
    workers: int, clients: int, batch: int, seconds: float, bodies: list[list[bytes]]
) -> dict[str, float]:
    """One bounded run against a fresh store; events/s acknowledged and refusals."""
    with tempfile.TemporaryDirectory(prefix="otlp-bench-") as folder:
        store_path = Path(folder) / "store"
        pool = WorkerPool(store_path, ReceiverConfig(port=0), workers).start()
        ctx = mp.get_context("fork")
        out: mp.Queue = ctx.Queue()  # type: ignore[type-arg]
        procs = [
            ctx.Process(target=_client, args=(pool.port, bodies[c], seconds, out))
            for c in range(clients)
        ]
        start = time.perf_counter()
        for p in procs:
            p.start()
        totals: Counter[int] = Counter()
        for _ in procs:
            totals.update(out.get(timeout=seconds + 60))
        elapsed = time.perf_counter() - start
        for p in procs:
            p.join(10)
        if not pool.close():
            raise SystemExit("the receiver workers did not stop cleanly")
        con = Store.open(store_path).connect()
        try:
            stored = con.execute("SELECT count(*) FROM sync_events").fetchone()
        finally:
            con.close()
    acked = totals[200] * batch
    if stored is None or stored[0] < acked:
        raise SystemExit(f"acknowledged {acked} events but the store holds {stored}")
    return {
        "events_per_s": acked / elapsed,
        "requests_ok": totals[200],
        "refused_429_503": totals[429] + totals[503],
        "seconds": round(elapsed, 2),
    }


def anchor_run(bodies: list[list[bytes]], seconds: float) -> float:
    """The anchor: the same request bodies decoded, mapped and appended to a fresh store in
    this one process, one append per request, with no HTTP, queue or threads; events/s."""
    with tempfile.TemporaryDirectory(prefix="otlp-anchor-") as folder:
        store = Store.open(Path(folder) / "store")
        ids = Pseudonyms(id_salt(store.path))  # as the receiver hashes raw ids
        flat = [body for client in bodies for body in client]
        events = 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            for body in flat:
                mapped = map_request(parse_request(LOGS, body, Format.PROTOBUF), ids)
                events += store.append_events(events_table(mapped.events))
        return events / (time.perf_counter() - start)


def main() -> None:
    """Run the benchmark and print the median events/s."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="bounded runs (median reported)")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of one run")
    parser.add_argument(
        "--clients",
        type=int,
        default=16,
        help="client processes, each one exporter with one connection (a fleet's fan-in)",
    )
    parser.add_argument("--batch", type=int, default=512, help="events per request")
    parser.add_argument(
        "--workers", type=int, default=1, help="receiver processes (synctel serve --workers)"
    )
    args = parser.parse_args()

    bodies = [[batch_body(c * 1000 + b, args.batch) for b in range(8)] for c in range(args.clients)]
    rows: list[dict[str, object]] = []
    rates: list[float] = []
    anchors: list[float] = []
    for run in range(1, args.runs + 1):  # receiver and anchor in turn, so noise hits both
        result = one_run(args.workers, args.clients, args.batch, args.seconds, bodies)
        anchors.append(anchor_run(bodies, args.seconds))
        rows.append({"run": run, **result, "anchor_events_per_s": round(anchors[-1])})
        rates.append(result["events_per_s"])
        print(
            f"run {run}: receiver {result['events_per_s']:,.0f} events/s, "
            f"in-process anchor {anchors[-1]:,.0f} events/s",
            flush=True,
        )
    median, anchor = statistics.median(rates), statistics.median(anchors)
    rows.append({"run": "median", "events_per_s": median, "anchor_events_per_s": round(anchor)})
    report(
        "otlp_receiver",
        rows,
        params=vars(args),
        notes=[
            f"median sustained: {median:,.0f} events/s (target ≥ 50,000 on 2 cores)",
            f"anchor (decode + map + append in one process, no HTTP): {anchor:,.0f} events/s; "
            f"receiver/anchor = {median / anchor:.2f}",
        ],
    )


if __name__ == "__main__":
    main()
