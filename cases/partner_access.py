"""What a partner practitioner (role ``partner``) may see of the council's casework, and nothing more.

A partner practitioner sees a case only when all of these hold on the day (docs/partners.md):

* they are on it: its lead professional, or linked to one of its Team Around the Family members;
* it is open, or closed no more than the council's ``partner_days_after_closure`` days ago (the last visible day
  is the Nth day after the closing day);
* the family's latest decision on consent to share with the practitioner's organisation (a ``Consent`` of scope
  sharing whose agency is the organisation's name in the partner register) is *given*;
* a data-sharing agreement in force names their organisation and covers casework.

Then they see only the sections the council allows partners (``SharingSettings.partner_sections``), never social
care history, notes, documents or consent records. Every read is audited as ``case.viewed`` (via partner), so it
is in the access log's "who has seen this record".

Sections from apps on higher floors (distance-travelled readings) register themselves here
(:func:`register_partner_section`): this floor cannot import them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from earlyhelp.actors import require
from earlyhelp.audit import record_read
from earlyhelp.permissions import Capability
from earlyhelp.sharing.models import SharingSettings
from earlyhelp.sharing.services import partner_casework_agreement, partner_of, sharing_settings

from .models import Assessment, Case, Consent, Plan, PlanAction, Review

_SECTIONS: dict[str, Callable[[Case], object]] = {}


def register_partner_section(key: str, build: Callable[[Case], object]) -> None:
    """Let a higher app build one of ``SharingSettings.Section``'s sections for the partner's case page."""
    if key not in SharingSettings.Section.values:
        raise ValueError(f"unknown partner section {key!r}")
    _SECTIONS[key] = build


register_partner_section("summary", lambda case: case.summary)
register_partner_section("children", lambda case: list(case.children.order_by("first_name")
                                                       .only("first_name", "last_name", "date_of_birth")))
register_partner_section("taf", lambda case: list(case.taf_members.only("agency", "contact_name", "role")))
register_partner_section("assessment", lambda case: list(Assessment.objects.filter(case=case)
                                                         .prefetch_related("needs")))
register_partner_section("plan", lambda case: list(Plan.objects.filter(case=case).prefetch_related(
    Prefetch("actions", PlanAction.objects.order_by("due_on", "id")))))
register_partner_section("reviews", lambda case: list(Review.objects.filter(case=case).order_by("-held_on")))


def partner_cases(*, by, on: dt.date | None = None) -> QuerySet[Case]:
    """The cases ``by`` (a partner practitioner's membership) may see on ``on`` (today), newest first."""
    require(by, Capability.VIEW_SHARED_CASES)
    on = on or timezone.localdate()
    partner = partner_of(by)
    if partner is None or partner_casework_agreement(by, on=on) is None:
        return Case.objects.none()
    days = sharing_settings().partner_days_after_closure
    latest_sharing = (Consent.objects.filter(family=OuterRef("family_id"), scope=Consent.Scope.SHARING,
                                             agency__iexact=partner.name, decided_on__lte=on)
                      .order_by("-decided_on", "-id").values("status")[:1])
    on_the_case = Q(lead_professional=by.user) | Q(
        pk__in=Case.objects.filter(taf_members__partner_membership__membership=by).values("pk"))
    return (Case.objects.filter(on_the_case, opened_on__lte=on)
            .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=on - dt.timedelta(days=days)))
            .annotate(sharing=Subquery(latest_sharing)).filter(sharing=Consent.Status.GIVEN)
            .select_related("family", "team").order_by("-opened_on", "-id"))


def partner_case_get(*, by, public_id, on: dt.date | None = None) -> Case:
    """One of ``by``'s shared cases (404 otherwise), its read recorded in the access log."""
    case = get_object_or_404(partner_cases(by=by, on=on), public_id=public_id)
    record_read(action="case.viewed", by=by, obj=case,
                detail={"via": "partner", "partner": str(partner_of(by).public_id)})
    return case


def partner_case_sections(*, case: Case) -> dict[str, object]:
    """The sections of ``case`` the council allows partners, in the settings' order; nothing else."""
    allowed = sharing_settings().sections
    return {key: _SECTIONS[key](case) for key in SharingSettings.Section.values if key in allowed and key in _SECTIONS}
