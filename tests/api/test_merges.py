"""Merging through the API (``people:merge``): the duplicates queue, a merge and its undoing, through the same
services as the team managers' pages (cases.services.duplicates). Idempotent, audited, refused with a clear
problem and nothing written; another council's merge is not found, a member without a team manager's role and a
client without the scope are refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import Person, PersonMerge
from earlyhelp.models import AuditEvent
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from tests.api import makers
from tests.api.conftest import assert_problem

DUPLICATES = reverse("api:v1:duplicate-list")
MERGES = reverse("api:v1:person-merge-list")
UNMERGES = reverse("api:v1:person-unmerge-list")


@pytest.fixture
def merger(tenant_a, make_api_client, bearer):
    client, token = make_api_client(tenant_a, scopes=["people:merge"], name="Records team tool")
    return client, bearer(token)


def _body(pair):
    return {"survivor": str(pair.first.public_id), "merged": str(pair.second.public_id)}


def test_a_client_lists_the_pair_merges_it_idempotently_and_undoes_it(tenant_a, merger):
    client, api = merger
    pair = makers.duplicate_pair(tenant_a)
    listed = api.get(DUPLICATES).json()
    row = next(r for r in listed["results"] if r["id"] == str(pair.first.public_id))
    assert row["other"]["id"] == str(pair.second.public_id) and row["person"]["last_name"] == "Doubleday"
    assert row["score"] >= listed["at_least"] and row["reasons"]

    first = api.post(MERGES, _body(pair), format="json", HTTP_IDEMPOTENCY_KEY="merge-1")
    assert first.status_code == 201, first.content
    again = api.post(MERGES, _body(pair), format="json", HTTP_IDEMPOTENCY_KEY="merge-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    merge = first.json()
    assert merge["survivor"] == str(pair.first.public_id) and merge["merged_by"] is None and not merge["is_undone"]
    with tenant_context(tenant_a):
        assert PersonMerge.objects.count() == 1 and not Person.objects.filter(pk=pair.second.pk).exists()
        event = AuditEvent.objects.get(action="person.merged")
        assert event.actor is None and event.actor_label == "API client Records team tool"
    assert api.get(reverse("api:v1:person-merge-detail", args=[merge["id"]])).json()["id"] == merge["id"]

    undone = api.post(UNMERGES, {"merge": merge["id"]}, format="json")
    assert undone.status_code == 201, undone.content
    assert undone.json()["restored"] == str(pair.second.public_id) and undone.json()["merge"]["is_undone"]
    body = assert_problem(api.post(UNMERGES, {"merge": merge["id"]}, format="json"), 400)
    assert "was already undone" in str(body)
    with tenant_context(tenant_a):
        assert Person.objects.filter(public_id=pair.second.public_id).exists()
        assert AuditEvent.objects.filter(action="person.unmerged").count() == 1


def test_a_merge_of_a_person_with_themselves_is_refused_and_nothing_written(tenant_a, merger):
    _, api = merger
    pair = makers.duplicate_pair(tenant_a)
    body = assert_problem(api.post(MERGES, {"survivor": str(pair.first.public_id),
                                            "merged": str(pair.first.public_id)}, format="json"), 400)
    assert "cannot be merged with themselves" in str(body)
    with tenant_context(tenant_a):
        assert not PersonMerge.objects.exists() and not AuditEvent.objects.filter(action="person.merged").exists()


def test_another_councils_merge_is_not_found_and_its_people_do_not_exist(tenant_a, tenant_b, merger):
    _, api = merger
    theirs = makers.person_merge(tenant_b)
    assert_problem(api.get(reverse("api:v1:person-merge-detail", args=[theirs.public_id])), 404)
    assert_problem(api.post(UNMERGES, {"merge": str(theirs.public_id)}, format="json"), 400)
    pair = makers.duplicate_pair(tenant_b)
    assert_problem(api.post(MERGES, _body(pair), format="json"), 400)
    with tenant_context(tenant_b):
        assert PersonMerge.objects.filter(undone_at__isnull=True).count() == 1


def test_a_member_needs_a_team_managers_role_and_a_client_the_scope(tenant_a, member, session_api, make_api_client,
                                                                    bearer):
    pair = makers.duplicate_pair(tenant_a)
    practitioner = session_api(member(tenant_a, Role.PRACTITIONER, username="pat"))
    practitioner.handler.enforce_csrf_checks = False
    assert_problem(practitioner.get(DUPLICATES), 403, "missing_scope")
    assert_problem(practitioner.post(MERGES, _body(pair), format="json"), 403, "missing_scope")
    _, token = make_api_client(tenant_a, scopes=["cases:read", "referrals:write"])
    assert_problem(bearer(token).post(MERGES, _body(pair), format="json"), 403, "missing_scope")

    manager = session_api(member(tenant_a, Role.TEAM_MANAGER, username="maud"))
    manager.handler.enforce_csrf_checks = False
    response = manager.post(MERGES, _body(pair), format="json")
    assert response.status_code == 201 and response.json()["merged_by"]
