"""The outcomes pages: alice (a practitioner) records readings and family outcomes; bob (a commissioner, same
authority) may not see them (403) but sees the dashboard; an outsider from another authority gets 404."""


import pytest
from django.urls import reverse

from cases.tests.helpers import D, close, open_case, team_for
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from outcomes import services
from outcomes.models import CaseFamilyOutcome, DistanceTool, Reading

from .helpers import reading


@pytest.fixture
def world(tenant_a, tenant_b, member):
    alice = member(tenant_a, Role.PRACTITIONER, username="alice")
    team = team_for(tenant_a, alice)
    with tenant_context(tenant_a):
        services.outcomes_defaults_ensure(tenant=tenant_a)
        case = open_case(lead=alice, team=team, received_on=D(2024, 4, 2), opened_on=D(2024, 4, 5))
    return {"alice": alice, "case": case, "bob": member(tenant_a, Role.COMMISSIONER, username="bob"),
            "outsider": member(tenant_b, Role.PRACTITIONER, username="outsider")}


def _url(name, case):
    return reverse(f"outcomes:{name}", kwargs={"public_id": case.public_id})


def test_alice_previews_then_saves_a_spider_graph_reading(world, sign_in, tenant_a):
    client = sign_in(world["alice"])
    url = _url("reading-new", world["case"]) + "?tool=spider-graph"
    page = client.get(url)
    assert page.status_code == 200 and b"Routines and boundaries" in page.content
    data = {"stage": "start", "taken_on": "2024-04-10", "score_routines": "3", "score_parenting": "5",
            "notes": "Mum wants help with bedtimes"}
    preview = client.post(url, {**data, "action": "preview"})
    assert preview.status_code == 200 and b"Not saved yet" in preview.content
    assert b"data:image/svg+xml;base64," in preview.content
    with tenant_context(tenant_a):
        assert not Reading.objects.exists()
    saved = client.post(url, {**data, "action": "save"})
    assert saved.status_code == 302
    with tenant_context(tenant_a):
        r = Reading.objects.get()
        assert dict(r.scores.values_list("area__key", "score")) == {"routines": 3, "parenting": 5}
    page = client.get(_url("case", world["case"]))
    assert page.status_code == 200 and b"Mum wants help with bedtimes" in page.content
    assert b"data:image/svg+xml;base64," in page.content


def test_a_score_outside_the_scale_is_shown_in_the_error_summary(world, sign_in, tenant_a):
    client = sign_in(world["alice"])
    url = _url("reading-new", world["case"]) + "?tool=spider-graph"
    page = client.post(url, {"stage": "start", "taken_on": "2024-04-10", "score_routines": "11", "action": "save"})
    assert page.status_code == 200 and b"There is a problem" in page.content
    page = client.post(url, {"stage": "review", "taken_on": "2024-04-10", "score_routines": "4", "action": "save"})
    assert b"Record the start reading first" in page.content


def test_the_tool_choice_lists_the_tenants_tools(world, sign_in):
    page = sign_in(world["alice"]).get(_url("reading-new", world["case"]))
    assert b"Spider graph" in page.content and b"Wellbeing web" in page.content


def test_family_outcomes_are_recorded_once_the_case_is_closed(world, sign_in, tenant_a):
    client = sign_in(world["alice"])
    url = _url("family-outcomes", world["case"])
    refused = client.post(url, {"outcome_parenting": "improved"})
    assert b"close the case first" in refused.content
    with tenant_context(tenant_a):
        close(world["case"], closed_on=D(2024, 6, 1))
    assert client.post(url, {"outcome_parenting": "improved", "outcome_housing": "worse"}).status_code == 302
    with tenant_context(tenant_a):
        assert dict(CaseFamilyOutcome.objects.values_list("outcome__code", "progress")) == {
            "parenting": "improved", "housing": "worse"}


def test_the_dashboard_shows_aggregates_and_no_child(world, sign_in, tenant_a):
    with tenant_context(tenant_a):
        sp = DistanceTool.objects.get(code="spider-graph")
        reading(world["case"], sp, "start", D(2024, 4, 10), routines=2)
    client = sign_in(world["bob"])
    page = client.get(reverse("outcomes:dashboard"), {"quarter": "2024-04-01"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Is anyone better off?" in text and "2024/25 Q1" in text and "2023/24 Q1" in text
    assert "data:image/svg+xml;base64," in text and "Getting a good education" not in text  # nobody enrolled
    assert "Ada" not in text and "Ashby" not in text  # no child or family name


@pytest.mark.parametrize("name", ["case", "reading-new", "family-outcomes"])
def test_outsiders_get_404_and_roles_without_child_records_403(world, sign_in, name):
    url = _url(name, world["case"])
    assert sign_in(world["bob"]).get(url).status_code == 403
    assert sign_in(world["outsider"]).get(url).status_code == 404


def test_a_practitioner_cannot_see_the_dashboard(world, sign_in):
    assert sign_in(world["alice"]).get(reverse("outcomes:dashboard")).status_code == 403


def test_percent_rounds_half_up_once():
    from outcomes.templatetags.outcomes_tags import percent

    assert (percent(1, 8), percent(1, 8, 1), percent(2, 3), percent(0, 0)) == ("13%", "12.5%", "67%", "–")
