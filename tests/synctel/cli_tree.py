"""Walks the argparse tree of ``synctel``: every command path and the options each one takes."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from synctel.cli import build_parser


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def command_paths() -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every (path, parser) below the top level, e.g. (("profile", "validate"), parser)."""

    def walk(path: tuple[str, ...], parser: argparse.ArgumentParser):
        for name, sub in _subparsers(parser).items():
            yield (*path, name), sub
            yield from walk((*path, name), sub)

    yield from walk((), build_parser())


def long_options(parser: argparse.ArgumentParser) -> list[str]:
    """The ``--long`` options of one parser, without ``--help``."""
    return [
        opt
        for action in parser._actions
        for opt in action.option_strings
        if opt.startswith("--") and opt != "--help"
    ]
