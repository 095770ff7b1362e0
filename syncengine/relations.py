"""The relationship graph of a profile (S1, S3): who pulls rows into whom, and in what order.

A relationship declared on table X towards table T makes rows of T come along with the rows of
X a device holds, so X is a *source* of T. Profiles are validated acyclic, so sources can always
be synced before the tables they feed.
"""

from __future__ import annotations

from collections.abc import Iterable

from syncengine.profile.model import Profile, Relationship


def sources(profile: Profile, table: str) -> tuple[tuple[str, Relationship], ...]:
    """``(source table, relationship)`` for every relationship that pulls rows into ``table``."""
    return tuple(
        (t.name, rel) for t in profile.tables for rel in t.relationships if rel.table == table
    )


def related(profile: Profile, table: str) -> frozenset[str]:
    """Tables linked to ``table`` by a relationship in either direction."""
    out = {src for src, _ in sources(profile, table)}
    out.update(rel.table for rel in profile.table(table).relationships)
    out.discard(table)
    return frozenset(out)


def dependents(profile: Profile, table: str) -> frozenset[str]:
    """Tables whose rows depend, directly or not, on the rows held of ``table``."""
    seen: set[str] = set()
    todo = [table]
    while todo:
        for rel in profile.table(todo.pop()).relationships:
            if rel.table not in seen and rel.table in profile.table_names:
                seen.add(rel.table)
                todo.append(rel.table)
    seen.discard(table)
    return frozenset(seen)


def dependency_order(profile: Profile, tables: Iterable[str]) -> list[str]:
    """``tables`` ordered so every source comes before the tables it feeds.

    Ties keep the profile's declaration order, so the order is deterministic.
    """
    wanted = set(tables)
    order: list[str] = []
    placed: set[str] = set()
    names = [n for n in profile.table_names if n in wanted]
    while len(order) < len(names):
        progressed = False
        for name in names:
            if name in placed:
                continue
            if all(src in placed or src not in wanted for src, _ in sources(profile, name)):
                order.append(name)
                placed.add(name)
                progressed = True
        if not progressed:  # a cycle: validation forbids it; keep declaration order
            order.extend(n for n in names if n not in placed)
            break
    return order
