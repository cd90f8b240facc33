"""Families, people, referrals and panel decisions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from earlyhelp.audit import record_event

from ..models import Family, PanelDecision, Person, PresentingNeed, Referral, ReferralSource
from ._common import check_not_future, check_one_tenant, months_before


def family_create(*, name: str, postcode: str = "", ward: str = "", address: str = "", actor=None) -> Family:
    check_one_tenant()
    if not name.strip():
        raise ValidationError({"name": "Enter the family's name."})
    family = Family.objects.create(name=name.strip(), postcode=postcode.strip().upper(), ward=ward, address=address)
    record_event(action="family.created", actor=actor, obj=family)
    return family


def person_create(
    *,
    family: Family,
    first_name: str,
    last_name: str,
    kind: str = Person.Kind.CHILD,
    date_of_birth: dt.date | None = None,
    sex: str = "U",
    ethnicity: str = "NOBT",
    postcode: str = "",
    ward: str = "",
    relationship: str = "",
    nhs_number: str = "",
    upn: str = "",
    local_id: str = "",
    actor=None,
) -> Person:
    check_one_tenant(family)
    if not first_name.strip() or not last_name.strip():
        raise ValidationError("Enter the person's first and last name.")
    check_not_future(date_of_birth, "Date of birth")
    person = Person.objects.create(
        family=family,
        kind=kind,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        date_of_birth=date_of_birth,
        sex=sex,
        ethnicity=ethnicity,
        postcode=(postcode or family.postcode).strip().upper(),
        ward=ward or family.ward,
        relationship=relationship,
        nhs_number=nhs_number,
        upn=upn,
        local_id=local_id,
    )
    record_event(action="person.created", actor=actor, obj=person)
    return person


def is_re_referral(*, children: Iterable[Person], received_on: dt.date, exclude: Referral | None = None) -> bool:
    """True when any of ``children`` had a referral received within the tenant's re-referral window before
    ``received_on``. The window is inclusive: with 12 months, a referral on 1 May 2024 makes one on 1 May 2025 a
    re-referral, and one on 2 May 2025 not."""
    tenant = check_one_tenant(*children)
    since = months_before(received_on, tenant.re_referral_window_months)
    earlier = Referral.objects.filter(
        children__in=[c.pk for c in children], received_on__gte=since, received_on__lte=received_on
    )
    if exclude is not None:
        earlier = earlier.exclude(pk=exclude.pk)
    return earlier.exists()


@transaction.atomic
def referral_create(
    *,
    children: list[Person],
    received_on: dt.date,
    source: ReferralSource,
    route: str = Referral.Route.DIRECT,
    presenting_needs: Iterable[PresentingNeed] = (),
    reason: str = "",
    actor=None,
) -> Referral:
    """Record a referral about one or more children of one family, flagging it as a re-referral when any child
    had a referral within the tenant's window (see :func:`is_re_referral`)."""
    presenting_needs = list(presenting_needs)
    check_one_tenant(source, *children, *presenting_needs)
    if not children:
        raise ValidationError({"children": "Choose at least one child the referral is about."})
    families = {c.family_id for c in children}
    if len(families) != 1:
        raise ValidationError({"children": "A referral is about children of one family."})
    if any(c.kind != Person.Kind.CHILD for c in children):
        raise ValidationError({"children": "A referral is about children, not adults."})
    check_not_future(received_on, "The date the referral was received")
    if route not in Referral.Route.values:
        raise ValidationError({"route": "Choose the route: direct or panel."})
    flagged = is_re_referral(children=children, received_on=received_on)
    referral = Referral.objects.create(
        family_id=families.pop(),
        received_on=received_on,
        source=source,
        route=route,
        reason=reason,
        is_re_referral=flagged,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    referral.children.set(children)
    referral.presenting_needs.set(presenting_needs)
    record_event(
        action="referral.created", actor=actor, obj=referral, detail={"re_referral": flagged, "route": route}
    )
    return referral


def referral_decide(*, referral: Referral, decision: str, decided_on: dt.date, actor=None) -> Referral:
    """Record what was decided. 'Early help case opened' is recorded by :func:`case_open` instead."""
    check_one_tenant(referral)
    if referral.decision:
        raise ValidationError("This referral already has a decision.")
    if decision not in Referral.Decision.values:
        raise ValidationError({"decision": "Choose a decision."})
    if decision == Referral.Decision.CASE_OPENED:
        raise ValidationError({"decision": "Open a case from the referral to record that decision."})
    if decided_on < referral.received_on:
        raise ValidationError({"decided_on": "The decision cannot be before the referral was received."})
    check_not_future(decided_on, "The decision date")
    referral.decision = decision
    referral.decided_on = decided_on
    referral.save(update_fields=["decision", "decided_on"])
    record_event(action="referral.decided", actor=actor, obj=referral, detail={"decision": decision})
    return referral


def panel_decision_record(
    *, panel: str, decided_on: dt.date, decision: str, referral: Referral | None = None, case=None, actor=None
) -> PanelDecision:
    check_one_tenant(referral, case)
    if referral is None and case is None:
        raise ValidationError("A panel decision is recorded against a referral or a case.")
    if not decision.strip():
        raise ValidationError({"decision": "Enter what the panel decided."})
    if referral is not None and decided_on < referral.received_on:
        raise ValidationError({"decided_on": "The panel cannot decide before the referral was received."})
    check_not_future(decided_on, "The panel date")
    row = PanelDecision.objects.create(
        panel=panel, decided_on=decided_on, decision=decision.strip(), referral=referral, case=case
    )
    record_event(action="panel_decision.recorded", actor=actor, obj=row, detail={"panel": panel})
    return row
