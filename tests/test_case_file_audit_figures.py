"""Quality of practice counted: case file audit grades by team, locality and quarter — in cases.stats, on the
team manager's and the performance officer's pages, in /api/v1/stats/audits/ with disclosure control, and as an
optional committee report section with bases and definitions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cases import stats
from cases.models import Case, CaseFileAudit
from earlyhelp.models import Locality, Membership
from earlyhelp.periods import FinancialYear, Quarter
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from tests.api import makers
from tests.api.conftest import bearer, make_api_client  # noqa: F401  (fixtures of the API tests)
from tests.factories import acting

YEAR = FinancialYear(2024)


def _audit(case, auditor, on: dt.date, overall: str) -> CaseFileAudit:
    grades = dict.fromkeys(CaseFileAudit.AREAS, "good")
    grades["overall"] = overall
    return CaseFileAudit.objects.create(case=case, auditor=auditor, audited_on=on, **grades)


@pytest.fixture
def audited(tenant_a):
    """Two teams' cases in two localities; eight audits in 2024/25 (six of the first team's case, two of the
    second's) and one in 2023/24 that no 2024/25 figure counts."""
    first, second = makers.case(tenant_a), makers.case(tenant_a)
    auditor = makers.user_of(tenant_a, Role.AUDITOR)
    with tenant_context(tenant_a):
        north, south = Locality.objects.create(name="North"), Locality.objects.create(name="South")
        Case.objects.filter(pk=first.pk).update(locality=north)
        Case.objects.filter(pk=second.pk).update(locality=south)
        for on, grade in [(dt.date(2024, 5, 1), "outstanding"), (dt.date(2024, 5, 2), "good"),
                          (dt.date(2024, 5, 3), "good"), (dt.date(2024, 8, 1), "requires_improvement"),
                          (dt.date(2024, 8, 2), "good"), (dt.date(2025, 1, 10), "inadequate")]:
            _audit(first, auditor, on, grade)
        _audit(second, auditor, dt.date(2024, 6, 1), "good")
        _audit(second, auditor, dt.date(2024, 11, 1), "requires_improvement")
        _audit(first, auditor, dt.date(2024, 3, 31), "inadequate")  # 2023/24
    return first, second


def test_audit_stats_count_grades_with_their_bases_by_team_locality_and_quarter(tenant_a, audited):
    first, second = audited
    with tenant_context(tenant_a):
        figures = stats.audit_stats(period=YEAR)
        assert figures.total.audited == 8
        assert figures.total.grades == {"outstanding": 1, "good": 4, "requires_improvement": 2, "inadequate": 1}
        assert figures.total.at_least_good() == stats.Rate(5, 8)
        teams = {g.label: g for g in figures.by_team}
        assert teams[first.team.name].audited == 6 and teams[second.team.name].audited == 2
        assert [(g.label, g.audited) for g in figures.by_locality] == [("North", 6), ("South", 2)]
        assert [(g.label, g.audited) for g in figures.by_quarter] == [
            ("2024/25 Q1", 4), ("2024/25 Q2", 2), ("2024/25 Q3", 1), ("2024/25 Q4", 1)]
        assert stats.audit_stats(period=Quarter(2024, 1), team=second.team).total.audited == 1
        assert stats.audit_stats(period=YEAR, area="plan").total.grades["good"] == 8
        with pytest.raises(ValueError, match="not an audited area"):
            stats.audit_stats(period=YEAR, area="colour")


def test_the_officers_page_shows_grades_with_bases_and_percentages(tenant_a, audited, member, sign_in):
    client = sign_in(member(tenant_a, Role.PERFORMANCE_OFFICER, username="olu"))
    assert 'href="/cases/audit-grades/"' in client.get(reverse("outcomes:dashboard")).content.decode()
    page = client.get(reverse("cases:audit-grades"), {"year": "2024"}).content.decode()
    assert "Overall grades of the case files audited in 2024/25" in page
    assert "North" in page and "South" in page and "2024/25 Q3" in page
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">8</td>' in page  # the base of all audits
    assert "4<br><span class=\"govuk-body-s\">50%</span>" in page  # good: 4 of 8
    assert "5<br><span class=\"govuk-body-s\">63%</span>" in page  # good or better: 5 of 8, half up
    bad = client.get(reverse("cases:audit-grades"), {"year": "1999"})
    assert bad.status_code == 400 and "Select a valid choice" in bad.content.decode()


def test_the_team_managers_page_counts_their_teams_audits_only(tenant_a, audited, member, sign_in):
    from django.utils import timezone

    first, second = audited
    manager = member(tenant_a, Role.TEAM_MANAGER, username="marcus")
    today = timezone.localdate()
    with tenant_context(tenant_a):
        Membership.objects.get(user=manager).teams.add(second.team)
        for case, grade in [(first, "good"), (second, "inadequate"), (second, "good"), (second, "good")]:
            _audit(case, manager, today, grade)  # this financial year: the page's
    page = sign_in(manager).get(reverse("cases:team")).content.decode()
    assert f"Case file audits of your teams, {FinancialYear.containing(today)}" in page
    assert second.team.name in page and first.team.name not in page
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">3</td>' in page  # the base: 3 audited
    assert "1<br><span class=\"govuk-body-s\">33%</span>" in page  # inadequate: 1 of 3
    assert "2<br><span class=\"govuk-body-s\">67%</span>" in page  # good: 2 of 3


def test_the_audit_statistics_api_suppresses_small_counts_unless_exempt(tenant_a, audited, request):
    first, _ = audited
    new_client, as_client = (request.getfixturevalue(name) for name in ("make_api_client", "bearer"))
    _, token = new_client(tenant_a, scopes=["stats:read"])
    body = as_client(token).get("/api/v1/stats/audits/", {"period": "2024/25"}).json()
    assert body["disclosure"]["applied"] is True and body["area"] == "overall"
    assert body["total"] == {"label": "All audits", "audited": 8,
                             "grades": {"outstanding": "c", "good": "c", "requires_improvement": "c",
                                        "inadequate": "c"}}
    assert [s["code"] for s in body["scale"]] == ["outstanding", "good", "requires_improvement", "inadequate"]
    _, token = new_client(tenant_a, scopes=["stats:read", "stats:exempt"])
    body = as_client(token).get("/api/v1/stats/audits/", {"period": "2024/25", "team": str(first.team.public_id),
                                                       "area": "overall"}).json()
    assert body["total"]["audited"] == 6 and body["total"]["grades"]["good"] == 3
    assert [(q["label"], q["audited"]) for q in body["by_quarter"]] == [
        ("2024/25 Q1", 3), ("2024/25 Q2", 2), ("2024/25 Q3", 0), ("2024/25 Q4", 1)]
    assert as_client(token).get("/api/v1/stats/audits/", {"period": "2024/25", "area": "colour"}).status_code == 400


def _report(tenant, *, public: bool):
    from reporting import services

    officer = makers.user_of(tenant, Role.PERFORMANCE_OFFICER)
    with tenant_context(tenant):
        report = services.report_create(
            by=acting(officer), title="Quality", committee="Scrutiny", meeting_date=dt.date(2025, 6, 1),
            report_of="Officer", accountable_director="Director", period_start_year=2024, is_public=public)
        layout = [{"key": item["key"], "include": item["key"] == "case_file_audits"} for item in report.sections]
        return services.report_arrange_sections(report=report,
                                                by=acting(officer), layout=layout)


def test_the_report_section_is_optional_and_shows_grades_with_bases_and_definitions(tenant_a, audited):
    from reporting import rendering, services
    from reporting import sections as registry

    assert {"key": "case_file_audits", "include": False} in registry.default_layout()
    for public in (False, True):
        report = _report(tenant_a, public=public)
        with tenant_context(tenant_a):
            snapshot = rendering.build_snapshot(tenant_a, services._parameters(report))
        html = rendering.render_html(snapshot)
        assert "Quality of practice: case file audits" in html
        assert "Case file audits: good or better" in html  # in the appendix of definitions
        assert "Case files audited in the same row" in html
        section = snapshot["sections"][0]["data"]
        assert section["groups"]["total"] == [{"label": "All audits", "audited": 8, "grades": [1, 4, 2, 1]}]
        if public:  # 1..5 hidden, and so is 5 of 8 good or better (63%): its numerator is small
            assert '<td class="n">c<' in html and "63%" not in html
            assert "<td class=\"n\">8</td>" in html  # the base is printed
            from reporting.disclosure_audit import audit_figures
            from reporting.figures_table import figures_table
            assert audit_figures(figures_table(snapshot)) == []
        else:
            assert '<td class="n">4<br><span class="base">50%</span>' in html
