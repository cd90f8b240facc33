"""The audit kernel: one function that every service calls on every write (and, later, on reads of
child-level records). The request id and source address come from the request context set by the middleware.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

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
    return AuditEvent.all_tenants.create(
        tenant=tenant,
        actor=actor,
        actor_label=actor_label,
        action=action,
        object_type=object_type,
        object_public_id=object_public_id,
        request_id=context.request_id,
        source_ip=context.source_ip,
        detail=detail or {},
    )
