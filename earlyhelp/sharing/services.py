"""Writes and rules of the partner registers. Every function takes ``by`` (earlyhelp.actors) and checks it.

The rule everything else asks here: a partner's system, account or query works on a day only when an agreement
*in force* that day names the partner and covers the purpose (:func:`covering_agreement`). Nothing is switched
off by a job: an agreement that has lapsed simply covers nothing from the day after its last day. The daily
review (:func:`sharing_agreements_review`) only tells the administrators, ahead of the end and when it lapses.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..actors import require
from ..audit import record_event
from ..permissions import Capability, Role
from ..tenancy import current_tenant
from .models import LawfulBasis, PartnerMembership, PartnerOrganisation, Purpose, SharingAgreement, SharingSettings

# The purpose each API scope serves for a partner's system. Scopes absent here carry no personal data
# (statistics with disclosure control, KPI returns under a contract, report runs) and need no agreement.
SCOPE_PURPOSES: dict[str, str] = {
    "person-info:query": Purpose.KNOWN_TO_FAMILY_HELP,
    "referrals:write": Purpose.REFERRALS,
    "referrals:read": Purpose.REFERRALS,
    "cases:read": Purpose.CASE_RECORDS,
    "readings:read": Purpose.CASE_RECORDS,
    "readings:write": Purpose.CASE_RECORDS,
}
# Scopes a council's own system may not hold: they exist for partners, under an agreement.
PARTNER_ONLY_SCOPES = frozenset({"person-info:query"})
MAX_SIGNED_COPY_BYTES = 20 * 1024 * 1024
SIGNED_COPY_TYPES = {".pdf", ".docx", ".odt"}


def today() -> dt.date:
    return timezone.localdate()


# ------------------------------------------------------------------------------------------------- the rule


def agreements_in_force(*, on: dt.date | None = None):
    """Agreements in force on ``on`` (today): signed copy uploaded, started, not past their last day."""
    on = on or today()
    return (SharingAgreement.objects.exclude(signed_copy="")
            .filter(starts_on__lte=on, ends_on__gte=on)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on)))


def covering_agreement(*, partner: PartnerOrganisation | None, purpose: str,
                       on: dt.date | None = None) -> SharingAgreement | None:
    """The agreement in force on ``on`` that names ``partner`` and covers ``purpose`` (the one lasting longest),
    or None. An inactive partner is covered by nothing."""
    if partner is None or not partner.is_active:
        return None
    return (agreements_in_force(on=on).filter(partners=partner, purposes__contains=[purpose])
            .order_by("-ends_on", "id").first())


def purposes_of_scopes(scopes) -> list[str]:
    return sorted({SCOPE_PURPOSES[scope] for scope in scopes if scope in SCOPE_PURPOSES})


@dataclass(frozen=True)
class Refusal:
    """Why a partner's use is refused: the code of the API problem and a sentence naming what is missing."""

    code: str
    detail: str


def client_refusal(client, *, on: dt.date | None = None) -> Refusal | None:
    """Why ``client`` (an ApiClient) may not be used on ``on``, or None when it may.

    A council's own system (no partner) needs no agreement but may not hold a partner-only scope. A partner's
    system needs an agreement in force naming its partner for each purpose its scopes serve."""
    if client.partner_id is None:
        partner_only = sorted(set(client.scopes) & PARTNER_ONLY_SCOPES)
        if partner_only:
            return Refusal("no_sharing_agreement",
                           f"The scope {', '.join(partner_only)} is for a partner's system under a data-sharing "
                           "agreement, and this client belongs to no partner organisation.")
        return None
    partner = client.partner
    if not partner.is_active:
        return Refusal("partner_inactive", f"The partner organisation {partner.name} is no longer active.")
    labels = dict(Purpose.choices)
    missing = [p for p in purposes_of_scopes(client.scopes) if covering_agreement(partner=partner, purpose=p, on=on)
               is None]
    if missing:
        named = "; ".join(labels[p] for p in missing)
        return Refusal("no_sharing_agreement",
                       f"No data-sharing agreement with {partner.name} is in force for: {named}. "
                       "Ask the council to renew or extend the agreement.")
    return None


def partner_of(membership) -> PartnerOrganisation | None:
    """The partner organisation a partner practitioner's membership works for (None for anybody else)."""
    if membership is None or membership.role != Role.PARTNER:
        return None
    link = PartnerMembership.objects.select_related("partner").filter(membership=membership).first()
    return link.partner if link else None


def partner_casework_agreement(membership, *, on: dt.date | None = None) -> SharingAgreement | None:
    """The agreement that lets this partner practitioner work on shared cases on ``on``, or None."""
    return covering_agreement(partner=partner_of(membership), purpose=Purpose.CASEWORK, on=on)


def sharing_settings() -> SharingSettings:
    """The tenant's sharing settings (created with defaults on first use)."""
    row, _ = SharingSettings.objects.get_or_create(
        tenant=current_tenant(), defaults={"partner_sections": list(SharingSettings.DEFAULT_SECTIONS)})
    return row


# ------------------------------------------------------------------------------------- partner organisations


def _clean_partner_fields(*, name: str, kind: str, urn: str, ods_code: str) -> dict:
    errors = {}
    name = " ".join((name or "").split())
    urn = (urn or "").strip()
    ods_code = (ods_code or "").strip().upper()
    if not name:
        errors["name"] = "Enter the organisation's name."
    if kind not in PartnerOrganisation.Kind.values:
        errors["kind"] = "Select the kind of organisation."
    if kind == PartnerOrganisation.Kind.SCHOOL and not urn:
        errors["urn"] = "Enter the school's URN (6 digits, from Get Information about Schools)."
    if kind == PartnerOrganisation.Kind.HEALTH and not ods_code:
        errors["ods_code"] = "Enter the health organisation's ODS code."
    if urn and kind != PartnerOrganisation.Kind.SCHOOL:
        errors["urn"] = "Only a school has a URN."
    if errors:
        raise ValidationError(errors)
    return {"name": name, "kind": kind, "urn": urn, "ods_code": ods_code}


def partner_organisation_create(*, by, name: str, kind: str, urn: str = "", ods_code: str = "",
                                contact_email: str = "") -> PartnerOrganisation:
    """Add a partner organisation to the register."""
    require(by, Capability.ADMINISTER_TENANT)
    fields = _clean_partner_fields(name=name, kind=kind, urn=urn, ods_code=ods_code)
    if PartnerOrganisation.objects.filter(name__iexact=fields["name"]).exists():
        raise ValidationError({"name": f"{fields['name']} is already in the register."})
    partner = PartnerOrganisation(**fields, contact_email=(contact_email or "").strip())
    partner.full_clean(exclude=["tenant"])
    partner.save()
    record_event(action="partner.created", by=by, obj=partner, detail={"kind": kind, "identifier": partner.identifier})
    return partner


def partner_organisation_update(*, by, partner: PartnerOrganisation, name: str, kind: str, urn: str = "",
                                ods_code: str = "", contact_email: str = "", is_active: bool = True
                                ) -> PartnerOrganisation:
    """Change a partner's details. Made inactive, none of its systems, accounts or requests work."""
    require(by, Capability.ADMINISTER_TENANT)
    fields = _clean_partner_fields(name=name, kind=kind, urn=urn, ods_code=ods_code)
    if PartnerOrganisation.objects.filter(name__iexact=fields["name"]).exclude(pk=partner.pk).exists():
        raise ValidationError({"name": f"{fields['name']} is already in the register."})
    for key, value in {**fields, "contact_email": (contact_email or "").strip(), "is_active": is_active}.items():
        setattr(partner, key, value)
    partner.full_clean(exclude=["tenant"])
    partner.save()
    record_event(action="partner.updated", by=by, obj=partner, detail={"is_active": is_active})
    return partner


# ------------------------------------------------------------------------------------------------ agreements


def _check_signed_copy(upload) -> str:
    """The SHA-256 of an acceptable signed copy (PDF, Word or ODF, at most 20 MB); raises otherwise."""
    import os

    extension = os.path.splitext(upload.name or "")[1].lower()
    if extension not in SIGNED_COPY_TYPES:
        raise ValidationError({"signed_copy": "The signed copy must be a PDF, Word (.docx) or OpenDocument (.odt) "
                                              "file."})
    if upload.size > MAX_SIGNED_COPY_BYTES:
        raise ValidationError({"signed_copy": "The signed copy must be smaller than 20 MB."})
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    if extension == ".pdf":
        head = upload.read(5)
        upload.seek(0)
        if head != b"%PDF-":
            raise ValidationError({"signed_copy": "The signed copy is not a PDF file."})
    return digest.hexdigest()


def _clean_agreement(*, title, partners, purposes, lawful_basis, data_items, starts_on, ends_on) -> dict:
    errors = {}
    title = " ".join((title or "").split())
    purposes = sorted(set(purposes or []))
    if not title:
        errors["title"] = "Enter the agreement's title."
    if not partners:
        errors["partners"] = "Select at least one partner organisation."
    unknown = [p for p in purposes if p not in Purpose.values]
    if unknown or not purposes:
        errors["purposes"] = f"Unknown purposes: {', '.join(unknown)}" if unknown else "Select at least one purpose."
    if lawful_basis not in LawfulBasis.values:
        errors["lawful_basis"] = "Select the lawful basis."
    if not (data_items or "").strip():
        errors["data_items"] = "List the data items shared, one a line."
    if starts_on is None:
        errors["starts_on"] = "Enter the day the agreement starts."
    if ends_on is None:
        errors["ends_on"] = "Enter the day the agreement ends."
    elif starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = "The agreement must end on or after the day it starts."
    if errors:
        raise ValidationError(errors)
    return {"title": title, "purposes": purposes}


@transaction.atomic
def sharing_agreement_create(*, by, title: str, partners, purposes, lawful_basis: str, data_items: str,
                             starts_on: dt.date, ends_on: dt.date, reference: str = "",
                             special_category_condition: str = "", signed_copy=None) -> SharingAgreement:
    """Record a data-sharing agreement. It is in force only once its signed copy is uploaded (here or later)."""
    require(by, Capability.ADMINISTER_TENANT)
    partners = list(partners or [])
    cleaned = _clean_agreement(title=title, partners=partners, purposes=purposes, lawful_basis=lawful_basis,
                               data_items=data_items, starts_on=starts_on, ends_on=ends_on)
    digest = _check_signed_copy(signed_copy) if signed_copy else ""
    agreement = SharingAgreement.objects.create(
        **cleaned, reference=(reference or "").strip(), lawful_basis=lawful_basis,
        special_category_condition=(special_category_condition or "").strip(),
        data_items="\n".join(line.strip() for line in data_items.splitlines() if line.strip()),
        starts_on=starts_on, ends_on=ends_on, created_by=getattr(by, "user", None),
        signed_copy_sha256=digest,
    )
    if signed_copy:
        agreement.signed_copy.save(f"{agreement.public_id}{_extension(signed_copy)}", signed_copy, save=True)
    agreement.partners.set(partners)
    record_event(action="sharing_agreement.created", by=by, obj=agreement, detail={
        "partners": [str(p.public_id) for p in partners], "purposes": cleaned["purposes"],
        "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(), "signed_copy_sha256": digest})
    return agreement


def _extension(upload) -> str:
    import os

    return os.path.splitext(upload.name or "")[1].lower()


@transaction.atomic
def sharing_agreement_upload_signed_copy(*, by, agreement: SharingAgreement, signed_copy) -> SharingAgreement:
    """Attach (or replace) the signed copy; the agreement is in force from its start once it has one."""
    require(by, Capability.ADMINISTER_TENANT)
    digest = _check_signed_copy(signed_copy)
    agreement.signed_copy_sha256 = digest
    agreement.signed_copy.save(f"{agreement.public_id}{_extension(signed_copy)}", signed_copy, save=False)
    agreement.save(update_fields=["signed_copy", "signed_copy_sha256"])
    record_event(action="sharing_agreement.signed_copy_uploaded", by=by, obj=agreement,
                 detail={"sha256": digest})
    return agreement


@transaction.atomic
def sharing_agreement_extend(*, by, agreement: SharingAgreement, ends_on: dt.date) -> SharingAgreement:
    """Move the end of an agreement (a renewal signed by the parties); never before its start."""
    require(by, Capability.ADMINISTER_TENANT)
    if ends_on is None or ends_on < agreement.starts_on:
        raise ValidationError({"ends_on": "The agreement must end on or after the day it starts."})
    previous = agreement.ends_on
    agreement.ends_on = ends_on
    agreement.expiry_notice_sent_on = None
    agreement.lapse_recorded_on = None
    agreement.save(update_fields=["ends_on", "expiry_notice_sent_on", "lapse_recorded_on"])
    record_event(action="sharing_agreement.end_changed", by=by, obj=agreement,
                 detail={"from": previous.isoformat(), "to": ends_on.isoformat()})
    return agreement


@transaction.atomic
def sharing_agreement_end(*, by, agreement: SharingAgreement, on: dt.date, reason: str) -> SharingAgreement:
    """End an agreement early: from ``on`` it covers nothing."""
    require(by, Capability.ADMINISTER_TENANT)
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the agreement ends early."})
    if on is None or on < agreement.starts_on:
        raise ValidationError({"on": "An agreement cannot end before it starts."})
    agreement.ended_on = on
    agreement.end_reason = reason.strip()
    agreement.save(update_fields=["ended_on", "end_reason"])
    record_event(action="sharing_agreement.ended", by=by, obj=agreement,
                 detail={"on": on.isoformat(), "reason": reason.strip()})
    return agreement


# ------------------------------------------------------------------------------ accounts and systems of partners


@transaction.atomic
def partner_membership_link(*, by, membership, partner: PartnerOrganisation) -> PartnerMembership:
    """Make ``membership`` (role partner) a practitioner of ``partner``. Refused unless an agreement in force
    with that partner covers casework: an account cannot be activated without one."""
    require(by, Capability.ADMINISTER_TENANT)
    if membership.role != Role.PARTNER:
        raise ValidationError({"membership": "Only a membership with the partner practitioner role can be linked "
                                             "to a partner organisation."})
    if covering_agreement(partner=partner, purpose=Purpose.CASEWORK) is None:
        raise ValidationError({"partner": f"No data-sharing agreement with {partner.name} covering casework is in "
                                          "force: record or renew one first."})
    link, _ = PartnerMembership.objects.update_or_create(membership=membership, defaults={"partner": partner})
    record_event(action="partner.practitioner_linked", by=by, obj=partner,
                 detail={"user": str(membership.user.public_id)})
    return link


@transaction.atomic
def api_client_partner_link(*, by, client, partner: PartnerOrganisation | None):
    """Say whose system ``client`` is. A partner's system is refused unless agreements in force with that
    partner cover every purpose its scopes serve (it cannot be activated without them)."""
    require(by, Capability.ADMINISTER_TENANT)
    client.partner = partner
    refusal = client_refusal(client)
    if refusal is not None:
        raise ValidationError({"partner": refusal.detail})
    client.save(update_fields=["partner"])
    record_event(action="api_client.partner_linked", by=by, obj=client,
                 detail={"partner": str(partner.public_id) if partner else ""})
    return client


# --------------------------------------------------------------------------------------------- the daily review


@dataclass
class ReviewSummary:
    notices: int = 0
    lapsed: int = 0


def agreements_ending_soon(*, on: dt.date | None = None, within_days: int | None = None):
    """Agreements in force whose last day is within the warning period, soonest first."""
    on = on or today()
    within_days = sharing_settings().expiry_warning_days if within_days is None else within_days
    horizon = on + dt.timedelta(days=within_days)
    return list(agreements_in_force(on=on).filter(ends_on__lte=horizon).prefetch_related("partners")
                .order_by("ends_on"))


def agreements_lapsed_recently(*, on: dt.date | None = None, days: int = 30):
    """Agreements whose last day fell within the past ``days`` days (what they covered has stopped)."""
    on = on or today()
    candidates = SharingAgreement.objects.exclude(signed_copy="").filter(
        ends_on__lt=on, ends_on__gte=on - dt.timedelta(days=days)).prefetch_related("partners")
    return [a for a in candidates if a.ended_on is None]


def sharing_agreements_review(*, on: dt.date | None = None) -> ReviewSummary:
    """The daily review (a beat task per tenant): email the tenant administrators once when an agreement enters
    its warning period, and record once that an agreement has lapsed (its systems and accounts stopped
    working the day after its last day). Runs inside the tenant's context."""
    from ..models import Membership

    on = on or today()
    summary = ReviewSummary()
    admins = [m.user.email for m in Membership.objects.filter(role=Role.TENANT_ADMIN, is_active=True)
              .select_related("user") if m.user.email]
    for agreement in agreements_ending_soon(on=on):
        if agreement.expiry_notice_sent_on is not None:
            continue
        days = (agreement.last_day - on).days
        if admins:
            send_mail(
                subject=f"Data-sharing agreement ends in {days} day{'s' if days != 1 else ''}: {agreement.title}",
                message=(f"The agreement “{agreement.title}” with "
                         f"{', '.join(p.name for p in agreement.partners.all())} is in force until "
                         f"{agreement.last_day:%d %B %Y}. After that day the partners' API clients, partner "
                         "practitioners and queries it covers stop working. Renew it in Partners → Agreements."),
                from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=admins, fail_silently=True)
        agreement.expiry_notice_sent_on = on
        agreement.save(update_fields=["expiry_notice_sent_on"])
        record_event(action="sharing_agreement.expiry_notice", obj=agreement,
                     actor_label="Daily sharing agreements review",
                     detail={"last_day": agreement.last_day.isoformat(), "notified": len(admins)})
        summary.notices += 1
    for agreement in SharingAgreement.objects.exclude(signed_copy="").filter(
            ends_on__lt=on, lapse_recorded_on__isnull=True, ended_on__isnull=True):
        agreement.lapse_recorded_on = on
        agreement.save(update_fields=["lapse_recorded_on"])
        record_event(action="sharing_agreement.lapsed", obj=agreement, actor_label="Daily sharing agreements review",
                     detail={"last_day": agreement.ends_on.isoformat()})
        summary.lapsed += 1
    return summary


SETTINGS_FIELDS = ("partner_days_after_closure", "partner_sections", "expiry_warning_days", "contact_name",
                   "contact_phone", "contact_email", "contact_address", "contact_postcode")


@transaction.atomic
def sharing_settings_update(*, by, **values) -> SharingSettings:
    """Change the council's sharing settings (only the fields named in ``SETTINGS_FIELDS``)."""
    require(by, Capability.ADMINISTER_TENANT)
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"unknown settings {sorted(unknown)}")
    if "partner_sections" in values:
        bad = [s for s in values["partner_sections"] if s not in SharingSettings.Section.values]
        if bad:
            raise ValidationError({"partner_sections": f"Unknown sections: {', '.join(bad)}"})
    row = sharing_settings()
    for key, value in values.items():
        setattr(row, key, value)
    row.full_clean(exclude=["tenant"])
    row.save()
    record_event(action="sharing_settings.changed", by=by, obj=row, detail={
        k: v for k, v in values.items() if k in ("partner_days_after_closure", "partner_sections",
                                                 "expiry_warning_days")})
    return row
