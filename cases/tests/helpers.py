"""Builders for casework tests. They call the services (so the rules hold) inside the tenant's context; every
related object stays in one tenant."""

from __future__ import annotations

import datetime as dt

from cases import services
from cases.models import ClosureReason, LevelOfNeed, PresentingNeed, ReferralSource
from earlyhelp.tenancy import tenant_context
from tests.factories import TeamFactory, acting

D = dt.date


def source(code: str = "2A") -> ReferralSource:
    return ReferralSource.objects.get(code=code)


def level(rank: int) -> LevelOfNeed:
    return LevelOfNeed.objects.get(rank=rank)


def need(code: str = "PARENTING") -> PresentingNeed:
    return PresentingNeed.objects.get(code=code)


def reason(code: str = "OUTCOMES_MET") -> ClosureReason:
    return ClosureReason.objects.get(code=code)


def child(*, family=None, first="Ada", last="Ashby", dob=D(2015, 3, 1), postcode="NB1 1AA"):
    family = family or services.family_create(name=f"{last} family", postcode=postcode, by=acting())
    return services.person_create(family=family, first_name=first, last_name=last, date_of_birth=dob,
                                  postcode=postcode, by=acting())


def referral(children, *, received_on=D(2024, 4, 10), code="2A", route="direct", needs=("PARENTING",)):
    return services.referral_create(children=list(children), received_on=received_on, source=source(code),
                                    route=route, presenting_needs=[need(n) for n in needs], by=acting())


def consent(family, *, on=D(2024, 4, 12), status="given", scope="early_help", agency=""):
    """The family's consent decision (by default: consent to early help given by the mother)."""
    return services.consent_record(family=family, scope=scope, agency=agency, status=status, decided_on=on,
                                   given_by="Mother", method="written", by=acting())


def open_case(*, lead, team, kid=None, received_on=D(2024, 4, 10), opened_on=D(2024, 4, 20), rank=2, **kw):
    kid = kid or child()
    ref = referral([kid], received_on=received_on, **kw)
    if not services.consent_position(family=kid.family, on=opened_on).early_help_given:
        consent(kid.family, on=received_on)
    return services.case_open(referral=ref, lead_professional=lead, team=team, level_of_need=level(rank),
                              opened_on=opened_on, by=acting())


def close(case, *, closed_on=D(2024, 9, 1), code="OUTCOMES_MET", judgement="fully",
          evidence_reason="The school and the family confirm the routines have held for three months."):
    """Close through the service; the fixtures' cases have gaps in their record (no end reading…), so the lead
    professional's reason is given (the rule itself: tests/first_day/test_closure_judgement.py)."""
    return services.case_close(case=case, closed_on=closed_on, reason=reason(code), judgement=judgement,
                               summary="Routines in place; school attendance above 95%.",
                               evidence_reason=evidence_reason, by=acting())


def team_for(tenant, member_user=None, name=None):
    with tenant_context(tenant):
        team = TeamFactory(tenant=tenant, **({"name": name} if name else {}))
        if member_user is not None:
            member_user.memberships.get(tenant=tenant).teams.add(team)
    return team
