"""Interventions: a case's referral to a commissioned service, its start and its end."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

from commissioning.models import CommissionedService
from earlyhelp.actors import require
from earlyhelp.audit import record_event
from earlyhelp.permissions import Capability

from ..models import Case, Intervention
from ._common import check_not_future, check_one_tenant


def intervention_refer(
    *, case: Case, service: CommissionedService, referred_on: dt.date, notes: str = "", by
) -> Intervention:
    """Refer the case to a commissioned service of the same authority, while the case is open and the service's
    contract runs."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(case, service)
    if case.closed_on is not None:
        raise ValidationError("The case is closed.")
    if referred_on < case.opened_on:
        raise ValidationError({"referred_on": "A referral to a service cannot be before the case opened."})
    check_not_future(referred_on, "The referral date")
    if service.contract_start and referred_on < service.contract_start or (
        service.contract_end and referred_on > service.contract_end
    ):
        raise ValidationError({"service": f"{service} was not commissioned on {referred_on:%d/%m/%Y}."})
    if case.interventions.filter(service=service, ended_on__isnull=True).exists():
        raise ValidationError({"service": f"The case is already referred to {service}."})
    intervention = Intervention.objects.create(case=case, service=service, referred_on=referred_on, notes=notes)
    record_event(action="intervention.referred", by=by, obj=intervention,
                 detail={"service": str(service.public_id)})
    return intervention


def intervention_dates_record(
    *, intervention: Intervention, started_on: dt.date | None, ended_on: dt.date | None = None, by
) -> Intervention:
    """Record when the service started and (later) ended. Dates in order: referred ≤ started ≤ ended."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(intervention)
    if ended_on is not None and started_on is None:
        raise ValidationError({"started_on": "An intervention that ended must have started."})
    if started_on is not None and started_on < intervention.referred_on:
        raise ValidationError({"started_on": "The service cannot start before the referral to it."})
    if ended_on is not None and ended_on < started_on:
        raise ValidationError({"ended_on": "The service cannot end before it started."})
    check_not_future(started_on, "The start date")
    check_not_future(ended_on, "The end date")
    intervention.started_on = started_on
    intervention.ended_on = ended_on
    intervention.save(update_fields=["started_on", "ended_on"])
    record_event(action="intervention.dates_recorded", by=by, obj=intervention,
                 detail={"started_on": str(started_on or ""), "ended_on": str(ended_on or "")})
    return intervention
