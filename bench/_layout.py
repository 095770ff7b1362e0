"""What a Delta table of the store looks like on disk after a benchmark: files and log size."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from deltalake import DeltaTable

from ingest.delta_table import LOG_DIR, PARTITION


def table_layout(folder: Path) -> dict[str, int]:
    """Data files per day partition (the most in any day: in the newest snapshot, and on disk
    including files merged away but not yet vacuumed), the log's JSON commits and
    checkpoints, and the table's version."""
    table = DeltaTable(str(folder))
    live = Counter(Path(uri).parent.name for uri in table.file_uris())
    disk = Counter(p.parent.name for p in folder.glob(f"{PARTITION}=*/*.parquet"))
    log = [p.name for p in (folder / LOG_DIR).iterdir()]
    return {
        "version": table.version(),
        "days": len(live),
        "live_files_per_day_max": max(live.values(), default=0),
        "disk_files_per_day_max": max(disk.values(), default=0),
        "log_json": sum(1 for name in log if name.endswith(".json")),
        "log_checkpoints": sum(1 for name in log if ".checkpoint." in name),
    }


def describe(name: str, layout: dict[str, int]) -> str:
    """One line for a benchmark's notes."""
    return f"layout after the run, {name}: " + ", ".join(f"{k}={v}" for k, v in layout.items())
