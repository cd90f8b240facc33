"""Every write of the commissioning app: one function per use case, called by views, the demo and tasks alike.

Each takes the acting ``by`` (a membership, or for returns a provider's API client: ``earlyhelp.actors``), checks
what ``by`` may do itself, runs in the current tenant's context,
and records an audit event. Workflow of a return: draft → submitted → accepted, or submitted → queried (with
the commissioner's comment) → back with the provider, editable like a draft → submitted again. A commissioner
may reopen an accepted return (→ draft).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from earlyhelp.actors import can, is_client, require, user_of
from earlyhelp.api.models import ApiClient, Scope
from earlyhelp.audit import record_event
from earlyhelp.periods import Quarter
from earlyhelp.permissions import Capability, Role
from earlyhelp.planner_statistics import analyze_after_load

from . import returns_io
from .models import (
    CommissionedService,
    Kpi,
    KpiKind,
    KpiReturn,
    KpiReturnRevision,
    KpiValue,
    KpiVersion,
    Provider,
    ProviderApiClient,
    ProviderMembership,
    ReturnStatus,
    ServiceReview,
)
from .selectors import can_submit_for, provider_of_client


class ReturnWorkflowError(ValidationError):
    """A transition that the return's status does not allow."""


def _require_submitter(by, service: CommissionedService) -> None:
    """``by`` is the acting membership, or an API client (a provider's system submitting through the API).

    An API client's ``returns:write`` scope lets it submit for the services of the provider it is tied to
    (``ProviderApiClient``), or, untied (the local authority's own system), for any service of its tenant.
    """
    if is_client(by):
        if not (can(by, Capability.SUBMIT_RETURNS) and by.tenant_id == service.tenant_id):
            raise PermissionDenied("This API client cannot submit returns (it needs the returns:write scope).")
        provider = provider_of_client(by)
        if provider is not None and provider.pk != service.provider_id:
            raise PermissionDenied(f"This API client submits returns only for {provider.name}'s services.")
        return
    require(by, Capability.SUBMIT_RETURNS)
    if not can_submit_for(by, service):
        raise PermissionDenied("You can submit returns only for your own organisation's services.")


# ---------------------------------------------------------------------------------------------------- set-up


def provider_create(*, by, name: str, contact_email: str = "", notes: str = "") -> Provider:
    require(by, Capability.MANAGE_COMMISSIONING)
    if Provider.objects.filter(name__iexact=name.strip()).exists():
        raise ValidationError({"name": f'There is already a provider called "{name.strip()}".'})
    provider = Provider(name=name.strip(), contact_email=contact_email, notes=notes)
    provider.full_clean(exclude=["tenant"])
    provider.save()
    record_event(action="provider.created", by=by, obj=provider, detail={"name": provider.name})
    return provider


def provider_update(*, by, provider: Provider, **changes) -> Provider:
    require(by, Capability.MANAGE_COMMISSIONING)
    for name, value in changes.items():
        setattr(provider, name, value)
    provider.full_clean(exclude=["tenant"])
    provider.save()
    record_event(action="provider.updated", by=by, obj=provider, detail={"fields": sorted(changes)})
    return provider


def provider_user_link(*, by, membership, provider: Provider) -> ProviderMembership:
    """Tie a provider user's membership to their provider (replacing any earlier link)."""
    require(by, Capability.MANAGE_COMMISSIONING)
    if membership.role != Role.PROVIDER:
        raise ValidationError("Only a member with the provider role can be linked to a provider.")
    link, _ = ProviderMembership.objects.update_or_create(membership=membership, defaults={"provider": provider})
    record_event(action="provider.user_linked", by=by, obj=link,
                 detail={"provider": str(provider.public_id), "membership": str(membership.public_id)})
    return link


PROVIDER_CLIENT_SCOPES = frozenset({Scope.RETURNS_READ.value, Scope.RETURNS_WRITE.value})


def provider_api_client_tie(*, by, client: ApiClient, provider: Provider) -> ProviderApiClient:
    """Tie a new API client to the provider whose system it is: it then submits and reads only that provider's
    services' returns. ``by`` is the tenant administrator's membership; the client holds only returns scopes
    (a provider sees no child records). Once tied, a client stays tied (make a new client to change it)."""
    require(by, Capability.ADMINISTER_TENANT)
    if not set(client.scopes) <= PROVIDER_CLIENT_SCOPES:
        raise ValidationError({"scopes": "A provider's API client may hold only the returns:read and "
                                         "returns:write scopes."})
    if ProviderApiClient.objects.filter(client=client).exists():
        raise ValidationError({"provider": "This API client is already tied to a provider."})
    link = ProviderApiClient.objects.create(client=client, provider=provider)
    record_event(action="provider.api_client_tied", by=by, obj=link.provider,
                 detail={"provider": str(provider.public_id), "client": str(client.public_id)})
    return link


def provider_user_unlink(*, by, link: ProviderMembership) -> None:
    """Untie a provider user from their provider: they then see no service until linked again."""
    require(by, Capability.MANAGE_COMMISSIONING)
    record_event(action="provider.user_unlinked", by=by, obj=link.provider,
                 detail={"provider": str(link.provider.public_id), "membership": str(link.membership.public_id)})
    link.delete()


SERVICE_FIELDS = ("name", "provider", "commissioning_priority", "contract_start", "contract_end", "annual_value",
                  "funding_partners", "return_due_days")


def service_create(
    *,
    by,
    name: str,
    provider: Provider,
    commissioning_priority: str = "",
    contract_start: dt.date | None = None,
    contract_end: dt.date | None = None,
    annual_value: Decimal | None = None,
    funding_partners: str = "",
    return_due_days: int = 30,
) -> CommissionedService:
    require(by, Capability.MANAGE_COMMISSIONING)
    if CommissionedService.objects.filter(name__iexact=name.strip()).exists():
        raise ValidationError({"name": f'There is already a service called "{name.strip()}".'})
    service = CommissionedService(
        name=name.strip(), provider=provider, commissioning_priority=commissioning_priority,
        contract_start=contract_start, contract_end=contract_end, annual_value=annual_value,
        funding_partners=funding_partners, return_due_days=return_due_days,
    )
    _clean_service(service)
    service.save()
    record_event(action="service.created", by=by, obj=service, detail={"name": service.name})
    return service


def service_update(*, by, service: CommissionedService, **changes) -> CommissionedService:
    require(by, Capability.MANAGE_COMMISSIONING)
    unknown = set(changes) - set(SERVICE_FIELDS)
    if unknown:
        raise TypeError(f"not service fields: {sorted(unknown)}")
    for name, value in changes.items():
        setattr(service, name, value)
    _clean_service(service)
    service.save()
    record_event(action="service.updated", by=by, obj=service, detail={"fields": sorted(changes)})
    return service


def _clean_service(service: CommissionedService) -> None:
    service.full_clean(exclude=["tenant"], validate_unique=False)
    if service.contract_start and service.contract_end and service.contract_end < service.contract_start:
        raise ValidationError({"contract_end": "The contract must end after it starts."})


def kpi_define(
    *,
    by,
    service: CommissionedService,
    code: str,
    label: str,
    kind: str,
    valid_from: Quarter,
    target: Decimal | None = None,
    red_threshold: Decimal | None = None,
    higher_is_better: bool = True,
    section: str = "",
    position: int | None = None,
) -> Kpi:
    """Add a KPI to a service, with its first version in force from ``valid_from``."""
    require(by, Capability.MANAGE_COMMISSIONING)
    if kind not in KpiKind.values:
        raise ValidationError({"kind": f"unknown kind {kind!r}"})
    if Kpi.objects.filter(service=service, code=code).exists():
        raise ValidationError({"code": f'{service.name} already has a KPI "{code}".'})
    if position is None:
        position = Kpi.objects.filter(service=service).count() + 1
    kpi = Kpi(service=service, code=code, position=position)
    kpi.full_clean(exclude=["tenant", "service"], validate_unique=False)
    kpi.save()
    version = KpiVersion(
        kpi=kpi, number=1, label=label.strip(), section=section, kind=kind, target=target,
        red_threshold=red_threshold, higher_is_better=higher_is_better,
        valid_from_year=valid_from.start_year, valid_from_quarter=valid_from.number,
    )
    version.full_clean(exclude=["tenant", "kpi"], validate_unique=False)
    version.save()
    record_event(action="kpi.defined", by=by, obj=kpi, detail={"code": code, "label": version.label})
    return kpi


def kpi_relabel(
    *,
    by,
    kpi: Kpi,
    valid_from: Quarter,
    label: str | None = None,
    target: Decimal | None = None,
    red_threshold: Decimal | None = None,
    higher_is_better: bool | None = None,
    section: str | None = None,
) -> KpiVersion:
    """A new version of ``kpi`` from ``valid_from`` on. Past returns keep pointing at the version they used."""
    require(by, Capability.MANAGE_COMMISSIONING)
    current = kpi.current
    if current is None:
        raise ValidationError("This KPI has no version to change.")
    if (valid_from.start_year, valid_from.number) < (current.valid_from_year, current.valid_from_quarter):
        raise ValidationError({"valid_from": "A new version cannot start before the current one."})
    version = KpiVersion(
        kpi=kpi, number=current.number + 1,
        label=(label if label is not None else current.label).strip(),
        section=current.section if section is None else section,
        kind=current.kind,
        target=target, red_threshold=red_threshold,
        higher_is_better=current.higher_is_better if higher_is_better is None else higher_is_better,
        valid_from_year=valid_from.start_year, valid_from_quarter=valid_from.number,
    )
    version.full_clean(exclude=["tenant", "kpi"], validate_unique=False)
    version.save()
    record_event(action="kpi.relabelled", by=by, obj=kpi,
                 detail={"version": version.number, "label": version.label})
    return version


# ---------------------------------------------------------------------------------------------------- returns


@dataclass
class ImportOutcome:
    kpi_return: KpiReturn | None = None
    problems: list[returns_io.Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _require_begun(quarter: Quarter) -> None:
    """A return is for a quarter that has begun: figures for 2031/32 Q1 cannot exist yet."""
    if quarter.start > timezone.localdate():
        raise ReturnWorkflowError(f"{quarter} has not begun yet (it starts on {quarter.start:%-d %B %Y}): "
                                  "a return can be made once its quarter has started.")


def _require_editable(service: CommissionedService, quarter: Quarter) -> None:
    _require_begun(quarter)
    existing = KpiReturn.objects.filter(
        service=service, fy_start_year=quarter.start_year, quarter_number=quarter.number
    ).first()
    if existing is not None and not existing.is_editable:
        raise ReturnWorkflowError(
            f"The {quarter} return is {existing.get_status_display().lower()}: it cannot be changed "
            "unless a commissioner queries or reopens it."
        )


def return_import(
    *, by, service: CommissionedService, quarter: Quarter, data: bytes, filename: str,
    progress: Callable[[int], None] | None = None,
) -> ImportOutcome:
    """Read, validate in full, and (only if the whole file is valid) store a return file's values.

    A re-upload replaces the values; every upload is kept as a revision (the return's history). Nothing is
    written when any row has a problem: the problems are returned, each with its row and column. ``progress``,
    if given, is told how far the import has got (a percentage; the background job's progress page shows it).
    """
    _require_submitter(by, service)
    _require_editable(service, quarter)
    read = returns_io.read_upload(data, filename)
    if read.problems:
        return ImportOutcome(problems=read.problems)
    if progress:
        progress(20)
    return _store_rows(by=by, service=service, quarter=quarter, rows=read.rows, filename=filename,
                       progress=progress)


def return_rows_import(
    *, by, service: CommissionedService, quarter: Quarter, rows: list[tuple[int, dict]], source: str
) -> ImportOutcome:
    """As :func:`return_import`, for rows already read (a return sent as JSON through the API): the same
    validation of every row and the same all-or-nothing rule. ``rows`` are ``(row number, cells)`` with the
    columns of a return file; ``source`` is recorded where an upload records its file name."""
    _require_submitter(by, service)
    _require_editable(service, quarter)
    return _store_rows(by=by, service=service, quarter=quarter, rows=rows, filename=source)


def _store_rows(*, by, service, quarter, rows, filename, progress=None) -> ImportOutcome:
    parsed, problems = returns_io.validate_rows(
        service=service, quarter=quarter, rows=rows,
        progress=(lambda done: progress(20 + 60 * done // max(1, len(rows)))) if progress else None)
    if problems:
        return ImportOutcome(problems=problems)
    if progress:
        progress(80)
    with transaction.atomic():
        kpi_return, _ = KpiReturn.objects.select_for_update().get_or_create(
            service=service, fy_start_year=quarter.start_year, quarter_number=quarter.number,
        )
        if not kpi_return.is_editable:  # changed since we looked
            raise ReturnWorkflowError(f"The {quarter} return can no longer be changed.")
        kpi_return.values.all().delete()
        tenant = kpi_return.tenant
        values = KpiValue.objects.bulk_create(
            [
                KpiValue(tenant=tenant, kpi_return=kpi_return, kpi=p.kpi, kpi_version=p.version, amount=p.amount,
                         numerator=p.numerator, base=p.base, note=p.note)
                for p in parsed
            ],
            batch_size=2000,
        )
        kpi_return.version += 1
        kpi_return.save(update_fields=["version", "updated_at"])
        KpiReturnRevision.objects.create(
            kpi_return=kpi_return, version=kpi_return.version, filename=filename[:255], uploaded_by=user_of(by),
            values=[_snapshot(p) for p in parsed],
        )
        record_event(action="return.imported", by=by, obj=kpi_return,
                     detail={"version": kpi_return.version, "rows": len(values), "filename": filename[:255]})
        analyze_after_load(KpiValue, rows=len(values))  # a return of many rows: fresh statistics after the commit
    return ImportOutcome(kpi_return=kpi_return)


def _snapshot(p: returns_io.ParsedValue) -> dict:
    return {
        "kpi_code": p.kpi.code, "kpi_version": p.version.number, "label": p.version.label,
        "amount": None if p.amount is None else str(p.amount), "numerator": p.numerator, "base": p.base,
        "note": p.note,
    }


def _transition(kpi_return: KpiReturn, allowed_from: tuple[str, ...], to: str, verb: str) -> None:
    if kpi_return.status not in allowed_from:
        raise ReturnWorkflowError(
            f"A {kpi_return.get_status_display().lower()} return cannot be {verb}."
        )
    kpi_return.status = to


def return_submit(*, by, kpi_return: KpiReturn) -> KpiReturn:
    """The provider (or a commissioner on their behalf) submits a draft or queried return."""
    _require_submitter(by, kpi_return.service)
    with transaction.atomic():
        kpi_return = KpiReturn.objects.select_for_update().get(pk=kpi_return.pk)
        _transition(kpi_return, (ReturnStatus.DRAFT, ReturnStatus.QUERIED), ReturnStatus.SUBMITTED, "submitted")
        if not kpi_return.values.exists():
            raise ReturnWorkflowError("Upload the return's figures before submitting it.")
        kpi_return.submitted_at = timezone.now()
        kpi_return.submitted_by = user_of(by)
        kpi_return.save()
        record_event(action="return.submitted", by=by, obj=kpi_return,
                     detail={"version": kpi_return.version})
    return kpi_return


def return_accept(*, by, kpi_return: KpiReturn, comment: str = "") -> KpiReturn:
    require(by, Capability.MANAGE_COMMISSIONING)
    with transaction.atomic():
        kpi_return = KpiReturn.objects.select_for_update().get(pk=kpi_return.pk)
        _transition(kpi_return, (ReturnStatus.SUBMITTED,), ReturnStatus.ACCEPTED, "accepted")
        kpi_return.decided_at = timezone.now()
        kpi_return.commissioner_comment = comment.strip()
        kpi_return.save()
        record_event(action="return.accepted", by=by, obj=kpi_return, detail={"version": kpi_return.version})
    return kpi_return


def return_query(*, by, kpi_return: KpiReturn, comment: str) -> KpiReturn:
    """Send a submitted return back to the provider with the commissioner's question."""
    require(by, Capability.MANAGE_COMMISSIONING)
    if not comment.strip():
        raise ValidationError({"comment": "Say what the provider needs to look at."})
    with transaction.atomic():
        kpi_return = KpiReturn.objects.select_for_update().get(pk=kpi_return.pk)
        _transition(kpi_return, (ReturnStatus.SUBMITTED,), ReturnStatus.QUERIED, "queried")
        kpi_return.decided_at = timezone.now()
        kpi_return.commissioner_comment = comment.strip()
        kpi_return.save()
        record_event(action="return.queried", by=by, obj=kpi_return, detail={"comment": comment.strip()})
    return kpi_return


def return_reopen(*, by, kpi_return: KpiReturn, comment: str = "") -> KpiReturn:
    """A commissioner reopens an accepted (or submitted) return as a draft so it can be corrected."""
    require(by, Capability.MANAGE_COMMISSIONING)
    with transaction.atomic():
        kpi_return = KpiReturn.objects.select_for_update().get(pk=kpi_return.pk)
        _transition(kpi_return, (ReturnStatus.ACCEPTED, ReturnStatus.SUBMITTED), ReturnStatus.DRAFT, "reopened")
        kpi_return.decided_at = None
        if comment.strip():
            kpi_return.commissioner_comment = comment.strip()
        kpi_return.save()
        record_event(action="return.reopened", by=by, obj=kpi_return, detail={"comment": comment.strip()})
    return kpi_return


def service_review_record(
    *,
    by,
    service: CommissionedService,
    started_on: dt.date,
    reviewers: str,
    findings: str,
    completed_on: dt.date | None = None,
    social_worker_comments: str = "",
) -> ServiceReview:
    require(by, Capability.MANAGE_COMMISSIONING)
    review = ServiceReview(
        service=service, started_on=started_on, completed_on=completed_on, reviewers=reviewers.strip(),
        findings=findings.strip(), social_worker_comments=social_worker_comments.strip(), recorded_by=user_of(by),
    )
    review.full_clean(exclude=["tenant", "service", "recorded_by"])
    if completed_on and completed_on < started_on:
        raise ValidationError({"completed_on": "The review cannot finish before it starts."})
    review.save()
    record_event(action="service.review_recorded", by=by, obj=review,
                 detail={"service": str(service.public_id)})
    return review
