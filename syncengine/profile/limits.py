"""The limits of S1 and S10 in one place: the validator checks what a profile shows, the engine
checks what needs data (records and bytes on a device)."""

from __future__ import annotations

from typing import Final

MIN_INTERVAL_MINUTES: Final = 5
"""Shortest sync interval a table may have."""
MAX_INTERVAL_MINUTES: Final = 1440
"""Longest sync interval a table may have (one day)."""
MAX_RELATIONSHIPS: Final = 15
"""Most relationships one table may declare."""
MAX_FILTER_DEPTH: Final = 3
"""Deepest filter nesting: each ``all``/``any``/``not`` adds one level; a bare condition is 0."""

MAX_DEVICE_RECORDS: Final = 3_000_000
"""More records than this on one device makes the sync fail (S10)."""
RECOMMENDED_RECORDS: Final = 200_000
"""Recommended ceiling of records on one device; above it the engine warns."""
RECOMMENDED_TABLES: Final = 100
"""Recommended ceiling of tables in a profile; above it validation warns."""
RECOMMENDED_BYTES: Final = 1024**3
"""Recommended ceiling of the offline database size (1 GiB); above it the engine warns."""
