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

from earlyhelp import figures_engine
from earlyhelp.figures import Rate
from earlyhelp.models import Locality, Team
from earlyhelp.periods import FinancialYear, Period, Quarter, period_bounds, within_any
from earlyhelp.tenancy import current_tenant

from .models import (
    Assessment,
    Case,
    CaseFileAudit,
    Closure,
    ClosureReason,
    FamilyMeeting,
    Feedback,
    Intervention,
    Person,
    Referral,
    StepChange,
)

# Step-ups of a case counted as escalations: to social care, and (Family Help) to a multi-agency child protection
# team under s16EA Children Act 2004.
ESCALATION_KINDS = (StepChange.Kind.STEP_UP, StepChange.Kind.STEP_UP_MACPT)


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
    data token is read once for the block (``figures_engine.pinned``).
    """
    token = _memo.set({})
    try:
        with figures_engine.pinned():
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
    return case_stats_series([_period_bounds(period, start, end)], team=team, locality=locality)[0]


def case_stats_series(periods, *, team: Team | None = None, locality: Locality | None = None) -> list[CaseStats]:
    """``case_stats`` for each of ``periods`` (Quarters, FinancialYears or ``(start, end)`` pairs), in order, in the
    same fixed number of queries as one period: each table is read once for all the periods. Each result equals
    ``case_stats`` for that period alone, and is stored in and read from the figures cache under the same key."""
    bounds = [period_bounds(p) for p in periods]
    if not bounds:
        return []
    scope = (getattr(team, "pk", None), getattr(locality, "pk", None))
    memo = _memo.get()
    if memo is None:
        return _case_stats_cached(bounds, team, locality)
    tenant_id = current_tenant().pk
    keys = [(tenant_id, start, end, *scope) for start, end in bounds]
    missing = list(dict.fromkeys(k for k in keys if k not in memo))
    if missing:
        for key, stats in zip(missing, _case_stats_cached([k[1:3] for k in missing], team, locality), strict=True):
            memo[key] = stats
    return [copy.deepcopy(memo[key]) for key in keys]


def _case_stats_cached(bounds: list[Period], team: Team | None, locality: Locality | None) -> list[CaseStats]:
    fy_start = getattr(current_tenant(), "financial_year_start_month", None)
    keys = [(start, end, getattr(team, "pk", None), getattr(locality, "pk", None), fy_start) for start, end in bounds]
    return figures_engine.cached_series(
        "case_stats", keys, lambda indices: _case_stats([bounds[i] for i in indices], team, locality),
        period_ends=[end for _, end in bounds])


def _case_stats(bounds: list[Period], team: Team | None, locality: Locality | None) -> list[CaseStats]:
    fy_start = current_tenant().financial_year_start_month
    scoped = team is not None or locality is not None
    case_scope = Q()
    if team is not None:
        case_scope &= Q(team=team)
    if locality is not None:
        case_scope &= Q(locality=locality)
    cases = Case.objects.filter(case_scope)
    # Rows of other tables are limited to the scope's cases only when there is a scope: filtering by the
    # tenant's every case would stop PostgreSQL using the (tenant, date) indexes (bench/explain.py).
    in_scope = {"case__in": cases} if scoped else {}
    out = [CaseStats(start=start, end=end) for start, end in bounds]
    periods = list(enumerate(bounds))

    def each(field: str, q: Q | None = None) -> dict[str, Count]:
        return {f"p{i}": Count("pk", filter=Q(**{f"{field}__range": p}) & (q or Q())) for i, p in periods}

    referrals = Referral.objects.filter(within_any("received_on", bounds))
    if scoped:
        referrals = referrals.filter(pk__in=cases.filter(referral__isnull=False).values("referral_id"))
    # Counted by source in one pass; the totals are the sums over the sources (every referral has one).
    counts = {
        **{f"total_{k}": v for k, v in each("received_on").items()},
        **{f"re_{k}": v for k, v in each("received_on", Q(is_re_referral=True)).items()},
        **{f"route_{r}_{k}": v for r in Referral.Route.values for k, v in each("received_on", Q(route=r)).items()},
    }
    by_source = list(referrals.values("source__code").annotate(**counts).order_by("source__code"))
    totals = {name: sum(row[name] for row in by_source) for name in counts}
    for i, stats in enumerate(out):
        total = totals[f"total_p{i}"]
        stats.referrals = total
        stats.referrals_by_route = {r: totals[f"route_{r}_p{i}"] for r in Referral.Route.values}
        stats.re_referrals = Rate(totals[f"re_p{i}"], total)
        stats.referrals_by_source = {row["source__code"]: row[f"total_p{i}"] for row in by_source
                                     if row[f"total_p{i}"]}

    last_end, first_end = max(e for _, e in bounds), min(e for _, e in bounds)
    opened = cases.filter(
        within_any("opened_on", bounds) | (Q(opened_on__lte=last_end) & (Q(closed_on__isnull=True)
                                                                          | Q(closed_on__gt=first_end)))
    ).aggregate(
        **{f"opened_{k}": v for k, v in each("opened_on").items()},
        **{f"reopened_{k}": v for k, v in each("opened_on", Q(is_reopened=True)).items()},
        **{f"open_p{i}": Count("pk", filter=(Q(closed_on__isnull=True) | Q(closed_on__gt=e)) & Q(opened_on__lte=e))
           for i, (_, e) in periods},
    )
    for i, stats in enumerate(out):
        stats.cases_opened = opened[f"opened_p{i}"]
        stats.reopened_within_window = Rate(opened[f"reopened_p{i}"], opened[f"opened_p{i}"])
        stats.open_at_period_end = opened[f"open_p{i}"]

    closures = Closure.objects.filter(within_any("closed_on", bounds), **in_scope)
    # Counted by reason in one pass; the totals are the sums over the reasons (every closure has one).
    counts = {
        **{f"total_{k}": v for k, v in each("closed_on").items()},
        **{f"j_{j}_{k}": v for j in Closure.Judgement.values for k, v in each("closed_on", Q(judgement=j)).items()},
    }
    reason_rows = list(closures.values("reason__code").annotate(**counts).order_by())
    closed = {name: sum(row[name] for row in reason_rows) for name in counts}
    by_reason = {row["reason__code"]: row for row in reason_rows}
    reason_codes = list(ClosureReason.objects.values_list("code", flat=True))
    assessments = Assessment.objects.filter(within_any("completed_on", bounds), **in_scope).aggregate(
        **each("completed_on"))
    for i, stats in enumerate(out):
        stats.cases_closed = closed[f"total_p{i}"]
        stats.closure_judgements = {j: closed[f"j_{j}_p{i}"] for j in Closure.Judgement.values}
        stats.closed_by_reason = {code: by_reason[code][f"total_p{i}"] if code in by_reason else 0
                                  for code in reason_codes}
        stats.assessments_completed = assessments[f"p{i}"]

    # Escalations by quarter, each quarter cut to the period (a period need not start or end on a quarter).
    quarter_parts = {i: [(q, (max(s, q.start), min(e, q.end))) for q in quarters_between(s, e, fy_start)]
                     for i, (s, e) in periods}
    parts = list(dict.fromkeys(part for listed in quarter_parts.values() for _, part in listed))
    step_ups = StepChange.objects.filter(kind__in=ESCALATION_KINDS, **in_scope).filter(
        within_any("occurred_on", bounds)).aggregate(
        **{f"q{n}": Count("pk", filter=Q(occurred_on__range=part)) for n, part in enumerate(parts)})
    stepped_up = Referral.objects.filter(decision=Referral.Decision.STEPPED_UP).filter(
        within_any("decided_on", bounds))
    if scoped:
        stepped_up = stepped_up.none()  # a referral stepped up at the front door belongs to no team
    stepped_up = stepped_up.aggregate(
        **{f"q{n}": Count("pk", filter=Q(decided_on__range=part)) for n, part in enumerate(parts)})
    for i, stats in enumerate(out):
        stats.escalations_by_quarter = {
            str(q): {"case_step_ups": step_ups[f"q{parts.index(part)}"],
                     "referrals_stepped_up": stepped_up[f"q{parts.index(part)}"]}
            for q, part in quarter_parts[i]
        }

    questions = ("treated_with_respect", "listened_to", "helped_with_issues")
    answers = Feedback.objects.filter(within_any("received_on", bounds), **in_scope).aggregate(
        **{f"total_{k}": v for k, v in each("received_on").items()},
        **{f"{q}_{v}_{k}": c for q in questions for v in (True, False)
           for k, c in each("received_on", Q(**{q: v})).items()},
    )
    for i, stats in enumerate(out):
        stats.feedback_received = answers[f"total_p{i}"]
        for q in questions:
            yes = answers[f"{q}_True_p{i}"]
            setattr(stats, q, Rate(yes, yes + answers[f"{q}_False_p{i}"]))
    _intervention_stats(out, cases, in_scope, bounds)
    return out


def _intervention_stats(out: list[CaseStats], cases, in_scope: dict, bounds: list[Period]) -> None:
    """Waiting time (referral to start) of the interventions started in each period, overall and by service; and,
    of the cases open at any time in the period, those where a commissioned service started in it."""
    started = Intervention.objects.filter(within_any("started_on", bounds), **in_scope).order_by()
    waits: list[dict[str, list[int]]] = [{} for _ in bounds]
    for name, referred_on, started_on in started.values_list("service__name", "referred_on", "started_on"):
        days = (started_on - referred_on).days
        for i, (s, e) in enumerate(bounds):
            if s <= started_on <= e:
                waited = waits[i].setdefault(name, [0, 0])
                waited[0] += days
                waited[1] += 1
    for stats, by_service in zip(out, waits, strict=True):
        total = sum(v[0] for v in by_service.values())
        count = sum(v[1] for v in by_service.values())
        stats.interventions_started = count
        stats.intervention_waiting = WaitingTime(total, count)
        stats.waiting_by_service = {name: WaitingTime(*v) for name, v in sorted(by_service.items())}
    first_start, last_end = min(s for s, _ in bounds), max(e for _, e in bounds)
    open_in_any = cases.filter(Q(closed_on__isnull=True) | Q(closed_on__gte=first_start), opened_on__lte=last_end)
    counts = open_in_any.aggregate(**{
        f"{name}_p{i}": Count("pk", distinct=True, filter=(Q(closed_on__isnull=True) | Q(closed_on__gte=s))
                              & Q(opened_on__lte=e, **extra))
        for i, (s, e) in enumerate(bounds)
        for name, extra in (("base", {}), ("put_in_place", {"interventions__started_on__range": (s, e)}))
    })
    for i, stats in enumerate(out):
        stats.cases_with_service_put_in_place = Rate(counts[f"put_in_place_p{i}"], counts[f"base_p{i}"])


# ---------------------------------------------------------------------------------------------------- case file audits


@dataclass(frozen=True)
class AuditGrades:
    """Case file audits of one group (a team, a locality, a quarter, or all): ``audited`` is the base, and
    ``grades`` how many of them were given each grade of the scale (``CaseFileAudit.Grade``, best first), zeros
    included. A rate (e.g. the share judged good or outstanding) is worked out at presentation."""

    label: str
    audited: int
    grades: dict[str, int]

    def at_least_good(self) -> Rate:
        good = (CaseFileAudit.Grade.OUTSTANDING, CaseFileAudit.Grade.GOOD)
        return Rate(sum(self.grades[g] for g in good), self.audited)


@dataclass
class AuditStats:
    """Case file audits dated in ``start``..``end``, graded on ``area`` (``CaseFileAudit.AREAS``; the overall
    judgement by default): every audit in ``total``, and the same audits split by team, by locality (the case's)
    and by quarter of the audit date. A team or locality with no audit in the period is left out."""

    start: dt.date
    end: dt.date
    area: str
    total: AuditGrades
    by_team: list[AuditGrades]
    by_locality: list[AuditGrades]
    by_quarter: list[AuditGrades]


GRADES = list(CaseFileAudit.Grade.values)


def _grade_counts(area: str) -> dict:
    counts = {"audited": Count("id")}
    for grade in GRADES:
        counts[grade] = Count("id", filter=Q(**{area: grade}))
    return counts


def _grades(label: str, row: dict) -> AuditGrades:
    return AuditGrades(label=label, audited=row["audited"], grades={g: row[g] for g in GRADES})


def audit_stats(*, period, team: Team | None = None, locality: Locality | None = None, teams=None,
                area: str = "overall") -> AuditStats:
    """Grades of the case file audits dated in ``period`` (a Quarter, a FinancialYear or a ``(start, end)`` pair),
    optionally of one team's or locality's cases, or of the cases of ``teams`` (a team manager's). Counts only:
    no child, case or auditor is named."""
    if area not in CaseFileAudit.AREAS:
        raise ValueError(f"{area!r} is not an audited area ({', '.join(CaseFileAudit.AREAS)})")
    start, end = period_bounds(period)
    audits = CaseFileAudit.objects.filter(audited_on__range=(start, end))
    if team is not None:
        audits = audits.filter(case__team=team)
    if locality is not None:
        audits = audits.filter(case__locality=locality)
    if teams is not None:
        audits = audits.filter(case__team__in=teams)
    counts = _grade_counts(area)
    total = _grades("All audits", audits.aggregate(**counts))
    by_team = [_grades(row["case__team__name"], row) for row in
               audits.values("case__team__name").annotate(**counts).order_by("case__team__name")]
    by_locality = [_grades(row["case__locality__name"] or "No locality", row) for row in
                   audits.values("case__locality__name").annotate(**counts).order_by("case__locality__name")]
    tenant = current_tenant()
    quarters = quarters_between(start, end, tenant.financial_year_start_month if tenant else 4)
    per_quarter = audits.aggregate(**{
        f"{i}_{name}": Count("id", filter=Q(audited_on__range=(q.start, q.end)) & (
            Q() if name == "audited" else Q(**{area: name})))
        for i, q in enumerate(quarters) for name in ["audited", *GRADES]})
    by_quarter = [_grades(str(q), {name: per_quarter[f"{i}_{name}"] for name in ["audited", *GRADES]})
                  for i, q in enumerate(quarters)]
    return AuditStats(start=start, end=end, area=area, total=total, by_team=by_team, by_locality=by_locality,
                      by_quarter=by_quarter)


# ---------------------------------------------------------------------------------------------- identifiers


@dataclass
class IdentifierCounts:
    """Children with a verified, an unverified or no NHS number; ``base`` is every child counted."""

    label: str
    verified: int
    unverified: int
    missing: int
    base: int

    def share(self, name: str):
        from earlyhelp.figures import percentage

        return percentage(getattr(self, name), self.base)

    @property
    def shares(self) -> dict:
        return {name: self.share(name) for name in ("verified", "unverified", "missing")}


def _identifier_counts(prefix: str = "") -> dict:
    has = Q(**{f"{prefix}nhs_number__gt": ""})
    verified = has & Q(**{f"{prefix}nhs_number_status": Person.NhsNumberStatus.VERIFIED})
    return {
        "verified": Count(f"{prefix}pk" if prefix else "pk", filter=verified, distinct=True),
        "unverified": Count(f"{prefix}pk" if prefix else "pk", filter=has & ~verified, distinct=True),
        "missing": Count(f"{prefix}pk" if prefix else "pk", filter=~has, distinct=True),
        "base": Count(f"{prefix}pk" if prefix else "pk", distinct=True),
    }


def identifier_completeness() -> tuple[list[IdentifierCounts], IdentifierCounts]:
    """The consistent identifier (the NHS number) of children: by team, the children of the team's open cases
    (a child on two teams' cases counts in both); and every child recorded by the council."""
    by_team = (Case.objects.filter(closed_on__isnull=True).values("team")
               .annotate(**_identifier_counts("children__")).order_by())
    teams = Team.objects.in_bulk([row["team"] for row in by_team])
    rows = [IdentifierCounts(label=teams[row.pop("team")].name, **row) for row in by_team if row["base"]]
    rows.sort(key=lambda r: r.label)
    everyone = Person.objects.filter(kind=Person.Kind.CHILD).aggregate(**_identifier_counts())
    return rows, IdentifierCounts(label="All children recorded", **everyone)


FAMILY_MEETING_BEFORE_STEP_UP = (
    "Families stepped up to a multi-agency child protection team in the period who had been offered a family "
    "meeting (family group decision making) on or before the date of that step-up, out of families stepped up "
    "in the period. A family stepped up more than once in the period is counted once, at its first step-up."
)


def family_meetings_before_step_up_series(periods, *, team: Team | None = None,
                                          locality: Locality | None = None) -> list[Rate]:
    """For each period: families offered a family meeting before their step-up to child protection (numerator)
    out of families stepped up to a multi-agency child protection team in the period (base). Read straight from
    the records (not the figures cache: family meetings carry no change triggers), in two queries."""
    bounds = [period_bounds(p) for p in periods]
    if not bounds:
        return []
    case_scope = Q()
    if team is not None:
        case_scope &= Q(case__team=team)
    if locality is not None:
        case_scope &= Q(case__locality=locality)
    steps = list(StepChange.objects.filter(case_scope, within_any("occurred_on", bounds),
                                           kind=StepChange.Kind.STEP_UP_MACPT)
                 .values_list("case__family_id", "occurred_on").order_by("occurred_on"))
    families = {family for family, _ in steps}
    first_offer: dict[int, dt.date] = {}
    for family, offered in (FamilyMeeting.objects.filter(case__family_id__in=families)
                            .values_list("case__family_id", "offered_on").order_by("offered_on")):
        first_offer.setdefault(family, offered)
    out = []
    for start, end in bounds:
        first_step: dict[int, dt.date] = {}
        for family, on in steps:
            if start <= on <= end:
                first_step.setdefault(family, on)
        offered = sum(1 for family, on in first_step.items() if family in first_offer and first_offer[family] <= on)
        out.append(Rate(offered, len(first_step)))
    return out
