"""The OTLP JSON-lines loader: files as the OpenTelemetry Collector's file exporter writes them.

Each line is one ``ExportLogsServiceRequest``, ``ExportTraceServiceRequest`` or
``ExportMetricsServiceRequest`` in OTLP JSON (hex trace ids, lowerCamelCase names); a file may
mix them. The file may be gzip-compressed. Detection is by content: the (inflated) file starts
with ``{"resourceLogs"``, ``{"resourceSpans"`` or ``{"resourceMetrics"``.

Lines are decoded and mapped exactly as the OTLP/HTTP receiver does (:mod:`ingest.otlp`), so
both share :mod:`ingest.convert`'s one attribute → column mapping. A line that is not JSON, not
an export request, or holds records that cannot be mapped goes to the quarantine with its line
number. Raw device and user ids are hashed as the receiver hashes them (a resource marked
``synctel.ids = "pseudonymous"`` is stored as sent), in rows and in quarantined lines alike.
zstd-compressed files (the file exporter's ``compression: zstd``) are recognised but not
read: no zstd library is installed; decompress them first.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Final

from ingest.errors import UnreadableFileError
from ingest.identities import Pseudonyms
from ingest.loaders.base import Batch, LoadContext, QuarantineRow
from ingest.otlp.decode import (
    MAX_JSON_DEPTH,
    OtlpRequestError,
    json_depth,
    parse_json_object,
    signal_of_json,
)
from ingest.otlp.records import map_request

GZIP_MAGIC: Final = b"\x1f\x8b"
"""The first bytes of a gzip file."""
ZSTD_MAGIC: Final = b"\x28\xb5\x2f\xfd"
"""The first bytes of a zstd frame."""
_START: Final = re.compile(
    rb'^\s*\{\s*"(resourceLogs|resourceSpans|resourceMetrics|resource_logs|resource_spans|'
    rb'resource_metrics)"\s*:'
)


def _inflated_head(head: bytes) -> bytes:
    if not head.startswith(GZIP_MAGIC):
        return head
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 4096)
    except zlib.error:
        return b""


class OtlpJsonLoader:
    """Loads OTLP JSON lines (plain or gzip) into ``sync_events``, ``spans`` and
    ``metric_points``."""

    name = "otlp-json"
    """Format name shown in the summary."""

    def sniff(self, head: bytes, path: Path) -> bool:
        """True when the (inflated) file starts with an OTLP export request object, or is a
        zstd file (refused with a clear message when read)."""
        return head.startswith(ZSTD_MAGIC) or _START.match(_inflated_head(head)) is not None

    def read(self, path: Path, context: LoadContext) -> Iterator[Batch]:
        """One batch per ``context.batch_rows`` lines; malformed lines are quarantined."""
        with open(path, "rb") as raw:
            magic = raw.read(4)
        if magic.startswith(ZSTD_MAGIC):
            raise UnreadableFileError(
                path,
                "zstd-compressed OTLP files are not supported (no zstd library is installed); "
                "decompress it first, e.g. `zstd -d FILE`, and load the result",
            )
        opener = gzip.open if magic.startswith(GZIP_MAGIC) else open
        with opener(path, "rb") as fh:
            yield from self._read_lines(path, fh, context)

    def _read_lines(self, path: Path, fh: Iterable[bytes], context: LoadContext) -> Iterator[Batch]:
        batch = Batch()
        line_number = 0
        ids = context.ids
        try:
            for line_number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                batch.rows_read += 1
                _read_line(line, line_number, batch, ids)
                if batch.rows_read >= context.batch_rows:
                    yield batch
                    batch = Batch()
        except (OSError, EOFError, zlib.error) as exc:
            problem = f"the gzip stream is corrupt or truncated after line {line_number}: {exc}"
            batch.quarantine.append(QuarantineRow("unreadable file", problem, "", line_number + 1))
            yield batch
            raise UnreadableFileError(path, problem) from exc
        yield batch


def _read_line(line: bytes, line_number: int, batch: Batch, ids: Pseudonyms) -> None:
    text = line.decode("utf-8", errors="replace").rstrip("\r\n")
    try:
        if json_depth(line) > MAX_JSON_DEPTH:  # as the receiver: bounded before parsing
            raise ValueError(f"JSON nested more than {MAX_JSON_DEPTH} levels deep")
        obj = json.loads(line)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        quarantined = QuarantineRow("malformed JSON", str(exc), ids.scrub_text(text), line_number)
        batch.quarantine.append(quarantined)
        return
    signal = signal_of_json(obj)
    if signal is None:
        batch.quarantine.append(
            QuarantineRow(
                "not an OTLP export request",
                "expected an object with resourceLogs, resourceSpans or resourceMetrics",
                ids.scrub_otlp_text(text),
                line_number,
            )
        )
        return
    try:
        mapped = map_request(parse_json_object(signal, obj), ids)
    except OtlpRequestError as exc:
        raw = ids.scrub_otlp_text(text)
        batch.quarantine.append(QuarantineRow("invalid OTLP JSON", str(exc), raw, line_number))
        return
    batch.events.extend(mapped.events)
    batch.spans.extend(mapped.spans)
    batch.metrics.extend(mapped.metrics)
    batch.quarantine.extend(
        QuarantineRow(r.kind, r.detail, r.raw, line_number) for r in mapped.rejected
    )
