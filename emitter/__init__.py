"""Telemetry of the sync engine: the event catalog, the engine's instrumentation (OpenTelemetry
API only) and the SDK/exporter setup (Azure Monitor, OTLP, the store sink)."""
