"""Application Insights rows and files for the quarantine, with their identities hashed.

A quarantined row is kept whole so that an operator can see what was wrong with it, but not
its identities: the user id and client address columns (:data:`~ingest.identities.ID_COLUMNS`)
and every ``DeviceInfo_Id`` (or other :data:`~ingest.identities.TEXT_KEYS` key) inside
``customDimensions`` are replaced by their pseudonyms, everything else stays as found.

* :func:`scrub_row`: a row read by column;
* :func:`scrub_values`: a row whose values do not line up with the columns: the id columns
  are hashed where they would stand reading the values from the start and from the end;
* :func:`scrub_export`: the start of a file that could not be read as a whole, JSON (cut short
  or not: it is scanned piece by piece, never parsed) or CSV.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from typing import Any, Final

from ingest.identities import ID_COLUMNS, KEYS_FOLDED, Pseudonyms
from ingest.loaders.appinsights_cells import raw_text, text
from ingest.loaders.appinsights_read import normalise_column

_ID_COLUMNS: Final = frozenset(c.lower() for c in ID_COLUMNS)
_TOKEN: Final = re.compile(r'"(?:[^"\\]|\\.)*(?:"|\Z)|[\[\]{}:,]|[^\s\[\]{}:,"]+', re.DOTALL)


def _is_id_column(name: str) -> bool:
    return normalise_column(name.lstrip("\ufeff")) in _ID_COLUMNS


def _scrub(value: Any, ids: Pseudonyms) -> Any:
    """A decoded cell: identity members of objects hashed, text scrubbed, the rest as is."""
    if isinstance(value, str):
        return ids.scrub_text(value)
    if isinstance(value, list):
        return [_scrub(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _member(k, v, ids) for k, v in value.items()}
    return value


def _member(key: str, value: Any, ids: Pseudonyms) -> Any:
    if (
        key.casefold() in KEYS_FOLDED
        and value not in (None, "")
        and not isinstance(value, (dict, list))
    ):
        return ids.hash(value)
    return _scrub(value, ids)


def _hash_cell(value: Any, ids: Pseudonyms) -> Any:
    raw = text(value) if not isinstance(value, (dict, list)) else None
    return _scrub(value, ids) if raw is None else ids.hash(raw)


def scrub_row(row: dict[str, Any], ids: Pseudonyms) -> str:
    """A row read by column, as JSON text, its identities hashed."""
    return raw_text(
        {k: _hash_cell(v, ids) if _is_id_column(k) else _scrub(v, ids) for k, v in row.items()}
    )


def scrub_values(values: Any, names: list[str], ids: Pseudonyms) -> str:
    """A row whose values do not match the columns, as JSON text, its identities hashed."""
    if not isinstance(values, list):
        return raw_text(_scrub(values, ids))
    shift = len(values) - len(names)
    columns = {i for i, name in enumerate(names) if _is_id_column(name)}
    positions = columns | {i + shift for i in columns}
    return raw_text(
        [_hash_cell(v, ids) if i in positions else _scrub(v, ids) for i, v in enumerate(values)]
    )


def scrub_export(content: str, ids: Pseudonyms) -> str:
    """The text of an export that could not be read as a whole, its identities hashed."""
    if content.lstrip("\ufeff \t\r\n").startswith("{"):
        return _scrub_json_text(content, ids)
    try:
        return _scrub_csv_text(content, ids)
    except csv.Error as exc:
        return f"(content not kept: it cannot be scanned for identities: {exc})"


def _scrub_csv_text(content: str, ids: Pseudonyms) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    positions: set[int] | None = None
    for cells in csv.reader(io.StringIO(content, newline="")):
        if positions is None:
            positions = {i for i, name in enumerate(cells) if _is_id_column(name)}
            writer.writerow(cells)
            continue
        writer.writerow(
            [
                ids.hash(cell.strip()) if i in positions and cell.strip() else ids.scrub_text(cell)
                for i, cell in enumerate(cells)
            ]
        )
    return out.getvalue()


@dataclass
class _Frame:
    """An open JSON object or array while scanning."""

    kind: str
    """``{`` or ``[``."""
    key: str | None
    """The member name this container is the value of (None inside an array)."""
    parent: _Frame | None
    """The container it stands in."""
    index: int = 0
    """Array: which element is being read."""
    member: str | None = None
    """Object: the member being read."""
    expect_key: bool = True
    """Object: the next string is a member name."""


def _scrub_json_text(content: str, ids: Pseudonyms) -> str:
    """Scan a query API export piece by piece (it may be cut anywhere): the ``columns`` give
    the id columns' positions, each row of ``rows`` has those positions hashed, object members
    named like an identity are hashed, and every other string is scrubbed as text."""
    out: list[str] = []
    top: _Frame | None = None
    id_positions: set[int] = set()
    last = 0
    for m in _TOKEN.finditer(content):
        piece = m.group()
        out.append(content[last : m.start()])
        last = m.end()
        if piece in ("{", "["):
            key = top.member if top is not None and top.kind == "{" else None
            if key == "columns" and piece == "[":
                id_positions = set()
            top = _Frame(piece, key, top)
        elif piece in ("}", "]"):
            top = top.parent if top is not None else None
        elif piece == ",":
            if top is not None and top.kind == "[":
                top.index += 1
            elif top is not None:
                top.expect_key = True
        elif piece == ":":
            if top is not None:
                top.expect_key = False
        elif top is not None and top.kind == "{" and top.expect_key:
            top.member = _decoded(piece)
        else:
            piece = _scalar(piece, top, id_positions, ids)
        out.append(piece)
    out.append(content[last:])
    return "".join(out)


def _scalar(piece: str, top: _Frame | None, id_positions: set[int], ids: Pseudonyms) -> str:
    """One value piece, hashed or scrubbed; records column names as it meets them."""
    is_text = piece.startswith('"')
    if top is not None and top.kind == "{":
        column = top.parent if top.member == "name" else None
        if column is not None and column.kind == "[" and column.key == "columns":
            if _is_id_column(_decoded(piece)):
                id_positions.add(column.index)
        elif (top.member or "").casefold() in KEYS_FOLDED:
            return _hashed(piece, ids)
    elif top is not None and top.kind == "[":
        if top.key == "columns" and _is_id_column(_decoded(piece)):
            id_positions.add(top.index)
        row = top.parent
        if top.key is None and row is not None and row.key == "rows" and top.index in id_positions:
            return _hashed(piece, ids)
    return ids.scrub_text(piece) if is_text else piece


def _decoded(piece: str) -> str:
    if len(piece) > 1 and piece.startswith('"') and piece.endswith('"'):
        try:
            value = json.loads(piece)
        except ValueError:
            return piece.strip('"')
        return value if isinstance(value, str) else piece
    return piece.strip('"')


def _hashed(piece: str, ids: Pseudonyms) -> str:
    if piece in ("null", "true", "false", '""'):
        return piece
    closed = len(piece) > 1 and piece.startswith('"') and piece.endswith('"')
    cut = piece.startswith('"') and not closed  # the file ends inside it: it stays cut
    return f'"{ids.hash(_decoded(piece))}' + ("" if cut else '"')
