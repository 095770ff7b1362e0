"""Write a profile back as TOML in the format ``load_profile`` reads.

``parse_profile(render_profile(p))`` equals ``p`` apart from ``TableProfile.line`` and
``Profile.source``. ``synctel profile show`` prints this.
"""

from __future__ import annotations

from syncengine.profile.model import (
    RELATIVE_OPS,
    AllRows,
    Condition,
    Direction,
    Filter,
    Group,
    Not,
    OwnedByUser,
    Profile,
    Related,
    Relationship,
    Scalar,
    TableProfile,
)


def render_profile(profile: Profile) -> str:
    """The profile as TOML text."""
    lines = [
        f"name = {_string(profile.name)}",
        f"conflict_detection = {_scalar(profile.conflict_detection)}",
        "",
        "[settings]",
        f"allow_user_sync_frequency = {_scalar(profile.settings.allow_user_sync_frequency)}",
        f"allow_wifi_only = {_scalar(profile.settings.allow_wifi_only)}",
        f"allow_online_mode = {_scalar(profile.settings.allow_online_mode)}",
    ]
    for table in profile.tables:
        lines += ["", *_table(table)]
    return "\n".join(lines) + "\n"


def _table(table: TableProfile) -> list[str]:
    out = [
        "[[tables]]",
        f"name = {_string(table.name)}",
        f"interval_minutes = {table.interval_minutes}",
    ]
    if not isinstance(table.filter, AllRows):
        out.append(f"filter = {render_filter(table.filter)}")
    if table.relationships:
        out.append("relationships = [")
        out += [f"  {_relationship(rel)}," for rel in table.relationships]
        out.append("]")
    return out


def render_filter(flt: Filter) -> str:
    """A filter in its TOML form (one line)."""
    match flt:
        case AllRows():
            return '"all"'
        case OwnedByUser():
            return '{ owner = "user" }'
        case Group(kind=kind, items=items):
            return f"{{ {kind} = [{', '.join(render_filter(i) for i in items)}] }}"
        case Not(item=item):
            return f"{{ not = {render_filter(item)} }}"
        case Condition():
            return "{ " + ", ".join(_condition(flt)) + " }"
        case Related(relationship=rel, condition=cond):
            # ``via`` is always written: the rendered filter does not depend on which other
            # relationships the table declares
            through = [f"related = {_string(rel.table)}", f"via = {_string(rel.column)}"]
            return "{ " + ", ".join([*through, *_condition(cond)]) + " }"
    raise TypeError(f"not a filter: {flt!r}")


def _condition(cond: Condition) -> list[str]:
    parts = [f"column = {_string(cond.column)}", f"op = {_string(cond.op.value)}"]
    if isinstance(cond.value, tuple):
        parts.append(f"value = [{', '.join(_scalar(v) for v in cond.value)}]")
    elif cond.value is not None:
        parts.append(f"value = {_scalar(cond.value)}")
    if cond.op in RELATIVE_OPS:
        parts.append(f"days = {cond.days}")
    return parts


def _relationship(rel: Relationship) -> str:
    parts = [f"table = {_string(rel.table)}", f"column = {_string(rel.column)}"]
    if rel.direction is not Direction.MANY_TO_ONE:
        parts.append(f"direction = {_string(rel.direction.value)}")
    return "{ " + ", ".join(parts) + " }"


def _scalar(value: Scalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _string(value)
    return repr(value)


def _string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = ['"']
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)
