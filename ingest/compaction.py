"""Compaction: merge a partition's visible files into one, invisibly to readers.

The merged file is named ``1-K`` (K = the newest sequence it holds, plus its activation time)
and published with one atomic rename; by the lake's visibility rule (see :mod:`ingest.lake`) it
hides every file it merged from the queries that start once it is live. The merged-away files
are deleted only after a grace period, so a reader that listed them still reads whole files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ingest.lake import Lake, conform, scan_partition


@dataclass(frozen=True)
class PartitionCompaction:
    """One partition merged."""

    table: str
    """The table whose lake it is."""
    partition: str
    """The partition folder name, ``day=YYYY-MM-DD``."""
    files_in: int
    """How many visible files were merged."""
    rows: int
    """Rows in the merged file."""
    output: Path
    """The merged file."""


@dataclass(frozen=True)
class CompactionResult:
    """What one ``Store.compact`` call did."""

    merged: list[PartitionCompaction] = field(default_factory=list)
    """Each partition merged, in lake then day order."""
    removed_files: int = 0
    """Merged-away files deleted because their grace period had passed."""

    @property
    def files_in(self) -> int:
        """Total files merged."""
        return sum(m.files_in for m in self.merged)

    def summary(self) -> str:
        """One human line per merged partition, or a note that nothing needed merging."""
        if not self.merged:
            return f"nothing to compact (removed {self.removed_files} old file(s))"
        lines = [
            f"{m.table} {m.partition}: {m.files_in} files -> {m.output.name} ({m.rows} rows)"
            for m in self.merged
        ]
        lines.append(
            f"merged {self.files_in} files into {len(self.merged)}; "
            f"removed {self.removed_files} old file(s)"
        )
        return "\n".join(lines)


def compact_partition(
    lake: Lake, folder: Path, min_files: int, activation_delay_s: float = 0.0
) -> PartitionCompaction | None:
    """Merge the partition's visible files if there are at least ``min_files`` of them; the
    merged file goes live for readers ``activation_delay_s`` after it is published."""
    files = scan_partition(folder)
    if len(files.visible) < max(min_files, 2):
        return None
    tables = [pq.read_table(p) for p in files.visible]
    merged = pa.concat_tables(tables, promote_options="permissive")
    merged = conform(lake.spec, merged).sort_by(lake.spec.sort_keys)
    # the newest visible file holds the partition's largest sequence number
    output = lake.publish_merged(merged, folder, files.max_seq, activation_delay_s)
    return PartitionCompaction(
        lake.spec.name, folder.name, len(files.visible), merged.num_rows, output
    )


def compact_lake(
    lake: Lake, min_files: int, activation_delay_s: float = 0.0
) -> list[PartitionCompaction]:
    """Compact every partition of one lake that has at least ``min_files`` visible files."""
    out: list[PartitionCompaction] = []
    for folder in lake.partitions():
        done = compact_partition(lake, folder, min_files, activation_delay_s)
        if done is not None:
            out.append(done)
    return out
