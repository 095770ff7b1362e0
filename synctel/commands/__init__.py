"""Sub-commands of ``synctel``, one module each; each exposes ``register(subparsers)``.

Importing a command module is cheap: heavy imports (DuckDB, the SDK, Streamlit) happen inside
the command when it runs, so ``synctel --help`` stays fast.
"""
