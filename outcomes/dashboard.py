"""The figures and charts of the outcomes dashboard (the performance framework for a quarter beside the four
before it, the quarter's Supporting Families programme and National Framework counts), shared by the page and by
the background job that recounts them after the records change."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from earlyhelp import figures_engine
from earlyhelp.models import Locality, Team
from earlyhelp.periods import Quarter
from earlyhelp.tenancy import current_tenant

from . import charts
from .stats import performance_framework_series, programme_stats
from .stats.framework import Framework
from .stats.national_framework import NationalFrameworkStats, national_framework_stats
from .stats.programme import ProgrammeStats


@dataclass
class Dashboard:
    quarters: list[Quarter]
    frameworks: list[Framework]
    programme: ProgrammeStats
    national_framework: NationalFrameworkStats
    chart_rates: str
    chart_counts: str

    @property
    def current(self) -> Framework:
        return self.frameworks[-1]


def latest_quarter(today: dt.date | None = None) -> Quarter:
    """The last complete quarter of the current tenant's financial year: the dashboard's default."""
    return Quarter.containing(today or dt.date.today(), current_tenant().financial_year_start_month).previous()


def dashboard_figures(*, quarter: Quarter, team: Team | None = None, locality: Locality | None = None) -> Dashboard:
    """The five quarters ending with ``quarter`` for the scope, with the two charts. Read-only."""
    scope = {"team": team, "locality": locality}
    quarters = [quarter.shifted(-i) for i in range(4, -1, -1)]
    with figures_engine.pinned():  # read-only: the data token is read once
        frameworks = performance_framework_series(quarters, **scope)
        programme = programme_stats(period=quarter, **scope)
        national_framework = national_framework_stats(period=quarter, **scope)
    labels = [str(q) for q in quarters]

    def points(key):
        return [(f.measure(key).numerator, f.measure(key).base) for f in frameworks]

    chart_rates = charts.trend_svg(periods=labels, title="Is anyone better off? (% of base)", lines=[
        ("Improving direction of travel", points("improving_travel")),
        ("Family outcomes improved", points("family_outcomes_improved")),
        ("Helped with identified issues", points("helped")),
    ])
    chart_counts = charts.bars_svg(periods=labels, title="How much did we do?", bars=[
        (label, [f.measure(key).numerator for f in frameworks])
        for key, label in (("referrals", "New referrals"), ("assessments", "Assessments completed"),
                           ("end_readings", "End readings"))
    ])
    return Dashboard(quarters=quarters, frameworks=frameworks, programme=programme,
                     national_framework=national_framework, chart_rates=chart_rates, chart_counts=chart_counts)


def recount_dashboard(tenant) -> None:
    """The figures engine's recount for outcomes (``register_recount``): the default dashboard — the last complete
    quarter and the four before it, with the quarter's programme and National Framework counts — for the whole
    authority and for each locality and team (the scopes an officer or a team manager opens), counted into the
    store and the cache. Runs in the tenant's context."""
    quarter = latest_quarter()
    dashboard_figures(quarter=quarter)
    for locality in Locality.objects.order_by("pk"):
        dashboard_figures(quarter=quarter, locality=locality)
    for team in Team.objects.order_by("pk"):
        dashboard_figures(quarter=quarter, team=team)
