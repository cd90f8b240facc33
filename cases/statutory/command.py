"""What the three ``export_*`` commands share: one council by ``--tenant``, its context around the whole export,
and an audit event naming the command, the file and how many records went into it."""

from __future__ import annotations

import time

from django.core.management.base import CommandError

from earlyhelp.audit import record_event
from earlyhelp.models import Tenant


def tenant_by_slug(slug: str) -> Tenant:
    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None:
        raise CommandError(f"No council with the slug {slug!r}.")
    return tenant


def audit_export(command: str, *, kind: str, output, records: int, started: float, **detail) -> None:
    """Record, in the current council's audit log, that ``command`` wrote ``records`` records to ``output``."""
    record_event(action="statutory_return.exported", actor_label=f"manage.py {command}", object_type="statutory_return",
                 detail={"kind": kind, "output": str(output), "records": records,
                         "seconds": round(time.monotonic() - started, 2), **detail})
