"""Tool set-up pages: ada (a tenant administrator) creates a tool and revises its areas; a change to a tool
with readings makes a new version. Practitioners and performance officers get 403; another authority's
administrator gets 404 for the tool."""

import pytest
from django.urls import reverse

from cases.tests.helpers import D, open_case, team_for
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from outcomes import services
from outcomes.forms import parse_areas
from outcomes.models import DistanceTool

from .helpers import reading

NEW_TOOL = {"name": "Teen wellbeing", "code": "teen-wellbeing", "subject": "child", "scale_min": "0",
            "scale_max": "4", "higher_is_better": "", "areas": "Worry\nSleep\nfriends | Friendships\n",
            "description": "Lower is better: 0 is no worry."}


@pytest.fixture
def world(tenant_a, tenant_b, member):
    with tenant_context(tenant_a):
        services.outcomes_defaults_ensure(tenant=tenant_a)
    return {"ada": member(tenant_a, Role.TENANT_ADMIN, username="ada"),
            "alice": member(tenant_a, Role.PRACTITIONER, username="alice"),
            "paul": member(tenant_a, Role.PERFORMANCE_OFFICER, username="paul"),
            "outsider": member(tenant_b, Role.TENANT_ADMIN, username="outsider"), "tenant": tenant_a}


def test_areas_are_read_one_a_line_with_an_optional_key():
    assert parse_areas(" Worry \n\nfriends | Friendships\n| Sleep\n") == ["Worry", ("friends", "Friendships"), "Sleep"]


def test_ada_creates_a_tool_and_sees_it_listed(world, sign_in):
    client = sign_in(world["ada"])
    assert b"Spider graph" in client.get(reverse("outcomes:tools")).content
    assert client.get(reverse("outcomes:tool-new")).status_code == 200
    response = client.post(reverse("outcomes:tool-new"), NEW_TOOL)
    with tenant_context(world["tenant"]):
        tool = DistanceTool.objects.get(code="teen-wellbeing")
        areas = list(tool.versions.get().areas.values_list("key", "label"))
    assert response.status_code == 302 and response["Location"] == reverse("outcomes:tool",
                                                                           kwargs={"public_id": tool.public_id})
    assert not tool.higher_is_better and (tool.scale_min, tool.scale_max) == (0, 4)
    assert areas == [("worry", "Worry"), ("sleep", "Sleep"), ("friends", "Friendships")]
    page = client.get(response["Location"]).content.decode()
    assert "Version 1 (current)" in page and "friends | Friendships" in page
    assert "Teen wellbeing" in client.get(reverse("outcomes:tools")).content.decode()


def test_errors_are_summarised(world, sign_in):
    client = sign_in(world["ada"])
    page = client.post(reverse("outcomes:tool-new"), {**NEW_TOOL, "scale_max": "0", "areas": "One\nTwo"})
    assert page.status_code == 200 and b"There is a problem" in page.content
    assert b"The top of the scale must be above the bottom" in page.content
    page = client.post(reverse("outcomes:tool-new"), {**NEW_TOOL, "code": "spider-graph"})
    assert b"A tool with this short name already exists" in page.content
    page = client.post(reverse("outcomes:tool-new"), {**NEW_TOOL, "areas": "One\nTwo"})
    assert b"at least three areas" in page.content
    with tenant_context(world["tenant"]):
        assert not DistanceTool.objects.filter(code="teen-wellbeing").exists()


def test_revising_a_tool_with_readings_makes_a_new_version(world, sign_in, member):
    client = sign_in(world["ada"])
    team = team_for(world["tenant"], world["alice"])
    with tenant_context(world["tenant"]):
        tool = DistanceTool.objects.get(code="spider-graph")
        keys = list(tool.versions.get().areas.values_list("key", flat=True))
    url = reverse("outcomes:tool", kwargs={"public_id": tool.public_id})
    unused = client.post(url, {"areas": "routines | Routines at home\nparenting | Parenting\nhealth | Health"})
    assert unused.status_code == 302
    with tenant_context(world["tenant"]):
        assert tool.versions.count() == 1  # no readings yet: changed in place
        case = open_case(lead=world["alice"], team=team, received_on=D(2024, 4, 2), opened_on=D(2024, 4, 5))
        old = reading(case, tool, "start", D(2024, 4, 10), routines=3)
    assert "routines | Routines at home" in client.get(url).content.decode()
    too_few = client.post(url, {"areas": "Only one"})
    assert too_few.status_code == 200 and b"There is a problem" in too_few.content
    revised = client.post(url, {"areas": "routines | Routines at home\nparenting | Parenting\nhealth | Health\n"
                                         "Sleep"})
    assert revised.status_code == 302
    with tenant_context(world["tenant"]):
        assert list(tool.versions.values_list("number", flat=True)) == [1, 2]
        old.refresh_from_db()
        assert old.version.number == 1
        assert list(tool.versions.get(number=2).areas.values_list("key", flat=True)) == [
            "routines", "parenting", "health", "sleep"]
    page = client.get(url).content.decode()
    assert "Version 2 (current)" in page and "1 reading, frozen" in page
    assert keys  # the template's areas were there to start with


def test_only_tenant_administrators_set_up_tools(world, sign_in):
    with tenant_context(world["tenant"]):
        tool = DistanceTool.objects.get(code="spider-graph")
    urls = [reverse("outcomes:tools"), reverse("outcomes:tool-new"),
            reverse("outcomes:tool", kwargs={"public_id": tool.public_id})]
    for url in urls:
        assert sign_in(world["ada"]).get(url).status_code == 200
        for name in ("alice", "paul"):
            assert sign_in(world[name]).get(url).status_code == 403
    assert sign_in(world["outsider"]).get(urls[2]).status_code == 404
    assert sign_in(world["outsider"]).post(urls[2], {"areas": "A\nB\nC"}).status_code == 404


def test_ada_switches_a_tool_off_and_on_and_its_readings_stay(world, sign_in):
    client = sign_in(world["ada"])
    with tenant_context(world["tenant"]):
        tool = DistanceTool.objects.get(code="spider-graph")
    url = reverse("outcomes:tool-active", kwargs={"public_id": tool.public_id})
    assert client.get(url).status_code == 405
    response = client.post(url, {"active": "off"}, follow=True)
    assert "switched off" in response.content.decode()
    with tenant_context(world["tenant"]):
        tool.refresh_from_db()
        assert not tool.is_active
    alice = sign_in(world["alice"])
    with tenant_context(world["tenant"]):
        case = open_case(lead=world["alice"], team=team_for(world["tenant"], world["alice"]),
                         received_on=D(2024, 1, 1), opened_on=D(2024, 1, 5))
    form = alice.get(reverse("outcomes:reading-new", kwargs={"public_id": case.public_id})).content.decode()
    assert "Spider graph" not in form
    sign_in(world["ada"]).post(url, {"active": "on"})
    with tenant_context(world["tenant"]):
        tool.refresh_from_db()
        assert tool.is_active
    alice = sign_in(world["alice"])
    assert "Spider graph" in alice.get(reverse("outcomes:reading-new", kwargs={"public_id": case.public_id})
                                       ).content.decode()


def test_only_this_authoritys_administrator_switches_tools(world, sign_in):
    with tenant_context(world["tenant"]):
        tool = DistanceTool.objects.get(code="spider-graph")
    url = reverse("outcomes:tool-active", kwargs={"public_id": tool.public_id})
    assert sign_in(world["paul"]).post(url, {"active": "off"}).status_code == 403
    assert sign_in(world["outsider"]).post(url, {"active": "off"}).status_code == 404
    with tenant_context(world["tenant"]):
        tool.refresh_from_db()
        assert tool.is_active
