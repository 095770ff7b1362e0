"""The errors of the alerts package: one base, and the rules file's problems with their lines."""

from __future__ import annotations

from collections.abc import Iterable

from insights.errors import InsightsError
from vocabulary.problems import Problem


class AlertsError(InsightsError):
    """Anything that stops alerts from running; the message says what to do next."""


class RulesError(AlertsError):
    """A rules file that cannot be used; ``problems`` lists every error, one per line."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        """Every error found, in file order, each naming the file, the line and the rule."""
        super().__init__("\n".join(str(p) for p in self.problems))
