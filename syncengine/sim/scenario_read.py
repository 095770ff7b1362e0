"""Reads the parsed TOML of a scenario into its model, recording each problem at its line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from datetime import date, time
from pathlib import Path
from typing import Any, TypeVar

from syncengine.profile.load import validate_profile
from syncengine.profile.model import Profile
from syncengine.sim.scenario_model import Incident, IncidentKind, Region, UserChoices, Work
from vocabulary.problems import Collector, TomlRule
from vocabulary.toml_lines import KeyPath

T = TypeVar("T")
_MISSING = object()


class Reader:
    """Typed getters over parsed TOML that report problems instead of raising."""

    def __init__(self, collector: Collector, base: Path, profile_dir: Path) -> None:
        """Report to ``collector``; profile files are looked up beside the scenario (``base``),
        then in ``profile_dir``."""
        self.c = collector
        self._base = base
        self._profile_dir = profile_dir
        self._profiles: dict[Path, Profile | None] = {}

    # --- scalars ----------------------------------------------------------------------------

    def _get(self, data: dict[str, Any], path: KeyPath, key: str, required: bool) -> Any:
        if key not in data:
            if required:
                self.c.error(path, TomlRule.REQUIRED, f"missing required key {key!r}")
            return _MISSING
        return data[key]

    def text(
        self,
        data: dict[str, Any],
        path: KeyPath,
        key: str,
        *,
        required: bool = False,
        default: str | None = None,
    ) -> str | None:
        """A string value."""
        value = self._get(data, path, key, required)
        if value is _MISSING:
            return default
        if not isinstance(value, str) or not value.strip():
            self.c.error((*path, key), TomlRule.TYPE, f"{key} must be a non-empty string")
            return default
        return value

    def number(
        self,
        data: dict[str, Any],
        path: KeyPath,
        key: str,
        *,
        default: float,
        low: float = 0.0,
        high: float = 1.0,
    ) -> float:
        """A number within ``[low, high]``."""
        value = self._get(data, path, key, False)
        if value is _MISSING:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.c.error((*path, key), TomlRule.TYPE, f"{key} must be a number, got {value!r}")
            return default
        if not low <= value <= high:
            self.c.error(
                (*path, key),
                TomlRule.VALUE,
                f"{key} must be between {low:g} and {high:g}, got {value}",
            )
            return default
        return float(value)

    def integer(
        self, data: dict[str, Any], path: KeyPath, key: str, *, default: int, low: int = 0
    ) -> int:
        """A whole number of at least ``low``."""
        value = self._get(data, path, key, False)
        if value is _MISSING:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.c.error(
                (*path, key), TomlRule.TYPE, f"{key} must be a whole number, got {value!r}"
            )
            return default
        if value < low:
            self.c.error((*path, key), TomlRule.VALUE, f"{key} must be at least {low}, got {value}")
            return default
        return value

    def day(self, data: dict[str, Any], path: KeyPath, key: str, *, default: date) -> date:
        """A date (TOML local date, e.g. ``2026-01-05``)."""
        value = self._get(data, path, key, False)
        if value is _MISSING:
            return default
        if not isinstance(value, date) or hasattr(value, "hour"):
            self.c.error((*path, key), TomlRule.TYPE, f"{key} must be a date like 2026-01-05")
            return default
        return value

    def clock(self, data: dict[str, Any], path: KeyPath, key: str, *, default: time) -> time:
        """A time of day: ``"HH:MM"`` or a TOML local time."""
        value = self._get(data, path, key, False)
        if value is _MISSING:
            return default
        if isinstance(value, time):
            return value
        if isinstance(value, str):
            try:
                return time.fromisoformat(value)
            except ValueError:
                pass
        self.c.error(
            (*path, key), TomlRule.VALUE, f'{key} must be a time like "09:30", got {value!r}'
        )
        return default

    # --- structure --------------------------------------------------------------------------

    def each(
        self,
        data: dict[str, Any],
        path: KeyPath,
        key: str,
        *,
        read: Callable[[dict[str, Any], KeyPath], T | None],
        required: bool = False,
    ) -> list[T]:
        """Every entry of an array of tables (``[[key]]``), read by ``read``."""
        value = self._get(data, path, key, required)
        if value is _MISSING:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.c.error(
                (*path, key), TomlRule.TYPE, f"{key} must be an array of tables ([[{key}]])"
            )
            return []
        if required and not value:
            self.c.error((*path, key), TomlRule.REQUIRED, f"{key} needs at least one entry")
        out = [read(item, (*path, key, i)) for i, item in enumerate(value)]
        return [item for item in out if item is not None]

    def section(
        self,
        data: dict[str, Any],
        path: KeyPath,
        key: str,
        default: Callable[[], T],
        read: Callable[[dict[str, Any], KeyPath], T],
    ) -> T:
        """A table (``[key]``) read by ``read``, or ``default()`` when absent."""
        value = self._get(data, path, key, False)
        if value is _MISSING:
            return default()
        if not isinstance(value, dict):
            self.c.error((*path, key), TomlRule.TYPE, f"{key} must be a table ([{key}])")
            return default()
        return read(value, (*path, key))

    # --- entries ----------------------------------------------------------------------------

    def profile(self, item: dict[str, Any], path: KeyPath, key: str) -> Profile | None:
        """The validated profile file named by ``key`` (beside the scenario, or built in)."""
        name = self.text(item, path, key, required=True)
        if name is None:
            return None
        found = self._base / name
        if not found.exists():
            found = self._profile_dir / name
        if not found.exists():
            known = ", ".join(sorted(p.name for p in self._profile_dir.glob("*.toml")))
            self.c.error(
                (*path, key), TomlRule.FILE, f"no profile file {name!r}; built in: {known}"
            )
            return None
        if found not in self._profiles:
            report = validate_profile(found)
            if not report.ok:
                self.c.error(
                    (*path, key),
                    TomlRule.FILE,
                    f"profile {name!r} is not valid: {report.errors[0]}",
                )
            self._profiles[found] = report.profile
        return self._profiles[found]

    def profile_share(self, item: dict[str, Any], path: KeyPath) -> tuple[Profile, float] | None:
        """``[[profiles]]``: ``file`` and ``share``."""
        self.c.unknown_keys(item, path, ("file", "share"))
        profile = self.profile(item, path, "file")
        share = self.number(item, path, "share", default=1.0)
        return None if profile is None else (profile, share)

    def region(self, item: dict[str, Any], path: KeyPath) -> Region | None:
        """``[[regions]]``."""
        keys = ("name", "utc_offset", "share", "wifi", "dead_zone", "dead_zone_hours")
        self.c.unknown_keys(item, path, (*keys, "check_timeouts"))
        name = self.text(item, path, "name", required=True)
        hours = None
        raw = item.get("dead_zone_hours")
        if raw is not None:
            if isinstance(raw, list) and len(raw) == 2:
                span = {"from": raw[0], "to": raw[1]}
                hours = (
                    self.clock(span, (*path, "dead_zone_hours"), "from", default=time(0)),
                    self.clock(span, (*path, "dead_zone_hours"), "to", default=time(0)),
                )
            else:
                self.c.error(
                    (*path, "dead_zone_hours"),
                    TomlRule.TYPE,
                    'dead_zone_hours must be ["HH:MM", "HH:MM"] (local time)',
                )
        region = Region(
            name or "",
            self.number(item, path, "utc_offset", default=0.0, low=-12, high=14),
            self.number(item, path, "share", default=1.0),
            self.number(item, path, "wifi", default=0.4),
            self.number(item, path, "dead_zone", default=0.02),
            hours,
            self.number(item, path, "check_timeouts", default=0.005),
        )
        return region if name else None

    def _fields(self, item: dict[str, Any], path: KeyPath, cls: type[T], high: float) -> T:
        self.c.unknown_keys(item, path, [f.name for f in fields(cls)])  # type: ignore[arg-type]
        values: dict[str, Any] = {}
        for f in fields(cls):  # type: ignore[arg-type]
            if f.name not in item:
                continue
            default: Any = f.default
            if f.type == "int":
                values[f.name] = self.integer(item, path, f.name, default=default, low=0)
            else:
                values[f.name] = self.number(item, path, f.name, default=default, high=high)
        return cls(**values)

    def user_choices(self, item: dict[str, Any], path: KeyPath) -> UserChoices:
        """``[users]``: shares of users with each setting."""
        return self._fields(item, path, UserChoices, 1.0)

    def work(self, item: dict[str, Any], path: KeyPath) -> Work:
        """``[work]``: the working day."""
        work = self._fields(item, path, Work, 24.0)
        for name in ("weekend_share", "edit_chance", "open_removed_chance"):
            if getattr(work, name) > 1:
                self.c.error((*path, name), TomlRule.VALUE, f"{name} is a chance: at most 1")
        if work.shift_hours <= 0:
            self.c.error((*path, "shift_hours"), TomlRule.VALUE, "shift_hours must be more than 0")
        return work

    def incident(self, item: dict[str, Any], path: KeyPath) -> Incident | None:
        """``[[incidents]]``."""
        keys = ("kind", "day", "from", "to", "rate", "share", "profile")
        self.c.unknown_keys(item, path, keys)
        raw = self.text(item, path, "kind", required=True)
        kind = None
        if raw is not None:
            try:
                kind = IncidentKind(raw)
            except ValueError:
                known = ", ".join(k.value for k in IncidentKind)
                self.c.error(
                    (*path, "kind"), TomlRule.VALUE, f"unknown kind {raw!r}; one of {known}"
                )
        day = self.integer(item, path, "day", default=1, low=1)
        start = self.clock(item, path, "from", default=time(9))
        end = self.clock(item, path, "to", default=time(23, 59))
        if end < start:
            self.c.error(
                (*path, "to"), TomlRule.VALUE, "to must not be earlier than from (same day)"
            )
        rate = self.number(item, path, "rate", default=1.0)
        share = self.number(item, path, "share", default=1.0)
        profile = None
        if kind is IncidentKind.ROLLOUT:
            profile = self.profile(item, path, "profile")
        elif "profile" in item:
            self.c.error((*path, "profile"), TomlRule.UNKNOWN_KEY, "only a rollout names a profile")
        if kind is None or (kind is IncidentKind.ROLLOUT and profile is None):
            return None
        return Incident(kind, day, start, end, rate, share, profile)
