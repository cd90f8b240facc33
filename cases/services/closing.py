"""Closing a case, and the records about how it went: feedback and case file audits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from earlyhelp.actors import require
from earlyhelp.audit import record_event
from earlyhelp.permissions import Capability, Role, has_capability

from ..models import (
    Case,
    CaseFileAudit,
    Closure,
    ClosureNeedProgress,
    ClosureReason,
    Feedback,
    PlanAction,
    PresentingNeed,
)
from ._common import check_not_future, check_one_tenant

#: Further evidence a judgement of "outcomes achieved" is checked against, registered by higher floors (the
#: outcomes app adds "a distance-travelled tool has a start reading but no end reading"): each takes the case and
#: returns the gaps it finds, in words.
CLOSURE_EVIDENCE_CHECKS: list[Callable[[Case], list[str]]] = []
OUTCOMES_MET = "OUTCOMES_MET"


def closure_evidence_gaps(*, case: Case, need_progress: Mapping[PresentingNeed, str]) -> list[str]:
    """What on the case does not bear out a judgement that outcomes were achieved fully, in words."""
    gaps = []
    if case.assessments.filter(completed_on__isnull=True).exists():
        gaps.append("the Early Help Assessment is not completed")
    not_started = PlanAction.objects.filter(plan__case=case, status=PlanAction.Status.NOT_STARTED).count()
    if not_started:
        gaps.append(f"{not_started} plan action{'s' if not_started != 1 else ''} not started")
    unmet = [need.label for need, progress in need_progress.items()
             if progress == ClosureNeedProgress.Progress.NO_CHANGE]
    if unmet:
        gaps.append("no progress with " + ", ".join(f"'{label}'" for label in unmet))
    for check in CLOSURE_EVIDENCE_CHECKS:
        gaps.extend(check(case))
    return gaps


def _check_judgement(*, case, reason, judgement, need_progress, evidence_reason: str) -> None:
    """The closure judgement must agree with its evidence, or the lead professional says why: the reason
    "Outcomes met" with outcomes achieved only partially or not at all, or a judgement of "fully" against gaps in
    the record (an assessment not completed, plan actions not started, needs without progress, a tool with no end
    reading) needs ``evidence_reason``."""
    if (evidence_reason or "").strip():
        return
    if reason.code.upper() == OUTCOMES_MET and judgement != Closure.Judgement.FULLY:
        said = Closure.Judgement(judgement).label.lower() if judgement in Closure.Judgement.values else judgement
        raise ValidationError({"evidence_reason": f"The reason '{reason.label}' says the outcomes were met, but the "
                                                  f"judgement says '{said}'. Choose a reason and judgement that "
                                                  "agree, or say why both are true."})
    if judgement != Closure.Judgement.FULLY:
        return
    gaps = closure_evidence_gaps(case=case, need_progress=need_progress)
    if gaps:
        raise ValidationError({"evidence_reason": "Outcomes are judged achieved fully, but " + "; ".join(gaps)
                               + ". Say why the outcomes were achieved nonetheless, or change the judgement."})


@transaction.atomic
def case_close(
    *,
    case: Case,
    closed_on: dt.date,
    reason: ClosureReason,
    judgement: str,
    summary: str,
    need_progress: Mapping[PresentingNeed, str] | None = None,
    evidence_reason: str = "",
    check_evidence: bool = True,
    by,
) -> Closure:
    """Close a case with its closure summary: the reason, the lead professional's judgement and the progress
    against each identified need. Dates stay in order: no closure before the opening or the last record. The
    judgement agrees with its evidence, or ``evidence_reason`` says why (see :func:`_check_judgement`);
    ``check_evidence=False`` takes a previous system's closure as it was recorded there."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    need_progress = dict(need_progress or {})
    check_one_tenant(case, reason, *need_progress)
    if case.closed_on is not None:
        raise ValidationError("The case is already closed.")
    if not summary or not summary.strip():
        raise ValidationError({"summary": "Write the closure summary before closing the case."})
    if judgement not in Closure.Judgement.values:
        raise ValidationError({"judgement": "Say whether outcomes were achieved fully, partially or not at all."})
    if closed_on < case.opened_on:
        raise ValidationError({"closed_on": "A case cannot close before it opened."})
    if case.section17_episodes.filter(ended_on__isnull=True).exists():
        raise ValidationError("Section 17 is still open on this case: end it (with its census reason) first.")
    check_not_future(closed_on, "The closing date")
    latest = [
        d
        for d in (
            case.reviews.order_by("-held_on").values_list("held_on", flat=True).first(),
            case.plans.order_by("-created_on").values_list("created_on", flat=True).first(),
            case.assessments.order_by("-started_on").values_list("started_on", flat=True).first(),
        )
        if d is not None
    ]
    if latest and closed_on < max(latest):
        raise ValidationError({"closed_on": "A case cannot close before the last assessment, plan or review."})
    bad = [p for p in need_progress.values() if p not in ClosureNeedProgress.Progress.values]
    if bad:
        raise ValidationError({"need_progress": "Choose the progress made against each need."})
    if check_evidence:  # False only for a closure taken as recorded in a previous system (the migration import)
        _check_judgement(case=case, reason=reason, judgement=judgement, need_progress=need_progress,
                         evidence_reason=evidence_reason)
    closure = Closure.objects.create(case=case, closed_on=closed_on, reason=reason, judgement=judgement,
                                     summary=summary.strip(), evidence_reason=(evidence_reason or "").strip())
    ClosureNeedProgress.objects.bulk_create(
        ClosureNeedProgress(tenant=closure.tenant, closure=closure, need=need, progress=progress)
        for need, progress in need_progress.items()
    )
    case.closed_on = closed_on
    case.save(update_fields=["closed_on"])
    record_event(action="case.closed", by=by, obj=case, detail={"reason": reason.code, "judgement": judgement})
    return closure


def feedback_record(
    *,
    case: Case,
    received_on: dt.date,
    treated_with_respect: bool | None,
    listened_to: bool | None,
    helped_with_issues: bool | None,
    comments: str = "",
    is_anonymous: bool = False,
    respondent: str = "",
    by,
) -> Feedback:
    """Record a 'How was it for you' form. An anonymous form keeps no respondent's name."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(case)
    if received_on < case.opened_on:
        raise ValidationError({"received_on": "Feedback cannot be received before the case opened."})
    check_not_future(received_on, "The date received")
    feedback = Feedback.objects.create(
        case=case,
        received_on=received_on,
        is_anonymous=is_anonymous,
        respondent="" if is_anonymous else respondent.strip(),
        treated_with_respect=treated_with_respect,
        listened_to=listened_to,
        helped_with_issues=helped_with_issues,
        comments=comments,
    )
    record_event(action="feedback.recorded", by=by, obj=feedback)
    return feedback


def case_file_audit_refusal(membership, case: Case) -> str | None:
    """Why ``membership`` may not audit ``case``'s file, or None when it may.

    The rule councils follow: an auditor (the quality assurance team) audits any case; a team manager audits the
    cases of the teams they manage, but not a case they hold as lead professional themselves (nobody grades
    their own work). No other role audits."""
    if not has_capability(membership, Capability.AUDIT_CASE_FILES):
        return "Your role cannot audit case files."
    if membership.role == Role.AUDITOR:
        return None
    if case.lead_professional_id == membership.user_id:
        return "You are this case's lead professional: another manager or an auditor audits its file."
    if not membership.teams.filter(pk=case.team_id).exists():
        return "Team managers audit the case files of their own teams only."
    return None


def case_file_audit_record(
    *, case: Case, by, audited_on: dt.date, grades: Mapping[str, str], comments: str = ""
) -> CaseFileAudit:
    """Record ``by``'s (a membership: an auditor, or the case's team manager, see
    :func:`case_file_audit_refusal`) grades for every area of a case file (see ``CaseFileAudit.AREAS``)."""
    check_one_tenant(case)
    require(by, Capability.AUDIT_CASE_FILES)
    refusal = case_file_audit_refusal(by, case)
    if refusal:
        raise PermissionDenied(refusal)
    auditor = by.user
    missing = [a for a in CaseFileAudit.AREAS if grades.get(a) not in CaseFileAudit.Grade.values]
    if missing:
        raise ValidationError(dict.fromkeys(missing, "Choose a grade."))
    if audited_on < case.opened_on:
        raise ValidationError({"audited_on": "A case file cannot be audited before the case opened."})
    check_not_future(audited_on, "The audit date")
    audit = CaseFileAudit.objects.create(
        case=case, auditor=auditor, audited_on=audited_on, comments=comments,
        **{a: grades[a] for a in CaseFileAudit.AREAS},
    )
    record_event(action="case_file_audit.recorded", by=by, obj=audit,
                 detail={"overall": grades["overall"]})
    return audit
