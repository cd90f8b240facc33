"""Management oversight: supervision of cases, and allocating cases from a team's queue or transferring them to
another lead professional or team. Only team managers do these."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from earlyhelp.actors import require, user_of
from earlyhelp.audit import record_event
from earlyhelp.models import Membership, Team
from earlyhelp.permissions import Capability, has_capability

from ..models import Allocation, Case, Supervision
from ._common import case_settings, check_not_future, check_one_tenant
from .familyhelp import section17_lead_refusal


def _check_worker_in_team(worker, team: Team) -> None:
    membership = Membership.objects.filter(user=worker, is_active=True).first()
    if membership is None or not has_capability(membership, Capability.EDIT_CHILD_RECORDS):
        raise ValidationError({"lead_professional": "The lead professional must be a practitioner or manager here."})
    if not membership.teams.filter(pk=team.pk).exists():
        raise ValidationError({"lead_professional": f"{worker} is not a member of {team}."})


def supervision_record(
    *, case: Case, held_on: dt.date, discussion: str, decisions: str, actions: str = "", by
) -> Supervision:
    """A manager records supervision of an open case; the next is due after the tenant's interval."""
    require(by, Capability.MANAGE_TEAM)
    check_one_tenant(case)
    if case.closed_on is not None:
        raise ValidationError("The case is closed.")
    if held_on < case.opened_on:
        raise ValidationError({"held_on": "Supervision cannot be before the case opened."})
    check_not_future(held_on, "The supervision date")
    if not discussion.strip() or not decisions.strip():
        raise ValidationError("Record what was discussed and what was decided.")
    last = case.supervisions.order_by("-held_on").values_list("held_on", flat=True).first()
    if last is not None and held_on < last:
        raise ValidationError({"held_on": "Supervision cannot be dated before the previous one."})
    interval = case_settings().supervision_interval_days
    supervision = Supervision.objects.create(
        case=case, supervisor=user_of(by), held_on=held_on, discussion=discussion.strip(), decisions=decisions.strip(),
        actions=actions.strip(), next_due_on=held_on + dt.timedelta(days=interval),
    )
    record_event(action="supervision.recorded", by=by, obj=supervision)
    return supervision


def _check_section17_lead(case: Case, worker) -> None:
    refusal = section17_lead_refusal(case=case, worker=worker)
    if refusal:
        raise ValidationError({"lead_professional": refusal})


def _check_allocation_date(case: Case, on: dt.date) -> None:
    if case.closed_on is not None:
        raise ValidationError("The case is closed.")
    if on < case.opened_on:
        raise ValidationError({"on": "Allocation cannot be before the case opened."})
    check_not_future(on, "The allocation date")
    last = case.allocations.order_by("-on").values_list("on", flat=True).first()
    if last is not None and on < last:
        raise ValidationError({"on": "Allocation cannot be dated before the last allocation or transfer."})


def allocation_history_start(*, case: Case, by) -> Allocation:
    """The first line of a case's allocation history (called when the case opens)."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    return Allocation.objects.create(case=case, kind=Allocation.Kind.OPENED, on=case.opened_on, to_team=case.team,
                                     to_worker=case.lead_professional, by=user_of(by))


@transaction.atomic
def case_allocate(*, case: Case, lead_professional, on: dt.date, reason: str = "", by) -> Allocation:
    """Allocate a case waiting in its team's queue to a lead professional of that team."""
    require(by, Capability.MANAGE_TEAM)
    check_one_tenant(case)
    if case.lead_professional_id is not None:
        raise ValidationError("The case already has a lead professional: transfer it instead.")
    _check_allocation_date(case, on)
    _check_worker_in_team(lead_professional, case.team)
    _check_section17_lead(case, lead_professional)
    allocation = Allocation.objects.create(case=case, kind=Allocation.Kind.ALLOCATED, on=on, from_team=case.team,
                                           to_team=case.team, to_worker=lead_professional, reason=reason.strip(),
                                           by=user_of(by))
    case.lead_professional = lead_professional
    case.save(update_fields=["lead_professional"])
    record_event(action="case.allocated", by=by, obj=case, detail={"to": str(lead_professional.public_id)})
    return allocation


@transaction.atomic
def case_transfer(*, case: Case, team: Team, lead_professional=None, on: dt.date, reason: str, by) -> Allocation:
    """Transfer a case to another lead professional and/or team, with the reason. Without a lead professional
    the case waits in the receiving team's queue."""
    require(by, Capability.MANAGE_TEAM)
    check_one_tenant(case, team)
    _check_allocation_date(case, on)
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason for the transfer."})
    new_worker_id = lead_professional.pk if lead_professional is not None else None
    if team.pk == case.team_id and new_worker_id == case.lead_professional_id:
        raise ValidationError("Choose another team or lead professional to transfer to.")
    if lead_professional is not None:
        _check_worker_in_team(lead_professional, team)
        _check_section17_lead(case, lead_professional)
    allocation = Allocation.objects.create(
        case=case, kind=Allocation.Kind.TRANSFERRED, on=on, from_team_id=case.team_id, to_team=team,
        from_worker_id=case.lead_professional_id, to_worker=lead_professional, reason=reason.strip(), by=user_of(by),
    )
    case.team = team
    case.locality = team.locality
    case.lead_professional = lead_professional
    case.save(update_fields=["team", "locality", "lead_professional"])
    record_event(action="case.transferred", by=by, obj=case,
                 detail={"team": str(team.public_id), "to": str(lead_professional.public_id) if lead_professional
                         else "", "reason": reason.strip()})
    return allocation
