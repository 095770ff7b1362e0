"""The scenario model: plain frozen dataclasses, read from TOML by ``scenario_read``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from enum import StrEnum

from syncengine.profile.model import Profile


class IncidentKind(StrEnum):
    """What goes wrong, and when."""

    SERVER_ERROR = "server_error"
    """A share of calls get HTTP 5xx (SERVER_ERROR 2005)."""
    TIMEOUT = "timeout"
    """A share of calls get no answer in time (ERROR 2002)."""
    AUTH_EXPIRED = "auth_expired"
    """A share of devices hold an expired sign-in until they sign in again (AUTH_ERROR 2009)."""
    DISK_FULL = "disk_full"
    """A share of devices run out of storage (DEVICE_ERROR 2007)."""
    BULK_EDIT = "bulk_edit"
    """A dispatcher edits a share of the open work orders at once (conflicts, S7)."""
    ROLLOUT = "rollout"
    """A share of devices get another profile (``profile``) the server does not serve."""


@dataclass(frozen=True)
class ProfileShare:
    """One offline profile of the fleet and the share of devices on it."""

    profile: Profile
    """The validated profile."""
    share: float
    """Share of devices (the shares are normalised)."""


@dataclass(frozen=True)
class Region:
    """Where devices work: their time zone and how their network behaves."""

    name: str
    """Shown nowhere; names the region in messages."""
    utc_offset: float
    """Hours ahead of UTC (shifts are in local time)."""
    share: float
    """Share of devices in this region."""
    wifi: float
    """Chance a device on the road is on Wi-Fi (else cellular)."""
    dead_zone: float
    """Chance a device is out of coverage at a wake-up outside the dead-zone hours."""
    dead_zone_hours: tuple[time, time] | None
    """Local hours (from, to) when devices here are mostly out of coverage."""
    check_timeouts: float
    """Chance a network check gets no answer in time (S6)."""


@dataclass(frozen=True)
class UserChoices:
    """Shares of users who chose each setting (S4; honoured where the admin allows)."""

    wifi_only: float = 0.1
    """Wi-Fi only."""
    on_demand: float = 0.03
    """On-demand sync."""
    online_mode: float = 0.05
    """Online mode."""


@dataclass(frozen=True)
class Work:
    """The technicians' day."""

    orders_per_day: int = 4
    """Bookings each technician gets per working day."""
    shift_hours: float = 8.0
    """Length of a shift."""
    weekend_share: float = 0.1
    """Share of technicians who also work on weekends."""
    edit_chance: float = 0.3
    """Chance per wake-up that a technician edits the current work order."""
    open_removed_chance: float = 0.05
    """Chance per wake-up that a technician opens a finished work order again (S9)."""
    dispatcher_edits_per_hour: float = 0.05
    """Routine dispatcher edits per open work order per hour."""


@dataclass(frozen=True)
class Incident:
    """Something that goes wrong in a window of simulated time (UTC)."""

    kind: IncidentKind
    """What happens."""
    day: int
    """The day (1 = the scenario's first day)."""
    start: time
    """From (UTC)."""
    end: time
    """Until (UTC); for ``bulk_edit`` the edit happens at ``start``."""
    rate: float = 1.0
    """Share of calls affected (server_error, timeout)."""
    share: float = 1.0
    """Share of devices (auth_expired, disk_full, rollout) or of open work orders (bulk_edit)."""
    profile: Profile | None = None
    """For ``rollout``: the profile the devices get."""


@dataclass(frozen=True)
class Scenario:
    """Everything a simulated run needs besides its size and seed."""

    name: str
    """Its name."""
    description: str
    """One line on what it shows."""
    devices: int
    """Default fleet size."""
    days: float
    """Default length in days."""
    start: date
    """First simulated day (starts at 00:00 UTC)."""
    profiles: tuple[ProfileShare, ...]
    """The fleet's profiles."""
    regions: tuple[Region, ...]
    """The fleet's regions."""
    users: UserChoices = field(default_factory=UserChoices)
    """Users' sync settings."""
    work: Work = field(default_factory=Work)
    """The working day."""
    incidents: tuple[Incident, ...] = ()
    """What goes wrong."""
