"""Demo practice records for the demo cases: consent (and a withdrawal or two), allocation history with some
transfers and a few cases waiting in a team's queue, contacts and notes, supervision, and referrals to the demo
tenant's commissioned services. Deterministic and bulk-inserted, like ``cases.demo``; all names invented."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from commissioning.models import CommissionedService

from .models import Allocation, Case, CaseNote, Consent, Intervention, Supervision

GIVERS = ["Mother", "Father", "Mother and father", "Grandmother (kinship carer)", "Young person (16)"]
NOTES = [
    ("home_visit", "Home visit. The home was warm and tidy; we talked through the morning routine chart."),
    ("school_visit", "Met the child at school with the pastoral lead. Attendance this half term is improving."),
    ("phone", "Phone call with mum about the housing appointment; she has the letter ready to bring."),
    ("meeting", "Team Around the Family meeting. School, health visitor and family present; plan reviewed."),
    ("office", "Appointment at the family hub; debt advice booked for next week."),
]
SIGNIFICANT = "Disclosure at the visit about arguments at home late at night; safety plan agreed with mum."


def seed(tenant, rng, today: dt.date, cases: list[Case], workers, users) -> None:
    manager = users["manager"]
    services = list(CommissionedService.objects.order_by("name"))
    consents, allocations, notes, supervisions, interventions = [], [], [], [], []
    tz = timezone.get_current_timezone()
    for n, case in enumerate(cases):
        end = case.closed_on or today
        consents.append(Consent(tenant=tenant, family_id=case.family_id, referral_id=case.referral_id,
                                scope=Consent.Scope.EARLY_HELP, status=Consent.Status.GIVEN,
                                decided_on=case.opened_on, given_by=rng.choice(GIVERS),
                                method=rng.choice([Consent.Method.WRITTEN, Consent.Method.WRITTEN,
                                                   Consent.Method.VERBAL])))
        if rng.random() < 0.5:
            consents.append(Consent(tenant=tenant, family_id=case.family_id, scope=Consent.Scope.SHARING,
                                    agency="School", status=Consent.Status.GIVEN, decided_on=case.opened_on,
                                    given_by=consents[-1].given_by, method=Consent.Method.WRITTEN))
        if case.closed_on is None and n % 37 == 5 and (today - case.opened_on).days > 30:
            consents.append(Consent(tenant=tenant, family_id=case.family_id, scope=Consent.Scope.EARLY_HELP,
                                    status=Consent.Status.WITHDRAWN, decided_on=today - dt.timedelta(days=2),
                                    given_by=consents[-1].given_by, method=Consent.Method.VERBAL,
                                    notes="Mum feels things are settled and does not want further visits."))
        # Allocation history: opened (into the queue or to a worker), sometimes transferred later.
        transfer_on = case.opened_on + dt.timedelta(days=rng.randint(20, 60))
        transferred = case.lead_professional_id is not None and rng.random() < 0.1 and transfer_on < end
        first_worker = case.lead_professional
        if transferred:
            others = [u for u, _ in workers if u.pk != case.lead_professional_id]
            first_worker = rng.choice(others) if others else case.lead_professional
        allocations.append(Allocation(tenant=tenant, case=case, kind=Allocation.Kind.OPENED, on=case.opened_on,
                                      to_team_id=case.team_id, to_worker=first_worker))
        if transferred and first_worker.pk != case.lead_professional_id:
            allocations.append(Allocation(tenant=tenant, case=case, kind=Allocation.Kind.TRANSFERRED, on=transfer_on,
                                          from_team_id=case.team_id, to_team_id=case.team_id, from_worker=first_worker,
                                          to_worker=case.lead_professional, by=manager,
                                          reason="Caseload balancing after a worker's long-term absence."))
        author = case.lead_professional or manager
        day = case.opened_on + dt.timedelta(days=rng.randint(1, 6))
        while day <= end and (case.lead_professional_id or not notes or notes[-1].case is not case):
            kind, text = rng.choice(NOTES)
            significant = rng.random() < 0.08
            when = dt.datetime.combine(day, dt.time(rng.randint(9, 16), rng.choice([0, 15, 30, 45])), tzinfo=tz)
            kind = "home_visit" if significant else kind
            notes.append(CaseNote(tenant=tenant, case=case, occurred_at=when, kind=kind,
                                  narrative=SIGNIFICANT if significant else text, author=author,
                                  who_was_seen="Child and mother" if kind != "phone" else "Mother",
                                  child_seen=kind in ("home_visit", "school_visit"),
                                  child_seen_alone=kind == "school_visit", is_significant=significant))
            day += dt.timedelta(days=rng.randint(10, 24))
        # Supervision every six weeks or so, with some gaps (so some open cases show as overdue).
        held = case.opened_on + dt.timedelta(days=rng.randint(20, 35))
        while held <= end and case.lead_professional_id and rng.random() < 0.9:
            supervisions.append(Supervision(tenant=tenant, case=case, supervisor=manager, held_on=held,
                                            next_due_on=held + dt.timedelta(days=42),
                                            discussion="Progress against the plan and the child's lived experience.",
                                            decisions="Continue the plan; review attendance at the next TAF.",
                                            actions="Lead professional to chase the school nurse referral."))
            held += dt.timedelta(days=rng.choice([35, 42, 42, 56]))
        if services and rng.random() < 0.3:
            service = rng.choice(services)
            referred = case.opened_on + dt.timedelta(days=rng.randint(7, 40))
            if referred <= end:
                started = referred + dt.timedelta(days=rng.randint(3, 45))
                started = started if started <= end else None
                ended = started + dt.timedelta(days=rng.randint(40, 90)) if started else None
                ended = ended if ended and ended <= end else None
                interventions.append(Intervention(tenant=tenant, case=case, service=service, referred_on=referred,
                                                  started_on=started, ended_on=ended))
    Consent.objects.bulk_create(consents)
    Allocation.objects.bulk_create(allocations)
    CaseNote.objects.bulk_create(notes)
    Supervision.objects.bulk_create(supervisions)
    Intervention.objects.bulk_create(interventions)
