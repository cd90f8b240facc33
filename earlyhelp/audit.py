"""The audit kernel: one function that every service calls on every write (and, later, on reads of
child-level records). The request id and source address come from the request context set by the middleware.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
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


def record_event(
    *,
    action: str,
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
    its type and public id are recorded. Must run inside a tenant context or be given ``tenant``.
    """
    tenant = tenant or current_tenant() or getattr(obj, "tenant", None)
    if tenant is None:
        raise ValueError("an audit event needs a tenant")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_public_id = object_public_id or str(getattr(obj, "public_id", obj.pk))
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    context = _request_context.get()
    event = AuditEvent(
        tenant=tenant,
        actor=actor,
        actor_label=actor_label,
        action=action,
        object_type=object_type,
        object_public_id=object_public_id,
        request_id=context.request_id,
        source_ip=context.source_ip,
        detail=json.loads(json.dumps(detail or {}, default=str)),
        occurred_at=timezone.now(),
    )
    with transaction.atomic(savepoint=False):
        _append_in_one_statement(event)
    return event


_CHAIN_LOCK_NAMESPACE = 0x4555  # "EU": advisory locks of the audit chain
_APPEND_COLUMNS = ("tenant", "public_id", "actor", "actor_label", "action", "object_type", "object_public_id",
                   "occurred_at", "request_id", "source_ip", "detail")
_APPEND_SQL: list[str] = []


def _append_sql() -> str:
    table = AuditEvent._meta.db_table
    columns = ", ".join(AuditEvent._meta.get_field(name).column for name in _APPEND_COLUMNS)
    values = ", ".join(["%s"] * len(_APPEND_COLUMNS))
    return (  # names from the model; every value is a parameter
        "SELECT pg_advisory_xact_lock(%s, %s); "  # noqa: S608
        f"WITH head AS (SELECT coalesce((SELECT row_hash FROM {table} WHERE tenant_id = %s "
        "ORDER BY id DESC LIMIT 1), '') AS prev_hash) "
        f"INSERT INTO {table} ({columns}, prev_hash, row_hash) "
        f"SELECT {values}, prev_hash, "
        "encode(sha256(convert_to('[\"' || prev_hash || '\", ' || %s, 'UTF8')), 'hex') FROM head "
        "RETURNING id, prev_hash, row_hash"
    )


def _append_in_one_statement(event: AuditEvent) -> None:
    """Append ``event`` to its tenant's chain, in one round trip.

    Two statements in one query: the advisory lock of the tenant's chain (held until the transaction ends,
    serialising appends), then an INSERT that reads the chain's head and computes ``row_hash`` in the database.
    Each statement of a multi-statement query takes its own snapshot (READ COMMITTED), so the INSERT sees the
    row of a transaction that held the lock before us and committed while we waited. The hash is
    :func:`event_hash`'s, byte for byte: the JSON of its payload is ``["<prev_hash>", `` followed by the JSON of
    the rest of the payload without its ``[`` (ASCII, as ``json.dumps`` escapes everything else), which Python
    sends. Callers append the row as the last write of their transaction where they can (the API does), so
    that the lock is held from this statement to the commit only.
    """
    if not _APPEND_SQL:
        _APPEND_SQL.append(_append_sql())
    tail = json.dumps(_hash_payload(event)[1:], sort_keys=True, default=str)[1:]
    values = [AuditEvent._meta.get_field(name).get_db_prep_save(getattr(event, AuditEvent._meta.get_field(
        name).attname), connection) for name in _APPEND_COLUMNS]
    with connection.cursor() as cursor:
        cursor.execute(_APPEND_SQL[0], [_CHAIN_LOCK_NAMESPACE, event.tenant_id, event.tenant_id, *values, tail])
        event.pk, event.prev_hash, event.row_hash = cursor.fetchone()
    event._state.adding = False
    event._state.db = connection.alias


def event_hash(event: AuditEvent) -> str:
    """SHA-256 over the previous hash and every recorded field of ``event``."""
    return hashlib.sha256(json.dumps(_hash_payload(event), sort_keys=True, default=str).encode()).hexdigest()


def _hash_payload(event: AuditEvent) -> list:
    return [
        event.prev_hash, event.tenant_id, event.actor_id, event.actor_label, event.action, event.object_type,
        event.object_public_id, event.occurred_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        event.request_id, event.source_ip or "", event.detail,
    ]


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    problem: str


def verify_chain(tenant) -> tuple[int, list[ChainBreak]]:
    """Walk ``tenant``'s audit chain in order; return (rows checked, breaks found)."""
    breaks: list[ChainBreak] = []
    previous = ""
    checked = 0
    rows = AuditEvent.all_tenants.filter(tenant=tenant).order_by("id").iterator(chunk_size=2000)
    for event in rows:
        checked += 1
        if event.prev_hash != previous:
            breaks.append(ChainBreak(event.pk, "does not follow the row before it (a row was removed or inserted)"))
        if event_hash(event) != event.row_hash:
            breaks.append(ChainBreak(event.pk, "its content no longer matches its hash (it was edited)"))
        previous = event.row_hash
    return checked, breaks
