"""Reading a metrics page back: the samples of a Prometheus text page, by name and labels."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

Series = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def samples(page: str) -> Series:
    """``{(sample name, sorted labels): value}`` of a Prometheus text page."""
    found: Series = {}
    for family in text_string_to_metric_families(page):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def table(profile: str, name: str) -> tuple[tuple[str, str], ...]:
    """The labels of one profile x table series."""
    return (("profile", profile), ("table", name))
