"""Family Help: section 17 episodes on a case, the rule on who may lead one, family meetings (family group decision
making, s31ZA Children Act 1989) and the step-up to a multi-agency child protection team (s16EA Children Act 2004).

One case carries the family across the change of level: starting or ending section 17 writes an episode on the
same case, so the assessment, the plan, the chronology and the history of lead practitioners stay one. Every
service takes ``by`` (``earlyhelp.actors``), checks the capability itself, validates before writing and records
one audit event; a ``ValidationError`` leaves nothing written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from earlyhelp.actors import require
from earlyhelp.audit import record_event
from earlyhelp.models import Membership, Tenant
from earlyhelp.permissions import Capability

from ..models import Case, FamilyMeeting, LevelOfNeed, Person, PreProceedings, Section17Episode, StepChange
from ..models.familyhelp import (
    CLOSURE_REASON_CHOICES,
    MODULE5_OUTCOME_CHOICES,
    PRIMARY_NEED_CHOICES,
    REFERRAL_SOURCE_CHOICES,
)
from ._common import check_not_future, check_one_tenant


def _codes(choices) -> set[str]:
    return {code for code, _ in choices}


def _check_case_open(case: Case, on: dt.date | None, label: str) -> None:
    if case.closed_on is not None:
        raise ValidationError("The case is closed.")
    if on is not None and on < case.opened_on:
        raise ValidationError(f"{label} cannot be before the case was opened ({case.opened_on:%d/%m/%Y}).")
    check_not_future(on, label)


def is_family_help(tenant: Tenant) -> bool:
    return tenant.service_model == Tenant.ServiceModel.FAMILY_HELP


def open_section17(case: Case) -> Section17Episode | None:
    """The case's section 17 episode still open, if any."""
    return case.section17_episodes.filter(ended_on__isnull=True).first()


def section17_lead_refusal(*, case: Case, worker, tenant: Tenant | None = None) -> str | None:
    """Why ``worker`` may not lead ``case`` now, or None: while the case is under section 17 and the council's
    rule (``Tenant.s17_lead_must_be_social_worker``) says so, the lead must be a registered social worker."""
    tenant = tenant or check_one_tenant(case)
    if worker is None or not tenant.s17_lead_must_be_social_worker or open_section17(case) is None:
        return None
    return _not_social_worker(worker)


def _not_social_worker(worker) -> str | None:
    membership = Membership.objects.filter(user=worker, is_active=True).first()
    if membership is not None and membership.is_registered_social_worker:
        return None
    return (f"{worker} is not recorded as a registered social worker: while the case is under section 17 its lead "
            f"practitioner must be one (the council's threshold rule).")


@transaction.atomic
def section17_start(*, case: Case, started_on: dt.date, primary_need: str, referral_source: str = "",
                    notes: str = "", by) -> Section17Episode:
    """Start a section 17 (child in need) episode on an open Family Help case.

    Refused when the council does not run Family Help, when an episode is open or the new one would overlap an
    earlier one, and — under the council's rule — when the lead practitioner is not a registered social worker.
    """
    require(by, Capability.EDIT_CHILD_RECORDS)
    tenant = check_one_tenant(case)
    if not is_family_help(tenant):
        raise ValidationError("Section 17 is recorded on a case only where the council runs Family Help "
                              "(the local authority settings' service model).")
    _check_case_open(case, started_on, "The section 17 start")
    if primary_need not in _codes(PRIMARY_NEED_CHOICES):
        raise ValidationError({"primary_need": "Choose the primary need (CIN census code N1 to N9)."})
    if referral_source and referral_source not in _codes(REFERRAL_SOURCE_CHOICES):
        raise ValidationError({"referral_source": "Choose a CIN census referral source (1A to 10)."})
    if open_section17(case) is not None:
        raise ValidationError("Section 17 is already open on this case: end it before starting another.")
    last = case.section17_episodes.order_by("-ended_on").values_list("ended_on", flat=True).first()
    if last is not None and started_on <= last:
        raise ValidationError({"started_on": f"A new section 17 episode must start after the last one ended "
                                             f"({last:%d/%m/%Y})."})
    if case.lead_professional_id is not None and tenant.s17_lead_must_be_social_worker:
        refusal = _not_social_worker(case.lead_professional)
        if refusal:
            raise ValidationError(refusal + " Transfer the case to a social worker first.")
    episode = Section17Episode.objects.create(case=case, started_on=started_on, primary_need=primary_need,
                                              referral_source=referral_source, notes=notes.strip())
    record_event(action="case.section17_started", by=by, obj=episode, detail={"primary_need": primary_need})
    return episode


@transaction.atomic
def section17_end(*, episode: Section17Episode, ended_on: dt.date, closure_reason: str, notes: str = "",
                  by) -> Section17Episode:
    """End an open section 17 episode; the case carries on as targeted Family Help (or is closed separately)."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(episode)
    if episode.ended_on is not None:
        raise ValidationError("This section 17 episode has already ended.")
    if ended_on < episode.started_on:
        raise ValidationError({"ended_on": f"Section 17 cannot end before it started "
                                           f"({episode.started_on:%d/%m/%Y})."})
    check_not_future(ended_on, "The section 17 end")
    if closure_reason not in _codes(CLOSURE_REASON_CHOICES):
        raise ValidationError({"closure_reason": "Choose the reason section 17 ended (CIN census RC1 to RC9)."})
    episode.ended_on = ended_on
    episode.closure_reason = closure_reason
    if notes.strip():
        episode.notes = "\n\n".join(n for n in (episode.notes, notes.strip()) if n)
    episode.save(update_fields=["ended_on", "closure_reason", "notes"])
    record_event(action="case.section17_ended", by=by, obj=episode, detail={"closure_reason": closure_reason})
    return episode


# Family meetings --------------------------------------------------------------------------------------------


def _check_meeting(meeting: FamilyMeeting, members: list[Person]) -> None:
    """The rules every saved meeting keeps (raised before anything is written)."""
    if not members:
        raise ValidationError({"network_members": "Choose at least one person of the family's network to invite."})
    if any(p.family_id != meeting.case.family_id for p in members):
        raise ValidationError({"network_members": "Network members must be people connected to this family."})
    offered = meeting.offered_on
    check_not_future(offered, "The offer date")
    if offered < meeting.case.opened_on:
        raise ValidationError({"offered_on": "A meeting cannot be offered before the case was opened "
                                             f"({meeting.case.opened_on:%d/%m/%Y})."})
    if meeting.accepted_on and meeting.declined_on:
        raise ValidationError("A family meeting is either accepted or declined, not both.")
    for field, label in (("accepted_on", "accepted"), ("declined_on", "declined"), ("held_on", "held")):
        day = getattr(meeting, field)
        if day is not None and day < offered:
            raise ValidationError({field: f"A meeting cannot be {label} before it was offered "
                                          f"({offered:%d/%m/%Y})."})
        check_not_future(day, f"The date {label}")
    if meeting.held_on and meeting.declined_on:
        raise ValidationError({"held_on": "The family declined the meeting: it cannot also have been held."})
    if meeting.outcome and meeting.outcome not in FamilyMeeting.Outcome.values:
        raise ValidationError({"outcome": "Choose an outcome."})
    if meeting.held_on and meeting.outcome == FamilyMeeting.Outcome.DID_NOT_TAKE_PLACE:
        raise ValidationError({"outcome": "The meeting was held: choose what was agreed."})
    if meeting.outcome in (FamilyMeeting.Outcome.PLAN_AGREED, FamilyMeeting.Outcome.PLAN_PARTLY_AGREED):
        if not meeting.held_on:
            raise ValidationError({"outcome": "A plan can be agreed only at a meeting that was held: "
                                              "give the date it was held."})
        if not meeting.family_plan.strip():
            raise ValidationError({"family_plan": "Record the family's plan."})
    if meeting.module5_outcome_code and meeting.module5_outcome_code not in _codes(MODULE5_OUTCOME_CHOICES):
        raise ValidationError({"module5_outcome_code": "Choose a pre-proceedings outcome (CS131 A, B or C)."})
    if meeting.facilitated and not meeting.pre_proceedings_meeting_offered:
        raise ValidationError({"facilitated": "A meeting facilitated in pre-proceedings must have been offered in "
                                              "the letter before proceedings."})
    if meeting.pre_proceedings_meeting_offered and not meeting.letter_before_proceedings_on:
        raise ValidationError({"letter_before_proceedings_on": "Give the date of the letter before proceedings "
                                                               "that offered the meeting."})
    check_not_future(meeting.letter_before_proceedings_on, "The letter before proceedings")


MEETING_FIELDS = ("offered_on", "accepted_on", "declined_on", "held_on", "facilitator", "family_plan", "outcome",
                  "letter_before_proceedings_on", "pre_proceedings_meeting_offered", "facilitated",
                  "module5_outcome_code")


@transaction.atomic
def family_meeting_offer(*, case: Case, offered_on: dt.date, network_members: Iterable[Person],
                         facilitator: str = "", by, **details) -> FamilyMeeting:
    """Offer the family a family group decision making meeting, naming the network to invite. ``details``
    may carry any of ``MEETING_FIELDS`` already known (accepted, held, plan, outcome, Module 5 items)."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    members = list(network_members)
    check_one_tenant(case, *members)
    if case.closed_on is not None:
        raise ValidationError("The case is closed.")
    unknown = set(details) - set(MEETING_FIELDS)
    if unknown:
        raise ValueError(f"unknown family meeting fields: {sorted(unknown)}")
    meeting = FamilyMeeting(case=case, offered_on=offered_on, facilitator=facilitator.strip(),
                            **{k: (v.strip() if isinstance(v, str) else v) for k, v in details.items()})
    _check_meeting(meeting, members)
    meeting.save()
    meeting.network_members.set(members)
    record_event(action="family_meeting.offered", by=by, obj=meeting, detail={"invited": len(members)})
    return meeting


@transaction.atomic
def family_meeting_update(*, meeting: FamilyMeeting, network_members: Iterable[Person] | None = None, by,
                          **changes) -> FamilyMeeting:
    """Record what happened next: accepted or declined, held, the facilitator, the family's plan, the outcome
    and the Module 5 items. The rules are those of the offer, checked on the whole meeting after the change."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    members = list(network_members) if network_members is not None else list(meeting.network_members.all())
    check_one_tenant(meeting, *members)
    unknown = set(changes) - set(MEETING_FIELDS)
    if unknown:
        raise ValueError(f"unknown family meeting fields: {sorted(unknown)}")
    for key, value in changes.items():
        setattr(meeting, key, value.strip() if isinstance(value, str) else value)
    _check_meeting(meeting, members)
    meeting.save()
    meeting.network_members.set(members)
    record_event(action="family_meeting.updated", by=by, obj=meeting, detail={"status": meeting.status})
    return meeting


# Pre-proceedings (CIN census 2026/27 Module 5) ----------------------------------------------------------------

PRE_PROCEEDINGS_FIELDS = ("started_on", "initial_meeting_on", "review_meetings", "step_decision_on",
                          "court_application_on", "letter_initiating_proceedings_on", "notes")
_PP_LABELS = {
    "started_on": "the start of pre-proceedings",
    "initial_meeting_on": "the initial pre-proceedings meeting",
    "step_decision_on": "the decision to step up or down",
    "court_application_on": "the court application",
    "letter_initiating_proceedings_on": "the letter initiating care proceedings",
}


def _check_pre_proceedings(record: PreProceedings) -> None:
    """The rules every saved pre-proceedings record keeps (the date chain of the draft Module 5 rules 9009, 9012
    and 9013, and the initial meeting after the start), raised before anything is written."""
    case = record.case
    if record.started_on is None:
        raise ValidationError({"started_on": "Give the date pre-proceedings began (the legal planning meeting's "
                                             "decision)."})
    if record.started_on < case.opened_on:
        raise ValidationError({"started_on": "Pre-proceedings cannot begin before the case was opened "
                                             f"({case.opened_on:%d/%m/%Y})."})
    for field, label in _PP_LABELS.items():
        check_not_future(getattr(record, field), label[0].upper() + label[1:])
    chain = (("initial_meeting_on", "started_on"), ("step_decision_on", "started_on"),
             ("court_application_on", "step_decision_on"),
             ("letter_initiating_proceedings_on", "court_application_on"))
    for later, earlier in chain:
        day = getattr(record, later)
        if day is None:
            continue
        before = getattr(record, earlier)
        if before is None:
            raise ValidationError({earlier: f"Give the date of {_PP_LABELS[earlier]} before the date of "
                                            f"{_PP_LABELS[later]}."})
        if day < before:
            raise ValidationError({later: f"The date of {_PP_LABELS[later]} cannot be before the date of "
                                          f"{_PP_LABELS[earlier]} ({before:%d/%m/%Y})."})
    if record.review_meetings is not None:
        if record.review_meetings < 0:
            raise ValidationError({"review_meetings": "The number of review meetings cannot be negative."})
        if record.initial_meeting_on is None:
            raise ValidationError({"review_meetings": "Review meetings follow the initial pre-proceedings "
                                                      "meeting: give its date first."})
    others = PreProceedings.objects.filter(case=case).exclude(pk=record.pk)
    if others.filter(step_decision_on__isnull=True).exists():
        raise ValidationError("Pre-proceedings are already open on this case: record the step decision there "
                              "first.")
    last = others.order_by("-step_decision_on").values_list("step_decision_on", flat=True).first()
    if last is not None and record.started_on <= last:
        raise ValidationError({"started_on": "Pre-proceedings must begin after the last ones ended with a step "
                                             f"decision ({last:%d/%m/%Y})."})


def _clean_pp(details: dict) -> dict:
    unknown = set(details) - set(PRE_PROCEEDINGS_FIELDS)
    if unknown:
        raise ValueError(f"unknown pre-proceedings fields: {sorted(unknown)}")
    return {k: (v.strip() if isinstance(v, str) else v) for k, v in details.items()}


@transaction.atomic
def pre_proceedings_start(*, case: Case, started_on: dt.date, by, **details) -> PreProceedings:
    """Record that the council began pre-proceedings on ``case`` (PPStartDate), with any later items already
    known (``PRE_PROCEEDINGS_FIELDS``). One open pre-proceedings per case; dates in order."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(case)
    if case.closed_on is not None:
        raise ValidationError("The case is closed.")
    record = PreProceedings(case=case, started_on=started_on, **_clean_pp(details))
    _check_pre_proceedings(record)
    record.save()
    record_event(action="pre_proceedings.started", by=by, obj=record)
    return record


@transaction.atomic
def pre_proceedings_update(*, record: PreProceedings, by, **changes) -> PreProceedings:
    """Record what happened next in pre-proceedings: the initial meeting, review meetings, the step decision, the
    court application and the letter initiating proceedings. The whole record is checked after the change."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(record)
    if record.case.closed_on is not None:
        raise ValidationError("The case is closed.")
    for key, value in _clean_pp(changes).items():
        setattr(record, key, value)
    _check_pre_proceedings(record)
    record.save()
    record_event(action="pre_proceedings.updated", by=by, obj=record,
                 detail={"stepped": record.step_decision_on is not None})
    return record


# Step-up to a multi-agency child protection team -------------------------------------------------------------


@transaction.atomic
def step_up_macpt_record(*, case: Case, occurred_on: dt.date, level_after: LevelOfNeed,
                         lead_cp_practitioner_name: str, lead_cp_practitioner_contact: str = "", notes: str = "",
                         by) -> StepChange:
    """Step a case up to a multi-agency child protection team (s16EA Children Act 2004), naming the lead child
    protection practitioner. The case stays the same case: the chronology, plan and lead history carry on, and a
    later step-down (or de-escalation) back into Family Help is recorded on it too."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(case, level_after)
    _check_case_open(case, occurred_on, "The step-up")
    before = case.level_of_need
    if not level_after.is_statutory or level_after.rank <= before.rank:
        raise ValidationError({"level_after": "A step-up to child protection goes to a higher, statutory level "
                                              "of need."})
    if not lead_cp_practitioner_name.strip():
        raise ValidationError({"lead_cp_practitioner_name": "Give the name of the lead child protection "
                                                            "practitioner."})
    last = case.step_changes.order_by("-occurred_on").values_list("occurred_on", flat=True).first()
    if last is not None and occurred_on < last:
        raise ValidationError({"occurred_on": "A step change cannot be dated before the previous one."})
    change = StepChange.objects.create(
        case=case, kind=StepChange.Kind.STEP_UP_MACPT, occurred_on=occurred_on, level_before=before,
        level_after=level_after, notes=notes.strip(), lead_cp_practitioner_name=lead_cp_practitioner_name.strip(),
        lead_cp_practitioner_contact=lead_cp_practitioner_contact.strip(),
    )
    case.level_of_need = level_after
    case.save(update_fields=["level_of_need"])
    record_event(action="case.step_up_macpt", by=by, obj=change,
                 detail={"before": before.rank, "after": level_after.rank})
    return change

