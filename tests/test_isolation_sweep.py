"""The isolation sweep: every browser URL × every role × (own tenant's object, another tenant's object).

Each named URL pattern must have an entry in ``SWEEP``: the roles allowed, the HTTP method to use, and how to
make the object its URL points at. A role not allowed gets 403; an allowed role asking for another tenant's
object gets 404. A new URL without an entry fails ``test_every_url_is_declared``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from earlyhelp.periods import Quarter
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from tests.factories import acting

ALL_ROLES = set(Role.values)
Q1_2014 = Quarter(2014, 1)

# URLs outside the sweep, with the reason.
EXEMPT = {
    "login": "public sign-in page",
    "logout": "sign-out",
    "two-factor": "the signed-in user's own second sign-in step (tests/test_security.py)",
    "password_reset": "public, reveals nothing (tests/test_security.py)",
    "password_reset_done": "public confirmation page",
    "password_reset_confirm": "token-guarded password change",
    "password_reset_complete": "public confirmation page",
    "healthz": "unauthenticated health check with no tenant data",
    "home": "every member's landing page (tested in tests/test_pages.py)",
    "switch-tenant": "acts only on the user's own memberships (tested in tests/test_pages.py)",
}
# Tested in their own suites (openreferral: an open feed of a tenant chosen by slug, tests/api/test_openreferral.py).
# public: a council's public pages, no sign-in: "Check a report" (reporting/tests/test_report_integrity.py) and its
# published reports (reporting/tests/test_public_reports.py: another council's, an unpublished and a withdrawn
# publication are 404, 404 and 410).
EXEMPT_NAMESPACES = {"tenant_admin", "platform_admin", "api", "openreferral", "public"}


def _user(member, tenant, role):
    return member(tenant, role=role, username=f"builder-{role}-{tenant.slug}-{uuid.uuid4().hex[:6]}")


def _report(tenant, member):
    from reporting import services

    user = _user(member, tenant, Role.PERFORMANCE_OFFICER)
    with tenant_context(tenant):
        return services.report_create(
            by=acting(user), title="Sweep", committee="Scrutiny", meeting_date=dt.date(2015, 1, 6),
            report_of="Officer", accountable_director="Director", period_start_year=2014, period_quarter=1,
        )


def _run(tenant, member):
    from reporting.models import ReportRun

    report = _report(tenant, member)
    with tenant_context(tenant):
        return ReportRun.objects.create(report=report, requested_by=report.created_by, parameters={})


def _rendered_run(tenant, member):
    """A finished run with a real snapshot (the written sections only, so it is quick to build) and no PDF."""
    from reporting import rendering
    from reporting import sections as registry
    from reporting.services import _parameters

    run = _run(tenant, member)
    with tenant_context(tenant):
        parameters = _parameters(run.report)
        parameters["sections"] = [dict(item, include=registry.get(item["key"]).kind == "narrative")
                                  for item in parameters["sections"]]
        run.parameters = parameters
        run.snapshot = rendering.build_snapshot(tenant, parameters)
        run.status = run.Status.DONE
        run.save()
    return run


def _publication(tenant, member):
    """A publication of a finished run (its PDF a few stand-in bytes: publishing copies them as they are)."""
    from django.core.files.base import ContentFile

    from reporting import publishing

    run = _rendered_run(tenant, member)
    with tenant_context(tenant):
        run.pdf.save(f"reports/sweep/{run.public_id}.pdf", ContentFile(b"%PDF-1.7 sweep"), save=True)
        return publishing.publication_create(run=run, by=acting(run.requested_by), published_on=dt.date(2015, 1, 6),
                                             committee="Scrutiny", on_public_site=True)


def _unit_cost(tenant, member):
    from reporting import indicators

    with tenant_context(tenant):
        return indicators.unit_cost_save(tenant=tenant,
        by=acting(_user(member, tenant, Role.PERFORMANCE_OFFICER)),
                                         name="Care placement", indicator="cic", weekly_cost="1825.00")


def _commissioner(tenant, member):
    from earlyhelp.models import Membership

    user = _user(member, tenant, Role.COMMISSIONER)
    return Membership.all_tenants.get(user=user, tenant=tenant)


def _provider(tenant, member):
    from commissioning import services

    with tenant_context(tenant):
        return services.provider_create(by=_commissioner(tenant, member), name=f"Provider {uuid.uuid4().hex[:6]}")


def _provider_link(tenant, member):
    from commissioning import services
    from earlyhelp.models import Membership

    provider = _provider(tenant, member)
    user = _user(member, tenant, Role.PROVIDER)
    with tenant_context(tenant):
        return services.provider_user_link(by=_commissioner(tenant, member), provider=provider,
                                           membership=Membership.objects.get(user=user))


def _service(tenant, member):
    from commissioning import services
    from commissioning.models import KpiKind
    from earlyhelp.periods import Quarter

    by = _commissioner(tenant, member)
    with tenant_context(tenant):
        provider = services.provider_create(by=by, name=f"Provider {uuid.uuid4().hex[:6]}")
        service = services.service_create(by=by, name="Sweep service", provider=provider)
        services.kpi_define(by=by, service=service, code="referrals", label="Referrals received",
                            kind=KpiKind.OUTPUT_COUNT, valid_from=Quarter(2014, 1))
    return service


def _import_job(tenant, member):
    from commissioning.models import ReturnImportJob

    service = _service(tenant, member)
    with tenant_context(tenant):
        return ReturnImportJob.objects.create(service=service, fy_start_year=2014, quarter_number=1,
                                              filename="q1.csv", data=b"", requested_by=_user(member, tenant,
                                                                                              Role.COMMISSIONER))


def _case_import_job(tenant, member):
    from cases.models import CaseImportJob

    with tenant_context(tenant):
        return CaseImportJob.objects.create(filename="cases.csv", data=b"",
                                            requested_by=_user(member, tenant, Role.TEAM_MANAGER))


def _kpi(tenant, member):
    service = _service(tenant, member)
    with tenant_context(tenant):
        return service.kpis.first()


def _return(tenant, member):
    from commissioning import services
    from commissioning.models import KpiReturn

    service = _service(tenant, member)
    csv_bytes = (f"service,quarter,kpi_code,kpi_label,value,numerator,base,note\n"
                 f"{service.name},2014/15 Q1,referrals,Referrals received,4,,,\n").encode()
    with tenant_context(tenant):
        services.return_import(by=_commissioner(tenant, member), service=service, quarter=Q1_2014,
                               data=csv_bytes, filename="return.csv")
        return KpiReturn.objects.get(service=service)


def _api_client(tenant, member):
    from earlyhelp.api.services import api_client_create

    admin = _user(member, tenant, Role.TENANT_ADMIN)
    with tenant_context(tenant):
        client, _token = api_client_create(name="Sweep client", scopes=["cases:read"],
                                           expires_at=timezone.now() + dt.timedelta(days=30), by=acting(admin))
    return client


def _data_export(tenant, member):
    from earlyhelp.data_exports import data_export_build
    from earlyhelp.models import DataExport

    admin = _user(member, tenant, Role.TENANT_ADMIN)
    with tenant_context(tenant):
        return data_export_build(export=DataExport.objects.create(requested_by=admin))


def _statutory_return(tenant, member):
    """A built SSD return (the council's tables are empty: headers only), asked for by a performance officer."""
    from cases.models import StatutoryReturnJob
    from cases.statutory.jobs import statutory_return_build

    officer = _user(member, tenant, Role.PERFORMANCE_OFFICER)
    with tenant_context(tenant):
        job = StatutoryReturnJob.objects.create(kind=StatutoryReturnJob.Kind.SSD, requested_by=officer)
    return statutory_return_build(tenant=tenant, job_id=job.pk)
def _membership(tenant, member):
    from earlyhelp.models import Membership

    return Membership.all_tenants.get(user=_user(member, tenant, Role.PRACTITIONER), tenant=tenant)


def _team(tenant, member):
    from tests.factories import TeamFactory

    with tenant_context(tenant):
        return TeamFactory(tenant=tenant, name=f"Sweep team {uuid.uuid4().hex[:6]}")


def _locality(tenant, member):
    from tests.factories import LocalityFactory

    with tenant_context(tenant):
        return LocalityFactory(tenant=tenant, name=f"Sweep locality {uuid.uuid4().hex[:6]}")


def _level_of_need(tenant, member):
    from cases.models import LevelOfNeed
    from cases.services import tenant_defaults_ensure

    with tenant_context(tenant):
        tenant_defaults_ensure(tenant=tenant)
        return LevelOfNeed.objects.first()


def _case(tenant, member):
    from cases.tests import helpers

    lead = _user(member, tenant, Role.PRACTITIONER)
    team = helpers.team_for(tenant, lead)
    with tenant_context(tenant):
        return helpers.open_case(lead=lead, team=team, kid=helpers.child(first="Sweep", last="Case"))


def _section17_episode(tenant, member):
    """An open section 17 episode on a Family Help case led by a registered social worker."""
    from cases import services
    from cases.tests import helpers
    from earlyhelp.models import Membership

    tenant.service_model = "family_help"
    tenant.save(update_fields=["service_model"])
    lead = _user(member, tenant, Role.PRACTITIONER)
    Membership.all_tenants.filter(user=lead, tenant=tenant).update(is_registered_social_worker=True)
    team = helpers.team_for(tenant, lead)
    with tenant_context(tenant):
        case = helpers.open_case(lead=lead, team=team, kid=helpers.child(first="Sweep", last="Section17"))
        return services.section17_start(case=case, started_on=case.opened_on, primary_need="N4",
                                        by=lead.memberships.get())


def _family_meeting(tenant, member):
    from cases import services

    case = _case(tenant, member)
    with tenant_context(tenant):
        gran = services.person_create(family=case.family, first_name="Sweep", last_name="Gran", kind="adult",
                                      by=acting())
        return services.family_meeting_offer(case=case, offered_on=case.opened_on, network_members=[gran],
                                             by=case.lead_professional.memberships.get())


def _pre_proceedings(tenant, member):
    from cases import services

    case = _case(tenant, member)
    with tenant_context(tenant):
        return services.pre_proceedings_start(case=case, started_on=case.opened_on,
                                              by=case.lead_professional.memberships.get())


def _referral(tenant, member):
    from cases.tests import helpers

    with tenant_context(tenant):
        return helpers.referral([helpers.child(first="Sweep", last="Referral")])


def _family(tenant, member):
    return _person(tenant, member).family


def _person(tenant, member):
    from cases.tests import helpers

    with tenant_context(tenant):
        return helpers.child(first="Sweep", last="Subject")


def _relationship(tenant, member):
    from cases import services
    from cases.tests import helpers
    from earlyhelp.models import Membership

    user = _user(member, tenant, Role.PRACTITIONER)
    with tenant_context(tenant):
        kid = helpers.child(first="Sweep", last="Related")
        mother = services.person_create(family=kid.family, first_name="Sweep", last_name="Mother", kind="adult",
                                        by=acting())
        return services.relationship_add(person=mother, relative=kid, kind="mother",
                                         by=Membership.all_tenants.get(user=user, tenant=tenant))


def _identifier(tenant, member):
    from cases import services
    from cases.tests import helpers
    from earlyhelp.models import Membership

    user = _user(member, tenant, Role.PRACTITIONER)
    with tenant_context(tenant):
        kid = helpers.child(first="Sweep", last="Identified")
        return services.linked_identifier_add(person=kid, entry=services.IdentifierEntry("case_number", "SC-9"),
                                              by=Membership.all_tenants.get(user=user, tenant=tenant))


def _merge(tenant, member):
    from cases import services
    from cases.tests import helpers
    from earlyhelp.models import Membership

    user = _user(member, tenant, Role.TEAM_MANAGER)
    with tenant_context(tenant):
        kept = helpers.child(first="Sweep", last="Kept")
        merged = helpers.child(first="Sweep", last="Kept", family=kept.family)
        return services.person_merge(survivor=kept, merged=merged,
                                     by=Membership.all_tenants.get(user=user, tenant=tenant))


def _assessment(tenant, member):
    from cases import services

    case = _case(tenant, member)
    with tenant_context(tenant):
        return services.assessment_start(case=case, started_on=case.opened_on, by=acting())


def _plan(tenant, member):
    from cases import services

    case = _case(tenant, member)
    with tenant_context(tenant):
        return services.plan_create(case=case, created_on=case.opened_on, summary="Sweep plan", by=acting())


def _action(tenant, member):
    from cases import services

    plan = _plan(tenant, member)
    with tenant_context(tenant):
        return services.plan_action_add(plan=plan, description="Attend school", owner="Parent",
                                        due_on=plan.created_on + dt.timedelta(days=30), by=acting())


def _note(tenant, member):
    from cases import services

    case = _case(tenant, member)
    with tenant_context(tenant):
        return services.case_note_record(case=case, occurred_at=timezone.now(), kind="home_visit",
                                         narrative="Sweep visit", by=acting(case.lead_professional))


def _intervention(tenant, member):
    from cases import services

    case = _case(tenant, member)
    service = _service(tenant, member)
    with tenant_context(tenant):
        return services.intervention_refer(case=case, service=service, referred_on=case.opened_on, by=acting())


def _document(tenant, member):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases import services

    case = _case(tenant, member)
    with tenant_context(tenant):
        return services.document_upload(case=case, upload=SimpleUploadedFile("sweep.txt", b"Sweep notes"),
                                         kind="other", by=acting(case.lead_professional))


def _enrolment(tenant, member):
    """A family enrolled on Supporting Families with three needs met on 1 May 2024 (claimable from 1 Nov)."""
    from cases import services as case_services
    from cases.tests.helpers import need
    from outcomes import services

    case = _case(tenant, member)
    with tenant_context(tenant):
        assessment = case_services.assessment_start(case=case, started_on=case.opened_on, by=acting())
        case_services.assessment_complete(assessment=assessment, completed_on=case.opened_on, needs=[need()],
                                          by=acting())
        case_services.plan_create(case=case, created_on=case.opened_on, summary="Sweep plan", by=acting())
        framework = services.programme_framework_ensure(tenant=tenant)
        enrolment = services.enrolment_create(family=case.family, framework=framework, case=case,
                                              enrolled_on=case.opened_on, lead_professional=case.lead_professional,
                                              needs=list(framework.outcomes.all()[:3]), by=acting())
        for n in enrolment.needs.all():
            services.need_evidence_record(need=n, kind="met", recorded_on=dt.date(2024, 5, 1), description="Seen",
                                          by=acting())
    return enrolment


def _need(tenant, member):
    enrolment = _enrolment(tenant, member)
    with tenant_context(tenant):
        return enrolment.needs.first()


def _claim(tenant, member):
    from outcomes import services

    enrolment = _enrolment(tenant, member)
    with tenant_context(tenant):
        return services.claim_prepare(enrolment=enrolment, prepared_on=dt.date(2024, 11, 1), by=acting())


def _tool(tenant, member):
    from outcomes import services

    with tenant_context(tenant):
        return services.tool_create(code=f"tool-{uuid.uuid4().hex[:6]}", name="Sweep tool", subject="family",
                                    scale_min=1, scale_max=5, higher_is_better=True, areas=["A", "B", "C"],
                                    by=acting(role="tenant_admin"))


def _partner(tenant, member):
    from tests.partners.helpers import partner

    return partner(tenant, name=f"Sweep School {uuid.uuid4().hex[:6]}")


def _agreement(tenant, member):
    from tests.partners.helpers import agreement

    return agreement(tenant, [_partner(tenant, member)])


def _support(tenant):
    from tests.partners.helpers import support_request

    return support_request(tenant)


def _case_child_kwargs(name):
    return lambda o: {"public_id": o.case.public_id, name: o.public_id}


@dataclass
class Entry:
    roles: set[str]
    method: str = "get"
    make: Callable | None = None  # (tenant, member) -> the object the URL points at; None: no object
    kwargs: Callable | None = None  # object -> URL kwargs; default {"public_id": obj.public_id}
    ok: set[int] = field(default_factory=lambda: {200, 302})
    per_role: dict[str, set[int]] = field(default_factory=dict)  # role -> statuses expected instead
    url_kwargs: dict | None = None  # fixed URL kwargs of a URL without an object (e.g. a list's kind)


REPORTERS = {Role.PERFORMANCE_OFFICER}
COMMISSIONERS = {Role.COMMISSIONER}
VIEWERS = {Role.COMMISSIONER, Role.PERFORMANCE_OFFICER}
SUBMITTERS = {Role.COMMISSIONER, Role.PROVIDER}
# A provider user not linked to this service's provider: the service does not exist for them.
PROVIDER_NOT_LINKED = {Role.PROVIDER: {404}}


def _service_kwargs(obj):
    return {"service_id": obj.public_id}


def _quarter_kwargs(obj):
    return {"service_id": obj.public_id, "quarter": "2014-q1"}


CASE_VIEWERS = {Role.PRACTITIONER, Role.TEAM_MANAGER, Role.AUDITOR}
CASE_EDITORS = {Role.PRACTITIONER, Role.TEAM_MANAGER}
ADMINS = {Role.TENANT_ADMIN}
DATA_PROTECTION = {Role.AUDITOR, Role.TENANT_ADMIN}
STATS_VIEWERS = {Role.TEAM_MANAGER, Role.COMMISSIONER, Role.PERFORMANCE_OFFICER}

SWEEP: dict[str, Entry] = {
    "cases:caseload": Entry(CASE_VIEWERS),
    "cases:team": Entry({Role.TEAM_MANAGER}),
    "cases:referrals": Entry(CASE_VIEWERS),
    "cases:referral-new": Entry(CASE_EDITORS),
    "cases:referral": Entry(CASE_VIEWERS, make=_referral),
    "cases:family": Entry(CASE_VIEWERS, make=_family),
    # Keeping the family's record: relationships, the NHS number, linked identifiers, a move.
    "cases:relationship-add": Entry(CASE_EDITORS, make=_family),
    "cases:relationship-change": Entry(CASE_EDITORS, make=_relationship, kwargs=lambda o: {
        "public_id": o.person.family.public_id, "relationship_id": o.public_id}),
    "cases:relationship-end": Entry(CASE_EDITORS, make=_relationship, kwargs=lambda o: {
        "public_id": o.person.family.public_id, "relationship_id": o.public_id}),
    "cases:family-move": Entry(CASE_EDITORS, make=_family),
    "cases:person-nhs-number": Entry(CASE_EDITORS, make=_person),
    "cases:person-disabilities": Entry(CASE_EDITORS, make=_person),
    "cases:identifier-add": Entry(CASE_EDITORS, make=_person),
    "cases:identifier-remove": Entry(CASE_EDITORS, make=_identifier, kwargs=lambda o: {
        "public_id": o.person.public_id, "identifier_id": o.public_id}),
    "cases:family-chronology": Entry(CASE_VIEWERS, make=_family),
    "cases:referral-decide": Entry(CASE_EDITORS, method="post", make=_referral, ok={200, 302, 400}),
    "cases:case-open": Entry(CASE_EDITORS, make=_referral),
    "cases:case": Entry(CASE_VIEWERS, make=_case),
    "cases:case-file-pdf": Entry(CASE_VIEWERS, make=_case),
    "cases:assessment-start": Entry(CASE_EDITORS, make=_case),
    "cases:assessment-complete": Entry(CASE_EDITORS, make=_assessment,
                                       kwargs=lambda o: {"public_id": o.case.public_id, "assessment_id": o.public_id}),
    "cases:plan-create": Entry(CASE_EDITORS, make=_case),
    "cases:plan-action-add": Entry(CASE_EDITORS, make=_plan,
                                   kwargs=lambda o: {"public_id": o.case.public_id, "plan_id": o.public_id}),
    "cases:plan-action-status": Entry(CASE_EDITORS, make=_action,
                                      kwargs=lambda o: {"public_id": o.plan.case.public_id, "action_id": o.public_id}),
    "cases:plan-goal-focus": Entry(CASE_EDITORS, make=_action,
                                   kwargs=lambda o: {"public_id": o.plan.case.public_id, "action_id": o.public_id}),
    "cases:case-children": Entry(CASE_EDITORS, make=_case),
    "cases:review": Entry(CASE_EDITORS, make=_case),
    "cases:step-change": Entry(CASE_EDITORS, make=_case),
    "cases:panel-decision": Entry(CASE_EDITORS, make=_case),
    "cases:family-help": Entry(CASE_VIEWERS, make=_case),
    "cases:section17-start": Entry(CASE_EDITORS, make=_case),
    "cases:section17-end": Entry(CASE_EDITORS, make=_section17_episode, kwargs=_case_child_kwargs("episode_id")),
    "cases:family-meetings": Entry(CASE_VIEWERS, make=_case),
    "cases:family-meeting-offer": Entry(CASE_EDITORS, make=_case),
    "cases:family-meeting": Entry(CASE_EDITORS, make=_family_meeting, kwargs=_case_child_kwargs("meeting_id")),
    "cases:pre-proceedings-start": Entry(CASE_EDITORS, make=_case),
    "cases:pre-proceedings": Entry(CASE_EDITORS, make=_pre_proceedings, kwargs=_case_child_kwargs("record_id")),
    "cases:step-up-macpt": Entry(CASE_EDITORS, make=_case),
    "cases:taf-add": Entry(CASE_EDITORS, make=_case),
    "cases:close": Entry(CASE_EDITORS, make=_case),
    "cases:feedback": Entry(CASE_EDITORS, make=_case),
    # A team manager audits the case files of their own teams only (cases.services.case_file_audit_refusal): the
    # sweep's manager manages no team of the case, so 403; their own team's case: cases/tests/test_views.py.
    "cases:audit": Entry({Role.AUDITOR, Role.TEAM_MANAGER}, make=_case, per_role={Role.TEAM_MANAGER: {403}}),
    "cases:audit-grades": Entry(STATS_VIEWERS),
    "access-log": Entry({Role.AUDITOR, Role.TENANT_ADMIN}),
    "audit-verify": Entry({Role.AUDITOR, Role.TENANT_ADMIN}, method="post"),
    "cases:data-protection": Entry(DATA_PROTECTION),
    "cases:subject-access": Entry(DATA_PROTECTION, make=_person),
    # Duplicates: the queue, merging (posted without a survivor: 400), "not a duplicate", undoing a merge.
    "cases:duplicates": Entry({Role.TEAM_MANAGER}),
    "cases:person-merge": Entry({Role.TEAM_MANAGER}, method="post", make=_person, ok={400}),
    "cases:not-duplicate": Entry({Role.TEAM_MANAGER}, method="post", make=_person, ok={400}),
    "cases:person-unmerge": Entry({Role.TEAM_MANAGER}, method="post", make=_merge, ok={302}),
    "cases:identifier-completeness": Entry(STATS_VIEWERS),
    "cases:tasks": Entry(CASE_VIEWERS),
    # The migration import has no object in its URL: another tenant's teams and codes are simply unknown to it
    # (cases/tests/test_import.py).
    "cases:import": Entry({Role.TEAM_MANAGER, Role.TENANT_ADMIN}),
    "cases:import-job": Entry({Role.TEAM_MANAGER, Role.TENANT_ADMIN}, make=_case_import_job,
                              kwargs=lambda o: {"job_id": o.public_id}),
    "cases:import-template": Entry({Role.TEAM_MANAGER, Role.TENANT_ADMIN}),
    "cases:referral-consent": Entry(CASE_EDITORS, make=_referral),
    # Statutory returns (child-level files): the performance officer only.
    "cases:statutory-returns": Entry(REPORTERS),
    "cases:statutory-return": Entry(REPORTERS, make=_statutory_return),
    "cases:statutory-return-download": Entry(REPORTERS, make=_statutory_return),
    "cases:consent": Entry(CASE_EDITORS, make=_case),
    "cases:information-share": Entry(CASE_EDITORS, make=_case),
    "cases:notes": Entry(CASE_VIEWERS, make=_case),
    "cases:note-add": Entry(CASE_EDITORS, make=_case),
    "cases:note-edit": Entry(CASE_EDITORS, make=_note, kwargs=_case_child_kwargs("note_id")),
    "cases:note-addendum": Entry(CASE_EDITORS, make=_note, kwargs=_case_child_kwargs("note_id")),
    "cases:summary": Entry(CASE_EDITORS, make=_case),
    "cases:supervision": Entry({Role.TEAM_MANAGER}, make=_case),
    "cases:allocate": Entry({Role.TEAM_MANAGER}, make=_case),
    "cases:transfer": Entry({Role.TEAM_MANAGER}, make=_case),
    "cases:intervention-refer": Entry(CASE_EDITORS, make=_case),
    "cases:intervention-dates": Entry(CASE_EDITORS, make=_intervention, kwargs=_case_child_kwargs("intervention_id")),
    "cases:document-upload": Entry(CASE_EDITORS, make=_case),
    "cases:document": Entry(CASE_VIEWERS, make=_document, kwargs=_case_child_kwargs("document_id")),
    "api-clients": Entry(ADMINS),
    "administration": Entry(ADMINS),
    "administration-members": Entry(ADMINS),
    "administration-member-add": Entry(ADMINS),
    "administration-member": Entry(ADMINS, make=_membership),
    "administration-member-active": Entry(ADMINS, method="post", make=_membership, ok={302}),
    "administration-teams": Entry(ADMINS),
    "administration-team-add": Entry(ADMINS),
    "administration-team": Entry(ADMINS, make=_team),
    "administration-localities": Entry(ADMINS),
    "administration-locality-add": Entry(ADMINS),
    "administration-locality": Entry(ADMINS, make=_locality),
    "administration-settings": Entry(ADMINS),
    "cases:lists": Entry(ADMINS),
    "cases:case-settings": Entry(ADMINS),
    "cases:list": Entry(ADMINS, url_kwargs={"kind": "levels-of-need"}),
    "cases:list-add": Entry(ADMINS, url_kwargs={"kind": "closure-reasons"}),
    "cases:list-entry": Entry(ADMINS, make=_level_of_need,
                              kwargs=lambda o: {"kind": "levels-of-need", "public_id": o.public_id}),
    "data-exports": Entry(ADMINS),
    "data-export-download": Entry(ADMINS, make=_data_export),
    "api-client-add": Entry(ADMINS),
    "api-client-created": Entry(ADMINS, make=lambda tenant, member: _api_client(tenant, member)),
    "api-client-revoke": Entry(ADMINS, method="post", make=lambda tenant, member: _api_client(tenant, member)),
    # A partner practitioner sees only cases they are on (tests/partners/test_partner_practitioners.py: the one
    # they are on 200, another council's 404): a case the sweep's fresh partner user is not on is not found.
    "cases:partner-caseload": Entry({Role.PARTNER}),
    "cases:partner-case": Entry({Role.PARTNER}, make=_case, per_role={Role.PARTNER: {404}}),
    "cases:taf-partner-link": Entry(CASE_EDITORS, make=_case),
    "cases:support-request-new": Entry(CASE_EDITORS, make=_case),
    # Answered by the service's provider users or its partner (tests/partners/test_support_requests.py: own 200,
    # another council's 404); the sweep's fresh provider or partner user answers for no service: not found.
    "cases:support-requests": Entry({Role.PROVIDER, Role.PARTNER}),
    "cases:support-request": Entry({Role.PROVIDER, Role.PARTNER}, make=lambda tenant, member: _support(tenant),
                                   per_role={Role.PROVIDER: {404}, Role.PARTNER: {404}}),
    "partners": Entry(ADMINS),
    "partner-add": Entry(ADMINS),
    "partner-detail": Entry(ADMINS, make=_partner),
    "sharing-settings": Entry(ADMINS),
    "agreements": Entry(ADMINS),
    "agreement-add": Entry(ADMINS),
    "agreement-detail": Entry(ADMINS, make=_agreement),
    "agreement-signed-copy": Entry(ADMINS, make=_agreement),
    "reporting:report-list": Entry(REPORTERS),
    "reporting:report-create": Entry(REPORTERS),
    "reporting:report-detail": Entry(REPORTERS, make=_report),
    "reporting:report-edit": Entry(REPORTERS, make=_report),
    "reporting:report-arrange": Entry(REPORTERS, method="post", make=_report),
    "reporting:report-render": Entry(REPORTERS, method="post", make=_report),
    "reporting:run-detail": Entry(REPORTERS, make=_run),
    "reporting:run-retry": Entry(REPORTERS, method="post", make=_run),
    "reporting:run-download": Entry(REPORTERS, make=_run, ok={200, 404}),  # 404 while it has no PDF
    "reporting:run-html": Entry(REPORTERS, make=_rendered_run),
    "reporting:run-html-download": Entry(REPORTERS, make=_rendered_run),
    "reporting:run-publish": Entry(REPORTERS, make=_rendered_run),
    "reporting:publication-withdraw": Entry(REPORTERS, method="post", make=_publication),
    "reporting:run-figures": Entry(REPORTERS, make=_rendered_run),
    "reporting:indicators": Entry(REPORTERS),
    "reporting:unit-costs": Entry(REPORTERS),
    "reporting:unit-cost-new": Entry(REPORTERS),
    "reporting:unit-cost-edit": Entry(REPORTERS, make=lambda tenant, member: _unit_cost(tenant, member)),
    "commissioning:dashboard": Entry(VIEWERS),
    "commissioning:my-services": Entry(SUBMITTERS),
    "commissioning:provider-new": Entry(COMMISSIONERS),
    "commissioning:provider-edit": Entry(COMMISSIONERS, make=_provider,
                                         kwargs=lambda o: {"provider_id": o.public_id}),
    "commissioning:provider-users": Entry(COMMISSIONERS, make=_provider,
                                          kwargs=lambda o: {"provider_id": o.public_id}),
    "commissioning:provider-user-unlink": Entry(
        COMMISSIONERS, method="post", make=_provider_link,
        kwargs=lambda o: {"provider_id": o.provider.public_id, "membership_id": o.membership.public_id}),
    "commissioning:service-new": Entry(COMMISSIONERS),
    "commissioning:service": Entry(VIEWERS | {Role.PROVIDER}, make=_service, kwargs=_service_kwargs,
                                   per_role=PROVIDER_NOT_LINKED),
    "commissioning:service-edit": Entry(COMMISSIONERS, make=_service, kwargs=_service_kwargs),
    "commissioning:kpi-new": Entry(COMMISSIONERS, make=_service, kwargs=_service_kwargs),
    "commissioning:kpi-edit": Entry(COMMISSIONERS, make=_kpi,
                                    kwargs=lambda o: {"service_id": o.service.public_id, "kpi_id": o.public_id}),
    "commissioning:review-new": Entry(COMMISSIONERS, make=_service, kwargs=_service_kwargs),
    "commissioning:return": Entry(VIEWERS | {Role.PROVIDER}, make=_service, kwargs=_quarter_kwargs,
                                  per_role=PROVIDER_NOT_LINKED),
    "commissioning:return-upload": Entry(SUBMITTERS, method="post", make=_service, kwargs=_quarter_kwargs,
                                         ok={200, 302, 400}, per_role=PROVIDER_NOT_LINKED),
    "commissioning:return-template": Entry(
        VIEWERS | {Role.PROVIDER}, make=_service, per_role=PROVIDER_NOT_LINKED,
        kwargs=lambda o: {"service_id": o.public_id, "quarter": "2014-q1", "file_format": "csv"}),
    "commissioning:import-job": Entry(VIEWERS | {Role.PROVIDER}, make=_import_job, per_role=PROVIDER_NOT_LINKED,
                                      kwargs=lambda o: {"job_id": o.public_id}),
    "commissioning:return-action": Entry(SUBMITTERS, method="post", make=_return, per_role=PROVIDER_NOT_LINKED,
                                         kwargs=lambda o: {"return_id": o.public_id, "action": "submit"}),
    "outcomes:library": Entry(ADMINS),
    "outcomes:library-tags": Entry(ADMINS, method="post", ok={200, 302, 400}),
    "outcomes:library-version": Entry(ADMINS, method="post", ok={200, 302, 400}),
    "outcomes:library-switch": Entry(ADMINS, method="post", ok={302}),
    "outcomes:dashboard": Entry(STATS_VIEWERS),
    "outcomes:cases": Entry(CASE_VIEWERS),
    "outcomes:case": Entry(CASE_VIEWERS, make=_case),
    "outcomes:reading-new": Entry(CASE_EDITORS, make=_case),
    "outcomes:family-outcomes": Entry(CASE_EDITORS, make=_case),
    "outcomes:enrol": Entry(CASE_EDITORS, make=_case),
    "outcomes:programme": Entry(CASE_VIEWERS),
    "outcomes:claims": Entry(CASE_VIEWERS),
    "outcomes:enrolment": Entry(CASE_VIEWERS, make=_enrolment),
    "outcomes:evidence-new": Entry(CASE_EDITORS, make=_need,
                                   kwargs=lambda o: {"public_id": o.enrolment.public_id, "need_id": o.public_id}),
    "outcomes:need-new": Entry(CASE_EDITORS, make=_enrolment),
    "outcomes:claim-new": Entry({Role.TEAM_MANAGER}, make=_enrolment),
    "outcomes:claim": Entry(CASE_VIEWERS, make=_claim),
    "outcomes:claim-submit": Entry({Role.TEAM_MANAGER}, make=_claim),
    "outcomes:claim-decide": Entry({Role.TEAM_MANAGER}, make=_claim),
    "outcomes:tools": Entry(ADMINS),
    "outcomes:tool-new": Entry(ADMINS),
    "outcomes:tool": Entry(ADMINS, make=_tool),
    "outcomes:tool-active": Entry(ADMINS, method="post", make=_tool),
}


def _named_urls(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            if ns in EXEMPT_NAMESPACES or str(pattern.pattern).startswith("api/"):
                continue
            yield from _named_urls(pattern, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_is_declared():
    undeclared = sorted(n for n in set(_named_urls()) if n not in SWEEP and n not in EXEMPT)
    assert undeclared == [], f"add these URLs to the isolation sweep: {undeclared}"


@pytest.mark.parametrize("name", sorted(SWEEP))
def test_each_role_gets_what_the_table_says(name, tenant_a, tenant_b, member, client):
    entry = SWEEP[name]
    own = entry.make(tenant_a, member) if entry.make else None
    foreign = entry.make(tenant_b, member) if entry.make else None

    def url(obj):
        if obj is None:
            return reverse(name, kwargs=entry.url_kwargs)
        kwargs = entry.kwargs(obj) if entry.kwargs else {"public_id": obj.public_id}
        return reverse(name, kwargs=kwargs)

    for role in sorted(ALL_ROLES):
        user = member(tenant_a, role=role, username=f"sweep-{role}")
        client.force_login(user)
        status = getattr(client, entry.method)(url(own)).status_code
        if role in entry.per_role:
            assert status in entry.per_role[role], f"{name} as {role}: {status}"
        elif role in entry.roles:
            assert status in entry.ok, f"{name} as {role}: {status}"
            if foreign is not None:
                status = getattr(client, entry.method)(url(foreign)).status_code
                assert status == 404, f"{name} as {role} on another tenant's object: {status}"
        else:
            assert status == 403, f"{name} as {role} (not allowed): {status}"
        client.logout()
