"""Sync health alerts: rules over the ``sql/views`` metric views, evaluated over a recent window.

- :mod:`~insights.alerts.rules`: the rules file (TOML ``[[alert]]`` tables), validated with
  problems that name the file, the line and the rule broken.
- :mod:`~insights.alerts.evaluate`: each rule's view over the last ``window`` of events (the
  dashboard's scoped SQL, :mod:`ingest.scope`), one observation per row of the view.
- :mod:`~insights.alerts.state`: pending → firing → resolved per alert instance, persisted in
  ``<store>/alerts/state.json`` with the transitions still to deliver.
- :mod:`~insights.alerts.webhook`: delivery of transitions in a background thread, with retries.
- :mod:`~insights.alerts.runner`: ``synctel alerts check`` and ``watch`` put together.

Importing this package imports nothing heavy: the dashboard reads alert state through
:func:`insights.alerts.state.read_summary`.
"""
