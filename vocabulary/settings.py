"""Environment variable names and defaults shared by more than one stage, defined once."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

DEFAULT_STORE: Final = Path("synctel-data")
"""The store folder used when neither ``--store`` nor ``$SYNCTEL_STORE`` is given."""

ENV_STORE: Final = "SYNCTEL_STORE"
"""The store folder (``synctel`` commands, the store sink and the dashboard)."""
ENV_TELEMETRY: Final = "SYNCTEL_TELEMETRY"
"""``on``/``off``: the master telemetry switch (S8)."""
ENV_DESTINATIONS: Final = "SYNCTEL_TELEMETRY_DESTINATIONS"
"""Comma-separated telemetry destinations (store, azure, otlp, console)."""
ENV_AZURE_STORAGE_DIR: Final = "SYNCTEL_AZURE_STORAGE_DIR"
"""Where the Azure exporter keeps batches it could not send yet."""
ENV_ID_SALT: Final = "SYNCTEL_ID_SALT"
"""Secret salt for pseudonymous device and user ids; set it per tenant in production."""
ENV_DASHBOARD_LIVE: Final = "SYNCTEL_DASHBOARD_LIVE"
"""Seconds between the dashboard's live refreshes (unset: no live refresh)."""


def default_store() -> Path:
    """``$SYNCTEL_STORE`` if set, else ``./synctel-data``."""
    return Path(os.environ.get(ENV_STORE) or DEFAULT_STORE)
