"""Statistics with disclosure control, report runs (create, poll, download), and the cases reads' filters
and audit."""

from __future__ import annotations

import datetime as dt

import pytest

from commissioning import services as commissioning_services
from earlyhelp.models import AuditEvent
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from reporting.models import ReportRun
from tests.api import makers
from tests.api.conftest import assert_problem
from tests.factories import UserFactory

# ---------------------------------------------------------------------------------------------------- statistics


@pytest.fixture
def three_cases(tenant_a):
    return [makers.case(tenant_a, opened_on=dt.date(2024, 4, 20 + i)) for i in range(3)]


def test_small_case_counts_are_suppressed_for_stats_readers(tenant_a, make_api_client, bearer, three_cases):
    _, token = make_api_client(tenant_a, scopes=["stats:read"])
    body = bearer(token).get("/api/v1/stats/cases/", {"period": "2024/25 Q1"}).json()
    assert body["disclosure"] == {"applied": True, "threshold": 5, "suppressed_marker": "c"}
    assert body["cases_opened"] == "c" and body["referrals"] == "c"
    assert body["re_referrals"] == {"numerator": 0, "base": "c"}
    assert body["cases_closed"] == 0  # zero is not disclosive


def test_exempt_callers_get_every_figure(tenant_a, make_api_client, bearer, three_cases):
    _, token = make_api_client(tenant_a, scopes=["stats:read", "stats:exempt"])
    body = bearer(token).get("/api/v1/stats/cases/", {"period": "2024/25"}).json()
    assert body["disclosure"]["applied"] is False
    assert (body["cases_opened"], body["referrals"], body["period"]) == (3, 3, "2024/25")


def test_case_stats_for_a_team(tenant_a, make_api_client, bearer, three_cases):
    _, token = make_api_client(tenant_a, scopes=["stats:read", "stats:exempt"])
    team = three_cases[0].team
    body = bearer(token).get("/api/v1/stats/cases/", {"period": "2024/25 Q1", "team": str(team.public_id)}).json()
    assert body["cases_opened"] == 1 and body["team"] == str(team.public_id)


@pytest.mark.parametrize("query", [{}, {"period": "2024"}, {"period": "2024/26 Q1"}, {"period": "2024/25 Q1",
                                                                                         "team": "x"},
                                   {"period": "2024/25 Q1", "colour": "red"}])
def test_bad_stats_queries_get_400(tenant_a, make_api_client, bearer, query):
    _, token = make_api_client(tenant_a, scopes=["stats:read"])
    assert_problem(bearer(token).get("/api/v1/stats/cases/", query), 400)


def test_kpi_stats_suppress_small_counts_and_keep_bases(tenant_a, make_api_client, bearer):
    service = makers.service(tenant_a)
    commissioner = makers.membership(tenant_a, Role.COMMISSIONER)
    rows = [(2, {"service": service.name, "quarter": "2014/15 Q1", "kpi_code": "referrals", "value": "3"}),
            (3, {"service": service.name, "quarter": "2014/15 Q1", "kpi_code": "feeling-safer", "numerator": "14",
                 "base": "15"})]
    with tenant_context(tenant_a):
        outcome = commissioning_services.return_rows_import(by=commissioner, service=service,
                                                            quarter=makers.Q1_2014, rows=rows, source="test")
        kpi_return = commissioning_services.return_submit(by=commissioner, kpi_return=outcome.kpi_return)
        commissioning_services.return_accept(by=commissioner, kpi_return=kpi_return)
    _, token = make_api_client(tenant_a, scopes=["stats:read"])
    query = {"service": str(service.public_id), "quarters": "2014/15 Q1,2014/15 Q2"}
    body = bearer(token).get("/api/v1/stats/kpis/", query).json()
    cells = {row["code"]: row["cells"] for row in body["kpis"]}
    assert cells["referrals"][0]["amount"] == "c"
    assert (cells["feeling-safer"][0]["numerator"], cells["feeling-safer"][0]["base"]) == (14, 15)
    assert cells["feeling-safer"][1]["reported"] is False
    assert body["quarters"] == ["2014/15 Q1", "2014/15 Q2"]


def test_kpi_stats_with_a_bad_quarter_get_400(tenant_a, make_api_client, bearer):
    service = makers.service(tenant_a)
    _, token = make_api_client(tenant_a, scopes=["stats:read"])
    body = assert_problem(bearer(token).get("/api/v1/stats/kpis/", {"service": str(service.public_id),
                                                                     "quarters": "2014/15 Q5"}), 400)
    assert body["errors"][0]["pointer"] == "/quarters"


# ---------------------------------------------------------------------------------------------------- report runs


def test_a_client_starts_a_run_polls_it_and_downloads_the_pdf(tenant_a, make_api_client, bearer):
    admin = UserFactory()
    report = makers.report(tenant_a)
    _, token = make_api_client(tenant_a, scopes=["reports:write", "reports:read"], created_by=admin)
    api = bearer(token)
    response = api.post("/api/v1/report-runs/", {"report": str(report.public_id)}, format="json")
    assert response.status_code == 201, response.content
    run = response.json()
    assert (run["status"], run["pdf_available"]) == ("queued", False)
    assert_problem(api.get(f"/api/v1/report-runs/{run['id']}/pdf/"), 404)
    with tenant_context(tenant_a):
        made = ReportRun.objects.get(public_id=run["id"])
        assert made.requested_by == admin
        from django.core.files.base import ContentFile

        made.pdf.save(f"reports/test/{made.public_id}.pdf", ContentFile(makers.PDF_BYTES), save=False)
        made.status, made.progress, made.snapshot_sha256 = ReportRun.Status.DONE, 100, "ab" * 32
        made.save()
    polled = api.get(f"/api/v1/report-runs/{run['id']}/").json()
    assert polled["progress"] == 100 and polled["snapshot_sha256"] == "ab" * 32  # to check the PDF's last page
    pdf = api.get(f"/api/v1/report-runs/{run['id']}/pdf/", HTTP_ACCEPT="application/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content) == makers.PDF_BYTES
    assert AuditEvent.all_tenants.filter(action="report_run.downloaded", tenant=tenant_a).exists()


def test_a_client_without_a_responsible_user_cannot_start_runs(tenant_a, make_api_client, bearer):
    report = makers.report(tenant_a)
    _, token = make_api_client(tenant_a, scopes=["reports:write"])
    response = bearer(token).post("/api/v1/report-runs/", {"report": str(report.public_id)}, format="json")
    assert_problem(response, 422, "no_responsible_user")
    with tenant_context(tenant_a):
        assert not ReportRun.objects.exists()


# ---------------------------------------------------------------------------------------------------- cases reads


def test_cases_filter_by_status_team_and_dates(tenant_a, make_api_client, bearer, three_cases):
    from cases.tests.helpers import close

    with tenant_context(tenant_a):
        close(three_cases[0], closed_on=dt.date(2024, 9, 1))
    _, token = make_api_client(tenant_a, scopes=["cases:read"])
    api = bearer(token)

    def ids(**query):
        return {row["id"] for row in api.get("/api/v1/cases/", query).json()["results"]}

    first, second, third = (str(c.public_id) for c in three_cases)
    assert ids() == {first, second, third}
    assert ids(status="closed") == {first}
    assert ids(status="open") == {second, third}
    assert ids(team=str(three_cases[1].team.public_id)) == {second}
    assert ids(opened_from="2024-04-21", opened_to="2024-04-21") == {second}
    assert ids(closed_from="2024-08-01", closed_to="2024-09-30") == {first}
    assert_problem(api.get("/api/v1/cases/", {"status": "maybe"}), 400)
    assert_problem(api.get("/api/v1/cases/", {"opened_from": "yesterday"}), 400)


def test_child_level_reads_are_audited(tenant_a, make_api_client, bearer):
    kid = makers.child(tenant_a)
    client, token = make_api_client(tenant_a, scopes=["cases:read"])
    api = bearer(token)
    assert api.get(f"/api/v1/people/{kid.public_id}/").json()["first_name"] == "Ada"
    api.get("/api/v1/people/")
    viewed = AuditEvent.all_tenants.get(action="person.viewed", tenant=tenant_a)
    assert viewed.object_public_id == str(kid.public_id) and viewed.actor_label == f"API client {client.name}"
    listed = AuditEvent.all_tenants.filter(action="api.request", tenant=tenant_a).order_by("id").last()
    assert listed.detail["object_ids"] == [str(kid.public_id)]


def test_a_commissioner_session_cannot_read_child_records(tenant_a, member, session_api):
    api = session_api(member(tenant_a, Role.COMMISSIONER, username="carol"))
    body = assert_problem(api.get("/api/v1/cases/"), 403, "missing_scope")
    assert body["missing_scopes"] == ["cases:read"]


def test_a_signed_in_members_api_read_is_audited_as_them_through_by(tenant_a, member, session_api):
    """The API names its caller one way, ``ApiCaller.by`` (a client or a membership), as every service does:
    the older ``actor``/``actor_label`` pair is gone and a member's read is still recorded against them."""
    from earlyhelp.api.caller import ApiCaller

    assert not hasattr(ApiCaller, "actor") and not hasattr(ApiCaller, "actor_label")
    kid = makers.child(tenant_a)
    ann = member(tenant_a, Role.PRACTITIONER, username="ann")
    assert session_api(ann).get(f"/api/v1/people/{kid.public_id}/").status_code == 200
    viewed = AuditEvent.all_tenants.get(action="person.viewed", tenant=tenant_a)
    assert (viewed.actor, viewed.actor_label, viewed.object_public_id) == (ann, "", str(kid.public_id))
