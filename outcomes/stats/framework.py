"""The early help performance framework (after Derby's, §4.2–4.4 of its 2015 annual report): *how much* did we
do, *how well* did we do it, and *is anyone better off*, for a period and a scope (the whole authority, a
locality or a team). Casework counts come from ``cases.stats`` (not recounted here); distance travelled, family
outcomes and Supporting Families from this package. Each measure carries its numerator, its base (for a rate)
and the text of its definition, so a report can print the appendix of definitions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cases.models import Closure, Referral
from cases.stats import FAMILY_MEETING_BEFORE_STEP_UP, case_stats_series, family_meetings_before_step_up_series
from earlyhelp import figures_engine
from earlyhelp.models import Locality, Team, Tenant
from earlyhelp.tenancy import current_tenant

from ._scope import bounds
from .family import family_outcome_stats_series
from .programme import programme_stats_series
from .readings import reading_stats_series


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    numerator: int
    base: int | None  # None: a count, not a rate
    definition: str

    @property
    def is_rate(self) -> bool:
        return self.base is not None


@dataclass
class Section:
    key: str
    title: str
    measures: list[Measure] = field(default_factory=list)


@dataclass
class Framework:
    start: dt.date
    end: dt.date
    scope: str
    sections: list[Section] = field(default_factory=list)

    def measure(self, key: str) -> Measure:
        for section in self.sections:
            for m in section.measures:
                if m.key == key:
                    return m
        raise KeyError(key)


def performance_framework(*, period=None, start: dt.date | None = None, end: dt.date | None = None,
                          team: Team | None = None, locality: Locality | None = None,
                          threshold: int = 1) -> Framework:
    """The framework's measures for the period and scope, in a fixed number of queries (one when the tenant's
    records have not changed since they were last counted: ``earlyhelp.figures_engine``)."""
    return performance_framework_series([bounds(period, start, end)], team=team, locality=locality,
                                        threshold=threshold)[0]


def performance_framework_series(periods, *, team: Team | None = None, locality: Locality | None = None,
                                 threshold: int = 1) -> list[Framework]:
    """``performance_framework`` for each of ``periods`` (Quarters, FinancialYears or ``(start, end)`` pairs), in
    order, with the figures cache's data token read once and each source table read once for all the periods
    (the queries of one period); each figure equals ``performance_framework(period=p, ...)``'s."""
    scope_kwargs = {"team": team, "locality": locality}
    with figures_engine.pinned():
        case_series = case_stats_series(periods, **scope_kwargs)
        periods = [(cs.start, cs.end) for cs in case_series]
        reading_series = reading_stats_series(periods, threshold=threshold, **scope_kwargs)
        family_series = family_outcome_stats_series(periods, **scope_kwargs)
        programme_series = programme_stats_series(periods, **scope_kwargs)
    # Family Help councils also count family meetings offered before a step-up to child protection.
    tenant = current_tenant()
    meetings = (family_meetings_before_step_up_series(periods, **scope_kwargs)
                if tenant is not None and tenant.service_model == Tenant.ServiceModel.FAMILY_HELP
                else [None] * len(periods))
    return [_framework(cs, rs, fs, ps, fm, team=team, locality=locality, threshold=threshold)
            for cs, rs, fs, ps, fm in zip(case_series, reading_series, family_series, programme_series, meetings,
                                          strict=True)]


def _framework(cs, rs, fs, ps, fm=None, *, team, locality, threshold) -> Framework:
    start, end = cs.start, cs.end
    scope = str(team) if team else str(locality) if locality else "Whole authority"
    panel = cs.referrals_by_route.get(Referral.Route.PANEL, 0)
    fully = cs.closure_judgements.get(Closure.Judgement.FULLY, 0)
    partly = cs.closure_judgements.get(Closure.Judgement.PARTIALLY, 0)

    def m(key, label, numerator, base, definition):
        return Measure(key, label, numerator, base, definition)

    how_much = Section("how_much", "How much did we do?", [
        m("referrals", "New referrals", cs.referrals, None,
          "Referrals received in the period (with a team or locality: those that opened one of its cases)."),
        m("referrals_panel", "New referrals through a panel or front door (MASH, VCM, MAGS)", panel, None,
          "Referrals received in the period by the panel route."),
        m("referrals_direct", "New referrals by any other route", cs.referrals - panel, None,
          "Referrals received in the period by a direct route."),
        m("open_cases", "Open cases at the end of the period", cs.open_at_period_end, None,
          "Lead-professional cases opened on or before the last day and not closed by it."),
        m("assessments", "Early Help Assessments completed", cs.assessments_completed, None,
          "Assessments with a completed date in the period."),
        m("readings", "Distance-travelled readings completed", rs.readings, None,
          "Spider graph and other tool readings (start, review and end) taken in the period."),
        m("end_readings", "End readings completed", rs.by_stage.get("end", 0), None,
          "Readings at the end stage taken in the period."),
        m("feedback", "'How was it for you' surveys received", cs.feedback_received, None,
          "Feedback forms received in the period."),
    ])
    how_well = Section("how_well", "How well did we do it?", [
        m("cases_closed", "Cases closed", cs.cases_closed, None, "Closure summaries dated in the period."),
        m("re_referrals", "Re-referrals", cs.re_referrals.numerator, cs.re_referrals.base,
          "Referrals in the period for a child referred within the re-referral window before, out of all "
          "referrals in the period."),
        m("reopened", "Cases re-opened within the window", cs.reopened_within_window.numerator,
          cs.reopened_within_window.base,
          "Cases opened in the period within the tenant's re-opening window of the family's last closure, out of "
          "cases opened in the period."),
        m("respect", "Treated with respect", cs.treated_with_respect.numerator, cs.treated_with_respect.base,
          "Survey respondents answering yes, out of those who answered the question."),
        m("listened", "Listened to", cs.listened_to.numerator, cs.listened_to.base,
          "Survey respondents answering yes, out of those who answered the question."),
        m("closed_with_readings", "Closed cases with a start and an end reading",
          rs.closed_with_start_and_end.numerator, rs.closed_with_start_and_end.base,
          "Cases closed in the period with at least one start and one end distance-travelled reading, out of "
          "cases closed in the period."),
        m("closed_with_family_outcomes", "Closed cases with family outcomes recorded",
          fs.closed_with_outcomes.numerator, fs.closed_with_outcomes.base,
          "Cases closed in the period whose family outcomes were recorded, out of cases closed in the period."),
    ])
    if fm is not None:
        how_well.measures.append(m("family_meeting_before_step_up",
                                   "Families offered a family meeting before step-up to child protection",
                                   fm.numerator, fm.base, FAMILY_MEETING_BEFORE_STEP_UP))
    better_off = Section("better_off", "Is anyone better off?", [
        m("improving_travel", "Readings with an improving direction of travel", rs.improving.numerator,
          rs.improving.base,
          f"Start–end pairs whose end reading fell in the period and whose summed score over the areas scored "
          f"at both moved at least {threshold} point(s) towards the better end, out of all comparable pairs."),
        m("helped", "Helped with identified issues", cs.helped_with_issues.numerator, cs.helped_with_issues.base,
          "Survey respondents answering yes, out of those who answered the question."),
        m("outcomes_achieved", "Closures with outcomes achieved fully or partially", fully + partly,
          cs.cases_closed, "Lead professionals' closure judgements in the period, out of cases closed."),
        m("family_outcomes_improved", "Family outcomes improved at closure", fs.improved.numerator,
          fs.improved.base,
          "Family outcomes marked improved on cases closed in the period, out of outcomes identified."),
        m("programme_sustained", "Supporting Families needs met and sustained", ps.needs_sustained.numerator,
          ps.needs_sustained.base,
          "Needs of enrolled families whose outcome was met and sustained for the framework's period by the end "
          "of the period, out of needs identified by then."),
    ])
    return Framework(start=start, end=end, scope=scope, sections=[how_much, how_well, better_off])
