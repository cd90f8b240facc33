"""Follow-up cohorts (seed 000 §3.14–3.16): what happened to families after an early help service.

* Panel cases: cases that came through a panel or front door (MAGS, MASH, VCM), closed in a window, where a
  commissioned service was put in place — followed up at a later date: never referred again, referred to
  social care, or referred back to the panel.
* Social care cases: cases at a statutory level of need *on the day* a commissioned service started in a
  window (the cohort is defined at its start and keeps every member) — improved (closed, or de-escalated /
  stepped down), no change, or worse (stepped up), at the follow-up date.

Counts only, each case in exactly one outcome, in a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from .models import Case, Intervention, LevelOfNeed, Referral, StepChange


@dataclass(frozen=True)
class PanelFollowUp:
    closed_from: dt.date
    closed_to: dt.date
    followed_up_on: dt.date
    cases: int
    never_referred_again: int
    referred_to_social_care: int
    referred_back_to_panel: int


@dataclass(frozen=True)
class SocialCareFollowUp:
    started_from: dt.date
    started_to: dt.date
    followed_up_on: dt.date
    cases: int
    closures: int
    de_escalations: int
    no_change: int
    worse: int

    @property
    def improved(self) -> int:
        return self.closures + self.de_escalations


def _with_service(started_from: dt.date | None = None, started_to: dt.date | None = None):
    interventions = Intervention.objects.filter(case=OuterRef("pk"), started_on__isnull=False)
    if started_from is not None:
        interventions = interventions.filter(started_on__range=(started_from, started_to))
    return Exists(interventions)


def panel_follow_up(*, closed_from: dt.date, closed_to: dt.date, followed_up_on: dt.date) -> PanelFollowUp:
    """Panel cases closed between the dates (inclusive) where a commissioned service was put in place, and
    what the family's later referrals (up to ``followed_up_on``) show. In three queries."""
    cohort = list(
        Case.objects.filter(referral__route=Referral.Route.PANEL, closed_on__range=(closed_from, closed_to))
        .filter(_with_service()).values_list("pk", "family_id", "closed_on")
    )
    families = {family for _, family, _ in cohort}
    later_referrals = defaultdict(list)
    for family, received, route, decision in Referral.objects.filter(
        family_id__in=families, received_on__lte=followed_up_on
    ).values_list("family_id", "received_on", "route", "decision"):
        later_referrals[family].append((received, route, decision))
    step_ups = defaultdict(list)
    for family, occurred in StepChange.objects.filter(
        case__family_id__in=families, kind=StepChange.Kind.STEP_UP, occurred_on__lte=followed_up_on
    ).values_list("case__family_id", "occurred_on"):
        step_ups[family].append(occurred)
    social_care = back_to_panel = 0
    for _, family, closed_on in cohort:
        after = [r for r in later_referrals[family] if r[0] > closed_on]
        if any(d == Referral.Decision.STEPPED_UP for _, _, d in after) or any(
                day > closed_on for day in step_ups[family]):
            social_care += 1
        elif any(route == Referral.Route.PANEL for _, route, _ in after):
            back_to_panel += 1
    return PanelFollowUp(closed_from, closed_to, followed_up_on, len(cohort),
                         len(cohort) - social_care - back_to_panel, social_care, back_to_panel)


def social_care_follow_up(*, started_from: dt.date, started_to: dt.date, followed_up_on: dt.date) -> SocialCareFollowUp:
    """The cohort defined at its start: cases where a commissioned service started between the dates (inclusive)
    and whose level of need **on the day the service started** was statutory — whatever happened to the case
    afterwards. Each member is followed to ``followed_up_on`` and counted once: closed by then; stepped down or
    de-escalated (its level then is below its level at the start); worse (above it); or no change.

    A case's level on a day is read back from its step changes: the ``level_before`` of its first change on or
    after that day, else its current level. In three queries.
    """
    first_start: dict[int, dt.date] = {}
    for case_id, started_on in (
        Intervention.objects.filter(started_on__range=(started_from, started_to))
        .order_by("case_id", "started_on").values_list("case_id", "started_on")
    ):
        first_start.setdefault(case_id, started_on)  # the earliest start in the window is the cohort's start event
    candidates = {
        pk: (closed_on, level_id)
        for pk, opened_on, closed_on, level_id in Case.objects.filter(pk__in=first_start).values_list(
            "pk", "opened_on", "closed_on", "level_of_need_id")
        if opened_on <= first_start[pk]
    }
    changes = defaultdict(list)  # ordered by day: (day, level before, level after)
    for case_id, occurred, before, after in StepChange.objects.filter(case_id__in=candidates).order_by(
            "occurred_on", "id").values_list("case_id", "occurred_on", "level_before_id", "level_after_id"):
        changes[case_id].append((occurred, before, after))
    levels = {pk: (rank, statutory) for pk, rank, statutory in LevelOfNeed.objects.values_list(
        "pk", "rank", "is_statutory")}

    def level_on(case_id: int, day: dt.date) -> int | None:
        for occurred, before, _after in changes[case_id]:
            if occurred >= day:
                return before
        return candidates[case_id][1]

    cases = closures = de_escalations = worse = 0
    for pk, (closed_on, _level) in candidates.items():
        at_start = level_on(pk, first_start[pk])
        if at_start is None or not levels[at_start][1]:
            continue  # not at a statutory level when the service started: not in the cohort
        cases += 1
        if closed_on is not None and closed_on <= followed_up_on:
            closures += 1
            continue
        at_end = level_on(pk, followed_up_on + dt.timedelta(days=1))
        start_rank, end_rank = levels[at_start][0], levels[at_end][0] if at_end is not None else 0
        if end_rank < start_rank:
            de_escalations += 1
        elif end_rank > start_rank:
            worse += 1
    return SocialCareFollowUp(started_from, started_to, followed_up_on, cases, closures, de_escalations,
                              cases - closures - de_escalations - worse, worse)
