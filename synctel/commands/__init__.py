"""Sub-commands of ``synctel``, one module each; each exposes ``register(subparsers)``."""

COMMAND_MODULES: tuple[str, ...] = (
    "profile",
    "load",
    "query",
    "compact",
    "serve",
    "simulate",
    "demo",
    "dashboard",
    "alerts",
    "advise",
    "bench",
)
"""Registered in this order in ``synctel --help``."""
