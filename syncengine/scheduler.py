"""When sync runs and what it pulls (S2, S3, S4): pure functions over the device's state.

``due_tables`` decides which tables a pass pulls and why; ``skip_reason`` decides whether a
pass may run at all; ``ActiveTimer`` tracks how much of a pass ran with the app in front.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from syncengine.clock import Clock
from syncengine.errors import InvalidSetting
from syncengine.profile.limits import MAX_INTERVAL_MINUTES, MIN_INTERVAL_MINUTES
from syncengine.profile.model import AdminSettings, Profile
from syncengine.relations import dependency_order, dependents, related
from vocabulary.contract import DueReason, NetworkType, SkipReason, SyncMode, Trigger


class AppState(StrEnum):
    """Whether the app is in front (S2)."""

    ACTIVE = "active"
    BACKGROUND = "background"
    CLOSED = "closed"


@dataclass(frozen=True)
class UserSettings:
    """The user's sync choices (S4); honoured only where the admin allows.

    A user's own sync interval is bound by the product's range, 5 to 1440 whole minutes, as a
    table's is (S1, S4). An interval outside it is **refused**, not clamped: building the
    settings raises :class:`~syncengine.errors.InvalidSetting` with the allowed range, so the
    settings page can say so where the user typed it and the previous settings stay in force.
    A clamp would honour a value the user never chose (they asked for 2 minutes and would get
    5, or asked for 4,000 and get 1,440) without telling them; refusing keeps what the status
    page shows and what the scheduler does the same, and uses the profile validator's range
    and wording (``interval`` rule), so admins and users read one rule.
    """

    wifi_only: bool = False
    """No sync on cellular."""
    on_demand: bool = False
    """No scheduled sync: only when asked (sync now, refresh, push)."""
    online_mode: bool = False
    """Work online: edits go to the server at once while sync keeps the offline copy."""
    sync_interval_minutes: int | None = None
    """The user's own sync frequency for every table, 5–1440 whole minutes (None = the
    profile's intervals); anything else raises ``InvalidSetting``."""

    def __post_init__(self) -> None:
        minutes = self.sync_interval_minutes
        if minutes is None:
            return
        allowed = (
            f"a user's own sync interval is {MIN_INTERVAL_MINUTES} to {MAX_INTERVAL_MINUTES} "
            "whole minutes (S1, S4); the previous setting stays"
        )
        if not isinstance(minutes, int) or isinstance(minutes, bool):
            msg = f"sync interval {minutes!r} is not whole minutes: {allowed}"
        elif minutes < MIN_INTERVAL_MINUTES:
            msg = f"sync interval {minutes} minutes is below {MIN_INTERVAL_MINUTES}: {allowed}"
        elif minutes > MAX_INTERVAL_MINUTES:
            msg = f"sync interval {minutes} minutes is above {MAX_INTERVAL_MINUTES}: {allowed}"
        else:
            return
        raise InvalidSetting("sync_interval_minutes", msg)

    def effective(self, admin: AdminSettings) -> UserSettings:
        """These settings with every choice the admin does not allow switched off."""
        return replace(
            self,
            wifi_only=self.wifi_only and admin.allow_wifi_only,
            on_demand=self.on_demand and admin.allow_user_sync_frequency,
            online_mode=self.online_mode and admin.allow_online_mode,
            sync_interval_minutes=(
                self.sync_interval_minutes if admin.allow_user_sync_frequency else None
            ),
        )


@dataclass(frozen=True)
class TableTiming:
    """What the scheduler needs of one table's state."""

    synced: bool
    """The device has a token for it (it has been synced since the last reset)."""
    last_success_at: datetime | None
    """When its last successful sync ended."""


@dataclass(frozen=True)
class Due:
    """A table a pass pulls, and why."""

    table: str
    """The table."""
    reason: DueReason
    """Why it is part of the pass."""


MODE_BY_TRIGGER: Mapping[Trigger, SyncMode] = {
    Trigger.SIGN_IN: SyncMode.FIRST_SYNC,
    Trigger.SCHEDULE: SyncMode.DELTA_SYNC,
    Trigger.USER: SyncMode.FORCED_SYNC,
    Trigger.REFRESH: SyncMode.GRID_SYNC,
    Trigger.PUSH: SyncMode.SINGLE_RECORD_SYNC,
}
"""The kind of pass each trigger starts (S5)."""


def intervals(profile: Profile, settings: UserSettings) -> dict[str, int]:
    """Each table's effective interval in minutes (the user's frequency when allowed)."""
    own = settings.effective(profile.settings).sync_interval_minutes
    return {t.name: own or t.interval_minutes for t in profile.tables}


def due_tables(
    profile: Profile,
    timings: Mapping[str, TableTiming],
    now: datetime,
    trigger: Trigger,
    *,
    table: str | None = None,
    minutes: Mapping[str, int] | None = None,
) -> list[Due]:
    """The tables a pass started by ``trigger`` pulls, sources first (S3).

    A never-synced table is always due (``first``). A scheduled pass pulls tables whose
    interval has elapsed since their last success, then — repeatedly — every table related to
    a due table with a shorter interval (``related``), so a table's own interval is not always
    respected. ``sync now`` pulls everything (``forced``); a Refresh (``table``) pulls that
    table and the tables fed by it; a push (``table``) likewise, as ``forced``.
    """
    minutes = minutes or {t.name: t.interval_minutes for t in profile.tables}
    due: dict[str, DueReason] = {}
    for name in profile.table_names:
        timing = timings.get(name)
        if timing is None or not timing.synced:
            due[name] = DueReason.FIRST
    if trigger in (Trigger.USER, Trigger.SIGN_IN):
        for name in profile.table_names:
            due.setdefault(name, DueReason.FORCED)
    elif trigger in (Trigger.REFRESH, Trigger.PUSH):
        if table is None:
            raise ValueError(f"a {trigger} pass needs the table it is for")
        profile.table(table)  # KeyError for a table the profile does not hold
        due.setdefault(table, DueReason.REFRESH if trigger is Trigger.REFRESH else DueReason.FORCED)
        for name in dependents(profile, table):
            due.setdefault(name, DueReason.RELATED)
    else:
        for name in profile.table_names:
            last = timings[name].last_success_at if name in timings else None
            if last is None or now - last >= timedelta(minutes=minutes[name]):
                due.setdefault(name, DueReason.INTERVAL)
        if due:
            _pull_related(profile, due, minutes)
    return [Due(name, due[name]) for name in dependency_order(profile, due)]


def _pull_related(profile: Profile, due: dict[str, DueReason], minutes: Mapping[str, int]) -> None:
    changed = True
    while changed:
        changed = False
        for name in profile.table_names:
            if name in due:
                continue
            if any(r in due and minutes[r] < minutes[name] for r in related(profile, name)):
                due[name] = DueReason.RELATED
                changed = True


def mode_for(trigger: Trigger, due: list[Due], table_count: int) -> SyncMode:
    """The pass's kind: FIRST_SYNC when every table is pulled for the first time."""
    if due and len(due) == table_count and all(d.reason is DueReason.FIRST for d in due):
        return SyncMode.FIRST_SYNC
    return MODE_BY_TRIGGER[trigger]


def skip_reason(
    app: AppState, network: NetworkType, settings: UserSettings, trigger: Trigger
) -> SkipReason | None:
    """Why a due pass may not run now (S2, S4), or None when it may.

    Sync runs only while the app is active and online; Wi-Fi-only users do not sync on
    cellular; on-demand users get no scheduled passes (they still sync when they ask).
    ``settings`` must already be the effective ones (see ``UserSettings.effective``).
    """
    if app is not AppState.ACTIVE:
        return SkipReason.INACTIVE
    if network is NetworkType.UNAVAILABLE:
        return SkipReason.OFFLINE
    if settings.on_demand and trigger is Trigger.SCHEDULE:
        return SkipReason.ON_DEMAND
    if settings.wifi_only and network is NetworkType.CELL:
        return SkipReason.WIFI_ONLY
    return None


class ActiveTimer:
    """Time a pass spends with the app active (S2: a pass may finish in the background)."""

    def __init__(self, clock: Clock, app: AppState) -> None:
        """Start timing now, with the app in state ``app``."""
        self._clock = clock
        self._active = timedelta(0)
        self._since: datetime | None = clock.now() if app is AppState.ACTIVE else None

    def app_changed(self, app: AppState) -> None:
        """The app moved to ``app``."""
        now = self._clock.now()
        if self._since is not None:
            self._active += now - self._since
        self._since = now if app is AppState.ACTIVE else None

    def active_ms(self) -> float:
        """Milliseconds spent active so far."""
        total = self._active
        if self._since is not None:
            total += self._clock.now() - self._since
        return total / timedelta(milliseconds=1)
