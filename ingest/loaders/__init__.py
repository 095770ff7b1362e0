"""File loaders for ``synctel load``: a registry that picks the loader by a file's CONTENT.

A loader is a small class with a ``name``, a ``sniff(head, path)`` test on the first bytes of a
file, and ``read(path, context)`` yielding :class:`Batch` es of store rows plus quarantine rows.
:func:`detect` asks each registered loader in order; the first whose ``sniff`` answers True
reads the file. File names and extensions are never consulted.

The built-in loaders are :data:`BUILT_IN`; another module may also call :func:`register` with a
loader instance.
"""

from __future__ import annotations

from pathlib import Path

from ingest.errors import NotTelemetryError
from ingest.loaders.appinsights import AppInsightsLoader
from ingest.loaders.base import (
    SNIFF_BYTES,
    Batch,
    LoadContext,
    Loader,
    QuarantineRow,
    Row,
    read_head,
)
from ingest.loaders.otlp_json import OtlpJsonLoader

BUILT_IN: tuple[Loader, ...] = (AppInsightsLoader(), OtlpJsonLoader())
"""Every built-in loader, asked in this order."""

_registered: list[Loader] = []


def register(loader: Loader) -> None:
    """Add a loader, asked after the built-in ones."""
    _registered.append(loader)


def loaders() -> list[Loader]:
    """Every loader, built-in first, in the order :func:`detect` asks them."""
    return [*BUILT_IN, *_registered]


def detect(path: Path) -> Loader:
    """The loader for ``path``, chosen by its content.

    Raises :class:`~ingest.errors.NotTelemetryError` for an empty file or one no loader knows.
    """
    head = read_head(path)
    if not head.strip():
        raise NotTelemetryError(path, "the file is empty")
    for loader in loaders():
        if loader.sniff(head, path):
            return loader
    raise NotTelemetryError(path, "no loader recognises its content")


__all__ = [
    "BUILT_IN",
    "SNIFF_BYTES",
    "Batch",
    "LoadContext",
    "Loader",
    "QuarantineRow",
    "Row",
    "detect",
    "loaders",
    "read_head",
    "register",
]
