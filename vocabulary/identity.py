"""Who emits, and the salted pseudonyms that stand for raw device and user ids.

Every entrance of the pipeline hashes raw ids with :func:`pseudonymize` before they reach the
store, so a store never holds a raw id: the engine's instrumentation hashes before it emits, and
marks the telemetry it configures with :data:`IDS_ATTRIBUTE` = :data:`IDS_PSEUDONYMOUS` on its
OpenTelemetry Resource; the OTLP receiver and loader hash every :data:`IDENTITY_ATTRIBUTES` value
of a resource without that mark; the Application Insights loader hashes Field Service's raw ids.
The same raw id and the same salt give the same pseudonym at every entrance.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Final

from vocabulary.settings import ENV_ID_SALT

DEFAULT_ID_SALT: Final = "synctel-demo-salt"
"""The salt when ``SYNCTEL_ID_SALT`` is unset (fine for demos, not for real tenants)."""
IDS_ATTRIBUTE: Final = "synctel.ids"
"""Resource attribute saying how the telemetry's device and user ids were written."""
IDS_PSEUDONYMOUS: Final = "pseudonymous"
"""The :data:`IDS_ATTRIBUTE` value of telemetry whose ids are already :func:`pseudonymize` d
(set by ``emitter.setup.setup_telemetry``); ingest stores such ids as sent."""
IDENTITY_ATTRIBUTES: Final = frozenset({"device.id", "user.id", "enduser.id"})
"""Attributes holding a device or user identity: hashed wherever they arrive unmarked."""


@dataclass(frozen=True)
class DeviceIdentity:
    """Who emits: raw ids are hashed before they reach any attribute."""

    device_id: str
    """The device's id (hashed into ``device.id``)."""
    user_id: str
    """The signed-in user's id (hashed into ``user.id``)."""
    os_name: str = "Android"
    """``os.name``."""
    os_version: str = "14"
    """``os.version``."""
    model: str = "Pixel 8"
    """``device.model.name``."""
    app_version: str = "1.0.0"
    """``service.version``: the app's version."""


def pseudonymize(raw: str, salt: str | None = None) -> str:
    """A stable salted hash of ``raw`` (blake2b keyed with the salt), never the raw id."""
    key = (salt if salt is not None else os.environ.get(ENV_ID_SALT, DEFAULT_ID_SALT)).encode()
    return hashlib.blake2b(raw.encode(), key=key[:64], digest_size=16).hexdigest()
