"""Acting on the telemetry: the profile advisor and sync health alerts.

Both only read the store's views (``sql/views``), like the dashboard: store → views → insights.
"""
