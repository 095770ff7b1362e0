"""The advice as text for people (``--format table``) or JSON for programs (``--format json``)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from insights.advisor.context import size
from insights.advisor.model import Effect, Recommendation, Report


def to_dict(report: Report) -> dict[str, Any]:
    """The report as plain JSON-ready data (datetimes as ISO text)."""
    window = report.window
    return {
        "window": None
        if window is None
        else {
            "start": window.start.isoformat(),
            "end": window.end.isoformat(),
            "description": window.describe(),
        },
        "profiles": report.profiles,
        "recommendations": [_rec(r) for r in report.recommendations],
    }


def _rec(r: Recommendation) -> dict[str, Any]:
    data = asdict(r)
    data["kind"] = str(r.kind)
    data["window"] = r.window.describe()
    data["evidence"] = [asdict(e) for e in r.evidence]
    return data


def render_json(report: Report) -> str:
    """``to_dict`` as indented JSON."""
    return json.dumps(to_dict(report), indent=2, default=str)


def effect_words(effect: Effect | None) -> str:
    """``-10.4 passes, -2.1 KiB, +0 records per device per day``."""
    if effect is None:
        return "not estimated from telemetry"
    sign = "-" if effect.bytes < 0 else "+"
    return (
        f"{effect.passes:+.1f} passes, {sign}{size(abs(effect.bytes))}, "
        f"{effect.records:+.0f} records per device per day ({effect.note})"
    )


def render_table(report: Report) -> str:
    """Readable text: one block per recommendation, most urgent first."""
    if report.window is None:
        return "No events in the store: nothing to advise on.\n"
    lines = [f"Advice over the {report.window.describe()}"]
    for name, source in report.profiles.items():
        lines.append(f"  profile {name!r}: {source}")
    if not report.recommendations:
        lines.append("No recommendations: every rule is within its thresholds.")
        return "\n".join(lines) + "\n"
    lines.append(f"{len(report.recommendations)} recommendation(s)")
    for n, r in enumerate(report.recommendations, 1):
        where = r.profile + (f" / {r.table}" if r.table else "")
        lines += ["", f"{n}. [{r.severity}] {r.kind}: {where}", f"   {r.summary}"]
        lines += [f"   - {e.label}" for e in r.evidence]
        lines.append(f"   effect: {effect_words(r.effect)}")
        if r.action:
            lines.append(f"   action: {r.action}")
        if r.change is not None:
            if r.change.diff:
                lines.append("   change:")
                lines += ["     " + ln for ln in r.change.diff.rstrip("\n").splitlines()]
            else:
                lines.append("   change (profile text unknown; add to its TOML):")
                lines += ["     " + ln for ln in r.change.snippet.rstrip("\n").splitlines()]
        lines.append(f"   data: {r.link}")
    return "\n".join(lines) + "\n"
