"""The profile advisor (issue 7): the seed's guidance to admins as rules over the store.

Each rule has an evidence query in ``sql/advice/`` and a judgement in Python with named
thresholds (:mod:`insights.advisor.thresholds`). A recommendation carries its kind and
severity, the profile and table, the evidence as numbers over a stated window, the profile
change as a TOML diff the validator accepts (or a snippet, when the profile's text is not
known), and the expected effect per device per day.

Public API: :func:`advise_store`, :func:`advise_connection`, :func:`render_table`,
:func:`render_json`, :func:`to_dict`, and the model (:class:`Report`, :class:`Recommendation`,
:class:`Kind`, …).
"""

from insights.advisor.advise import RULES, advise_connection, advise_store
from insights.advisor.model import Change, Effect, Evidence, Kind, Recommendation, Report, Window
from insights.advisor.profiles import ProfileText, read_profile_file
from insights.advisor.report import render_json, render_table, to_dict

__all__ = [
    "RULES",
    "Change",
    "Effect",
    "Evidence",
    "Kind",
    "ProfileText",
    "Recommendation",
    "Report",
    "Window",
    "advise_connection",
    "advise_store",
    "read_profile_file",
    "render_json",
    "render_table",
    "to_dict",
]
