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
        event.prev_hash = _lock_chain_and_read_head(tenant.pk)
        event.row_hash = event_hash(event)
        event.save(force_insert=True)
    return event


_CHAIN_LOCK_NAMESPACE = 0x4555  # "EU": advisory locks of the audit chain


def _lock_chain_and_read_head(tenant_id: int) -> str:
    """Serialise appends to one tenant's chain and return its last row's hash ("" for an empty chain).

    On PostgreSQL an advisory lock held until the transaction ends, then the read, sent as two statements in one
    round trip: each statement of a multi-statement query takes its own snapshot (READ COMMITTED), so the read
    sees the row of a transaction that held the lock before us and committed while we waited.
    Callers append the row as the last write of their transaction where they can (the API does), so that the
    lock is held for the shortest time.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s); "
                "SELECT row_hash FROM earlyhelp_auditevent WHERE tenant_id = %s ORDER BY id DESC LIMIT 1",
                [_CHAIN_LOCK_NAMESPACE, tenant_id, tenant_id],
            )
            row = cursor.fetchone()
        return row[0] if row else ""
    return AuditEvent.all_tenants.filter(tenant_id=tenant_id).order_by("-id").values_list(
        "row_hash", flat=True).first() or ""


def event_hash(event: AuditEvent) -> str:
    """SHA-256 over the previous hash and every recorded field of ``event``."""
    payload = [
        event.prev_hash, event.tenant_id, event.actor_id, event.actor_label, event.action, event.object_type,
        event.object_public_id, event.occurred_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        event.request_id, event.source_ip or "", event.detail,
    ]
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


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
