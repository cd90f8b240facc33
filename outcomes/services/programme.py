"""The Supporting Families programme: framework, enrolments, needs and their evidence, and claims.

A claim can be prepared for an enrolment only when every rule holds on the day (see :func:`claim_check`):
enough needs, a lead professional, an assessment and a plan on the family's case, and every need's outcome met
and sustained for the framework's sustain period (six calendar months by default) after it was met.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from cases.models import Assessment, Case, Family, Plan
from cases.services import check_one_tenant
from earlyhelp.actors import require, user_of
from earlyhelp.audit import record_event
from earlyhelp.models import Tenant
from earlyhelp.permissions import Capability
from earlyhelp.tenancy import current_tenant

from .. import defaults
from ..models import Claim, Enrolment, EnrolmentNeed, NeedEvidence, ProgrammeFramework, ProgrammeOutcome


def months_after(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months later, clamped to the month's end (31 Aug + 6 → 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def sustained_from(met_on: dt.date, months: int = 6) -> dt.date:
    """The first day on which an outcome met on ``met_on`` counts as sustained for ``months`` months."""
    return months_after(met_on, months)


def programme_framework_ensure(*, tenant) -> ProgrammeFramework:
    """The tenant's current framework, created (version 1, the national headline areas) when missing."""
    if current_tenant() is None or current_tenant().pk != tenant.pk:
        raise ValidationError("This must run inside the local authority's context.")
    framework = ProgrammeFramework.objects.order_by("-version").first()
    if framework is None:
        framework = ProgrammeFramework.objects.create(name=defaults.PROGRAMME_NAME, version=1,
                                                      valid_from=dt.date(2022, 4, 1))
        ProgrammeOutcome.objects.bulk_create(
            ProgrammeOutcome(tenant=tenant, framework=framework, key=key, label=label, sort_order=i,
                             nf_outcome=defaults.PROGRAMME_OUTCOME_NF.get(key, ""))
            for i, (key, label) in enumerate(defaults.PROGRAMME_OUTCOMES)
        )
        record_event(action="outcomes.programme_framework_created", tenant=tenant, obj=framework)
    return framework


@transaction.atomic
def enrolment_create(*, family: Family, framework: ProgrammeFramework, enrolled_on: dt.date,
                     case: Case | None = None, lead_professional=None,
                     needs: Sequence[ProgrammeOutcome] = (), by) -> Enrolment:
    """Enrol a family on the programme, with the needs (outcome areas) it presents with."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    tenant = check_one_tenant(family, framework, case, *needs)
    if not Tenant.objects.filter(pk=tenant.pk, supporting_families_enabled=True).exists():  # read now, not cached
        raise ValidationError("The council does not use the Supporting Families outcome framework: a tenant "
                              "administrator can switch it on in the outcome library.")
    if case is not None and case.family_id != family.pk:
        raise ValidationError({"case": "The case is not this family's."})
    if enrolled_on > dt.date.today():
        raise ValidationError({"enrolled_on": "The enrolment date cannot be in the future."})
    if Enrolment.objects.filter(family=family, framework=framework).exists():
        raise ValidationError("The family is already enrolled on this framework.")
    enrolment = Enrolment.objects.create(family=family, framework=framework, enrolled_on=enrolled_on, case=case,
                                         lead_professional=lead_professional)
    for outcome in needs:
        need_add(enrolment=enrolment, outcome=outcome, identified_on=enrolled_on, by=by)
    record_event(action="outcomes.enrolment_created", by=by, obj=enrolment,
                 detail={"needs": [o.key for o in needs]})
    return enrolment


def need_add(*, enrolment: Enrolment, outcome: ProgrammeOutcome, identified_on: dt.date, description: str = "",
             by) -> EnrolmentNeed:
    """Add a need (a problem in one outcome area) to an enrolment, at enrolment or later as problems come to
    light. Not before the enrolment, not in the future, one per area, and not once a claim has been submitted or
    paid (the claim was judged on the needs it had)."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(enrolment, outcome)
    if outcome.framework_id != enrolment.framework_id:
        raise ValidationError({"outcome": "That outcome belongs to another version of the framework."})
    if enrolment.needs.filter(outcome=outcome).exists():
        raise ValidationError({"outcome": "The family already has a need in this area."})
    if identified_on < enrolment.enrolled_on:
        raise ValidationError({"identified_on": "A need cannot be identified before the family was enrolled "
                                                f"({enrolment.enrolled_on:%d %B %Y})."})
    if identified_on > dt.date.today():
        raise ValidationError({"identified_on": "The date cannot be in the future."})
    if enrolment.claims.filter(status__in=[Claim.Status.SUBMITTED, Claim.Status.PAID]).exists():
        raise ValidationError("A claim for this family has been submitted: its needs can no longer change.")
    need = EnrolmentNeed.objects.create(enrolment=enrolment, outcome=outcome, identified_on=identified_on,
                                        description=description.strip())
    record_event(action="outcomes.need_added", by=by, obj=need, detail={"outcome": outcome.key})
    return need


@transaction.atomic
def need_evidence_record(*, need: EnrolmentNeed, kind: str, recorded_on: dt.date, description: str,
                         source: str = "", by) -> NeedEvidence:
    """Evidence of progress on a need. ``met`` sets the day the outcome was met (the sustain clock starts);
    ``relapse`` clears it (the clock stops until it is met again)."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(need)
    if kind not in NeedEvidence.Kind.values:
        raise ValidationError({"kind": "Choose what the evidence shows."})
    if not description.strip():
        raise ValidationError({"description": "Describe the evidence."})
    if recorded_on < need.identified_on:
        raise ValidationError({"recorded_on": "Evidence cannot predate the need."})
    if recorded_on > dt.date.today():
        raise ValidationError({"recorded_on": "The date cannot be in the future."})
    if kind == NeedEvidence.Kind.MET and need.met_on is not None:
        raise ValidationError({"kind": "This outcome is already met; record a relapse first if it was lost."})
    if kind == NeedEvidence.Kind.RELAPSE and need.met_on is None:
        raise ValidationError({"kind": "Only a met outcome can relapse."})
    evidence = NeedEvidence.objects.create(need=need, kind=kind, recorded_on=recorded_on, source=source,
                                           description=description.strip(), recorded_by=user_of(by))
    if kind == NeedEvidence.Kind.MET:
        need.met_on = recorded_on
        need.save(update_fields=["met_on"])
    elif kind == NeedEvidence.Kind.RELAPSE:
        need.met_on = None
        need.save(update_fields=["met_on"])
    record_event(action="outcomes.need_evidence_recorded", by=by, obj=need, detail={"kind": kind})
    return evidence


@dataclass
class ClaimCheck:
    as_of: dt.date
    problems: list[str] = field(default_factory=list)
    needs: list[tuple[EnrolmentNeed, dt.date | None]] = field(default_factory=list)  # need, sustained from

    @property
    def eligible(self) -> bool:
        return not self.problems


def claim_check(*, enrolment: Enrolment, as_of: dt.date) -> ClaimCheck:
    """Whether a claim could be made for the enrolment on ``as_of``, and if not, why."""
    check_one_tenant(enrolment)
    framework = enrolment.framework
    check = ClaimCheck(as_of=as_of)
    needs = list(enrolment.needs.select_related("outcome"))
    if len(needs) < framework.min_needs:
        check.problems.append(f"The family has {len(needs)} need(s); at least {framework.min_needs} are needed.")
    if enrolment.lead_professional_id is None:
        check.problems.append("The family has no lead professional.")
    if enrolment.case_id is None:
        check.problems.append("The enrolment is not linked to an early help case.")
    else:
        if not Assessment.objects.filter(case_id=enrolment.case_id, completed_on__lte=as_of).exists():
            check.problems.append("The case has no completed Early Help Assessment.")
        if not Plan.objects.filter(case_id=enrolment.case_id, created_on__lte=as_of).exists():
            check.problems.append("The case has no plan.")
    for need in needs:
        start = sustained_from(need.met_on, framework.sustain_months) if need.met_on else None
        check.needs.append((need, start))
        if start is None:
            check.problems.append(f"{need.outcome.label}: the outcome has not been met.")
        elif as_of < start:
            check.problems.append(f"{need.outcome.label}: met on {need.met_on:%d %b %Y}, sustained for "
                                  f"{framework.sustain_months} months only from {start:%d %b %Y}.")
    return check


@transaction.atomic
def claim_prepare(*, enrolment: Enrolment, prepared_on: dt.date, by) -> Claim:
    """Prepare a payment-by-results claim; refused unless :func:`claim_check` passes on ``prepared_on``."""
    require(by, Capability.MANAGE_TEAM)
    check = claim_check(enrolment=enrolment, as_of=prepared_on)
    if not check.eligible:
        raise ValidationError(check.problems)
    if enrolment.claims.exclude(status=Claim.Status.REJECTED).exists():
        raise ValidationError("A claim for this family is already prepared, submitted or paid.")
    claim = Claim.objects.create(enrolment=enrolment, prepared_on=prepared_on)
    record_event(action="outcomes.claim_prepared", by=by, obj=claim)
    return claim


def claim_submit(*, claim: Claim, submitted_on: dt.date, by) -> Claim:
    require(by, Capability.MANAGE_TEAM)
    check_one_tenant(claim)
    if claim.status != Claim.Status.PREPARED:
        raise ValidationError("Only a prepared claim can be submitted.")
    if submitted_on < claim.prepared_on:
        raise ValidationError({"submitted_on": "A claim cannot be submitted before it was prepared."})
    claim.status, claim.submitted_on = Claim.Status.SUBMITTED, submitted_on
    claim.save(update_fields=["status", "submitted_on"])
    record_event(action="outcomes.claim_submitted", by=by, obj=claim)
    return claim


def claim_decide(*, claim: Claim, paid: bool, decided_on: dt.date, note: str = "", by) -> Claim:
    require(by, Capability.MANAGE_TEAM)
    check_one_tenant(claim)
    if claim.status != Claim.Status.SUBMITTED:
        raise ValidationError("Only a submitted claim can be paid or rejected.")
    if decided_on < claim.submitted_on:
        raise ValidationError({"decided_on": "A claim cannot be decided before it was submitted."})
    if not paid and not note.strip():
        raise ValidationError({"note": "Give the reason the claim was rejected."})
    claim.status = Claim.Status.PAID if paid else Claim.Status.REJECTED
    claim.decided_on, claim.note = decided_on, note.strip()
    claim.save(update_fields=["status", "decided_on", "note"])
    record_event(action="outcomes.claim_decided", by=by, obj=claim, detail={"status": claim.status})
    return claim
