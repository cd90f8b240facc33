"""Opening a case and the work recorded on it: team around the family, assessment, plan, review, step changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from earlyhelp.actors import require, user_of
from earlyhelp.audit import record_event
from earlyhelp.models import Membership, Team
from earlyhelp.permissions import Capability, capabilities_for

from ..models import (
    Allocation,
    Assessment,
    Case,
    Closure,
    LevelOfNeed,
    Person,
    Plan,
    PlanAction,
    PresentingNeed,
    Referral,
    Review,
    StepChange,
    TeamAroundFamilyMember,
)
from ._common import check_not_future, check_one_tenant, months_before
from .consent import consent_position
from .familyhelp import section17_lead_refusal
from .oversight import allocation_history_start


def _check_open(case: Case, on: dt.date | None = None, label: str = "This") -> None:
    if case.closed_on is not None:
        raise ValidationError("The case is closed: re-open it through a new referral.")
    if on is not None and on < case.opened_on:
        raise ValidationError(f"{label} cannot be before the case was opened ({case.opened_on:%d/%m/%Y}).")
    check_not_future(on, label)


def _check_lead_professional(user) -> None:
    membership = Membership.objects.filter(user=user, is_active=True).first()
    if membership is None or Capability.EDIT_CHILD_RECORDS not in capabilities_for(membership.role):
        raise ValidationError({"lead_professional": "The lead professional must be a practitioner or manager here."})


def was_reopened(*, family, opened_on: dt.date) -> bool:
    """True when the family had a case closed within the tenant's reopening window before ``opened_on``
    (inclusive: with 3 months, a closure on 15 Jan makes an opening on 15 Apr a re-opening, 16 Apr not)."""
    tenant = check_one_tenant(family)
    since = months_before(opened_on, tenant.reopen_window_months)
    return Closure.objects.filter(case__family=family, closed_on__gte=since, closed_on__lte=opened_on).exists()


@transaction.atomic
def case_open(
    *,
    referral: Referral,
    lead_professional=None,
    team: Team,
    level_of_need: LevelOfNeed,
    opened_on: dt.date,
    children: Iterable[Person] | None = None,
    by,
) -> Case:
    """Open a lead-professional case from a referral (recording the referral's decision), counting it as
    re-opened when the family had a closure within the tenant's window.

    The family's consent to early help must be recorded as given on or before the opening date. Without a lead
    professional the case waits in the team's queue for a manager to allocate it."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    children = list(children) if children is not None else list(referral.children.all())
    check_one_tenant(referral, team, level_of_need, *children)
    if referral.decision and referral.decision != Referral.Decision.CASE_OPENED:
        raise ValidationError(f"The referral was decided '{referral.get_decision_display()}': no case can open.")
    if referral.cases.filter(closed_on__isnull=True).exists():
        raise ValidationError("A case is already open from this referral.")
    if not children:
        raise ValidationError({"children": "Choose the children in scope of the case."})
    if any(c.family_id != referral.family_id or c.kind != Person.Kind.CHILD for c in children):
        raise ValidationError({"children": "The children in scope must be children of the referred family."})
    if opened_on < referral.received_on:
        raise ValidationError({"opened_on": "A case cannot open before its referral was received."})
    check_not_future(opened_on, "The opening date")
    if lead_professional is not None:
        _check_lead_professional(lead_professional)
    family = referral.family
    if not consent_position(family=family, on=opened_on).early_help_given:
        raise ValidationError("Record the family's consent to early help before opening the case.")
    if family.cases.filter(closed_on__isnull=True).exists():
        raise ValidationError("The family already has an open early help case.")
    case = Case.objects.create(
        family=family,
        referral=referral,
        lead_professional=lead_professional,
        team=team,
        locality=team.locality,
        level_of_need=level_of_need,
        opened_on=opened_on,
        is_reopened=was_reopened(family=family, opened_on=opened_on),
    )
    case.children.set(children)
    allocation_history_start(case=case, by=by)
    if not referral.decision:
        referral.decision = Referral.Decision.CASE_OPENED
        referral.decided_on = opened_on
        referral.save(update_fields=["decision", "decided_on"])
    record_event(action="case.opened", by=by, obj=case, detail={"reopened": case.is_reopened})
    return case


def case_reassign(*, case: Case, lead_professional, team: Team, by) -> Case:
    """Correct a case's lead professional and team (imports, administrators). Managers' allocations and
    transfers go through ``case_allocate`` / ``case_transfer``, which ask for a reason; this keeps the history
    too."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(case, team)
    _check_open(case)
    _check_lead_professional(lead_professional)
    refusal = section17_lead_refusal(case=case, worker=lead_professional)
    if refusal:
        raise ValidationError({"lead_professional": refusal})
    Allocation.objects.create(case=case, kind=Allocation.Kind.TRANSFERRED, on=dt.date.today(),
                              from_team_id=case.team_id, to_team=team, from_worker_id=case.lead_professional_id,
                              to_worker=lead_professional, reason="Reassigned",
                              by=user_of(by))
    case.lead_professional = lead_professional
    case.team = team
    case.locality = team.locality
    case.save(update_fields=["lead_professional", "team", "locality"])
    record_event(action="case.reassigned", by=by, obj=case)
    return case


def taf_member_add(
    *, case: Case, agency: str, contact_name: str = "", role: str = "", contact_details: str = "", by
) -> TeamAroundFamilyMember:
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(case)
    _check_open(case)
    if not agency.strip():
        raise ValidationError({"agency": "Enter the agency."})
    member = TeamAroundFamilyMember.objects.create(
        case=case, agency=agency.strip(), contact_name=contact_name, role=role, contact_details=contact_details
    )
    record_event(action="case.taf_member_added", by=by, obj=member)
    return member


@transaction.atomic
def assessment_start(
    *,
    case: Case,
    started_on: dt.date,
    needs: Iterable[PresentingNeed] = (),
    child_voice_recorded: bool = False,
    child_voice: str = "",
    summary: str = "",
    by,
) -> Assessment:
    require(by, Capability.EDIT_CHILD_RECORDS)
    needs = list(needs)
    check_one_tenant(case, *needs)
    _check_open(case, started_on, "The assessment's start")
    if case.assessments.filter(completed_on__isnull=True).exists():
        raise ValidationError("An assessment is already in progress on this case.")
    if child_voice_recorded and not child_voice.strip():
        raise ValidationError({"child_voice": "Record what the child said."})
    assessment = Assessment.objects.create(
        case=case,
        started_on=started_on,
        child_voice_recorded=child_voice_recorded,
        child_voice=child_voice,
        summary=summary,
    )
    assessment.needs.set(needs)
    record_event(action="assessment.started", by=by, obj=assessment)
    return assessment


@transaction.atomic
def assessment_complete(
    *,
    assessment: Assessment,
    completed_on: dt.date,
    needs: Iterable[PresentingNeed] | None = None,
    child_voice_recorded: bool | None = None,
    child_voice: str | None = None,
    summary: str | None = None,
    by,
) -> Assessment:
    require(by, Capability.EDIT_CHILD_RECORDS)
    needs = list(needs) if needs is not None else None
    check_one_tenant(assessment, *(needs or []))
    if assessment.completed_on is not None:
        raise ValidationError("This assessment is already complete.")
    _check_open(assessment.case, completed_on, "The completion date")
    if completed_on < assessment.started_on:
        raise ValidationError({"completed_on": "An assessment cannot be completed before it started."})
    if child_voice_recorded is not None:
        assessment.child_voice_recorded = child_voice_recorded
    if child_voice is not None:
        assessment.child_voice = child_voice
    if summary is not None:
        assessment.summary = summary
    if assessment.child_voice_recorded and not assessment.child_voice.strip():
        raise ValidationError({"child_voice": "Record what the child said."})
    if needs is not None:
        assessment.needs.set(needs)
    if not assessment.needs.exists():
        raise ValidationError({"needs": "A completed assessment identifies at least one need."})
    assessment.completed_on = completed_on
    assessment.save()
    record_event(action="assessment.completed", by=by, obj=assessment)
    return assessment


def plan_create(*, case: Case, created_on: dt.date, summary: str = "", by) -> Plan:
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(case)
    _check_open(case, created_on, "The plan's date")
    plan = Plan.objects.create(case=case, created_on=created_on, summary=summary)
    record_event(action="plan.created", by=by, obj=plan)
    return plan


def plan_action_add(*, plan: Plan, description: str, owner: str, due_on: dt.date, by) -> PlanAction:
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(plan)
    _check_open(plan.case)
    if not description.strip() or not owner.strip():
        raise ValidationError("A SMART action says what will be done and who will do it.")
    if due_on < plan.created_on:
        raise ValidationError({"due_on": "An action cannot be due before the plan was made."})
    action = PlanAction.objects.create(plan=plan, description=description.strip(), owner=owner.strip(), due_on=due_on)
    record_event(action="plan.action_added", by=by, obj=action)
    return action


def plan_action_update(*, action: PlanAction, status: str, by) -> PlanAction:
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(action)
    if status not in PlanAction.Status.values:
        raise ValidationError({"status": "Choose a status."})
    action.status = status
    action.save(update_fields=["status"])
    record_event(action="plan.action_updated", by=by, obj=action, detail={"status": status})
    return action


def review_record(
    *, case: Case, held_on: dt.date, next_review_on: dt.date | None, notes: str = "", by
) -> Review:
    """Record a review of the plan. There must be a plan made on or before the review's date."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(case)
    _check_open(case, held_on, "The review's date")
    if not case.plans.filter(created_on__lte=held_on).exists():
        raise ValidationError("A review needs a plan to review: record the plan first.")
    if next_review_on is not None and next_review_on <= held_on:
        raise ValidationError({"next_review_on": "The next review must be after this one."})
    last = case.reviews.order_by("-held_on").first()
    if last is not None and held_on < last.held_on:
        raise ValidationError({"held_on": "A review cannot be dated before the previous review."})
    review = Review.objects.create(case=case, held_on=held_on, next_review_on=next_review_on, notes=notes)
    record_event(action="review.recorded", by=by, obj=review)
    return review


def step_change_record(
    *, case: Case, kind: str, occurred_on: dt.date, level_after: LevelOfNeed, notes: str = "", by
) -> StepChange:
    """Record a step-up, step-down or de-escalation. The level before is the case's current level; the case
    moves to ``level_after``. Step-up goes from early help to statutory, step-down from statutory to early help,
    de-escalation to a lower statutory level."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(case, level_after)
    _check_open(case, occurred_on, "The step change")
    before = case.level_of_need
    if kind == StepChange.Kind.STEP_UP:
        ok = not before.is_statutory and level_after.is_statutory
        message = "A step-up goes from an early help level to a statutory one."
    elif kind == StepChange.Kind.STEP_DOWN:
        ok = before.is_statutory and not level_after.is_statutory
        message = "A step-down goes from a statutory level to an early help one."
    elif kind == StepChange.Kind.DE_ESCALATION:
        ok = before.is_statutory and level_after.is_statutory and level_after.rank < before.rank
        message = "A de-escalation goes to a lower statutory level (e.g. child protection to child in need)."
    elif kind == StepChange.Kind.STEP_UP_MACPT:
        raise ValidationError({"kind": "Record a step-up to a multi-agency child protection team with its lead "
                                       "child protection practitioner (cases.services.step_up_macpt_record)."})
    else:
        raise ValidationError({"kind": "Choose step-up, step-down or de-escalation."})
    if not ok:
        raise ValidationError({"level_after": message})
    last = case.step_changes.order_by("-occurred_on").first()
    if last is not None and occurred_on < last.occurred_on:
        raise ValidationError({"occurred_on": "A step change cannot be dated before the previous one."})
    change = StepChange.objects.create(
        case=case, kind=kind, occurred_on=occurred_on, level_before=before, level_after=level_after, notes=notes
    )
    case.level_of_need = level_after
    case.save(update_fields=["level_of_need"])
    detail = {"before": before.rank, "after": level_after.rank}
    record_event(action=f"case.{kind}", by=by, obj=change, detail=detail)
    return change
