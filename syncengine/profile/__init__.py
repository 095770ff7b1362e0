"""Offline profiles (S1, S4, S10): the model, the TOML format and its validation.

Public API: ``load_profile``, ``parse_profile``, ``validate_profile``, ``validate_text``,
``default_profile``, ``render_profile``, ``ProfileError``, ``Problem``, ``ProfileRule``,
``ValidationReport`` and the limits of ``syncengine.profile.limits``.
"""

from syncengine.profile.limits import (
    MAX_DEVICE_RECORDS,
    MAX_FILTER_DEPTH,
    MAX_INTERVAL_MINUTES,
    MAX_RELATIONSHIPS,
    MIN_INTERVAL_MINUTES,
    RECOMMENDED_BYTES,
    RECOMMENDED_RECORDS,
    RECOMMENDED_TABLES,
)
from syncengine.profile.load import (
    default_profile,
    default_profile_text,
    load_profile,
    parse_profile,
    validate_profile,
)
from syncengine.profile.problems import ProfileError, ProfileRule, ValidationReport
from syncengine.profile.render import render_profile
from syncengine.profile.validate import validate_text
from vocabulary.problems import Problem

__all__ = [
    "MAX_DEVICE_RECORDS",
    "MAX_FILTER_DEPTH",
    "MAX_INTERVAL_MINUTES",
    "MAX_RELATIONSHIPS",
    "MIN_INTERVAL_MINUTES",
    "RECOMMENDED_BYTES",
    "RECOMMENDED_RECORDS",
    "RECOMMENDED_TABLES",
    "Problem",
    "ProfileError",
    "ProfileRule",
    "ValidationReport",
    "default_profile",
    "default_profile_text",
    "load_profile",
    "parse_profile",
    "render_profile",
    "validate_profile",
    "validate_text",
]
