"""Casework follows the whole family: a case covers the children chosen from its family, plan goals name the
family members they are for and the National Framework outcome they serve, and the family page shows one
chronology across the family's cases and referrals. alice (practitioner) works the case; bob (a commissioner of
the same council) gets 403; an outsider (a practitioner of another council) gets 404."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases import selectors, services
from cases.models import Case, PlanAction, Referral
from earlyhelp.models import AuditEvent, Membership
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from tests.factories import acting

from .helpers import D, child, close, open_case, referral, team_for


@pytest.fixture
def alice(tenant_a, member):
    return member(tenant_a, Role.PRACTITIONER, username="alice")


@pytest.fixture
def bob(tenant_a, member):
    return member(tenant_a, Role.COMMISSIONER, username="bob")


@pytest.fixture
def outsider(tenant_b, member):
    return member(tenant_b, Role.PRACTITIONER, username="outsider")


def _by(tenant, user) -> Membership:
    return Membership.all_tenants.get(tenant=tenant, user=user)


@pytest.fixture
def family_case(tenant_a, alice):
    """The Ashby family: Ada (in the case), her brother Ben (not yet), their mother Cara; and the Dunn family's
    Dora, who is no one in the case."""
    team = team_for(tenant_a, alice, "North Early Help Team")
    with tenant_context(tenant_a):
        ada = child(first="Ada", last="Ashby")
        ben = services.person_create(family=ada.family, first_name="Ben", last_name="Ashby",
                                     date_of_birth=D(2017, 6, 2), by=acting())
        cara = services.person_create(family=ada.family, first_name="Cara", last_name="Ashby", kind="adult",
                                      date_of_birth=D(1990, 1, 9), relationship="mother", by=acting())
        dora = child(first="Dora", last="Dunn", postcode="NB2 2BB")
        case = open_case(lead=alice, team=team, kid=ada)
        plan = services.plan_create(case=case, created_on=D(2024, 5, 1), by=acting())
    case.people = {"ada": ada, "ben": ben, "cara": cara, "dora": dora}
    case.plan = plan
    return case


# ------------------------------------------------------------------------------------------------ services


def test_a_goal_names_the_family_members_it_is_for_and_its_national_framework_outcome(tenant_a, alice,
                                                                                    family_case):
    p = family_case.people
    with tenant_context(tenant_a):
        goal = services.plan_goal_add(plan=family_case.plan, description="Ben attends school every day",
                                      owner="Cara and the school", due_on=D(2024, 7, 1), nf_outcome="stay_together",
                                      people=[p["ben"], p["cara"]], by=_by(tenant_a, alice))
        assert goal.nf_outcome == "stay_together"
        assert set(goal.people.all()) == {p["ben"], p["cara"]}
        event = AuditEvent.objects.get(action="plan.action_added")
        assert event.actor == alice and event.detail["nf_outcome"] == "stay_together"


def test_a_goal_for_someone_outside_the_family_is_refused_and_nothing_is_written(tenant_a, alice, family_case):
    with tenant_context(tenant_a):
        with pytest.raises(ValidationError) as error:
            services.plan_goal_add(plan=family_case.plan, description="Play date", owner="Cara",
                                   due_on=D(2024, 7, 1), people=[family_case.people["dora"]],
                                   by=_by(tenant_a, alice))
        assert "Dora Dunn is not in" in str(error.value)
        assert not PlanAction.objects.exists()


def test_a_goal_with_an_unknown_national_framework_outcome_is_refused(tenant_a, alice, family_case):
    with tenant_context(tenant_a):
        with pytest.raises(ValidationError, match="four National Framework outcomes"):
            services.plan_goal_add(plan=family_case.plan, description="Routine", owner="Cara",
                                   due_on=D(2024, 7, 1), nf_outcome="happiness", by=_by(tenant_a, alice))
        assert not PlanAction.objects.exists()


def test_a_role_that_does_not_edit_child_records_cannot_add_or_change_goals(tenant_a, alice, bob, family_case):
    with tenant_context(tenant_a):
        with pytest.raises(PermissionDenied):
            services.plan_goal_add(plan=family_case.plan, description="Routine", owner="Cara",
                                   due_on=D(2024, 7, 1), by=_by(tenant_a, bob))
        goal = services.plan_goal_add(plan=family_case.plan, description="Routine", owner="Cara",
                                      due_on=D(2024, 7, 1), by=_by(tenant_a, alice))
        with pytest.raises(PermissionDenied):
            services.plan_goal_focus_set(action=goal, nf_outcome="safe", people=[], by=_by(tenant_a, bob))
        with pytest.raises(PermissionDenied):
            services.case_children_set(case=family_case, children=[family_case.people["ada"]],
                                       by=_by(tenant_a, bob))


def test_a_goal_made_before_the_tags_can_be_tagged_later_but_not_on_a_closed_case(tenant_a, alice, family_case):
    p = family_case.people
    with tenant_context(tenant_a):
        old = services.plan_action_add(plan=family_case.plan, description="Bedtime routine", owner="Cara",
                                       due_on=D(2024, 6, 1), by=acting())
        assert old.nf_outcome == "" and not old.people.exists()
        services.plan_goal_focus_set(action=old, nf_outcome="safe", people=[p["ada"]], by=_by(tenant_a, alice))
        old.refresh_from_db()
        assert old.nf_outcome == "safe" and list(old.people.all()) == [p["ada"]]
        close(Case.objects.get(pk=family_case.pk))
        with pytest.raises(ValidationError, match="closed"):
            services.plan_goal_focus_set(action=PlanAction.objects.get(pk=old.pk), nf_outcome="",
                                         people=[], by=_by(tenant_a, alice))
        assert PlanAction.objects.get(pk=old.pk).nf_outcome == "safe"


def test_the_case_covers_the_children_chosen_from_its_family(tenant_a, alice, family_case):
    p = family_case.people
    by = _by(tenant_a, alice)
    with tenant_context(tenant_a):
        services.case_children_set(case=family_case, children=[p["ada"], p["ben"]], by=by)
        assert set(family_case.children.all()) == {p["ada"], p["ben"]}
        event = AuditEvent.objects.get(action="case.children_changed")
        assert event.detail["added"] == [str(p["ben"].public_id)]
        for children, message in (([], "at least one child"), ([p["ada"], p["dora"]], "Dora Dunn is not in"),
                                  ([p["cara"]], "Cara Ashby is not a child")):
            with pytest.raises(ValidationError, match=message):
                services.case_children_set(case=family_case, children=children, by=by)
            assert set(family_case.children.all()) == {p["ada"], p["ben"]}  # nothing written


def test_the_family_chronology_runs_across_cases_and_referrals_newest_first_and_is_audited(tenant_a, alice, bob,
                                                                                          family_case):
    with tenant_context(tenant_a):
        first = Case.objects.get(pk=family_case.pk)
        close(first, closed_on=D(2024, 9, 1))
        later = referral([family_case.people["ben"]], received_on=D(2024, 11, 5))
        services.referral_decide(referral=later, decision=Referral.Decision.SIGNPOSTED, decided_on=D(2024, 11, 6),
                                  by=acting())
        entries = selectors.family_chronology(family=first.family, by=_by(tenant_a, alice))
        titles = [e.entry.title for e in entries]
        assert titles[0] == "Referral decided: Signposted" and titles[1] == "Referral received"
        assert "Case closed" in titles and "Case opened" in titles and "Plan made" in titles
        dates = [e.entry.on for e in entries]
        assert dates == sorted(dates, reverse=True)
        assert {e.case for e in entries if e.entry.title == "Case opened"} == {first}
        assert AuditEvent.objects.filter(action="family.chronology_viewed", actor=alice).count() == 1
        with pytest.raises(PermissionDenied):
            selectors.family_chronology(family=first.family, by=_by(tenant_a, bob))


# ------------------------------------------------------------------------------------------------ pages


def _urls(case, goal):
    return [
        reverse("cases:case-children", args=[case.public_id]),
        reverse("cases:plan-goal-focus", args=[case.public_id, goal.public_id]),
        reverse("cases:family-chronology", args=[case.family.public_id]),
    ]


@pytest.fixture
def goal(tenant_a, alice, family_case):
    with tenant_context(tenant_a):
        return services.plan_goal_add(plan=family_case.plan, description="Routine", owner="Cara",
                                      due_on=D(2024, 7, 1), by=_by(tenant_a, alice))


def test_alice_adds_a_goal_for_ben_and_cara_tagged_to_a_national_framework_outcome(tenant_a, alice, family_case,
                                                                                  sign_in):
    client = sign_in(alice)
    url = reverse("cases:plan-action-add", args=[family_case.public_id, family_case.plan.public_id])
    page = client.get(url).content.decode()
    assert "Who is this for?" in page and "Ben Ashby (child" in page and "Cara Ashby (adult" in page
    assert "Dora" not in page
    p = family_case.people
    response = client.post(url, {"description": "Ben goes to school every day", "owner": "Cara",
                                 "due_on": "2024-07-01",
                                 "people": [p["ben"].pk, p["cara"].pk], "nf_outcome": "stay_together"})
    assert response.status_code == 302, response.content.decode()[:2000]
    with tenant_context(tenant_a):
        goal = PlanAction.objects.get()
        assert goal.nf_outcome == "stay_together" and set(goal.people.all()) == {p["ben"], p["cara"]}
    page = client.get(reverse("cases:case", args=[family_case.public_id])).content.decode()
    assert "Ben Ashby, Cara Ashby" in page or "Cara Ashby, Ben Ashby" in page
    assert "NF 1. Children, young people and families stay together" in page


def test_a_goal_for_someone_outside_the_family_cannot_be_posted(tenant_a, alice, family_case, sign_in):
    url = reverse("cases:plan-action-add", args=[family_case.public_id, family_case.plan.public_id])
    response = sign_in(alice).post(url, {"description": "Play", "owner": "Cara", "due_on": "2024-07-01",
                                         "people": [family_case.people["dora"].pk]})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert "Select a valid choice" in response.content.decode()  # Dora is not one of the family's people
    with tenant_context(tenant_a):
        assert not PlanAction.objects.exists()


def test_alice_changes_the_children_in_scope_and_the_focus_of_a_goal(tenant_a, alice, family_case, goal, sign_in):
    client = sign_in(alice)
    p = family_case.people
    url = reverse("cases:case-children", args=[family_case.public_id])
    assert "Ben Ashby" in client.get(url).content.decode()
    assert client.post(url, {"children": [p["ada"].pk, p["ben"].pk]}).status_code == 302
    assert client.post(url, {"children": [p["cara"].pk]}).status_code == 200  # not a choice: an adult
    focus = reverse("cases:plan-goal-focus", args=[family_case.public_id, goal.public_id])
    assert client.post(focus, {"people": [p["ada"].pk], "nf_outcome": "safe"}).status_code == 302
    with tenant_context(tenant_a):
        assert set(Case.objects.get(pk=family_case.pk).children.all()) == {p["ada"], p["ben"]}
        goal.refresh_from_db()
        assert goal.nf_outcome == "safe" and list(goal.people.all()) == [p["ada"]]


def test_the_family_page_shows_the_chronology_and_its_own_page_is_paged(tenant_a, alice, family_case, sign_in):
    client = sign_in(alice)
    page = client.get(reverse("cases:family", args=[family_case.family.public_id])).content.decode()
    assert "Family chronology" in page and "Case opened" in page
    with tenant_context(tenant_a):
        for day in range(1, 29):  # 56 more events: two pages of 50
            services.plan_create(case=family_case, created_on=D(2024, 6, day), by=acting())
            services.review_record(case=family_case, held_on=D(2024, 6, day), next_review_on=D(2024, 8, 1), by=acting())
    url = reverse("cases:family-chronology", args=[family_case.family.public_id])
    first = client.get(url).content.decode()
    assert "govuk-pagination" in first and "Showing 1 to 50" in first
    second = client.get(url + "?page=2").content.decode()
    assert "Referral received" in second  # the oldest event is on the last page
    assert AuditEvent.all_tenants.filter(action="family.chronology_viewed", actor=alice).count() == 3


def test_bob_without_the_role_gets_403(bob, family_case, goal, sign_in):
    client = sign_in(bob)
    for url in _urls(family_case, goal):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {}).status_code == 403, url


def test_the_outsider_gets_404(outsider, family_case, goal, sign_in):
    client = sign_in(outsider)
    for url in _urls(family_case, goal):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url


def test_a_subject_access_export_lists_the_plan_goals_that_name_the_person(tenant_a, alice, family_case):
    from cases.subject_access import subject_access_data

    p = family_case.people
    with tenant_context(tenant_a):
        services.plan_goal_add(plan=family_case.plan, description="Ben attends school every day", owner="Cara",
                               due_on=D(2024, 7, 1), nf_outcome="stay_together", people=[p["ben"]],
                               by=_by(tenant_a, alice))
        ben = subject_access_data(person=p["ben"])["plan goals for this person"]
        ada = subject_access_data(person=p["ada"])["plan goals for this person"]
    assert [g["description"] for g in ben] == ["Ben attends school every day"] and ada == []
    assert ben[0]["case"] == str(family_case.public_id)
