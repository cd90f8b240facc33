"""The audit kernel: one function that every service calls on every write (and, later, on reads of
child-level records). The request id and source address come from the request context set by the middleware.

Which rows are which: a write, and anything that leaves the system (a download, a print, an export), is a
chained row (:func:`record_event`); a view of a record, in the browser or through the API, is a read row
(:func:`record_read`), written without the council's chain lock and sealed in batches.

Integrity (the threat model is in ``docs/security.md``): each row carries ``row_mac``, an HMAC-SHA256 of its
content under the audit key (``AUDIT_KEY``, or a key derived from ``SECRET_KEY``), which never reaches the
database; and ``row_hash``, which links it to the row before it in its tenant's chain. Someone who can write to
the database but does not hold the key cannot edit a row, or forge one, without verification seeing it. Removed
rows (the newest ones above all) are found against the signed checkpoints of each chain's head that
``earlyhelp.audit_checkpoints`` writes outside the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import weakref
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

from .models import AuditEvent
from .tenancy import current_tenant


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    source_ip: str | None = None


_request_context: ContextVar[RequestContext] = ContextVar("audit_request", default=RequestContext())  # noqa: B039 - frozen


def set_request_context(context: RequestContext):
    """Bind the request id and address for audit events; returns the token to reset it."""
    return _request_context.set(context)


def reset_request_context(token) -> None:
    _request_context.reset(token)


# ------------------------------------------------------------------------------------------------- the audit key

_KEY_LABEL = b"earlyhelp audit-log key v1"  # domain separation: this key is for nothing but the audit log


@dataclass(frozen=True)
class AuditKey:
    key_id: str
    secret: bytes = field(repr=False)


def _key_from(material: str, derived: bool) -> AuditKey:
    secret = (hmac.new(material.encode(), _KEY_LABEL, hashlib.sha256).digest() if derived
              else material.encode())
    # The id names the key without revealing it: a hash of the key under its own label.
    key_id = hashlib.sha256(b"earlyhelp audit key id\x00" + secret).hexdigest()[:12]
    return AuditKey(key_id, secret)


@lru_cache(maxsize=8)
def _keys(current: str, retired: tuple[str, ...], secret_key: str, fallbacks: tuple[str, ...]):
    signing = _key_from(current, derived=False) if current else _key_from(secret_key, derived=True)
    known = {signing.key_id: signing}
    for material in retired:
        if material:
            key = _key_from(material, derived=False)
            known.setdefault(key.key_id, key)
    for material in (secret_key, *fallbacks):  # a key derived from SECRET_KEY (or one it was rotated from)
        key = _key_from(material, derived=True)
        known.setdefault(key.key_id, key)
    return signing, known


def audit_keys() -> tuple[AuditKey, dict[str, AuditKey]]:
    """The key that signs new rows and checkpoints, and every key verification accepts, by key id.

    ``AUDIT_KEY`` when set, else HMAC(``SECRET_KEY``, label). Rotation: set a new ``AUDIT_KEY`` and move the
    old one to ``AUDIT_RETIRED_KEYS`` (keys derived from ``SECRET_KEY_FALLBACKS`` are accepted too), so rows
    and checkpoints signed before the rotation still verify.
    """
    return _keys(settings.AUDIT_KEY, tuple(settings.AUDIT_RETIRED_KEYS), settings.SECRET_KEY,
                 tuple(getattr(settings, "SECRET_KEY_FALLBACKS", ())))


def mac(key: AuditKey, payload: Any) -> str:
    """HMAC-SHA256 of the canonical JSON of ``payload`` under ``key``, as hex."""
    message = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()
    return hmac.new(key.secret, message, hashlib.sha256).hexdigest()


# ------------------------------------------------------------------------------------------------ appending


def record_event(
    *,
    action: str,
    by=None,
    actor=None,
    actor_label: str = "",
    obj: Any = None,
    object_type: str = "",
    object_public_id: str = "",
    tenant=None,
    detail: dict | None = None,
) -> AuditEvent:
    """Append one audit event in the current tenant (or ``tenant``).

    ``action`` reads like ``case.opened`` or ``case.viewed``. ``obj`` may be any tenant-owned model instance;
    its type and public id are recorded. Must run inside a tenant context or be given ``tenant``. ``by`` is the
    acting membership or API client (earlyhelp.actors); the older ``actor`` (a user) and ``actor_label`` remain
    for callers not yet moved to ``by``.
    """
    event = _build_event(action=action, by=by, actor=actor, actor_label=actor_label, obj=obj,
                         object_type=object_type, object_public_id=object_public_id, tenant=tenant, detail=detail)
    signing, _ = audit_keys()
    event.key_id = signing.key_id
    event.row_mac = row_mac(event, signing)
    with transaction.atomic(savepoint=False):
        _append_in_one_statement(event)
    return event


class ReadRefused(Exception):
    """``record_read(only_if=…)``: the condition did not hold when the row was to be written; nothing was
    written, and the read's answer must not leave (earlyhelp.api.base answers it again)."""


def record_read(*, only_if: tuple[str, list] | None = None, **kwargs) -> AuditEvent:
    """Record a read (``record_event``'s arguments) *without* the chain's lock: the row stays outside the chain
    (``chained`` false, no ``prev_hash``/``row_hash``), its keyed hash under the read label (:func:`read_row_mac`),
    and is sealed in a batch later (``earlyhelp.audit_seals``: every minute by beat, and before every
    verification). Many reads of one council therefore never wait for each other; tampering with a read row is
    still seen (its keyed hash), and so is removing one once it is sealed (docs/security.md).

    ``only_if`` — ``(sql, params)``, a condition in SQL — writes the row only if the condition holds in the same
    statement, else raises :class:`ReadRefused` (the API's remembered clients: earlyhelp.api.authentication)."""
    event = _build_event(**kwargs)
    signing, _ = audit_keys()
    event.chained = False
    event.key_id = signing.key_id
    event.row_mac = read_row_mac(event, signing)
    if not _insert_read(event, only_if):
        raise ReadRefused(f"{event.action}: the condition of the read no longer holds")
    return event


# The read row's INSERT, one per condition kind (none, or the remembered client's), prepared once per database
# session (PREPARE): a read is written on every API call and page view of a record, and planning the INSERT with
# its condition cost more than running it (0.2–0.3 ms of the server's CPU). ``DATABASE_PREPARED_STATEMENTS=off``
# sends the statement whole each time instead, for a pooler in transaction mode (sessions not kept).
_READ_STATEMENTS: dict[str, tuple[str, str, str]] = {}  # condition → (name, PREPARE, the statement whole)
_prepared_on: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # DB-API connection → names prepared on it


def _read_statement(condition: str) -> tuple[str, str, str]:
    found = _READ_STATEMENTS.get(condition)
    if found is None:
        if "%%" in condition:
            raise ValueError("a read row's condition cannot hold a literal %")
        qn = connection.ops.quote_name
        fields = _append_fields()
        columns = ", ".join(qn(field.column) for field in fields)
        n = len(fields)
        condition_parts = condition.split("%s")
        numbered = condition_parts[0] + "".join(f"${n + i + 1}{part}" for i, part in enumerate(condition_parts[1:]))
        plain = condition_parts[0] + "".join(f"%s{part}" for part in condition_parts[1:])
        insert = (f"INSERT INTO {qn(AuditEvent._meta.db_table)} ({columns}, prev_hash, row_hash) "  # noqa: S608
                  "SELECT {values}, '', '' WHERE {condition} RETURNING id")
        # Named after the condition itself: two threads building statements at once cannot give one name to two
        # different statements.
        name = f"eh_audit_read_{hashlib.sha256(condition.encode()).hexdigest()[:16]}"
        types = ", ".join(field.db_type(connection) for field in fields)
        prepare = f"PREPARE {name} ({types}) AS " + insert.format(
            values=", ".join(f"${i + 1}" for i in range(n)), condition=numbered)
        whole = insert.format(values=", ".join(["%s"] * n), condition=plain)
        found = _READ_STATEMENTS[condition] = (name, prepare, whole)
    return found


def _insert_read(event: AuditEvent, only_if: tuple[str, list] | None = None) -> bool:
    """INSERT one read row in one statement (prepared once per session, :data:`_READ_STATEMENTS`), not through
    the model's ``save()`` machinery. With ``only_if``, the row is written only where that SQL condition holds;
    False when it was not written."""
    condition, params = only_if if only_if is not None else ("true", [])
    name, prepare, whole = _read_statement(condition)
    values = [*_append_values(event), *params]
    with connection.cursor() as cursor:
        if not settings.DATABASE_PREPARED_STATEMENTS:
            cursor.execute(whole, values)
        else:
            raw = connection.connection
            prepared = _prepared_on.get(raw)
            if prepared is None:
                prepared = _prepared_on[raw] = set()
            if name not in prepared:
                cursor.execute(prepare)  # lasts as long as the session, whatever becomes of this transaction
                prepared.add(name)
            cursor.execute(f"EXECUTE {name}({', '.join(['%s'] * len(values))})", values)
        row = cursor.fetchone()
    if row is None:
        return False
    event.pk = row[0]
    event._state.adding = False
    event._state.db = connection.alias
    return True


def _build_event(*, action: str, by=None, actor=None, actor_label: str = "", obj: Any = None, object_type: str = "",
                 object_public_id: str = "", tenant=None, detail: dict | None = None) -> AuditEvent:
    if by is not None:
        from .actors import label_of, user_of

        actor, actor_label = user_of(by), actor_label or label_of(by)
    tenant = tenant or current_tenant() or getattr(obj, "tenant", None)
    if tenant is None:
        raise ValueError("an audit event needs a tenant")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_public_id = object_public_id or str(getattr(obj, "public_id", obj.pk))
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    context = _request_context.get()
    return AuditEvent(tenant=tenant, actor=actor, actor_label=actor_label, action=action, object_type=object_type,
                      object_public_id=object_public_id, request_id=context.request_id, source_ip=context.source_ip,
                      detail=json.loads(json.dumps(detail or {}, default=str)), occurred_at=timezone.now())


_CHAIN_LOCK_NAMESPACE = 0x4555  # "EU": advisory locks of the audit chain
_APPEND_COLUMNS = ("tenant", "public_id", "actor", "actor_label", "action", "object_type", "object_public_id",
                   "occurred_at", "request_id", "source_ip", "detail", "key_id", "row_mac", "chained")
_APPEND_SQL: list[str] = []


@lru_cache(maxsize=1)
def _append_fields() -> tuple:
    return tuple(AuditEvent._meta.get_field(name) for name in _APPEND_COLUMNS)


def _append_values(event: AuditEvent) -> list:
    """The values of ``_APPEND_COLUMNS`` of ``event``, prepared for the database (chained and read rows alike)."""
    wrapper = connections[connection.alias]  # the wrapper itself: the proxy's lookups cost more than the values
    return [field.get_db_prep_save(getattr(event, field.attname), wrapper) for field in _append_fields()]


def _append_sql() -> str:
    table = AuditEvent._meta.db_table
    columns = ", ".join(AuditEvent._meta.get_field(name).column for name in _APPEND_COLUMNS)
    values = ", ".join(["%s"] * len(_APPEND_COLUMNS))
    return (  # names from the model; every value is a parameter
        "SELECT pg_advisory_xact_lock(%s, %s); "  # noqa: S608
        f"WITH head AS (SELECT coalesce((SELECT row_hash FROM {table} WHERE tenant_id = %s AND chained "
        "ORDER BY id DESC LIMIT 1), '') AS prev_hash) "
        f"INSERT INTO {table} ({columns}, prev_hash, row_hash) "
        f"SELECT {values}, prev_hash, encode(sha256(convert_to(prev_hash || %s, 'UTF8')), 'hex') FROM head "
        "RETURNING id, prev_hash, row_hash"
    )


def _append_in_one_statement(event: AuditEvent) -> None:
    """Append ``event`` (its ``row_mac`` already computed) to its tenant's chain, in one round trip.

    Two statements in one query: the advisory lock of the tenant's chain (held until the transaction ends,
    serialising appends), then an INSERT that reads the chain's head and computes ``row_hash`` =
    SHA-256(prev_hash ‖ row_mac) (:func:`chain_link`) in the database. Each statement of a multi-statement query
    takes its own snapshot (READ COMMITTED), so the INSERT sees the row of a transaction that held the lock
    before us and committed while we waited. The key stays in this process: only the MAC is sent. Callers append
    the row as the last write of their transaction where they can (the API does), so that the lock is held from
    this statement to the commit only. (The MAC does not depend on the chain, so appends could later be written
    without the lock and linked in batches.)
    """
    if not _APPEND_SQL:
        _APPEND_SQL.append(_append_sql())
    values = _append_values(event)
    with connection.cursor() as cursor:
        cursor.execute(_APPEND_SQL[0], [_CHAIN_LOCK_NAMESPACE, event.tenant_id, event.tenant_id, *values,
                                        event.row_mac])
        event.pk, event.prev_hash, event.row_hash = cursor.fetchone()
    event._state.adding = False
    event._state.db = connection.alias


def _content(event: AuditEvent) -> list:
    return [
        event.tenant_id, event.actor_id, event.actor_label, event.action, event.object_type,
        event.object_public_id, event.occurred_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        event.request_id, event.source_ip or "", event.detail,
    ]


def row_mac(event: AuditEvent, key: AuditKey) -> str:
    """The keyed hash of one row: its key id, public id and every recorded field, under ``key``."""
    return mac(key, ["audit-event", key.key_id, str(event.public_id), *_content(event)])


def read_row_mac(event: AuditEvent, key: AuditKey) -> str:
    """The keyed hash of a read row (outside the chain): its own label, so a chained row cannot pass for a read
    row, nor a read row for a chained one, without the key."""
    return mac(key, ["audit-read", key.key_id, str(event.public_id), *_content(event)])


def chain_link(prev_hash: str, mac_hex: str) -> str:
    """``row_hash`` of a keyed row: SHA-256 of the previous row's hash followed by this row's MAC."""
    return hashlib.sha256((prev_hash + mac_hex).encode()).hexdigest()


def event_hash(event: AuditEvent) -> str:
    """The unkeyed hash of rows written before keyed hashing (``row_mac`` empty): SHA-256 over the previous hash
    and every recorded field. Anyone can recompute it, so such rows are protected by the checkpoints only."""
    return hashlib.sha256(json.dumps([event.prev_hash, *_content(event)], sort_keys=True,
                                     default=str).encode()).hexdigest()


# --------------------------------------------------------------------------------------------- verification


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    problem: str
