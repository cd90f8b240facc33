"""National Framework outcomes: counts by outcome with their bases (dashboard and committee report, under
disclosure control), the outcome library (tags, framework versions, the Supporting Families switch) for tenant
administrators only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.tests.helpers import D, child, open_case, team_for
from earlyhelp.models import AuditEvent, Tenant
from earlyhelp.periods import Quarter
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from outcomes import services
from outcomes.models import CaseFamilyOutcome, Claim, Enrolment, FamilyOutcome, ProgrammeFramework
from outcomes.stats.national_framework import national_framework_stats, national_framework_stats_series
from tests.factories import acting

from .helpers import by_of, national_framework_records


@pytest.fixture
def alice(tenant_a, member):
    return member(tenant_a, Role.PRACTITIONER, username="alice")


@pytest.fixture
def ada(tenant_a, member):
    return member(tenant_a, Role.TENANT_ADMIN, username="ada-admin")


_by = by_of


@pytest.fixture
def counted(tenant_a, alice):
    return national_framework_records(tenant_a, alice)


def test_default_outcome_areas_start_tagged_to_the_national_framework(tenant_a):
    with tenant_context(tenant_a):
        services.family_outcomes_ensure(tenant=tenant_a)
        framework = services.programme_framework_ensure(tenant=tenant_a)
        assert FamilyOutcome.objects.get(code="domestic-abuse").nf_outcome == "safe"
        assert FamilyOutcome.objects.get(code="community").nf_outcome == "family_network"
        assert framework.outcomes.get(key="family-relationships").nf_outcome == "family_network"


def test_goals_and_closure_outcomes_are_counted_by_national_framework_outcome_with_bases(tenant_a, counted):
    with tenant_context(tenant_a):
        q1 = national_framework_stats(period=Quarter(2024, 1))
        q2 = national_framework_stats(period=Quarter(2024, 2))
    together = q1.row("stay_together")
    assert together.goals_set == 2
    assert (together.goals_achieved.numerator, together.goals_achieved.base) == (1, 2)
    assert (together.outcomes_improved.numerator, together.outcomes_improved.base) == (1, 1)
    safe = q1.row("safe")
    assert (safe.goals_set, safe.outcomes_improved.numerator, safe.outcomes_improved.base) == (0, 0, 1)
    assert q1.row("").goals_set == 1  # untagged, in a row of its own
    assert (q1.goals_set, q1.goals_at_closure, q1.outcomes_at_closure) == (3, 3, 2)
    assert q2.row("safe").goals_set == 1 and q2.goals_at_closure == 0


def test_a_series_of_periods_equals_each_period_alone_in_the_queries_of_one(tenant_a, counted):
    """The figures engine counts the missing periods together: two quarters and spans from the closure day and
    the day after it into the next quarter, each equal to the period counted alone, in two queries for them all."""
    periods = [Quarter(2024, 1), Quarter(2024, 2), (D(2024, 6, 20), D(2024, 7, 3)), (D(2024, 6, 21), D(2024, 7, 2))]
    bounds = [p if isinstance(p, tuple) else (p.start, p.end) for p in periods]
    with tenant_context(tenant_a):
        singles = [national_framework_stats(start=s, end=e) for s, e in bounds]
        with CaptureQueriesContext(connection) as captured:
            series = national_framework_stats_series(periods)
    # the figures state (this test's transaction has written: counted, not cached), then the two counts
    assert series == singles and len(captured) == 3
    assert [s.goals_set for s in series] == [3, 1, 1, 0]
    assert [(s.goals_at_closure, s.outcomes_at_closure) for s in series] == [(3, 2), (0, 0), (3, 2), (0, 0)]


def test_the_dashboard_shows_the_national_framework_table_and_the_programme_only_when_in_use(tenant_a, member,
                                                                                           sign_in):
    client = sign_in(member(tenant_a, Role.PERFORMANCE_OFFICER, username="pat"))
    page = client.get(reverse("outcomes:dashboard")).content.decode()
    assert "National Framework outcomes" in page and "4. Children in care and care leavers" in page
    assert "Supporting Families: progress" in page
    Tenant.objects.filter(pk=tenant_a.pk).update(supporting_families_enabled=False)
    page = client.get(reverse("outcomes:dashboard")).content.decode()
    assert "National Framework outcomes" in page and "Supporting Families: progress" not in page


# ------------------------------------------------------------------------------------------ the outcome library


def test_tags_are_changed_all_or_nothing_by_a_tenant_admin_only(tenant_a, alice, ada):
    with tenant_context(tenant_a):
        services.family_outcomes_ensure(tenant=tenant_a)
        parenting = FamilyOutcome.objects.get(code="parenting")
        housing = FamilyOutcome.objects.get(code="housing")
        with pytest.raises(PermissionDenied):
            services.outcome_tags_set(family_outcomes={parenting: "safe"}, by=_by(tenant_a, alice))
        with pytest.raises(ValidationError):
            services.outcome_tags_set(family_outcomes={parenting: "safe", housing: "nonsense"},
                                      by=_by(tenant_a, ada))
        parenting.refresh_from_db()
        assert parenting.nf_outcome == "stay_together"  # nothing written
        assert services.outcome_tags_set(family_outcomes={parenting: "family_network"}, by=_by(tenant_a, ada)) == 1
        parenting.refresh_from_db()
        assert parenting.nf_outcome == "family_network"
        assert AuditEvent.objects.filter(action="outcomes.library_tags_changed", actor=ada).exists()


def test_a_new_framework_version_copies_the_areas_and_keeps_the_old_versions_claims(tenant_a, alice, ada):
    team = team_for(tenant_a, alice)
    with tenant_context(tenant_a):
        v1 = services.programme_framework_ensure(tenant=tenant_a)
        case = open_case(lead=alice, team=team, kid=child())
        enrolment = services.enrolment_create(family=case.family, framework=v1, case=case,
                                              enrolled_on=D(2024, 5, 1), needs=list(v1.outcomes.all()[:3]), by=acting())
        Claim.objects.create(enrolment=enrolment, prepared_on=D(2024, 12, 1))
        with pytest.raises(ValidationError, match="must start after"):
            services.programme_framework_new_version(name="v2", valid_from=v1.valid_from, by=_by(tenant_a, ada))
        v2 = services.programme_framework_new_version(name="Supporting Families 2026", valid_from=D(2026, 4, 1),
                                                      by=_by(tenant_a, ada))
        assert v2.version == 2
        assert [(o.key, o.nf_outcome) for o in v2.outcomes.all()] == [(o.key, o.nf_outcome)
                                                                       for o in v1.outcomes.all()]
        enrolment.refresh_from_db()
        assert enrolment.framework == v1 and enrolment.claims.count() == 1


def test_switching_supporting_families_off_keeps_its_records_and_stops_new_enrolments(tenant_a, alice, ada):
    team = team_for(tenant_a, alice)
    with tenant_context(tenant_a):
        v1 = services.programme_framework_ensure(tenant=tenant_a)
        case = open_case(lead=alice, team=team, kid=child())
        services.enrolment_create(family=case.family, framework=v1, case=case, enrolled_on=D(2024, 5, 1), by=acting())
        with pytest.raises(PermissionDenied):
            services.supporting_families_switch(enabled=False, by=_by(tenant_a, alice))
        services.supporting_families_switch(enabled=False, by=_by(tenant_a, ada))
        assert Tenant.objects.get(pk=tenant_a.pk).supporting_families_enabled is False
        assert Enrolment.objects.count() == 1 and ProgrammeFramework.objects.count() == 1
        other = open_case(lead=alice, team=team, kid=child(first="Bea", last="Brook"))
        with pytest.raises(ValidationError, match="does not use the Supporting Families"):
            services.enrolment_create(family=other.family, framework=v1, case=other, enrolled_on=D(2024, 5, 1),
                                      by=acting())
        assert Enrolment.objects.count() == 1


def test_the_library_pages_are_for_tenant_admins(tenant_a, tenant_b, member, alice, ada, sign_in):
    client = sign_in(alice)
    for name in ("outcomes:library", "outcomes:library-tags", "outcomes:library-version", "outcomes:library-switch"):
        assert client.get(reverse(name)).status_code == 403
        assert client.post(reverse(name), {}).status_code == 403
    client = sign_in(ada)
    with tenant_context(tenant_a):
        services.family_outcomes_ensure(tenant=tenant_a)
        services.programme_framework_ensure(tenant=tenant_a)
    page = client.get(reverse("outcomes:library")).content.decode()
    assert "Family outcomes at closure" in page and "Version 1" in page
    response = client.post(reverse("outcomes:library-tags"), {"family_parenting": "safe",
                                                              "programme_crime": "stay_together"})
    assert response.status_code == 302
    response = client.post(reverse("outcomes:library-version"), {"name": "Next", "valid_from": "2020-01-01"})
    assert response.status_code == 400 and "must start after" in response.content.decode()
    assert client.post(reverse("outcomes:library-version"),
                       {"name": "Next", "valid_from": dt.date.today().isoformat()}).status_code == 302
    assert client.post(reverse("outcomes:library-switch"), {"enabled": "no"}).status_code == 302
    with tenant_context(tenant_a):
        assert FamilyOutcome.objects.get(code="parenting").nf_outcome == "safe"
        assert ProgrammeFramework.objects.count() == 2
    assert Tenant.objects.get(pk=tenant_a.pk).supporting_families_enabled is False
    assert Tenant.objects.get(pk=tenant_b.pk).supporting_families_enabled is True  # the other council untouched
    assert "Supporting Families</a>" not in client.get(reverse("outcomes:library")).content.decode()


def test_closure_outcomes_counted_by_the_tag_of_their_outcome(tenant_a, counted, ada):
    with tenant_context(tenant_a):
        services.outcome_tags_set(family_outcomes={FamilyOutcome.objects.get(code="domestic-abuse"): "stay_together"},
                                  by=_by(tenant_a, ada))
        stats = national_framework_stats(period=Quarter(2024, 1))
        assert CaseFamilyOutcome.objects.count() == 2
    assert stats.row("stay_together").outcomes_improved.base == 2 and stats.row("safe").outcomes_improved.base == 0


def test_each_childs_readings_have_their_own_table_and_chart_on_the_case_outcomes_page(tenant_a, alice, sign_in):
    from cases import services as case_services
    from outcomes.tests.helpers import reading, worry

    team = team_for(tenant_a, alice)
    with tenant_context(tenant_a):
        ada = child(first="Ada", last="Ashby")
        ben = case_services.person_create(family=ada.family, first_name="Ben", last_name="Ashby",
                                          date_of_birth=D(2017, 6, 2), by=acting())
        case = open_case(lead=alice, team=team, kid=ada)
        case_services.case_children_set(case=case, children=[ada, ben], by=by_of(tenant_a, alice))
        tool = worry()
        reading(case, tool, "start", D(2024, 4, 25), person=ada, x=3, y=2, z=4)
        reading(case, tool, "start", D(2024, 4, 25), person=ben, x=1, y=1, z=2)
        reading(case, tool, "end", D(2024, 5, 25), person=ben, x=0, y=1, z=1)
    page = sign_in(alice).get(reverse("outcomes:case", args=[case.public_id])).content.decode()
    assert "Worry scale — Ada Ashby" in page and "Worry scale — Ben Ashby" in page
    assert "Ada Ashby: Worry scale</a> (1 reading)" in page and "Ben Ashby: Worry scale</a> (2 readings)" in page
    assert page.count("data:image/svg+xml") >= 2  # a radar chart each
