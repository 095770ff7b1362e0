"""Raw device and user ids at ingest: the store's salt, who is trusted, and hashing them away.

Every entrance hashes with :func:`vocabulary.identity.pseudonymize` and the store's salt
(:func:`id_salt`: ``$SYNCTEL_ID_SALT``, else the store's own ``.id-salt`` file), so one raw id
gets one pseudonym whichever way it arrived:

* OTLP (``synctel serve``, ``synctel load`` of OTLP JSON): a resource carrying
  ``synctel.ids = "pseudonymous"`` (:data:`~vocabulary.identity.IDS_ATTRIBUTE`, set by
  ``emitter.setup.setup_telemetry``) is trusted: its ids are pseudonyms already and are stored
  as sent. Every other resource has each :data:`~vocabulary.identity.IDENTITY_ATTRIBUTES` value
  hashed, in the resource and in its records' attributes (:class:`Pseudonyms`).
* Text that cannot be parsed (a malformed line, a broken ``customDimensions``) has every
  identity value it shows hashed, whoever sent it (:meth:`Pseudonyms.scrub_text`).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import secrets
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from ingest.errors import IngestError
from vocabulary.identity import (
    IDENTITY_ATTRIBUTES,
    IDS_ATTRIBUTE,
    IDS_PSEUDONYMOUS,
    pseudonymize,
)
from vocabulary.settings import ENV_ID_SALT

ID_SALT_FILE: Final = ".id-salt"
"""File in the store folder holding the store's own random salt (made on first use, mode 0600)."""
MIN_SALT_BYTES: Final = 16
"""A salt file holding fewer bytes than this is refused (a crash while it was written)."""
ID_COLUMNS: Final = (
    "user_Id",
    "user_AuthenticatedId",
    "user_AccountId",
    "client_IP",
    "UserId",
    "UserAuthenticatedId",
    "UserAccountId",
    "ClientIP",
)
"""Application Insights columns (classic, then workspace names) holding a user's ids or a
client's address: hashed wherever a row is kept whole (the quarantine)."""
TEXT_KEYS: Final = (*sorted(IDENTITY_ATTRIBUTES), "DeviceInfo_Id", *ID_COLUMNS)
"""Keys (any case) whose values :meth:`Pseudonyms.scrub_text` hashes in text it cannot parse:
the OpenTelemetry identity attributes, Field Service's ``DeviceInfo_Id`` (the raw device id in
``customDimensions``) and :data:`ID_COLUMNS`."""
KEYS_FOLDED: Final = frozenset(k.casefold() for k in TEXT_KEYS)
""":data:`TEXT_KEYS`, casefolded, for matching keys of decoded objects."""


class IdSaltError(IngestError):
    """The store's salt file cannot be used (too short, unreadable, cannot be made)."""


def id_salt(store_path: Path) -> str:
    """``$SYNCTEL_ID_SALT``, else the store's own salt (``.id-salt``, made at random on first use).

    The file is made atomically with mode 0600 (written and fsynced under a temporary name,
    then hard-linked into place), so it never exists empty; an existing one readable by others
    is narrowed to 0600. Raises :class:`IdSaltError` for a salt file under
    :data:`MIN_SALT_BYTES` bytes: pseudonyms keyed with it would be plain hashes of the ids.
    """
    from_env = os.environ.get(ENV_ID_SALT, "").strip()
    if from_env:
        return from_env
    path = store_path / ID_SALT_FILE
    try:
        return _read_salt(path)
    except FileNotFoundError:
        pass
    return _make_salt(path)


def _read_salt(path: Path) -> str:
    try:
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            with contextlib.suppress(PermissionError):  # not ours to narrow: still usable
                path.chmod(0o600)
        salt = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise IdSaltError(
            f"{path}: cannot read the id salt: {reason}",
            hint=f"make it readable, or set ${ENV_ID_SALT}",
        ) from exc
    size = len(salt.encode())
    if size < MIN_SALT_BYTES:
        what = "empty" if size == 0 else f"only {size} bytes"
        raise IdSaltError(
            f"{path}: the id salt is {what} (at least {MIN_SALT_BYTES} needed; a crash while "
            "it was written?)",
            hint=(
                "restore the file from a backup or set $SYNCTEL_ID_SALT to the salt used before; "
                "or delete it to make a new one (ids stored before will not match new ones)"
            ),
        )
    return salt


def _make_salt(path: Path) -> str:
    salt = secrets.token_hex(16)
    try:
        fd, temp = tempfile.mkstemp(prefix=f"{ID_SALT_FILE}.", dir=path.parent)  # mode 0600
    except OSError as exc:
        raise IdSaltError(
            f"{path}: cannot make the id salt: {exc.strerror or exc}",
            hint=f"make the store folder writable, or set ${ENV_ID_SALT}",
        ) from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(salt + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(temp, path)  # exclusive: two loaders starting at once agree on one salt
        except FileExistsError:
            return _read_salt(path)
        except OSError as exc:
            raise IdSaltError(
                f"{path}: cannot make the id salt: {exc.strerror or exc}",
                hint=f"set ${ENV_ID_SALT} instead",
            ) from exc
        _fsync_folder(path.parent)
        return salt
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp)


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


_IDENTITY_KEYS: Final = tuple(sorted(IDENTITY_ATTRIBUTES))


@functools.lru_cache(maxsize=1 << 16)
def _pseudonym(raw: str, salt: str) -> str:
    return pseudonymize(raw, salt)


def identity_text(value: Any) -> str:
    """The text an id value is hashed as: strings as they are, anything else as the store's
    text column would hold it (numbers in decimal, sequences as JSON)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)


_ANY_QUOTE = r'(?:\\*"){1,2}'  # ", \" (JSON inside JSON), \\\" and CSV's ""
_KEYS = "|".join(re.escape(k) for k in TEXT_KEYS)
_KEYED_QUOTED = re.compile(  # the value quoted as its key is, or a bare number
    rf"(?P<q>{_ANY_QUOTE})(?:{_KEYS})(?P=q)\s*[:=]\s*"
    rf"(?:(?P=q)(?P<value>.*?)(?:(?P=q)|$)|(?P<number>-?\d[\d.]*))",
    re.IGNORECASE | re.MULTILINE,
)
_KEYED_BARE = re.compile(
    rf'(?<![\w."\\])(?:{_KEYS})\s*[:=]\s*(?P<value>(?!\\*")[^\s,;&"\\{{}}\[\]]+)',
    re.IGNORECASE,
)
_OTLP_KEYS = "|".join(re.escape(k) for k in sorted(IDENTITY_ATTRIBUTES))
_VALUE_FIELDS = r'"(?:stringValue|string_value|intValue|int_value|doubleValue|double_value)"'
_JSON_SCALAR = r'"(?:[^"\\]|\\.)*(?:"|$)|-?[\d.eE+-]+'
_OTLP_KEY_FIRST = re.compile(
    rf'"key"\s*:\s*"(?:{_OTLP_KEYS})"\s*,\s*"value"\s*:\s*\{{\s*{_VALUE_FIELDS}\s*:\s*'
    rf"(?P<value>{_JSON_SCALAR})",
    re.IGNORECASE,
)
_OTLP_VALUE_FIRST = re.compile(
    rf'"value"\s*:\s*\{{\s*{_VALUE_FIELDS}\s*:\s*(?P<value>{_JSON_SCALAR})'
    rf'(?=\s*\}}\s*,\s*"key"\s*:\s*"(?:{_OTLP_KEYS})")',
    re.IGNORECASE,
)


class Pseudonyms:
    """How one store hashes raw ids: its salt, and the rules of the module docstring."""

    def __init__(self, salt: str) -> None:
        self.salt = salt
        """The salt every id is keyed with."""

    def hash(self, raw: Any) -> str:
        """The pseudonym of a raw id value (see :func:`identity_text`)."""
        return _pseudonym(identity_text(raw), self.salt)

    @staticmethod
    def trusted(resource: Mapping[str, Any]) -> bool:
        """True when an OTLP resource says its ids are pseudonyms already."""
        return resource.get(IDS_ATTRIBUTE) == IDS_PSEUDONYMOUS

    def attributes(self, attributes: dict[str, Any]) -> dict[str, Any]:
        """``attributes`` with every identity value hashed (the same dict when it has none)."""
        present = [k for k in _IDENTITY_KEYS if attributes.get(k) is not None]
        if not present:
            return attributes
        out = attributes.copy()
        for key in present:
            out[key] = self.hash(out[key])
        return out

    def scrub_json(self, value: Any) -> Any:
        """A decoded OTLP JSON value with every identity hashed: ``{"key": "device.id",
        "value": {…}}`` pairs and plain ``"device.id": …`` members, except inside an element
        (a ``resourceLogs`` entry, say) whose resource is marked pseudonymous."""
        if isinstance(value, list):
            return [self.scrub_json(v) for v in value]
        if not isinstance(value, dict) or _marked(value):
            return value
        key = value.get("key")
        pair = isinstance(key, str) and key in IDENTITY_ATTRIBUTES
        out: dict[str, Any] = {}
        for k, v in value.items():
            if pair and k == "value":
                out[k] = {"stringValue": self.hash(_any_value(v))}
            elif k in IDENTITY_ATTRIBUTES and v is not None and not isinstance(v, (dict, list)):
                out[k] = self.hash(v)
            else:
                out[k] = self.scrub_json(v)
        return out

    def scrub_otlp_text(self, text: str) -> str:
        """A line of OTLP JSON for the quarantine, its identities hashed: parsed and walked by
        :meth:`scrub_json` when it is JSON (re-written only if something changed), else
        :meth:`scrub_text`."""
        try:
            decoded = json.loads(text)
        except ValueError:
            return self.scrub_text(text)
        scrubbed = self.scrub_json(decoded)
        return text if scrubbed == decoded else json.dumps(scrubbed, ensure_ascii=False)

    def scrub_text(self, text: str) -> str:
        """``text`` that cannot be parsed, with the value after every :data:`TEXT_KEYS` key
        (quoted as in JSON, JSON inside JSON or CSV, or bare ``key=value``) and of every OTLP
        ``{"key": "device.id", "value": {"stringValue": …}}`` pair hashed."""

        def keyed(m: re.Match[str]) -> str:
            if m.groupdict().get("number"):
                return _replace(m, "number", f'"{self.hash(m.group("number"))}"')
            if not m.group("value"):
                return m.group(0)
            return _replace(m, "value", self.hash(m.group("value")))

        def scalar(m: re.Match[str]) -> str:
            token = m.group("value")
            if not token.startswith('"'):
                return _replace(m, "value", f'"{self.hash(token)}"')
            raw = token[1:].removesuffix('"') if len(token) > 1 else ""
            closed = '"' if len(token) > 1 and token.endswith('"') else ""  # a cut line stays cut
            return _replace(m, "value", f'"{self.hash(raw)}{closed}')

        text = _OTLP_KEY_FIRST.sub(scalar, text)
        text = _OTLP_VALUE_FIRST.sub(scalar, text)
        text = _KEYED_QUOTED.sub(keyed, text)
        return _KEYED_BARE.sub(keyed, text)


def _replace(m: re.Match[str], group: str, new: str) -> str:
    """The match's text with ``group`` replaced by ``new``."""
    start, end = m.span(group)
    return m.group(0)[: start - m.start()] + new + m.group(0)[end - m.start() :]


def _any_value(value: Any) -> Any:
    """The scalar inside an OTLP JSON ``AnyValue`` (``{"stringValue": "x"}`` → ``"x"``)."""
    if isinstance(value, dict) and len(value) == 1:
        (inner,) = value.values()
        if not isinstance(inner, (dict, list)):
            return inner
    return value


def _marked(element: Mapping[str, Any]) -> bool:
    resource = element.get("resource")
    if not isinstance(resource, dict):
        return False
    pairs = resource.get("attributes")
    if not isinstance(pairs, list):
        return False
    return any(
        isinstance(kv, dict)
        and kv.get("key") == IDS_ATTRIBUTE
        and _any_value(kv.get("value")) == IDS_PSEUDONYMOUS
        for kv in pairs
    )
