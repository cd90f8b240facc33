"""Demo outcomes for a fictional authority, over the cases made by ``cases.demo``: spider graph readings at
start, review and end (with plausible change, mostly for the better), wellbeing webs for some children,
family outcomes for most closed cases, and a few Supporting Families enrolments with evidence and claims.
Deterministic (the tenant's seeded random source), idempotent (skipped when readings exist) and fast (bulk
inserts with the tenant set explicitly; claims go through the services so their rules hold)."""

from __future__ import annotations

import datetime as dt

from cases.models import Assessment, Case, Person, Plan
from earlyhelp.demo import rng_for
from earlyhelp.models import Membership

from . import services
from .models import (
    CaseFamilyOutcome,
    DistanceTool,
    FamilyOutcome,
    Reading,
    ReadingScore,
    Stage,
)
from .services.programme import sustained_from


def _scores(rng, tool, areas, base=None, drift=0):
    out = {}
    for area in areas:
        if base is None:
            value = rng.randint(tool.scale_min + 1, (tool.scale_min + tool.scale_max) // 2 + 1)
        else:
            if area.key not in base:
                continue
            step = rng.choice([-1, 0, 1]) + drift
            value = base[area.key] + (step if tool.higher_is_better else -step)
        if rng.random() < 0.05 and base is not None:
            continue  # an area left unscored now and then
        out[area.key] = max(tool.scale_min, min(tool.scale_max, value))
    return out


def seed(tenant, users) -> None:
    if Reading.objects.exists():
        return
    services.outcomes_defaults_ensure(tenant=tenant)
    rng = rng_for(tenant)
    today = dt.date.today()
    tools = {t.code: t for t in DistanceTool.objects.all()}
    versions = {code: t.versions.order_by("-number").first() for code, t in tools.items()}
    areas = {code: list(v.areas.all()) for code, v in versions.items()}
    cases = list(Case.objects.order_by("opened_on", "id"))
    children: dict[int, list[int]] = {}  # every child in scope of a case gets their own wellbeing web
    for case_id, person in (Case.children.through.objects.filter(case__in=cases).order_by("person_id")
                            .values_list("case_id", "person_id")):
        children.setdefault(case_id, []).append(person)
    people = {p.pk: p for p in Person.objects.filter(pk__in={k for ks in children.values() for k in ks})}

    planned = []  # (Reading, {key: score})
    for case in cases:
        last_day = case.closed_on or today
        start_on = case.opened_on + dt.timedelta(days=7)
        if start_on > last_day or rng.random() > 0.8:
            continue
        with_web = rng.random() <= 0.4
        subjects = [("spider-graph", None)] + (
            [("wellbeing-web", people[k]) for k in children.get(case.pk, [])] if with_web else [])
        for code, person in subjects:
            tool = tools[code]

            def add(stage, on, scores, tool=tool, person=person, case=case, code=code):
                planned.append((Reading(tenant=tenant, case=case, person=person, tool=tool, version=versions[code],
                                        stage=stage, taken_on=on, recorded_by=case.lead_professional), scores))

            start = _scores(rng, tool, areas[code])
            trend = rng.choice([2, 1, 1, 1, 1, 1, 0, 0, 0, -1])  # most families move the right way
            add(Stage.START, start_on, start)
            review_on = case.opened_on + dt.timedelta(days=70)
            if review_on < last_day:
                add(Stage.REVIEW, review_on, _scores(rng, tool, areas[code], start, drift=max(trend, 0)))
            if case.closed_on and rng.random() < 0.75:
                add(Stage.END, case.closed_on, _scores(rng, tool, areas[code], start, drift=trend))
    Reading.objects.bulk_create([r for r, _ in planned])
    area_by_key = {code: {a.key: a for a in found} for code, found in areas.items()}
    ReadingScore.objects.bulk_create(
        ReadingScore(tenant=tenant, reading=r, area=area_by_key[r.tool.code][key], score=value)
        for r, scores in planned for key, value in scores.items()
    )

    outcomes = list(FamilyOutcome.objects.all())
    progress = ["improved"] * 13 + ["no_change"] * 5 + ["worse"] * 2
    rows = []
    for case in cases:
        if case.closed_on and rng.random() < 0.85:
            for outcome in rng.sample(outcomes, rng.randint(2, 4)):
                rows.append(CaseFamilyOutcome(tenant=tenant, case=case, outcome=outcome,
                                              progress=rng.choice(progress), recorded_by=case.lead_professional))
    CaseFamilyOutcome.objects.bulk_create(rows)

    _programme(tenant, rng, today, users)


def _programme(tenant, rng, today, users):
    """A few enrolled families: cases opened 9–15 months ago with an assessment and a plan. The demo acts as the
    seeded members: each case's lead professional enrols and records evidence, the team manager claims."""
    manager = Membership.objects.get(user=users["manager"])
    framework = services.programme_framework_ensure(tenant=tenant)
    areas = list(framework.outcomes.all())
    assessed = Assessment.objects.filter(completed_on__isnull=False).values("case_id")
    planned = Plan.objects.values("case_id")
    candidates = (Case.objects.filter(pk__in=assessed).filter(pk__in=planned)
                  .filter(opened_on__lte=today - dt.timedelta(days=270), opened_on__gte=today - dt.timedelta(days=460))
                  .select_related("family").order_by("opened_on", "id"))
    seen = set()
    chosen = [c for c in candidates if not (c.family_id in seen or seen.add(c.family_id))][:12]
    for i, case in enumerate(chosen):
        enrolled_on = case.opened_on + dt.timedelta(days=10)
        worker = Membership.objects.filter(user=case.lead_professional).first() or manager
        enrolment = services.enrolment_create(
            family=case.family, framework=framework, enrolled_on=enrolled_on, case=case,
            lead_professional=case.lead_professional, needs=rng.sample(areas, rng.randint(3, 4) if i % 5 else 2),
            by=worker)
        for need in enrolment.needs.all():
            if rng.random() < 0.75:
                met_on = enrolled_on + dt.timedelta(days=rng.randint(30, 120))
                if met_on <= today:
                    services.need_evidence_record(need=need, kind="met", recorded_on=met_on,
                                                  description="Outcome met: evidence seen by the lead professional.",
                                                  source="Case records", by=worker)
        as_of = min(today, max((sustained_from(n.met_on) for n in enrolment.needs.all() if n.met_on),
                               default=today))
        if services.claim_check(enrolment=enrolment, as_of=as_of).eligible:
            claim = services.claim_prepare(enrolment=enrolment, prepared_on=as_of, by=manager)
            if i % 3 and as_of + dt.timedelta(days=14) <= today:
                services.claim_submit(claim=claim, submitted_on=as_of + dt.timedelta(days=14), by=manager)
                if as_of + dt.timedelta(days=60) <= today:
                    services.claim_decide(claim=claim, paid=i % 4 != 0, decided_on=as_of + dt.timedelta(days=60),
                                          note="" if i % 4 else "Evidence of sustained attendance missing",
                                          by=manager)
