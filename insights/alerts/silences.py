"""Silences read back from Alertmanager (``GET /api/v2/silences``), for the dashboard.

Silences and maintenance windows live in Alertmanager, not in synctel: the Overview shows the
active ones of the Alertmanagers the latest evaluation posted to. Reading never raises: an
Alertmanager that does not answer within the timeout is reported as a problem.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Final

SILENCES_PATH: Final = "/api/v2/silences"
"""Alertmanager's v2 endpoint listing silences."""


@dataclass(frozen=True)
class Silence:
    """One active silence."""

    id: str
    """Alertmanager's id of the silence."""
    matchers: str
    """What it mutes, e.g. ``alertname="table sync slo", profile=~"Tech.*"``."""
    ends_at: str
    """When it ends (RFC 3339)."""
    created_by: str
    """Who created it."""
    comment: str
    """Why."""


def _matcher(m: dict[str, Any]) -> str:
    op = (
        ("=" if m.get("isEqual", True) else "!=")
        if not m.get("isRegex")
        else ("=~" if m.get("isEqual", True) else "!~")
    )
    return f"{m.get('name')}{op}{json.dumps(str(m.get('value', '')))}"


def read_silences(base: str, timeout: float = 2.0) -> tuple[list[Silence], str | None]:
    """The active silences of the Alertmanager at ``base``, and why they could not be read
    (None when they could)."""
    url = base.rstrip("/").removesuffix("/api/v2/alerts") + SILENCES_PATH
    if not url.startswith(("http://", "https://")):
        return [], f"{base}: not an http(s) URL"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:  # noqa: S310 - http(s) only
            data = json.loads(answer.read(4 * 1024 * 1024))
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return [], f"{base}: {getattr(exc, 'reason', exc)}"
    if not isinstance(data, list):
        return [], f"{base}: not a list of silences"
    found = [
        Silence(
            str(s.get("id", "")),
            ", ".join(_matcher(m) for m in s.get("matchers") or []),
            str(s.get("endsAt", "")),
            str(s.get("createdBy", "")),
            str(s.get("comment", "")),
        )
        for s in data
        if isinstance(s, dict) and (s.get("status") or {}).get("state") == "active"
    ]
    return sorted(found, key=lambda s: s.ends_at), None
