"""``synctel alerts check|watch``: sync health alert rules evaluated over the store's views."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from synctel.commands._common import CommandError, add_store_option, as_of, store_path

if TYPE_CHECKING:
    from insights.alerts.runner import Settings

DEFAULT_INTERVAL = 60.0
"""Seconds between ``watch`` rounds."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``alerts check`` and ``alerts watch``."""
    parser = subparsers.add_parser(
        "alerts",
        help="evaluate sync health alert rules (TOML) against the store",
        description=(
            "Alert rules (kind threshold, slo or absent) watch the store's events over recent "
            "windows. Firing and resolution are each posted once to the rule's webhook (in "
            "Alertmanager's webhook format); with --alertmanager every firing alert is posted "
            "to Alertmanager at each evaluation. State persists in <store>/alerts/state.json."
        ),
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check",
        help="evaluate once and print the firing alerts; exit 3 if any fires, 0 if none",
        description=(
            "Evaluate every rule once, post transitions, print firing and pending alerts. "
            "Exit 0 when none fires, 3 when some do, 1 when none fires but a rule could not "
            "be evaluated."
        ),
    )
    _common(check)
    check.set_defaults(func=run_check)
    watch = actions.add_parser(
        "watch",
        help="evaluate every --interval seconds, printing each firing and resolution",
        description="Evaluate every rule every --interval seconds until interrupted.",
    )
    _common(watch)
    watch.add_argument(
        "--interval",
        type=float,
        default=DEFAULT_INTERVAL,
        metavar="SECONDS",
        help=f"seconds between evaluations (default {DEFAULT_INTERVAL:g})",
    )
    watch.add_argument(
        "--count",
        type=int,
        default=0,
        metavar="N",
        help="stop after N evaluations (default: run until interrupted)",
    )
    watch.set_defaults(func=run_watch)


def _common(parser: argparse.ArgumentParser) -> None:
    from_links = "http://127.0.0.1:8501"
    parser.add_argument(
        "--rules", required=True, metavar="FILE", help="alert rules TOML file ([[alert]] tables)"
    )
    parser.add_argument(
        "--as-of",
        default="now",
        metavar="WHEN",
        help=(
            "where each window ends: 'now' (the wall clock, default: live stores), 'latest' "
            "(the store's newest event: simulated or back-filled stores), or an ISO time (UTC)"
        ),
    )
    parser.add_argument(
        "--dashboard-url",
        default=from_links,
        metavar="URL",
        help=f"dashboard base URL for the links in webhooks and output (default {from_links})",
    )
    parser.add_argument(
        "--alertmanager",
        action="append",
        default=[],
        metavar="URL",
        help=(
            "post alerts to this Alertmanager's v2 API (e.g. http://127.0.0.1:9093) at every "
            "evaluation; repeat for each member of an HA pair"
        ),
    )
    add_store_option(parser)


def _settings(args: argparse.Namespace) -> Settings:
    from pathlib import Path

    from insights.alerts.rules import load_rules
    from insights.alerts.runner import Settings

    end = as_of(args.as_of)
    for url in args.alertmanager:
        if not url.startswith(("http://", "https://")):
            raise CommandError(
                f"--alertmanager {url!r}: use the Alertmanager's http:// or https:// address, "
                "e.g. http://127.0.0.1:9093"
            )
    return Settings(
        store_path(args),
        load_rules(Path(args.rules)),
        end,
        args.dashboard_url,
        alertmanagers=tuple(dict.fromkeys(args.alertmanager)),
    )


def run_check(args: argparse.Namespace) -> int:
    """Evaluate once; exit 3 when an alert fires."""
    from insights.alerts.runner import check

    return check(_settings(args))


def run_watch(args: argparse.Namespace) -> int:
    """Evaluate every ``--interval`` seconds."""
    from insights.alerts.runner import watch

    if args.interval <= 0:
        raise CommandError("--interval must be more than 0 seconds")
    if args.count < 0:
        raise CommandError("--count must be 0 (no limit) or more")
    return watch(_settings(args), args.interval, args.count)
