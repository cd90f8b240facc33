"""Consent to early help and to sharing information with other agencies, and information shared with or
without it. An early help case opens only with the family's consent; a withdrawal prompts the case's closure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from earlyhelp.actors import require, user_of
from earlyhelp.audit import record_event
from earlyhelp.permissions import Capability

from ..models import Case, Consent, Family, InformationShare, Referral
from ._common import check_not_future, check_one_tenant


def _agency_key(agency: str) -> str:
    return " ".join(agency.split()).casefold()


@dataclass
class ConsentPosition:
    """A family's consent as it stood on a date: the latest decision to early help, and per agency to share."""

    on: dt.date
    early_help: Consent | None = None
    sharing: dict[str, Consent] = field(default_factory=dict)  # agency key -> latest decision

    @property
    def early_help_given(self) -> bool:
        return self.early_help is not None and self.early_help.status == Consent.Status.GIVEN

    @property
    def early_help_withdrawn(self) -> bool:
        return self.early_help is not None and self.early_help.status == Consent.Status.WITHDRAWN

    def sharing_given(self, agency: str) -> bool:
        latest = self.sharing.get(_agency_key(agency))
        return latest is not None and latest.status == Consent.Status.GIVEN


def consent_position(*, family: Family, on: dt.date | None = None) -> ConsentPosition:
    """The family's consent on ``on`` (today by default), in one query."""
    check_one_tenant(family)
    on = on or dt.date.today()
    position = ConsentPosition(on=on)
    for consent in Consent.objects.filter(family=family, decided_on__lte=on).order_by("decided_on", "id"):
        if consent.scope == Consent.Scope.EARLY_HELP:
            position.early_help = consent
        else:
            position.sharing[_agency_key(consent.agency)] = consent
    return position


def consent_record(
    *,
    family: Family,
    scope: str,
    status: str,
    decided_on: dt.date,
    given_by: str,
    method: str,
    agency: str = "",
    notes: str = "",
    referral: Referral | None = None,
    by,
) -> Consent:
    """Record a consent decision. Consent can be withdrawn only where it was given; decisions for one scope (and
    agency) stay in date order. Withdrawing consent to early help while a case is open flags the case for
    closure (the case page says so): the worker closes it with a closure summary."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(family, referral)
    if referral is not None and referral.family_id != family.pk:
        raise ValidationError("The referral is about another family.")
    if scope not in Consent.Scope.values:
        raise ValidationError({"scope": "Choose what the consent is to."})
    if status not in Consent.Status.values:
        raise ValidationError({"status": "Choose given, refused or withdrawn."})
    if method not in Consent.Method.values:
        raise ValidationError({"method": "Say how the consent was recorded."})
    if not given_by.strip():
        raise ValidationError({"given_by": "Say who gave, refused or withdrew consent."})
    agency = " ".join(agency.split())
    if scope == Consent.Scope.SHARING and not agency:
        raise ValidationError({"agency": "Name the agency the consent to share is about."})
    if scope == Consent.Scope.EARLY_HELP:
        agency = ""
    check_not_future(decided_on, "The date of the decision")
    same = Consent.objects.filter(family=family, scope=scope)
    if scope == Consent.Scope.SHARING:
        same = same.filter(agency__iexact=agency)
    latest = same.order_by("-decided_on", "-id").first()
    if latest is not None and decided_on < latest.decided_on:
        raise ValidationError({"decided_on": f"The last decision was recorded on {latest.decided_on:%d/%m/%Y}: "
                                             "decisions stay in date order."})
    if status == Consent.Status.WITHDRAWN and (latest is None or latest.status != Consent.Status.GIVEN):
        raise ValidationError({"status": "Consent can only be withdrawn where it was given."})
    consent = Consent.objects.create(
        family=family, referral=referral, scope=scope, agency=agency, status=status, decided_on=decided_on,
        given_by=given_by.strip(), method=method, notes=notes, recorded_by=user_of(by),
    )
    open_case = family.cases.filter(closed_on__isnull=True).first()
    prompts_closure = (scope == Consent.Scope.EARLY_HELP and status == Consent.Status.WITHDRAWN
                       and open_case is not None)
    record_event(action=f"consent.{status}", by=by, obj=consent,
                 detail={"scope": scope, "agency": agency, "prompts_closure": prompts_closure})
    return consent


def information_share_record(
    *,
    case: Case,
    agency: str,
    shared_on: dt.date,
    what_was_shared: str,
    lawful_basis: str = "",
    reason: str = "",
    by,
) -> InformationShare:
    """Record information shared with an agency. With the family's consent to share with that agency on that
    date the basis is consent; without it a lawful basis other than consent and the reason are required."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(case)
    agency = " ".join(agency.split())
    if not agency:
        raise ValidationError({"agency": "Name the agency."})
    if not what_was_shared.strip():
        raise ValidationError({"what_was_shared": "Say what was shared."})
    check_not_future(shared_on, "The date shared")
    if shared_on < case.opened_on:
        raise ValidationError({"shared_on": "Information shared before the case opened belongs to the referral."})
    if consent_position(family=case.family, on=shared_on).sharing_given(agency):
        lawful_basis = InformationShare.LawfulBasis.CONSENT
    else:
        if lawful_basis not in InformationShare.LawfulBasis.values or lawful_basis == "consent":
            raise ValidationError({"lawful_basis": f"The family has not consented to sharing with {agency}: "
                                                   "choose the lawful basis for sharing without consent."})
        if not reason.strip():
            raise ValidationError({"reason": "Record why sharing without consent was necessary and proportionate."})
    share = InformationShare.objects.create(
        case=case, agency=agency, shared_on=shared_on, what_was_shared=what_was_shared.strip(),
        lawful_basis=lawful_basis, reason=reason.strip(), shared_by=user_of(by),
    )
    record_event(action="information.shared", by=by, obj=share,
                 detail={"agency": agency, "lawful_basis": lawful_basis})
    return share
