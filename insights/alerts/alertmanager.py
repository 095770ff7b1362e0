"""Alerts as Prometheus Alertmanager takes them: labels, annotations, the v2 API's alert list and
the webhook notification format.

- **Labels** identify an alert: ``alertname`` (the rule's name), the rule's ``labels``
  (``severity``…), the instance's own columns (``profile``, ``table_name``…) and, for an SLO, the
  burn window (``slo_window``, with its ``severity``). Alertmanager groups, inhibits and silences
  on them.
- **Annotations** describe it: the rule's ``annotations`` with ``{column}``, ``{value}``,
  ``{condition}`` and an SLO's figures (``{burn_rate_long}``…) filled in; ``summary`` defaults to
  the alert's condition.
- ``POST /api/v2/alerts`` takes a list of ``{labels, annotations, startsAt, endsAt,
  generatorURL}``. Firing alerts are re-posted at every evaluation without ``endsAt``, as
  Prometheus re-sends: Alertmanager resolves one on its own ``resolve_timeout`` when the posts
  stop; a resolution carries its ``endsAt``.
- A direct webhook gets Alertmanager's webhook body (``version`` 4, ``status``, ``alerts``,
  ``groupLabels``, ``commonLabels``…), so Teams, Slack and PagerDuty bridges written for
  Alertmanager accept it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from typing import Any, Final

from insights.alerts.evaluate import Key, Observation
from insights.alerts.rules import AlertRule

API_PATH: Final = "/api/v2/alerts"
"""Alertmanager's v2 endpoint for posting alerts."""
UNSET_TIME: Final = "0001-01-01T00:00:00Z"
"""How Alertmanager's webhook body writes a firing alert's ``endsAt``."""
WEBHOOK_VERSION: Final = "4"
"""The Alertmanager webhook format version."""
RECEIVER: Final = "synctel"
"""The ``receiver`` a direct webhook notification names."""
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def api_url(base: str) -> str:
    """``base`` (an Alertmanager's address) with the v2 alerts path."""
    base = base.rstrip("/")
    return base if base.endswith(API_PATH) else base + API_PATH


def labels_of(
    rule: AlertRule, key: Key | Iterable[tuple[str, Any]], extra: Iterable[tuple[str, str]] = ()
) -> dict[str, str]:
    """An instance's labels: ``alertname``, the rule's labels, its columns, then ``extra``."""
    labels = {"alertname": rule.name, **dict(rule.labels)}
    for column, value in key:
        if value is not None and str(value) != "":
            labels[column] = str(value)
    labels.update(extra)
    return labels


def annotations_of(obs: Observation, labels: dict[str, str]) -> dict[str, str]:
    """The rule's annotations filled in for ``obs``; ``summary`` defaults to the condition."""
    fields: dict[str, str] = {**labels, "condition": obs.condition, "value": _number(obs.value)}
    fields.update((k, _number(v) if isinstance(v, float | int) else str(v)) for k, v in obs.details)
    found = {
        name: _PLACEHOLDER.sub(lambda m: fields.get(m.group(1), m.group(0)), text)
        for name, text in obs.rule.annotations
    }
    if "summary" not in found:
        where = ", ".join(f"{c}={v}" for c, v in obs.key if c != "slo_window")
        found["summary"] = f"{obs.rule.name}{' (' + where + ')' if where else ''}: {obs.condition}"
    return found


def _number(value: float | int | None) -> str:
    return "NULL" if value is None else f"{value:.4g}"


def fingerprint(labels: dict[str, str]) -> str:
    """A stable 16-hex-digit id of a label set (what a receiver may deduplicate on)."""
    text = json.dumps(sorted(labels.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def api_alert(
    labels: dict[str, str],
    annotations: dict[str, str],
    starts_at: str | None,
    ends_at: str | None,
    link: str | None,
) -> dict[str, Any]:
    """One alert of a ``POST /api/v2/alerts`` body (``ends_at`` None: still firing)."""
    alert: dict[str, Any] = {"labels": labels, "annotations": annotations}
    if starts_at:
        alert["startsAt"] = starts_at
    if ends_at:
        alert["endsAt"] = ends_at
    if link:
        alert["generatorURL"] = link
    return alert


def webhook_body(
    status: str,
    labels: dict[str, str],
    annotations: dict[str, str],
    starts_at: str | None,
    ends_at: str | None,
    link: str | None,
    external_url: str,
) -> dict[str, Any]:
    """The fields of Alertmanager's webhook notification for one alert's transition."""
    alert = {
        "status": status,
        "labels": labels,
        "annotations": annotations,
        "startsAt": starts_at or UNSET_TIME,
        "endsAt": ends_at or UNSET_TIME,
        "generatorURL": link or "",
        "fingerprint": fingerprint(labels),
    }
    group = {"alertname": labels["alertname"]}
    return {
        "version": WEBHOOK_VERSION,
        "groupKey": "{}:" + "{" + f"alertname={json.dumps(labels['alertname'])}" + "}",
        "truncatedAlerts": 0,
        "receiver": RECEIVER,
        "groupLabels": group,
        "commonLabels": labels,
        "commonAnnotations": annotations,
        "externalURL": external_url,
        "alerts": [alert],
    }
