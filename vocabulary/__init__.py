"""The shared vocabulary every stage imports, importing none of them.

- :mod:`vocabulary.contract`: the telemetry contract's names and the engine's domain enums.
- :mod:`vocabulary.identity`: who emits, and the salted pseudonyms that stand for raw ids.
- :mod:`vocabulary.errors`: :class:`SynctelError`, the one root of every error raised on purpose.
- :mod:`vocabulary.settings`: environment variable names and defaults shared by the stages.
- :mod:`vocabulary.problems`, :mod:`vocabulary.toml_lines`: TOML problems that name the file,
  the line and the rule, for every file format (profiles, scenarios, alert rules).

Nothing here imports OpenTelemetry, DuckDB or another package of this repository.
"""
