"""Set-based delta computation: what one device must receive and drop for one table.

The *target set* of a table for a device is the rows matching the table's filter plus the rows
pulled in by relationships from the rows the device holds of the source tables (S1, S3). The
delta is the target set diffed with the device's holdings, all in SQL (S9: rows that left the
target set are removals). Three paths, cheapest first: skip, incremental, full.

- ``computer``: ``DeltaComputer``, the facade the server calls;
- ``decision``: choosing skip, incremental or full;
- ``scope``: ``DeltaScope``, the explicit scope of one computation;
- ``estimates``: the row-count cost model that picks query shapes;
- ``sql``: the target set, diff and relationship index SQL;
- ``tokens``: ``TableState``, the server's memory of each device's copy, and its token.
"""

from syncengine.delta.computer import DeltaComputer
from syncengine.delta.scope import Changes, DeltaScope
from syncengine.delta.sql import relation_index_sql
from syncengine.delta.tokens import TableState

__all__ = ["Changes", "DeltaComputer", "DeltaScope", "TableState", "relation_index_sql"]
