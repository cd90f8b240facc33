"""Family Help demo data, for a demo council whose service model is Family Help: registered social workers, cases
moved into section 17 and back on the same case (with the lead practitioner changes that needs), family meetings
with the family's network (held with a plan, declined, offered before a step-up), a child in need whose case
goes into pre-proceedings (every CIN census Module 5 item) and steps up to a multi-agency child protection team
and back down.

Recorded through the services (``by`` the team's members), so every rule holds. Fictional people only.
"""

from __future__ import annotations

import datetime as dt

from earlyhelp.models import Membership, Team, Tenant

from .models import Case, LevelOfNeed, Section17Episode, StepChange
from .services import (
    case_transfer,
    family_meeting_offer,
    family_meeting_update,
    person_create,
    person_disabilities_record,
    pre_proceedings_start,
    pre_proceedings_update,
    section17_end,
    section17_start,
    step_change_record,
    step_up_macpt_record,
)

NETWORK = [("Maureen", "grandmother"), ("Dev", "uncle"), ("Shona", "family friend"), ("Pat", "grandfather"),
           ("Leila", "aunt"), ("Kit", "godparent")]
LEAD_CP = [("Anika Shah", "anika.shah@macpt.example / 01632 960700"),
           ("Tom Okafor", "tom.okafor@macpt.example / 01632 960701")]


def _social_workers(users) -> None:
    """The demo practitioner and the first practitioner of every team are registered social workers."""
    chosen = {Membership.objects.get(user=users["practitioner"]).pk}
    for team in Team.objects.order_by("pk"):
        first = Membership.objects.filter(teams=team, role="practitioner").order_by("pk").first()
        if first is not None:
            chosen.add(first.pk)
    for n, membership in enumerate(Membership.objects.filter(pk__in=chosen).order_by("pk"), start=1):
        membership.is_registered_social_worker = True
        membership.social_work_england_number = f"SW{900100 + n}"
        membership.save(update_fields=["is_registered_social_worker", "social_work_england_number"])


def _social_worker_in(team):
    return (Membership.objects.filter(teams=team, is_registered_social_worker=True, is_active=True,
                                      role__in=["practitioner", "team_manager"])
            .select_related("user").order_by("pk").first())


def _start(case: Case, today: dt.date) -> dt.date:
    """The first day after everything already recorded on the case (allocations, step changes)."""
    last = [case.opened_on,
            *case.allocations.values_list("on", flat=True),
            *case.step_changes.values_list("occurred_on", flat=True)]
    return max(last) + dt.timedelta(days=1)


def _network(case: Case, n: int):
    first, relationship = NETWORK[n % len(NETWORK)]
    surname = case.family.name.removesuffix(" family")
    return person_create(family=case.family, first_name=first, last_name=surname, kind="adult",
                         relationship=relationship, in_household=False,
                         by=Membership.objects.get(user=case.lead_professional))


def _to_social_worker(case: Case, on: dt.date, manager: Membership) -> Membership | None:
    """Make sure a registered social worker leads ``case`` (a transfer within its team when needed)."""
    lead = Membership.objects.get(user=case.lead_professional)
    if lead.is_registered_social_worker:
        return lead
    social_worker = _social_worker_in(case.team)
    if social_worker is None:
        return None
    case_transfer(case=case, team=case.team, lead_professional=social_worker.user, on=on,
                  reason="Section 17: a registered social worker leads the case", by=manager)
    return social_worker


def _pre_proceedings(case: Case, meeting, begin: dt.date, today: dt.date, by: Membership) -> None:
    """Pre-proceedings on ``case``, recent enough to fall in the census year in progress: the legal planning
    meeting, the letter before proceedings offering the family meeting (facilitated), the initial meeting, two
    reviews, then the decision to step up, the court application and the letter initiating proceedings."""
    began = max(begin + dt.timedelta(days=6), today - dt.timedelta(days=75))
    record = pre_proceedings_start(case=case, started_on=began, notes="Legal planning meeting: threshold met; "
                                                                      "pre-proceedings to begin.", by=by)
    family_meeting_update(meeting=meeting, letter_before_proceedings_on=began + dt.timedelta(days=3),
                          pre_proceedings_meeting_offered=True, facilitated=True, module5_outcome_code="A", by=by)
    pre_proceedings_update(record=record, initial_meeting_on=began + dt.timedelta(days=10), review_meetings=2,
                           step_decision_on=began + dt.timedelta(days=40),
                           court_application_on=began + dt.timedelta(days=44),
                           letter_initiating_proceedings_on=began + dt.timedelta(days=46), by=by)


def seed(tenant: Tenant, today: dt.date, users) -> None:
    if tenant.service_model != Tenant.ServiceModel.FAMILY_HELP or Section17Episode.objects.exists():
        return
    _social_workers(users)
    manager = users["manager"]
    by_manager = Membership.objects.get(user=manager)
    cp = LevelOfNeed.objects.filter(is_statutory=True).order_by("-rank").first()
    targeted = LevelOfNeed.objects.filter(is_statutory=False).order_by("-rank").first()
    candidates = [c for c in Case.objects.filter(closed_on__isnull=True, lead_professional__isnull=False,
                                                 level_of_need__is_statutory=False)
                  .select_related("family", "team", "lead_professional").order_by("opened_on", "pk")
                  if (today - _start(c, today)).days >= 120][:8]
    for i, case in enumerate(candidates):
        begin = _start(case, today)
        if i in (0, 1):
            # Targeted help → section 17 (led by a social worker) → back to targeted help: one case.
            original = case.lead_professional
            social_worker = _to_social_worker(case, begin, by_manager)
            if social_worker is None:
                continue
            episode = section17_start(case=case, started_on=begin + dt.timedelta(days=2),
                                      primary_need=["N4", "N5"][i], referral_source="5D",
                                      notes="Needs beyond targeted help: assessed as a child in need.",
                                      by=social_worker)
            if i == 0:
                section17_end(episode=episode, ended_on=begin + dt.timedelta(days=70), closure_reason="RC7",
                              notes="Needs met under section 17; targeted help continues.", by=social_worker)
                if original != social_worker.user:
                    case_transfer(case=case, team=case.team, lead_professional=original,
                                  on=begin + dt.timedelta(days=71), reason="Back to targeted Family Help",
                                  by=by_manager)
        elif i in (2, 3, 4, 5):
            if i == 4:
                # A child in need whose case goes into pre-proceedings: section 17 first, led by a social worker.
                social_worker = _to_social_worker(case, begin, by_manager)
                if social_worker is None:
                    continue
                section17_start(case=case, started_on=begin + dt.timedelta(days=2), primary_need="N1",
                                referral_source="5D", notes="Concerns about neglect: assessed as a child in need.",
                                by=social_worker)
                for n, kid in enumerate(case.children.order_by("pk")):
                    person_disabilities_record(person=kid, codes=["LD", "COMM"] if n == 0 else ["NONE"],
                                               by=social_worker)
            by = Membership.objects.get(user=case.lead_professional)
            people = [_network(case, i), _network(case, i + 1)]
            offered = begin + dt.timedelta(days=5)
            meeting = family_meeting_offer(case=case, offered_on=offered, network_members=people,
                                           facilitator="Family Group Conference service", by=by)
            if i == 2:
                family_meeting_update(meeting=meeting, accepted_on=offered + dt.timedelta(days=3),
                                      held_on=offered + dt.timedelta(days=20), outcome="plan_agreed",
                                      family_plan="Grandmother collects the children after school on weekdays; "
                                                  "uncle takes them to football on Saturdays; mum attends the "
                                                  "parenting course.", by=by)
            elif i == 3:
                family_meeting_update(meeting=meeting, declined_on=offered + dt.timedelta(days=4), by=by)
            else:
                # Offered, then stepped up to child protection; pre-proceedings items for the census.
                family_meeting_update(meeting=meeting, accepted_on=offered + dt.timedelta(days=2),
                                      held_on=offered + dt.timedelta(days=15), outcome="plan_partly_agreed",
                                      family_plan="Aunt offers respite at weekends; the plan for evenings is "
                                                  "not yet agreed.", by=by)
                if i == 4:
                    _pre_proceedings(case, meeting, begin, today, by)
                name, contact = LEAD_CP[i % 2]
                step_up_macpt_record(case=case, occurred_on=offered + dt.timedelta(days=30), level_after=cp,
                                     lead_cp_practitioner_name=name, lead_cp_practitioner_contact=contact,
                                     notes="Strategy discussion: risk of significant harm.", by=by_manager)
                if i == 5:
                    step_change_record(case=case, kind=StepChange.Kind.STEP_DOWN,
                                       occurred_on=offered + dt.timedelta(days=90), level_after=targeted,
                                       notes="Child protection plan ended; back into Family Help on the same case.",
                                       by=by_manager)
        else:
            # Stepped up without a family meeting offered first (the figure's base counts it, the numerator not).
            name, contact = LEAD_CP[i % 2]
            step_up_macpt_record(case=case, occurred_on=begin + dt.timedelta(days=10), level_after=cp,
                                 lead_cp_practitioner_name=name, lead_cp_practitioner_contact=contact,
                                 by=by_manager)
