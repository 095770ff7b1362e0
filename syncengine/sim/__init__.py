"""The fleet simulator: technicians, dispatchers, networks and faults driving the real engine.

Everything is deterministic for a seed: the same scenario, size and seed give the same
telemetry, event for event.
"""
