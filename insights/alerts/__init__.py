"""Sync health alerts: rules over the store's events, evaluated over recent windows, delivered to
webhooks and Prometheus Alertmanager.

- :mod:`~insights.alerts.rules`: the rules file (TOML ``[[alert]]`` tables of kind
  ``threshold``, ``slo`` or ``absent``), read by :mod:`~insights.alerts.kinds`,
  :mod:`~insights.alerts.event_kinds`, :mod:`~insights.alerts.scoping` and
  :mod:`~insights.alerts.reading`, with problems that name the file, the line and the rule.
- :mod:`~insights.alerts.evaluate`: a threshold rule's view over the last ``window`` (the
  dashboard's scoped SQL, :mod:`ingest.scope`); :mod:`~insights.alerts.event_rules`: SLO burn
  rates and absent groups straight from the events; one observation per alert instance.
- :mod:`~insights.alerts.transitions` and :mod:`~insights.alerts.state`: pending → firing →
  resolved per instance (``for``, ``keep_firing_for``, ``min_count``), persisted in
  ``<store>/alerts/state.json`` with the notifications still to deliver.
- :mod:`~insights.alerts.alertmanager`: labels, annotations, Alertmanager's v2 alerts and its
  webhook format; :mod:`~insights.alerts.webhook` and :mod:`~insights.alerts.posting`: one
  delivery lane per destination, retries, an overall deadline per attempt.
- :mod:`~insights.alerts.runner`: ``synctel alerts check`` and ``watch`` put together.

Importing this package imports nothing heavy: the dashboard reads alert state through
:func:`insights.alerts.summary.read_summary` and silences through
:func:`insights.alerts.silences.read_silences`.
"""
