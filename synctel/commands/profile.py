"""``synctel profile``: validate offline profile files, or show one resolved."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from synctel.commands._common import CommandError

if TYPE_CHECKING:
    from syncengine.schema import Schema


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``profile validate`` and ``profile show``."""
    parser = subparsers.add_parser(
        "profile",
        help="validate or show offline profiles (TOML)",
        description="Offline profiles: the tables a device holds, how often, and which rows.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    validate = actions.add_parser(
        "validate",
        help="check profile files; every error on its own line, exit 1 if any",
        description="Check profile files against the format, the schema and the limits.",
    )
    validate.add_argument("files", nargs="+", type=Path, metavar="FILE", help="profile TOML file")
    _add_schema_option(validate)
    validate.set_defaults(func=run_validate)
    show = actions.add_parser(
        "show",
        help="print a profile as resolved TOML (the built-in default without FILE)",
        description="Print the profile as the engine reads it, defaults filled in.",
    )
    show.add_argument(
        "file",
        nargs="?",
        type=Path,
        metavar="FILE",
        help='profile TOML file (default: the built-in "Field Service Mobile - Offline Profile")',
    )
    _add_schema_option(show)
    show.set_defaults(func=run_show)


def _add_schema_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--schema",
        type=Path,
        default=None,
        metavar="FILE",
        help="table catalog TOML to check against (default: the built-in Field Service catalog)",
    )


def _schema(args: argparse.Namespace) -> Schema | None:
    """The catalog named by ``--schema``, or None for the built-in one."""
    from syncengine.schema import parse_schema

    path: Path | None = args.schema
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"{path}: cannot read the schema: {exc.strerror or exc}") from exc
    return parse_schema(text, source=str(path))


def run_validate(args: argparse.Namespace) -> int:
    """Validate each file: warnings and errors to stderr, one ``FILE: ok`` line per valid file."""
    from syncengine.profile import validate_profile

    schema = _schema(args)
    failed = False
    for path in args.files:
        report = validate_profile(path, schema=schema)
        for problem in report.warnings:
            print(f"warning: {problem}", file=sys.stderr)
        for problem in report.errors:
            print(problem, file=sys.stderr)
        if report.profile is not None:
            profile = report.profile
            print(f'{path}: ok, "{profile.name}" with {len(profile.tables)} tables')
        else:
            failed = True
    return 1 if failed else 0


def run_show(args: argparse.Namespace) -> int:
    """Print the resolved profile as TOML; errors as in ``validate``."""
    from syncengine.profile import default_profile, render_profile, validate_profile

    schema = _schema(args)
    if args.file is None:
        print(render_profile(default_profile()), end="")
        return 0
    report = validate_profile(args.file, schema=schema)
    for problem in report.warnings:
        print(f"warning: {problem}", file=sys.stderr)
    for problem in report.errors:
        print(problem, file=sys.stderr)
    if report.profile is None:
        return 1
    print(render_profile(report.profile), end="")
    return 0
