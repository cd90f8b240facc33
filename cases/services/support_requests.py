"""Requests for support: from a case to a service in the council's Open Referral UK feed (a commissioned service
whose contract is running), answered by the service (docs/partners.md).

* Consent: the family's latest decision on sharing with the service's provider (a ``Consent`` of scope sharing
  whose agency is the provider's name) must be *given* on the day; the request records the consent it relied on.
* Over-sharing: the worker confirms they share only what the service needs; the text is short by rule.
* A safeguarding concern is never a request for support: it is refused, and the worker is sent to make a
  referral to the front door (MASH) instead.
* Who answers: the provider's users (role provider, linked to the provider), or the practitioners of the partner
  organisation of the same name while an agreement covering requests for support is in force. They accept or
  decline, always with a reason.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from commissioning.models import CommissionedService, ProviderMembership
from earlyhelp.actors import require, user_of
from earlyhelp.audit import record_event, record_read
from earlyhelp.permissions import Capability, Role
from earlyhelp.sharing.models import Purpose
from earlyhelp.sharing.services import covering_agreement, partner_of

from ..models import Case, Consent, SupportRequest
from ._common import check_one_tenant

MAX_REQUEST_CHARACTERS = 1500
SAFEGUARDING_REFUSAL = ("A safeguarding concern is not a request for support. If a child may be at risk of "
                        "significant harm, make a referral to the front door (MASH) now, and call the police on "
                        "999 if a child is in immediate danger.")


def services_open_to_requests(*, on: dt.date | None = None) -> QuerySet[CommissionedService]:
    """The services a request can go to: the feed's active ones (contract started and not ended)."""
    on = on or timezone.localdate()
    return (CommissionedService.objects.filter(Q(contract_start__isnull=True) | Q(contract_start__lte=on))
            .filter(Q(contract_end__isnull=True) | Q(contract_end__gte=on)).select_related("provider"))


def _sharing_consent(case: Case, agency: str, on: dt.date) -> Consent | None:
    latest = (Consent.objects.filter(family=case.family, scope=Consent.Scope.SHARING, agency__iexact=agency,
                                     decided_on__lte=on).order_by("-decided_on", "-id").first())
    return latest if latest is not None and latest.status == Consent.Status.GIVEN else None


@transaction.atomic
def support_request_send(*, by, case: Case, service: CommissionedService, what_is_needed: str,
                         safeguarding_concern: bool, shares_only_what_is_needed: bool) -> SupportRequest:
    """Send a request for support from ``case`` to ``service``."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(case, service)
    if safeguarding_concern:
        raise ValidationError({"safeguarding_concern": SAFEGUARDING_REFUSAL})
    if case.closed_on is not None:
        raise ValidationError("The case is closed: requests for support go from open cases.")
    what_is_needed = (what_is_needed or "").strip()
    errors = {}
    if not what_is_needed:
        errors["what_is_needed"] = "Say what the family needs from the service."
    elif len(what_is_needed) > MAX_REQUEST_CHARACTERS:
        errors["what_is_needed"] = (f"Keep the request to {MAX_REQUEST_CHARACTERS} characters: share only what the "
                                    "service needs to decide.")
    if not shares_only_what_is_needed:
        errors["shares_only_what_is_needed"] = "Confirm that you share only what the service needs."
    if not services_open_to_requests().filter(pk=service.pk).exists():
        errors["service"] = f"{service.name} is not taking requests: its contract is not running."
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    consent = _sharing_consent(case, service.provider.name, today)
    if consent is None:
        raise ValidationError({"service": f"The family has not consented to sharing with {service.provider.name}. "
                                          "Record their consent to share first."})
    if SupportRequest.objects.filter(case=case, service=service, status=SupportRequest.Status.SENT).exists():
        raise ValidationError({"service": f"A request to {service.name} is already waiting for an answer."})
    request = SupportRequest.objects.create(case=case, service=service, what_is_needed=what_is_needed,
                                            consent=consent, sent_by=user_of(by))
    record_event(action="support_request.sent", by=by, obj=request,
                 detail={"case": str(case.public_id), "service": str(service.public_id)})
    return request


def _responder_filter(by) -> Q | None:
    """The services ``by`` answers for, as a filter on SupportRequest (None: none)."""
    if by is None or not by.is_active:
        return None
    if by.role == Role.PROVIDER:
        providers = ProviderMembership.objects.filter(membership=by).values("provider_id")
        return Q(service__provider__in=providers)
    if by.role == Role.PARTNER:
        partner = partner_of(by)
        if partner is None or covering_agreement(partner=partner, purpose=Purpose.REQUESTS_FOR_SUPPORT) is None:
            return None
        return Q(service__provider__name__iexact=partner.name)
    return None


def support_request_queue(*, by, status: str = "") -> list[SupportRequest]:
    """The requests sent to the services ``by`` answers for, oldest waiting first."""
    require(by, Capability.RESPOND_TO_REQUESTS)
    condition = _responder_filter(by)
    if condition is None:
        return []
    rows = SupportRequest.objects.filter(condition).select_related("service", "case__family", "sent_by")
    if status:
        rows = rows.filter(status=status)
    return list(rows.order_by("status", "sent_at", "id"))


def support_request_get(*, by, public_id) -> SupportRequest:
    """One request to a service ``by`` answers for (404 otherwise), its read audited."""
    from django.shortcuts import get_object_or_404

    require(by, Capability.RESPOND_TO_REQUESTS)
    condition = _responder_filter(by)
    rows = SupportRequest.objects.filter(condition) if condition is not None else SupportRequest.objects.none()
    request = get_object_or_404(rows.select_related("service__provider", "case__family", "case__team", "sent_by"),
                                public_id=public_id)
    record_read(action="support_request.viewed", by=by, obj=request, detail={"case": str(request.case.public_id)})
    return request


@transaction.atomic
def support_request_decide(*, by, request: SupportRequest, accept: bool, reason: str) -> SupportRequest:
    """The service accepts or declines a waiting request, with a reason the lead professional sees."""
    require(by, Capability.RESPOND_TO_REQUESTS)
    condition = _responder_filter(by)
    if condition is None or not SupportRequest.objects.filter(condition, pk=request.pk).exists():
        raise PermissionDenied("You do not answer for this service.")
    if request.status != SupportRequest.Status.SENT:
        raise ValidationError(f"This request was already {request.get_status_display().lower()}.")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Give the reason for your decision."})
    request.status = SupportRequest.Status.ACCEPTED if accept else SupportRequest.Status.DECLINED
    request.decision_reason = reason.strip()
    request.decided_by = user_of(by)
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
    record_event(action=f"support_request.{request.status}", by=by, obj=request,
                 detail={"case": str(request.case.public_id)})
    return request


@transaction.atomic
def support_request_withdraw(*, by, request: SupportRequest) -> SupportRequest:
    """The case worker withdraws a request still waiting."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(request)
    if request.status != SupportRequest.Status.SENT:
        raise ValidationError("Only a request still waiting can be withdrawn.")
    request.status = SupportRequest.Status.WITHDRAWN
    request.save(update_fields=["status"])
    record_event(action="support_request.withdrawn", by=by, obj=request)
    return request
