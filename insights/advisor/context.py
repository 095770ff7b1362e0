"""What every rule shares: the window, the profiles' texts, per-device-day arithmetic and links."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from insights.advisor.model import Change, Window
from insights.advisor.profiles import ProfileText
from insights.advisor.thresholds import INTERVAL_STEPS
from insights.advisor.toml_edit import setting_change, table_change


@dataclass(frozen=True)
class Context:
    """The evidence window and each profile's text (None when unknown)."""

    window: Window
    """Where the evidence comes from."""
    profiles: dict[str, ProfileText | None]
    """Each profile name seen in the data → its text, if known."""

    def text(self, profile: str) -> ProfileText | None:
        """The text of ``profile``, or None."""
        return self.profiles.get(profile)

    def table_line(self, profile: str, table: str) -> str:
        """``line N of SOURCE`` for the table's block, or ``""`` when unknown."""
        text = self.text(profile)
        if text is None or table not in text.profile.table_names:
            return ""
        return f"line {text.profile.table(table).line} of {text.source}"

    def interval_change(self, profile: str, table: str, minutes: int) -> Change:
        """``interval_minutes`` of ``table`` set to ``minutes`` (a diff when the text holds it)."""
        text = self.text(profile)
        if text is not None and table not in text.profile.table_names:
            text = None
        return table_change(text, table, "interval_minutes", minutes)

    def setting(self, profile: str, section: str | None, key: str, value: bool) -> Change:
        """A top-level or ``[section]`` boolean set to ``value``."""
        return setting_change(self.text(profile), section, key, value)

    def link(self, page: str, profile: str, table: str | None = None) -> str:
        """The dashboard page (its url path) narrowed to the profile, table and window."""
        params = [("profile", profile)]
        if table:
            params.append(("table", table))
        params += [
            ("range", "custom"),
            ("from", self.window.start.date().isoformat()),
            ("to", self.window.end.date().isoformat()),
        ]
        return f"{page}?{urlencode(params)}"


def per_day(total: float | None, device_days: int | None) -> float:
    """``total`` per device-day (0 when there are none)."""
    return float(total or 0) / device_days if device_days else 0.0


def step_at_most(minutes: float) -> int:
    """The longest suggested interval not above ``minutes`` (at least the shortest step)."""
    fitting = [s for s in INTERVAL_STEPS if s <= minutes]
    return fitting[-1] if fitting else INTERVAL_STEPS[0]


def step_at_least(minutes: float) -> int:
    """The shortest suggested interval not below ``minutes`` (at most the longest step)."""
    fitting = [s for s in INTERVAL_STEPS if s >= minutes]
    return fitting[0] if fitting else INTERVAL_STEPS[-1]


def size(n: float) -> str:
    """Bytes for people: ``512 B``, ``3.2 KiB``, ``1.5 MiB``, ``2.0 GiB``."""
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(value) < 1024 or unit == "GiB":
            return f"{value:,.0f} {unit}" if unit == "B" else f"{value:,.1f} {unit}"
        value /= 1024
    return f"{value:,.1f} GiB"


def pct(share: float) -> str:
    """``0.981`` → ``98.1%``."""
    return f"{share * 100:.1f}%"
