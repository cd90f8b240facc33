"""The counts the performance framework and committee reports need from casework, for a period and optionally
a team or locality. Every figure is a count; a rate is returned as a numerator with its base and computed (and
rounded once) at presentation. Aggregates only: no identifiable child data leaves this module.

With a team or locality, referrals are counted through the cases opened from them (a referral that opened no
case belongs to no team).
"""

from __future__ import annotations

import copy
import datetime as dt
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db.models import Count, Q

from earlyhelp.models import Locality, Team
from earlyhelp.periods import FinancialYear, Quarter
from earlyhelp.tenancy import current_tenant

from . import figures_cache
from .models import Assessment, Case, Closure, ClosureReason, Feedback, Intervention, Referral, StepChange


@dataclass(frozen=True)
class Rate:
    """``numerator`` out of ``base``; never pre-rounded."""

    numerator: int
    base: int


@dataclass(frozen=True)
class WaitingTime:
    """Days waited from referral to start, summed over ``count`` interventions; the mean is computed (and rounded
    once) at presentation, or summed across teams and periods first."""

    total_days: int
    count: int


@dataclass
class CaseStats:
    start: dt.date
    end: dt.date
    referrals: int = 0
    referrals_by_route: dict[str, int] = field(default_factory=dict)
    referrals_by_source: dict[str, int] = field(default_factory=dict)
    re_referrals: Rate = Rate(0, 0)
    cases_opened: int = 0
    reopened_within_window: Rate = Rate(0, 0)
    open_at_period_end: int = 0
    cases_closed: int = 0
    closed_by_reason: dict[str, int] = field(default_factory=dict)
    closure_judgements: dict[str, int] = field(default_factory=dict)
    assessments_completed: int = 0
    escalations_by_quarter: dict[str, dict[str, int]] = field(default_factory=dict)
    feedback_received: int = 0
    treated_with_respect: Rate = Rate(0, 0)
    listened_to: Rate = Rate(0, 0)
    helped_with_issues: Rate = Rate(0, 0)
    interventions_started: int = 0
    intervention_waiting: WaitingTime = WaitingTime(0, 0)
    waiting_by_service: dict[str, WaitingTime] = field(default_factory=dict)
    cases_with_service_put_in_place: Rate = Rate(0, 0)


def _period_bounds(period, start, end) -> tuple[dt.date, dt.date]:
    if period is not None:
        return period.start, period.end
    if start is None or end is None or end < start:
        raise ValueError("give a period (Quarter or FinancialYear) or a start and an end, in order")
    return start, end


def quarters_between(start: dt.date, end: dt.date, fy_start_month: int = 4) -> list[Quarter]:
    quarter = Quarter.containing(start, fy_start_month)
    out = []
    while quarter.start <= end:
        out.append(quarter)
        quarter = quarter.next()
    return out


_memo: ContextVar[dict | None] = ContextVar("case_stats_memo", default=None)


@contextmanager
def reused_within():
    """Within the block, ``case_stats`` for the same tenant, dates and scope is worked out once and reused.

    For one job that reads the same quarters several times (a committee report: the framework, the trend and the
    feedback sections), where the records do not change underneath it. Off everywhere else. The figures cache's
    data token is read once for the block (``figures_cache.pinned``).
    """
    token = _memo.set({})
    try:
        with figures_cache.pinned():
            yield
    finally:
        _memo.reset(token)


def case_stats(
    *,
    period: Quarter | FinancialYear | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    team: Team | None = None,
    locality: Locality | None = None,
) -> CaseStats:
    """Counts for the period (inclusive dates), in a fixed number of queries."""
    start, end = _period_bounds(period, start, end)
    memo = _memo.get()
    if memo is None:
        return _case_stats_cached(start, end, team, locality)
    key = (current_tenant().pk, start, end, getattr(team, "pk", None), getattr(locality, "pk", None))
    if key not in memo:
        memo[key] = _case_stats_cached(start, end, team, locality)
    return copy.deepcopy(memo[key])


def _case_stats_cached(start: dt.date, end: dt.date, team: Team | None, locality: Locality | None) -> CaseStats:
    key = (start, end, getattr(team, "pk", None), getattr(locality, "pk", None),
           getattr(current_tenant(), "financial_year_start_month", None))
    return figures_cache.cached("case_stats", key, lambda: _case_stats(start, end, team, locality))


def _case_stats(start: dt.date, end: dt.date, team: Team | None, locality: Locality | None) -> CaseStats:
    fy_start = current_tenant().financial_year_start_month
    case_scope = Q()
    if team is not None:
        case_scope &= Q(team=team)
    if locality is not None:
        case_scope &= Q(locality=locality)
    cases = Case.objects.filter(case_scope)
    # Rows of other tables are limited to the scope's cases only when there is a scope: filtering by the
    # tenant's every case would stop PostgreSQL using the (tenant, date) indexes (bench/explain.py).
    in_scope = {"case__in": cases} if (team is not None or locality is not None) else {}
    stats = CaseStats(start=start, end=end)

    referrals = Referral.objects.filter(received_on__range=(start, end))
    if team is not None or locality is not None:
        referrals = referrals.filter(pk__in=cases.filter(referral__isnull=False).values("referral_id"))
    totals = referrals.aggregate(
        total=Count("pk"),
        re_referrals=Count("pk", filter=Q(is_re_referral=True)),
        **{f"route_{r}": Count("pk", filter=Q(route=r)) for r in Referral.Route.values},
    )
    stats.referrals = totals["total"]
    stats.referrals_by_route = {r: totals[f"route_{r}"] for r in Referral.Route.values}
    stats.re_referrals = Rate(totals["re_referrals"], totals["total"])
    stats.referrals_by_source = {
        row["source__code"]: row["n"]
        for row in referrals.values("source__code").annotate(n=Count("pk")).order_by("source__code")
    }

    opened = cases.filter(opened_on__range=(start, end)).aggregate(
        total=Count("pk"), reopened=Count("pk", filter=Q(is_reopened=True))
    )
    stats.cases_opened = opened["total"]
    stats.reopened_within_window = Rate(opened["reopened"], opened["total"])
    stats.open_at_period_end = cases.filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=end), opened_on__lte=end
    ).count()

    closures = Closure.objects.filter(closed_on__range=(start, end), **in_scope)
    closed = closures.aggregate(
        total=Count("pk"), **{f"j_{j}": Count("pk", filter=Q(judgement=j)) for j in Closure.Judgement.values}
    )
    stats.cases_closed = closed["total"]
    stats.closure_judgements = {j: closed[f"j_{j}"] for j in Closure.Judgement.values}
    by_reason = dict(closures.values_list("reason__code").annotate(n=Count("pk")).order_by())
    stats.closed_by_reason = {code: by_reason.get(code, 0) for code in ClosureReason.objects.values_list("code",
                                                                                                        flat=True)}

    stats.assessments_completed = Assessment.objects.filter(
        completed_on__range=(start, end), **in_scope
    ).count()

    quarters = quarters_between(start, end, fy_start)
    step_ups = StepChange.objects.filter(kind=StepChange.Kind.STEP_UP, occurred_on__range=(start, end),
                                         **in_scope).aggregate(
        **{f"q{i}": Count("pk", filter=Q(occurred_on__range=(q.start, q.end))) for i, q in enumerate(quarters)}
    )
    stepped_up = Referral.objects.filter(decision=Referral.Decision.STEPPED_UP, decided_on__range=(start, end))
    if team is not None or locality is not None:
        stepped_up = stepped_up.none()  # a referral stepped up at the front door belongs to no team
    stepped_up = stepped_up.aggregate(
        **{f"q{i}": Count("pk", filter=Q(decided_on__range=(q.start, q.end))) for i, q in enumerate(quarters)}
    )
    stats.escalations_by_quarter = {
        str(q): {"case_step_ups": step_ups[f"q{i}"], "referrals_stepped_up": stepped_up[f"q{i}"]}
        for i, q in enumerate(quarters)
    }

    answers = Feedback.objects.filter(received_on__range=(start, end), **in_scope).aggregate(
        total=Count("pk"),
        **{
            f"{k}_{v}": Count("pk", filter=Q(**{k: v}))
            for k in ("treated_with_respect", "listened_to", "helped_with_issues")
            for v in (True, False)
        },
    )
    stats.feedback_received = answers["total"]
    for key in ("treated_with_respect", "listened_to", "helped_with_issues"):
        yes = answers[f"{key}_True"]
        setattr(stats, key, Rate(yes, yes + answers[f"{key}_False"]))
    _intervention_stats(stats, cases, start, end)
    return stats


def _intervention_stats(stats: CaseStats, cases, start: dt.date, end: dt.date) -> None:
    """Waiting time (referral to start) of the interventions started in the period, overall and by service; and,
    of the cases open at any time in the period, those where a commissioned service started in it."""
    started = Intervention.objects.filter(started_on__range=(start, end), case__in=cases)
    by_service: dict[str, list[int]] = {}
    total = count = 0
    for name, referred_on, started_on in started.values_list("service__name", "referred_on", "started_on"):
        days = (started_on - referred_on).days
        total += days
        count += 1
        waited = by_service.setdefault(name, [0, 0])
        waited[0] += days
        waited[1] += 1
    stats.interventions_started = count
    stats.intervention_waiting = WaitingTime(total, count)
    stats.waiting_by_service = {name: WaitingTime(*v) for name, v in sorted(by_service.items())}
    open_in_period = cases.filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start), opened_on__lte=end)
    counts = open_in_period.aggregate(
        base=Count("pk", distinct=True),
        put_in_place=Count("pk", distinct=True, filter=Q(interventions__started_on__range=(start, end))),
    )
    stats.cases_with_service_put_in_place = Rate(counts["put_in_place"], counts["base"])
