"""Screens: alice (commissioner) uses them; bob (a practitioner) gets 403; another tenant's commissioner gets 404;
a provider user sees only their own provider's services (another provider's are 404)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from commissioning import services
from commissioning.models import CommissionedService, KpiReturn, Provider, ServiceReview
from commissioning.tests.conftest import Q1, csv_file, good_rows
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context


@pytest.fixture
def kpi_return(tenant_a, commissioner, steps):
    with tenant_context(tenant_a):
        outcome = services.return_import(by=commissioner, service=steps, quarter=Q1,
                                         data=csv_file(good_rows()), filename="r.csv")
        return services.return_submit(by=commissioner, kpi_return=outcome.kpi_return)


def object_urls(service, kpi_return):
    s = service.public_id
    kpi = service.kpis.model.all_tenants.filter(service=service).first()
    return [
        reverse("commissioning:service", args=[s]),
        reverse("commissioning:service-edit", args=[s]),
        reverse("commissioning:kpi-new", args=[s]),
        reverse("commissioning:kpi-edit", args=[s, kpi.public_id]),
        reverse("commissioning:review-new", args=[s]),
        reverse("commissioning:return", args=[s, "2014-q1"]),
        reverse("commissioning:return-template", args=[s, "2014-q1", "csv"]),
        reverse("commissioning:return-template", args=[s, "2014-q1", "xlsx"]),
        reverse("commissioning:provider-edit", args=[service.provider.public_id]),
    ]


POSTS = ["submit", "accept", "query", "reopen"]


def test_the_commissioner_sees_every_screen(steps, kpi_return, sign_in, commissioner):
    client = sign_in(commissioner.user)
    for url in [reverse("commissioning:dashboard"), reverse("commissioning:my-services"),
                reverse("commissioning:provider-new"), reverse("commissioning:service-new"),
                *object_urls(steps, kpi_return)]:
        assert client.get(url).status_code == 200, url


def test_the_dashboard_shows_each_services_status_and_rag(steps, kpi_return, sign_in, commissioner):
    content = sign_in(commissioner.user).get(reverse("commissioning:dashboard"), {"quarter": "2014/15 Q1"})
    text = content.content.decode()
    assert "STEPS" in text and "Submitted" in text
    assert "2 green" in text  # 14/15 = 93% ≥ 80%; 17.5 days ≤ 28


def test_bob_without_the_role_gets_403_everywhere(tenant_a, member, steps, kpi_return, sign_in):
    client = sign_in(member(tenant_a, Role.PRACTITIONER, username="bob"))
    for url in [reverse("commissioning:dashboard"), reverse("commissioning:my-services"),
                reverse("commissioning:provider-new"), reverse("commissioning:service-new"),
                *object_urls(steps, kpi_return)]:
        assert client.get(url).status_code == 403, url
    upload = reverse("commissioning:return-upload", args=[steps.public_id, "2014-q1"])
    assert client.post(upload, {"file": csv_file(good_rows())}).status_code == 403
    for action in POSTS:
        url = reverse("commissioning:return-action", args=[kpi_return.public_id, action])
        assert client.post(url, {"comment": "x"}).status_code == 403


def test_another_tenants_commissioner_gets_404(tenant_b, member, steps, kpi_return, sign_in):
    client = sign_in(member(tenant_b, Role.COMMISSIONER, username="outsider"))
    for url in object_urls(steps, kpi_return):
        assert client.get(url).status_code == 404, url
    for action in POSTS:
        url = reverse("commissioning:return-action", args=[kpi_return.public_id, action])
        assert client.post(url, {"comment": "x"}).status_code == 404
    assert "STEPS" not in client.get(reverse("commissioning:dashboard")).content.decode()
    assert KpiReturn.all_tenants.get().status == "submitted"


def test_a_performance_officer_views_but_cannot_change(tenant_a, member, steps, kpi_return, sign_in):
    client = sign_in(member(tenant_a, Role.PERFORMANCE_OFFICER))
    assert client.get(reverse("commissioning:service", args=[steps.public_id])).status_code == 200
    assert client.get(reverse("commissioning:service-edit", args=[steps.public_id])).status_code == 403
    url = reverse("commissioning:return-action", args=[kpi_return.public_id, "accept"])
    assert client.post(url).status_code == 403


def test_a_provider_user_sees_only_their_own_services(
    provider_user, other_provider_user, steps, other_service, sign_in
):
    client = sign_in(provider_user.user)
    text = client.get(reverse("commissioning:my-services")).content.decode()
    assert "STEPS" in text and "Perpetrators programme" not in text
    assert client.get(reverse("commissioning:service", args=[steps.public_id])).status_code == 200
    assert client.get(reverse("commissioning:dashboard")).status_code == 403
    for url in [reverse("commissioning:service", args=[other_service.public_id]),
                reverse("commissioning:return", args=[other_service.public_id, "2014-q1"]),
                reverse("commissioning:return-template", args=[other_service.public_id, "2014-q1", "csv"])]:
        assert client.get(url).status_code == 404, url
    upload = reverse("commissioning:return-upload", args=[other_service.public_id, "2014-q1"])
    assert client.post(upload, {"file": csv_file(good_rows())}).status_code == 404


def test_a_provider_cannot_reach_another_providers_return(
    tenant_a, commissioner, provider_user, other_service, sign_in
):
    with tenant_context(tenant_a):
        rows = [["Perpetrators programme", "2014/15 Q1", "referrals", "", "3", "", "", ""]]
        other = services.return_import(by=commissioner, service=other_service, quarter=Q1,
                                       data=csv_file(rows), filename="r.csv").kpi_return
    url = reverse("commissioning:return-action", args=[other.public_id, "submit"])
    assert sign_in(provider_user.user).post(url).status_code == 404
    assert KpiReturn.all_tenants.get(pk=other.pk).status == "draft"


def test_the_provider_uploads_and_submits_in_the_browser(provider_user, steps, sign_in):
    client = sign_in(provider_user.user)
    upload = reverse("commissioning:return-upload", args=[steps.public_id, "2014-q1"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(upload, {"file": SimpleUploadedFile("r.csv", csv_file(good_rows()))})
    assert response.status_code == 302
    kpi_return = KpiReturn.all_tenants.get()
    response = client.post(reverse("commissioning:return-action", args=[kpi_return.public_id, "submit"]),
                           follow=True)
    assert "The return is now submitted" in response.content.decode()


def test_upload_problems_are_listed_by_row_and_column_in_the_browser(commissioner, steps, sign_in):
    from django.core.files.uploadedfile import SimpleUploadedFile

    rows = good_rows()
    rows[2][5] = "99"
    upload = reverse("commissioning:return-upload", args=[steps.public_id, "2014-q1"])
    response = sign_in(commissioner.user).post(upload, {"file": SimpleUploadedFile("r.csv", csv_file(rows))})
    text = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in text and "nothing was saved" in text
    assert "<td class=\"govuk-table__cell\">4</td><td class=\"govuk-table__cell\">numerator</td>" in text
    assert "the numerator (99) is larger than its base (15)" in text
    assert not KpiReturn.all_tenants.exists()


def test_the_commissioner_queries_with_a_comment_in_the_browser(steps, kpi_return, sign_in, commissioner):
    url = reverse("commissioning:return-action", args=[kpi_return.public_id, "query"])
    response = sign_in(commissioner.user).post(url, {"comment": "Please check the base"}, follow=True)
    assert "The return is now queried" in response.content.decode()
    assert "Please check the base" in response.content.decode()


def test_the_commissioner_creates_a_provider_a_service_a_kpi_and_a_review(commissioner, sign_in):
    client = sign_in(commissioner.user)
    assert client.post(reverse("commissioning:provider-new"), {"name": "Coram"}).status_code == 302
    provider = Provider.all_tenants.get(name="Coram")
    response = client.post(reverse("commissioning:service-new"), {
        "name": "Parenting programmes", "provider": provider.public_id, "commissioning_priority": "Parenting",
        "contract_start": "2014-04-01", "contract_end": "2016-03-31", "annual_value": "150000.00",
        "funding_partners": "Public Health", "return_due_days": "30",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    service = CommissionedService.all_tenants.get(name="Parenting programmes")
    response = client.post(reverse("commissioning:kpi-new", args=[service.public_id]), {
        "code": "behaviours", "label": "Better able to manage behaviours", "kind": "outcome",
        "target": "80", "red_threshold": "60", "higher_is_better": "on", "valid_from": "2014/15 Q1",
    })
    assert response.status_code == 302
    response = client.post(reverse("commissioning:review-new", args=[service.public_id]), {
        "started_on": "2014-11-03", "completed_on": "2015-02-20", "reviewers": "Commissioning team",
        "findings": "Outcomes delivered", "social_worker_comments": "Responsive",
    })
    assert response.status_code == 302
    assert ServiceReview.all_tenants.get().findings == "Outcomes delivered"


def test_form_errors_use_the_error_summary(commissioner, sign_in):
    response = sign_in(commissioner.user).post(reverse("commissioning:service-new"), {"name": ""})
    text = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in text and "Enter name" in text


def test_a_provider_from_another_tenant_cannot_be_chosen(tenant_b, commissioner, sign_in):
    foreign = Provider.all_tenants.create(tenant=tenant_b, name="Elsewhere")
    response = sign_in(commissioner.user).post(reverse("commissioning:service-new"), {
        "name": "X", "provider": foreign.public_id, "return_due_days": "30"})
    assert "Select a valid choice" in response.content.decode()
    assert not CommissionedService.all_tenants.filter(name="X").exists()
