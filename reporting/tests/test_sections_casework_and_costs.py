"""Data sections 5, 6 and 8 and the statutory figures behind them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from earlyhelp.periods import Quarter
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from reporting import indicators
from reporting.models import Indicator, QuarterlyIndicator
from reporting.sections import get
from reporting.sections.base import ReportContext
from tests.factories import acting

Q = Quarter(2024, 2)


@pytest.fixture
def alice(tenant_a, member):
    return member(tenant_a, role=Role.PERFORMANCE_OFFICER, username="alice")


def context(tenant, period, public=True):
    return ReportContext(tenant=tenant, parameters={}, period=period, public=public, threshold=5, decimals=0)


def csv(*rows, header="indicator,quarter,value,source"):
    return ("\n".join([header, *rows]) + "\n").encode()


class TestStatutoryFigures:
    def test_a_valid_file_is_imported(self, tenant_a, alice):
        with tenant_context(tenant_a):
            problems = indicators.indicators_import(tenant=tenant_a,
                                                    by=acting(alice), data=csv(
                "cin,2024/25 Q1,612,extract", "Children in care,2024/25 Q1,402,extract"))
            assert problems == []
            assert QuarterlyIndicator.objects.get(indicator="cic").value == 402

    @pytest.mark.parametrize("rows,column,message", [
        (["cin,2024/25 Q1,-3,"], "value", "not a number of at least 0"),
        (["cin,2024/25 Q1,12.5001,"], "value", "at most 3 decimal places"),
        (["cin,2024/25 Q1,=40+1,"], "value", "not a number of at least 0"),
        (["xyz,2024/25 Q1,3,"], "indicator", "Unknown indicator"),
        (["cin,2024/25 Q7,3,"], "quarter", "not a quarter"),
        (["cin,2024/26 Q1,3,"], "quarter", "second year must follow"),
        (["cin,2024/25 Q1,3,", "cin,2024-25 Q1,4,"], "quarter", "Duplicate of row 3"),
    ])
    def test_a_bad_row_is_named_and_nothing_is_stored(self, tenant_a, alice, rows, column, message):
        with tenant_context(tenant_a):
            problems = indicators.indicators_import(tenant=tenant_a, by=acting(alice),
                                                    data=csv("cp,2024/25 Q1,200,ok", *rows))
            assert any(p.column == column and message in p.message for p in problems), problems
            assert not QuarterlyIndicator.objects.exists()  # the good first row was not stored either

    @pytest.mark.parametrize("data,message", [
        (b"\xff\xfe\x00bad", "not UTF-8"),
        (b"indicator,value\ncin,3\n", "Missing column(s): quarter"),
        (b"indicator,quarter,value\n", "no rows"),
        (b"a\x00b", "NUL"),
    ])
    def test_a_bad_file_is_refused_with_a_clear_message(self, tenant_a, alice, data, message):
        with tenant_context(tenant_a):
            problems = indicators.indicators_import(tenant=tenant_a,
                                                    by=acting(alice), data=data)
            assert problems and message in problems[0].message
            assert not QuarterlyIndicator.objects.exists()

    def test_the_page_lists_problems_by_row_and_column(self, tenant_a, alice, sign_in):
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = sign_in(alice).post(reverse("reporting:indicators"), {
            "form": "import", "file": SimpleUploadedFile("f.csv", csv("cin,2024/25 Q1,abc,"))})
        assert response.status_code == 400
        assert "nothing was changed" in response.content.decode()
        assert "&#x27;abc&#x27; is not a number of at least 0" in response.content.decode()

    def test_a_figure_is_entered_in_the_browser(self, tenant_a, alice, sign_in):
        response = sign_in(alice).post(reverse("reporting:indicators"), {
            "form": "record", "indicator": "cp", "quarter": "2024/25 Q2", "value": "231", "source": "LCS"})
        assert response.status_code == 302
        with tenant_context(tenant_a):
            assert QuarterlyIndicator.objects.get(indicator="cp", fy_start_year=2024, quarter_number=2).value == 231


class TestCostAvoided:
    def test_the_arithmetic_is_shown(self, tenant_a, alice):
        with tenant_context(tenant_a):
            for quarter, value in [(Q.shifted(-4), 400), (Q, 391)]:
                indicators.indicator_record(tenant=tenant_a, indicator=Indicator.CHILDREN_IN_CARE, quarter=quarter,
                                            value=value, source="", by=acting(alice))
            indicators.unit_cost_save(tenant=tenant_a,
                                      by=acting(alice), name="Care placement",
                                      indicator=Indicator.CHILDREN_IN_CARE, weekly_cost=Decimal("1825"), weeks=52)
            section = get("cost_avoided")
            snapshot = section.build(context(tenant_a, Q))
        html = section.render(snapshot, number=7, public=True, threshold=5, decimals=0)
        assert "9 fewer × £1,825 a week × 52 weeks = £854,100." in html

    def test_an_average_is_kept_at_the_precision_entered_and_the_arithmetic_shown_at_it(self, tenant_a, alice):
        """Cost avoided from an average reduction: 8.6 fewer children in care (issue #18)."""
        with tenant_context(tenant_a):
            for quarter, value in [(Q.shifted(-4), Decimal("402.3")), (Q, "393.7")]:
                indicators.indicator_record(tenant=tenant_a, indicator=Indicator.CHILDREN_IN_CARE, quarter=quarter,
                                            value=value, source="", by=acting(alice))
            assert QuarterlyIndicator.objects.get(fy_start_year=Q.start_year, quarter_number=Q.number).places == 1
            indicators.unit_cost_save(tenant=tenant_a,
                                      by=acting(alice), name="Care placement",
                                      indicator=Indicator.CHILDREN_IN_CARE, weekly_cost=Decimal("1825"), weeks=52)
            section = get("cost_avoided")
            snapshot = section.build(context(tenant_a, Q))
        assert snapshot["lines"][0]["end"] == "393.7"  # the snapshot keeps the figure exactly, as text
        html = section.render(snapshot, number=7, public=True, threshold=5, decimals=0)
        assert "fell from 402.3 to 393.7: 8.6 fewer × £1,825 a week × 52 weeks = £816,140." in html

    def test_no_saving_is_claimed_when_the_caseload_rose(self, tenant_a, alice):
        with tenant_context(tenant_a):
            for quarter, value in [(Q.shifted(-4), 380), (Q, 391)]:
                indicators.indicator_record(tenant=tenant_a, indicator=Indicator.CHILDREN_IN_CARE, quarter=quarter,
                                            value=value, source="", by=acting(alice))
            indicators.unit_cost_save(tenant=tenant_a,
                                      by=acting(alice), name="Care placement",
                                      indicator=Indicator.CHILDREN_IN_CARE, weekly_cost=Decimal("1825"))
            section = get("cost_avoided")
            html = section.render(section.build(context(tenant_a, Q)), number=7, public=True, threshold=5,
                                  decimals=0)
        assert "no cost avoided is claimed" in html

    def test_missing_figures_are_named(self, tenant_a, alice):
        with tenant_context(tenant_a):
            indicators.unit_cost_save(tenant=tenant_a,
                                      by=acting(alice), name="Care placement",
                                      indicator=Indicator.CHILDREN_IN_CARE, weekly_cost=Decimal("1825"))
            section = get("cost_avoided")
            html = section.render(section.build(context(tenant_a, Q)), number=7, public=True, threshold=5,
                                  decimals=0)
        assert "have not been entered" in html


class TestTrendAndFeedback:
    def test_the_trend_mixes_case_records_and_entered_figures_and_suppresses_small_counts(self, tenant_a, alice):
        from cases.tests import helpers

        lead = alice
        team = helpers.team_for(tenant_a)
        with tenant_context(tenant_a):
            helpers.open_case(lead=_practitioner(tenant_a), team=team, received_on=dt.date(2024, 7, 1),
                              opened_on=dt.date(2024, 7, 5))
            indicators.indicator_record(tenant=tenant_a, indicator=Indicator.CHILDREN_IN_NEED, quarter=Q, value=612,
                                        source="", by=acting(lead))
            section = get("caseload_trend")
            snapshot = section.build(context(tenant_a, Q))
        rows = {row["label"]: row["values"] for row in snapshot["rows"]}
        assert rows["Early help cases open at quarter end"][-1] == 1
        assert rows["Children in need"][-1] == 612 and rows["Children in need"][0] is None
        html = section.render(snapshot, number=6, public=True, threshold=5, decimals=0)
        assert "<td class=\"n\">c</td>" in html  # the single open case is hidden in Public
        assert "data:image/svg+xml;base64," in html
        exempt = section.render(snapshot, number=6, public=False, threshold=5, decimals=0)
        assert "<td class=\"n\">1</td>" in exempt

    def test_feedback_rates_carry_their_bases(self, tenant_a, alice):
        section = get("feedback")
        snapshot = {"key": "feedback", "title": "t", "year": "2024/25", "definitions": [], "columns": [
            {"quarter": "Q1", "label": "2024/25 Q1", "received": 40, "treated_with_respect": [37, 40],
             "listened_to": [36, 40], "helped_with_issues": [3, 4]}]}
        exempt = section.render(snapshot, number=5, public=False, threshold=5, decimals=0)
        assert "93%" in exempt and "37 of 40" in exempt  # 37/40 = 92.5 → 93 (half-up)
        html = section.render(snapshot, number=5, public=True, threshold=5, decimals=0)
        assert "93%" not in html and "n = 40" in html  # 93% of 40 would reveal the 3 who said no
        assert "the small number of people it leaves out" in html  # the footnote says why
        assert ">c<" in html  # a base of 4 is hidden in Public
        snapshot["columns"][0]["treated_with_respect"] = [33, 40]
        assert "83%" in section.render(snapshot, number=5, public=True, threshold=5, decimals=0)


def _practitioner(tenant):
    from earlyhelp.models import Membership

    return Membership.objects.filter(role=Role.PRACTITIONER).first().user if Membership.objects.filter(
        role=Role.PRACTITIONER).exists() else _make_practitioner(tenant)


def _make_practitioner(tenant):
    from tests.factories import MembershipFactory

    return MembershipFactory(tenant=tenant, role=Role.PRACTITIONER).user
