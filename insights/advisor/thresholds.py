"""The advisor's thresholds: when a rule has seen enough, and when it is worth an admin's time.

Each is a named constant so a test, a reader and a changed mind all find it in one place. The
healthy fleets (``tests/sql/scenarios.py`` healthy, ``synctel simulate --scenario healthy-week``)
stay under every one of them.
"""

from __future__ import annotations

from typing import Final

WINDOW_DAYS: Final = 7
"""Evidence is read from the last this-many days of data, ending at the store's newest event
(the store's clock, not the wall clock, so an old store advises the same tomorrow)."""

MIN_DEVICE_DAYS: Final = 3
"""A per-device-per-day figure needs at least this many device-days (a device and a UTC day on
which it synced a table of the profile) behind it."""
MIN_PASSES: Final = 50
"""A share of passes (empty, related) needs at least this many table syncs behind it."""

EMPTY_SHARE_MIN: Final = 0.98
"""Interval longer than needed: at least this share of a table's own scheduled passes (due by
its interval) downloaded and removed nothing: "almost always", one pass in fifty or fewer brings
anything. The healthy-week bookings (15 to 60 minutes, 89 to 97% empty) stay below it."""
MIN_PASSES_SAVED: Final = 2.0
"""Interval longer than needed: the suggested interval must save at least this many of the
table's passes per device per day; fewer is not worth touching a working profile."""
INTERVAL_STEPS: Final = (5, 10, 15, 20, 30, 60, 120, 240, 480, 720, 1440)
"""Intervals the advisor suggests (minutes): round values admins recognise, within 5..1440."""

RELATED_SHARE_MIN: Final = 0.5
"""Interval not respected: at least this share of a table's scheduled passes pulled it as
``related`` (a related table with a shorter interval was due, S3): "mostly"."""
RELATED_BYTES_MIN: Final = 1024**2
"""Interval not respected: the related pulls must move at least this many bytes per device per
day (1 MiB) to be worth reporting; a table riding along empty costs a few hundred bytes."""

NOT_FOUND_MIN: Final = 10
"""Filters too restrictive: at least this many ``record.not_found`` for the table."""
NOT_FOUND_PER_DEVICE_DAY_MIN: Final = 2.0
"""Filters too restrictive: technicians open a record their filters removed (S9) at least
this often per device per day. Healthy-week sees about one a day on work orders."""

CELL_BYTES_MIN: Final = 20 * 1024**2
"""Cellular data heavy: a table moving at least this many bytes on cellular per device per day
(20 MiB, a sizeable share of a field worker's data plan over a month) is reported."""
CELL_TOP_TABLES: Final = 3
"""Cellular data heavy: at most this many tables per profile, the heaviest first."""

CONFLICTS_MIN: Final = 20
"""Conflict policy: at least this many conflicts for the profile."""
CONFLICTS_PER_DEVICE_DAY_MIN: Final = 2.0
"""Conflict policy: at least this many conflicts per device per day: two office edits
overwritten (detection off), or two sync conflict errors shown (detection on), every working
day of every device. Healthy-week stays under one."""

SIZE_NEAR_SHARE: Final = 0.8
"""Size: a device holding at least this share of a recommended ceiling (200,000 records,
1 GiB) is "near" it, and at least this share of the 3,000,000 limit is "approaching" it (S10)."""

STALE_INTERVALS: Final = 4
"""Stale: a table that has not synced successfully for more than this many of its intervals
while its device kept trying (one or two missed intervals are routine)."""
STALE_ACTIVE_HOURS: Final = 24
"""Stale: the device tried to sync (a pass, or a sync skipped for no network) within this many
hours of the window's end: it is in use, not put away."""
STALE_DEVICES_LISTED: Final = 5
"""Stale: device ids named in the evidence, the stalest first."""
