"""Deterministic ids for simulated runs: sync ids derived from the seed and a counter.

The engine names each pass with a random uuid; a simulated device's instrumentation renames it
from the run's seed instead, so two runs with the same seed emit the same ``sync.id`` values
(and so the same content-derived event ids in the store).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Final

from emitter.instrument import PassTrace, SyncInstrumentation
from vocabulary.contract import SyncMode, Trigger

_NAMESPACE: Final = uuid.UUID("0f3b6c2e-7d41-4a8e-b5a3-1c9e2d7f6a10")


class SyncIds:
    """Sync ids for one run: uuid5 of the seed and a running number, in emission order."""

    def __init__(self, seed: int) -> None:
        """Ids for the run with ``seed``."""
        self._seed = seed
        self._n = 0

    def next(self) -> str:
        """The next id."""
        self._n += 1
        return str(uuid.uuid5(_NAMESPACE, f"{self._seed}:{self._n}"))


class SimInstrumentation(SyncInstrumentation):
    """A device's instrumentation whose passes take their ``sync.id`` from the run's ``SyncIds``."""

    ids: SyncIds
    """Where pass ids come from (set by ``with_ids``)."""

    def with_ids(self, ids: SyncIds) -> SimInstrumentation:
        """Take pass ids from ``ids``; returns self."""
        self.ids = ids
        return self

    def pass_started(
        self, sync_id: str, mode: SyncMode, trigger: Trigger, tables_due: Sequence[str]
    ) -> PassTrace:
        """As the engine's, with the engine's random ``sync_id`` replaced by the run's next id."""
        del sync_id
        return super().pass_started(self.ids.next(), mode, trigger, tables_due)
