"""Small helpers every benchmark shares: medians of repeated runs, machine facts, reporting.

The machine is shared and noisy, so a benchmark times each candidate and its anchor several
times in the same run and reports medians and ratios, never a single best run.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

RESULTS_DIR: Final = Path(__file__).resolve().parent / "results"
"""Where :func:`report` appends one JSON line per benchmark run (gitignored)."""


def machine_info() -> dict[str, Any]:
    """CPU model (from ``/proc/cpuinfo``), cores, memory (GiB), OS and Python/DuckDB versions."""
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory_gib: float | None = None
    try:
        with open("/proc/meminfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    memory_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
                    break
    except OSError:
        pass
    info: dict[str, Any] = {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": memory_gib,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }
    try:
        import duckdb
        import pyarrow

        info["duckdb"] = duckdb.__version__
        info["pyarrow"] = pyarrow.__version__
    except ImportError:  # pragma: no cover - both are dependencies
        pass
    return info


def time_once(fn: Callable[[], object]) -> float:
    """Seconds one call of ``fn`` takes (wall clock)."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median_time(fn: Callable[[], object], runs: int) -> float:
    """Median wall-clock seconds of ``runs`` calls of ``fn`` (at least one)."""
    return statistics.median(time_once(fn) for _ in range(max(runs, 1)))


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def format_table(rows: Sequence[Mapping[str, object]]) -> str:
    """A plain-text table of ``rows`` (columns from the first row), right-aligned numbers."""
    if not rows:
        return "(no rows)"
    headers = list(rows[0])
    cells = [[_cell(r.get(h, "")) for h in headers] for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
    return "\n".join(lines)


def report(
    name: str,
    rows: Sequence[Mapping[str, object]],
    *,
    params: Mapping[str, object] | None = None,
    notes: Sequence[str] = (),
) -> Path:
    """Print ``rows`` as a table (with ``notes`` under it) and append them, the parameters and
    :func:`machine_info` as one JSON line to ``bench/results/<name>.jsonl``; returns that file."""
    print(f"\n== {name} ==")
    if params:
        print("  ".join(f"{k}={v}" for k, v in params.items()))
    print(format_table(rows))
    for note in notes:
        print(note)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"{name}.jsonl"
    record = {
        "benchmark": name,
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine_info(),
        "params": dict(params or {}),
        "rows": [dict(r) for r in rows],
        "notes": list(notes),
    }
    with open(out, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, default=str) + "\n")
    return out
