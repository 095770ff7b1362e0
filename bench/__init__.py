"""Benchmarks, each timed against an anchor in the same run; figures go to ``BENCHMARKS.md``.

Run one with ``python -m bench.<name> --help``. Shared helpers live in :mod:`bench._timing`;
synthetic telemetry in :mod:`bench._data`. Raw results are appended as JSON lines under
``bench/results/`` (not committed).
"""
