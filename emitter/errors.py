"""The emitter's errors: one base class, caught by the CLI and shown as one line."""

from __future__ import annotations

from vocabulary.errors import SynctelError


class EmitterError(SynctelError):
    """Base of every error the emitter raises on purpose."""


class ConfigError(EmitterError):
    """A telemetry setting has a bad value; the message names the setting and what it accepts."""


class MissingDependencyError(EmitterError):
    """An optional extra is not installed; the message gives the exact ``pip install`` line."""

    def __init__(self, feature: str, extra: str, package: str) -> None:
        self.feature = feature
        self.extra = extra
        self.package = package
        self.install_line = f"pip install 'synctel[{extra}]'"
        super().__init__(
            f"{feature} needs the '{package}' package, which is not installed; "
            f"run: {self.install_line}"
        )
