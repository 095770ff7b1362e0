"""Load offline profiles from TOML files, and the built-in default profile.

``load_profile`` and ``parse_profile`` raise ``ProfileError`` carrying every error;
``validate_profile`` returns a report with errors and warnings instead of raising.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from os import PathLike
from pathlib import Path

from syncengine.profile.model import Profile
from syncengine.profile.problems import ValidationReport
from syncengine.profile.validate import validate_text
from syncengine.schema import Schema
from vocabulary.problems import Problem, TomlRule

DEFAULT_PROFILE_RESOURCE = "default_profile.toml"
"""File name of the built-in profile inside ``syncengine/data``."""


def validate_profile(
    path: str | PathLike[str], *, schema: Schema | None = None
) -> ValidationReport:
    """Validate the profile file at ``path``; a missing or unreadable file is one error."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")  # tolerate a BOM (Notepad)
    except FileNotFoundError:
        return _file_problem(source, "no such file")
    except IsADirectoryError:
        return _file_problem(source, "is a folder, not a profile file")
    except UnicodeDecodeError as exc:
        return _file_problem(source, f"is not UTF-8 text ({exc.reason} at byte {exc.start})")
    except OSError as exc:
        return _file_problem(source, f"cannot be read: {exc.strerror or exc}")
    return validate_text(text, source=source, schema=schema)


def _file_problem(source: str, message: str) -> ValidationReport:
    return ValidationReport(None, (Problem(source, 0, TomlRule.FILE, message),))


def parse_profile(text: str, *, source: str = "<string>", schema: Schema | None = None) -> Profile:
    """The profile in ``text``; ProfileError listing every error when it is not valid."""
    return validate_text(text, source=source, schema=schema).profile_or_raise()


def load_profile(path: str | PathLike[str], *, schema: Schema | None = None) -> Profile:
    """The profile in the file at ``path``; ProfileError listing every error when invalid."""
    return validate_profile(path, schema=schema).profile_or_raise()


def default_profile_text() -> str:
    """The TOML of the built-in "Field Service Mobile - Offline Profile"."""
    data = resources.files("syncengine").joinpath("data", DEFAULT_PROFILE_RESOURCE)
    return data.read_text(encoding="utf-8")


@cache
def default_profile() -> Profile:
    """The built-in "Field Service Mobile - Offline Profile" (parsed once)."""
    return parse_profile(default_profile_text(), source=DEFAULT_PROFILE_RESOURCE)
