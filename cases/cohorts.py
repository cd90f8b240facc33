"""Follow-up cohorts (seed 000 §3.14–3.16): what happened to families after an early help service.

* Panel cases: cases that came through a panel or front door (MAGS, MASH, VCM), closed in a window, where a
  commissioned service was put in place — followed up at a later date: never referred again, referred to
  social care, or referred back to the panel.
* Social care cases: cases at a statutory level of need where a commissioned service started in a window —
  improved (closed, or de-escalated / stepped down), no change, or worse (stepped up).

Counts only, each case in exactly one outcome, in a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from .models import Case, Intervention, Referral, StepChange


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
    """Cases at a statutory level where a commissioned service started between the dates, and their status at
    ``followed_up_on``. In two queries."""
    cohort = list(
        Case.objects.filter(level_of_need__is_statutory=True, opened_on__lte=started_to)
        .filter(_with_service(started_from, started_to)).values_list("pk", "closed_on")
    )
    first_start = dict(
        Intervention.objects.filter(case_id__in=[pk for pk, _ in cohort], started_on__range=(started_from, started_to))
        .order_by("case_id", "-started_on").values_list("case_id", "started_on")  # the earliest start wins
    )
    changes = defaultdict(list)
    for case_id, kind, occurred in StepChange.objects.filter(
        case_id__in=[pk for pk, _ in cohort], occurred_on__lte=followed_up_on
    ).values_list("case_id", "kind", "occurred_on"):
        changes[case_id].append((kind, occurred))
    closures = de_escalations = worse = 0
    for pk, closed_on in cohort:
        since = [kind for kind, day in changes[pk] if day >= first_start.get(pk, started_from)]
        if closed_on is not None and closed_on <= followed_up_on:
            closures += 1
        elif StepChange.Kind.DE_ESCALATION in since or StepChange.Kind.STEP_DOWN in since:
            de_escalations += 1
        elif StepChange.Kind.STEP_UP in since:
            worse += 1
    return SocialCareFollowUp(started_from, started_to, followed_up_on, len(cohort), closures, de_escalations,
                              len(cohort) - closures - de_escalations - worse, worse)
