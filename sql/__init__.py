"""The store's SQL files, shipped as package data: this package holds data files only.

``schema.sql``, ``views/*.sql``, ``audits/*.sql`` and ``advice/*.sql`` are read through
``importlib.resources`` by :mod:`ingest.sql`, so they are found the same way in a checkout, an
editable install and an installed wheel. There is no Python code here.
"""
