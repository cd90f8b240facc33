"""Forms that help: the error summary links to the fields, hints are announced, and no error is read twice.
Issue #19: summary links went to ``#``; fields pointed aria-describedby at ``id_<field>_helptext`` while the hint's
id was ``id_<field>-hint``; the per-need closure errors read "This field is required." twice."""

import pytest
from django.urls import reverse

from cases import services
from cases.tests.helpers import D, child, need, open_case, team_for
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from tests.factories import acting

from .html import assert_form_page_is_accessible


@pytest.fixture
def alice(tenant_a, member):
    return member(tenant_a, Role.PRACTITIONER, username="alice")


@pytest.fixture
def case_with_two_needs(tenant_a, alice):
    team = team_for(tenant_a, alice, "North Early Help Team")
    with tenant_context(tenant_a):
        case = open_case(lead=alice, team=team, kid=child(first="Ada", last="Ashby"))
        assessment = services.assessment_start(case=case, started_on=D(2024, 4, 25), by=acting())
        services.assessment_complete(assessment=assessment, completed_on=D(2024, 5, 1),
                                     needs=[need("PARENTING"), need("ATTENDANCE")], by=acting())
    return case


def test_closure_errors_link_to_their_fields_and_each_need_is_named(alice, case_with_two_needs, sign_in):
    response = sign_in(alice).post(reverse("cases:close", args=[case_with_two_needs.public_id]),
                                   {"closed_on": "", "summary": ""})
    assert response.status_code == 200
    page = assert_form_page_is_accessible(response.content.decode())
    hrefs = [href for href, _ in page.summary_links]
    assert "#id_judgement_0" in hrefs and "#id_closed_on" in hrefs


def test_hints_are_announced_and_errors_described(tenant_a, member, sign_in):
    commissioner = member(tenant_a, Role.COMMISSIONER, username="carol")
    from commissioning import services as commissioning_services
    from earlyhelp.models import Membership

    with tenant_context(tenant_a):
        by = Membership.all_tenants.get(user=commissioner, tenant=tenant_a)
        provider = commissioning_services.provider_create(by=by, name="Women's Aid")
        service = commissioning_services.service_create(by=by, name="STEPS", provider=provider)
    url = reverse("commissioning:kpi-new", args=[service.public_id])
    client = sign_in(commissioner)
    blank = client.get(url).content.decode()
    assert 'aria-describedby="id_code-hint"' in blank and 'id="id_code-hint"' in blank
    response = client.post(url, {"code": "not a slug!", "label": ""})
    page = assert_form_page_is_accessible(response.content.decode())
    assert ("id_code", "id_code-hint id_code-error") in page.described


def test_each_need_error_is_said_once_and_names_the_need(alice, case_with_two_needs, sign_in):
    response = sign_in(alice).post(reverse("cases:close", args=[case_with_two_needs.public_id]), {"summary": ""})
    page = assert_form_page_is_accessible(response.content.decode())
    texts = [text for _, text in page.summary_links]
    assert "Select the progress made with 'Parenting and family relationships'" in texts
    assert "This field is required." not in texts
    assert sorted(page.error_messages) == sorted(texts)  # the same words beside each field, once


def test_allocation_offers_only_the_teams_staff(tenant_a, member, alice, sign_in):
    from cases.tests.helpers import consent, level, referral

    marcus = member(tenant_a, Role.TEAM_MANAGER, username="marcus")
    bea = member(tenant_a, Role.PRACTITIONER, username="bea", user__first_name="Bea", user__last_name="Outside")
    north = team_for(tenant_a, alice, "North")
    team_for(tenant_a, bea, "South")
    with tenant_context(tenant_a):
        marcus.memberships.get().teams.add(north)
        kid = child()
        consent(kid.family)
        case = services.case_open(referral=referral([kid]), team=north, level_of_need=level(2),
                                  opened_on=D(2024, 4, 20), by=acting())
    page = sign_in(marcus).get(reverse("cases:allocate", args=[case.public_id])).content.decode()
    assert f'value="{alice.pk}"' in page and f'value="{marcus.pk}"' in page
    assert f'value="{bea.pk}"' not in page and "Outside" not in page
