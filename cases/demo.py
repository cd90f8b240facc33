"""Demo casework for a fictional authority: a year of referrals from every source, open and closed cases,
assessments, plans, reviews, step-ups and step-downs, feedback and a few case file audits. Deterministic (the
tenant's seeded random source, dates counted back from today), idempotent (skipped when families exist) and
fast (bulk inserts with the tenant set explicitly; every foreign key stays inside the tenant). All names are
invented."""

from __future__ import annotations

import datetime as dt

from earlyhelp.demo import rng_for
from earlyhelp.models import Membership, Team, User
from earlyhelp.permissions import Role

from . import demo_familyhelp, demo_partners, demo_practice
from .models import (
    Assessment,
    Case,
    CaseFileAudit,
    Closure,
    ClosureNeedProgress,
    ClosureReason,
    Consent,
    Family,
    Feedback,
    LevelOfNeed,
    Person,
    Plan,
    PlanAction,
    PresentingNeed,
    Referral,
    ReferralSource,
    Review,
    StepChange,
)
from .services import (
    AdultEntry,
    ChildEntry,
    ConsentEntry,
    FamilyEntry,
    FamilyReferral,
    IdentifierEntry,
    NewPerson,
    RelationshipEntry,
    months_before,
    nhs_number_check_record,
    referral_record,
    relationship_add,
    tenant_defaults_ensure,
)

FAMILIES = 320
SURNAMES = ["Ashdown", "Brackley", "Carrow", "Dunmore", "Elsworth", "Fenby", "Garside", "Halloway", "Inchley",
            "Jessop", "Kettleby", "Lowther", "Marlow", "Netherby", "Oakridge", "Penrose", "Quarrie", "Redfern",
            "Stainton", "Thackray", "Upfield", "Varley", "Wetherall", "Yarrow", "Ashby", "Birtle", "Coverdale"]
CHILD_NAMES = {"F": ["Amelia", "Bea", "Cora", "Daisy", "Esme", "Freya", "Isla", "Maya", "Nia", "Orla", "Poppy",
                     "Ruby", "Safa", "Tilly", "Zara"],
               "M": ["Alfie", "Ben", "Caleb", "Dev", "Ezra", "Finn", "Harvey", "Idris", "Jude", "Kai", "Leo",
                     "Milo", "Noah", "Oscar", "Rory"]}
ADULT_NAMES = [("F", "mother", ["Claire", "Donna", "Gemma", "Hayley", "Kerry", "Leanne", "Nadia", "Sonia"]),
               ("M", "father", ["Craig", "Darren", "Gary", "Jason", "Lee", "Marcus", "Rizwan", "Wayne"])]
ETHNICITIES = ["WBRI"] * 12 + ["WOTH", "MWBC", "MWAS", "AIND", "APKN", "BAFR", "BCRB", "OOTH", "NOBT"]
# A plan goal, who it is for ("child": one of the children in scope, "adult": a parent or carer, "family": the
# whole family) and the National Framework outcome it works towards.
ACTIONS = [
    ("Agree a bedtime routine and keep a sleep diary", "child", "stay_together"),
    ("Attend the parenting group for six weeks", "adult", "stay_together"),
    ("Meet the school's attendance officer", "child", "stay_together"),
    ("Referral to the school nurse for a wellbeing check", "child", "stay_together"),
    ("Debt advice appointment at Citizens Advice", "adult", "stay_together"),
    ("Support to apply for a housing transfer", "family", "stay_together"),
    ("Weekly 1:1 sessions on managing anger", "child", "safe"),
    ("Register with a GP and attend the health check", "child", "stay_together"),
    ("Family network meeting: agree who helps after school and at weekends", "family", "family_network"),
    ("Safety plan for the journey home and time online", "child", "safe"),
]
WORKERS = [("Hana", "Okonjo"), ("Lewis", "Treharne"), ("Mei", "Lindqvist"), ("Sunil", "Bracewell")]


def _workers(tenant, users, teams: list[Team]) -> list[tuple[User, Team]]:
    """The demo practitioner, the manager and a few fictional colleagues (who cannot sign in), with teams."""
    pairs = [(users["practitioner"], teams[0])]
    for i, (first, last) in enumerate(WORKERS):
        user, created = User.objects.get_or_create(
            username=f"{tenant.slug}.worker{i + 1}", defaults={"first_name": first, "last_name": last}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        membership, _ = Membership.objects.get_or_create(user=user, defaults={"role": Role.PRACTITIONER})
        team = teams[i % len(teams)]
        membership.teams.add(team)
        pairs.append((user, team))
    return pairs


def seed(tenant, users) -> None:
    if Family.objects.exists():
        demo_partners.seed(tenant, users)
        return
    tenant_defaults_ensure(tenant=tenant)
    rng = rng_for(tenant)
    today = dt.date.today()
    year_ago = today - dt.timedelta(days=365)
    teams = list(Team.objects.select_related("locality").order_by("name"))
    teams.sort(key=lambda t: t.pk not in set(users["practitioner"].memberships.get().teams.values_list("pk",
                                                                                                      flat=True)))
    workers = _workers(tenant, users, teams)
    sources = list(ReferralSource.objects.all())
    needs = list(PresentingNeed.objects.all())
    levels = {lv.rank: lv for lv in LevelOfNeed.objects.all()}
    reasons = {r.code: r for r in ClosureReason.objects.all()}
    prefix = tenant.slug[:2].upper()
    wards = [t.locality.name if t.locality else t.name for t in teams]

    def day(lo: dt.date, spread: int) -> dt.date:
        return min(lo + dt.timedelta(days=rng.randint(0, spread)), today)

    # Families and people.
    families = Family.objects.bulk_create(
        Family(tenant=tenant, name=f"{rng.choice(SURNAMES)} family", postcode=f"{prefix}{rng.randint(1, 9)} "
               f"{rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
               ward=rng.choice(wards))
        for _ in range(FAMILIES)
    )
    people = []
    for family in families:
        surname = family.name.removesuffix(" family")
        for _ in range(rng.choice([1, 1, 2, 2, 3])):
            sex = rng.choice("MF")
            people.append(Person(tenant=tenant, family=family, kind=Person.Kind.CHILD, sex=sex,
                                 first_name=rng.choice(CHILD_NAMES[sex]), last_name=surname, relationship="child",
                                 date_of_birth=today - dt.timedelta(days=rng.randint(200, 17 * 365)),
                                 ethnicity=rng.choice(ETHNICITIES), postcode=family.postcode, ward=family.ward))
        sex, relationship, names = rng.choice(ADULT_NAMES)
        people.append(Person(tenant=tenant, family=family, kind=Person.Kind.ADULT, sex=sex, relationship=relationship,
                             first_name=rng.choice(names), last_name=surname, postcode=family.postcode,
                             ward=family.ward, ethnicity="NOBT"))
    people = Person.objects.bulk_create(people)
    children_of: dict[int, list[Person]] = {}
    for p in people:
        if p.kind == Person.Kind.CHILD:
            children_of.setdefault(p.family_id, []).append(p)

    # Referrals (one per family, a tenth re-referred later) and the cases opened from them.
    episodes = []  # (family, children, received_on, source, previous_closed_on, previous_received_on)
    for i, family in enumerate(families):
        kids = children_of[family.pk]
        received = day(year_ago, 300)
        episodes.append([family, kids, received, sources[i % len(sources)], None, None])
    _build(tenant, rng, today, episodes, workers, needs, levels, reasons, users, day)
    _marlow_family(today, users)
    demo_familyhelp.seed(tenant, today, users)
    demo_partners.seed(tenant, users)


def _marlow_family(today: dt.date, users) -> None:
    """A fictional family recorded as a practitioner would in the browser: a mother and two children in one
    referral, through the one referral use case, with a grandmother in the wider family network."""
    received = today - dt.timedelta(days=6)
    household = FamilyReferral(
        family=FamilyEntry(name="Marlow family", address="12 Example Row, Northby", postcode="NB4 4DE"),
        children=[
            ChildEntry(key="ollie", new=NewPerson(first_name="Ollie", last_name="Marlow", sex="M",
                                                  date_of_birth=today.replace(year=today.year - 9, day=1),
                                                  nhs_number="9434765919",
                                                  identifiers=[IdentifierEntry("upn", "H801200001001")])),
            ChildEntry(key="ivy", new=NewPerson(first_name="Ivy", last_name="Marlow", sex="F",
                                                date_of_birth=today.replace(year=today.year - 4, day=1),
                                                nhs_number_absent_reason="not_known")),
        ],
        adults=[
            AdultEntry(new=NewPerson(first_name="Jess", last_name="Marlow", sex="F", phone="01632 960123",
                                     email="jess.marlow@example.org", preferred_language="English"),
                       relationships=[RelationshipEntry("ollie", "mother", True),
                                      RelationshipEntry("ivy", "mother", True)]),
            AdultEntry(new=NewPerson(first_name="Rose", last_name="Marlow", sex="F", in_household=False,
                                     phone="01632 960456", nhs_number_absent_reason="not_asked"),
                       relationships=[RelationshipEntry("ollie", "grandparent"),
                                      RelationshipEntry("ivy", "grandparent")]),
        ],
        consent=ConsentEntry(decided_on=received, adult=0, method=Consent.Method.VERBAL),
    )
    by = users["practitioner"].memberships.get()  # as the seeded practitioner
    recorded = referral_record(household=household, received_on=received,
                               source=ReferralSource.objects.get(code="2A"),
                               reason="School worried about Ollie's attendance since Ivy's birth father left; mum "
                                      "asks for help with routines.", by=by)
    # Kept right afterwards on the family page: the children are half-siblings, Ollie's NHS number was traced.
    ollie, ivy = recorded.children
    relationship_add(person=ollie, relative=ivy, kind="half_sibling", by=by)
    nhs_number_check_record(person=ollie, nhs_number=ollie.nhs_number, verified=True, how="pds_trace", by=by)


def _build(tenant, rng, today, episodes, workers, needs, levels, reasons, users, day) -> None:
    window = tenant.re_referral_window_months
    reopen = tenant.reopen_window_months
    refs, ref_children, ref_needs, planned = [], [], [], []
    queue = list(episodes)
    while queue:
        family, kids, received, source, prev_closed, prev_received = queue.pop(0)
        route = Referral.Route.PANEL if source.is_front_door or rng.random() < 0.1 else Referral.Route.DIRECT
        roll = rng.random()
        if (today - received).days < 5 and roll < 0.5:
            decision = ""
        elif roll < 0.66 or prev_closed is not None:
            decision = Referral.Decision.CASE_OPENED
        elif roll < 0.84:
            decision = Referral.Decision.SIGNPOSTED
        elif roll < 0.95:
            decision = Referral.Decision.NO_FURTHER_ACTION
        else:
            decision = Referral.Decision.STEPPED_UP
        decided = day(received, 10) if decision else None
        is_re = prev_received is not None and prev_received >= months_before(received, window)
        ref = Referral(tenant=tenant, family=family, received_on=received, source=source, route=route,
                       decision=decision, decided_on=decided, is_re_referral=is_re,
                       reason="Concerns raised about routines, school attendance and family stress.")
        refs.append(ref)
        in_scope = kids[: rng.randint(1, len(kids))]
        ref_children.append(in_scope)
        ref_needs.append(rng.sample(needs, rng.randint(1, 3)))
        if decision != Referral.Decision.CASE_OPENED:
            planned.append(None)
            continue
        opened = decided
        closed = None
        if rng.random() < 0.6:
            candidate = opened + dt.timedelta(days=rng.randint(45, 220))
            closed = candidate if candidate < today else None
        is_reopened = prev_closed is not None and prev_closed >= months_before(opened, reopen)
        planned.append((in_scope, opened, closed, is_reopened))
        if closed and prev_closed is None and rng.random() < 0.15 and (today - closed).days > 20:
            queue.append([family, kids, day(closed + dt.timedelta(days=10), 150), source, closed, received])
    refs = Referral.objects.bulk_create(refs)
    through = Referral.children.through
    through.objects.bulk_create(
        through(referral_id=r.pk, person_id=k.pk) for r, ks in zip(refs, ref_children, strict=True) for k in ks
    )
    needs_through = Referral.presenting_needs.through
    needs_through.objects.bulk_create(needs_through(referral_id=r.pk, presentingneed_id=n.pk)
                                      for r, ns in zip(refs, ref_needs, strict=True) for n in ns)

    cases, case_meta = [], []
    for n, (ref, plan) in enumerate(zip(refs, planned, strict=True)):
        if plan is None:
            continue
        in_scope, opened, closed, is_reopened = plan
        # The demo practitioner leads every fourth case, so that they have a real caseload.
        user, team = workers[0] if n % 4 == 0 else rng.choice(workers)
        if n % 4 == 1 and closed is None and (today - opened).days <= 21:
            user = None  # a recent case still waiting in its team's queue for the manager to allocate
        statutory = ref.source.code == "5A"
        cases.append(Case(tenant=tenant, family_id=ref.family_id, referral=ref, lead_professional=user, team=team,
                          locality_id=team.locality_id, level_of_need=levels[3 if statutory else 2],
                          opened_on=opened, closed_on=closed, is_reopened=is_reopened))
        case_meta.append((in_scope, ref_needs[n], statutory))
    cases = Case.objects.bulk_create(cases)
    Case.children.through.objects.bulk_create(
        Case.children.through(case_id=c.pk, person_id=k.pk)
        for c, (ks, _, _) in zip(cases, case_meta, strict=True)
        for k in ks
    )
    _casework(tenant, rng, today, cases, case_meta, levels, reasons, users, day)
    demo_practice.seed(tenant, rng, today, cases, workers, users)


def _casework(tenant, rng, today, cases, case_meta, levels, reasons, users, day) -> None:
    assessments, assessment_needs, plans, actions, reviews, steps = [], [], [], [], [], []
    action_people = []  # (action, [people]) — goals for named members of the family
    adults: dict[int, list[Person]] = {}
    for adult in Person.objects.filter(family_id__in={c.family_id for c in cases}, kind=Person.Kind.ADULT):
        adults.setdefault(adult.family_id, []).append(adult)
    closures, progress, feedback, audits = [], [], [], []
    for case, (in_scope, needs, statutory) in zip(cases, case_meta, strict=True):
        end = case.closed_on or today
        level = case.level_of_need
        if statutory:  # stepped down from social care into early help a few days after opening
            steps.append(StepChange(tenant=tenant, case=case, kind=StepChange.Kind.STEP_DOWN, level_before=levels[3],
                                    level_after=levels[2], occurred_on=day(case.opened_on, 3)))
            level = case.level_of_need = levels[2]
        started = day(case.opened_on, 7)
        completed = started + dt.timedelta(days=rng.randint(10, 40))
        if completed > end or rng.random() < 0.08:
            completed = None
        a = Assessment(tenant=tenant, case=case, started_on=min(started, end), completed_on=completed,
                       child_voice_recorded=rng.random() < 0.7)
        if a.child_voice_recorded:
            a.child_voice = rng.choice(["I want things to be calmer at home.", "I like it when dad takes me to "
                                        "football.", "School is hard when I'm tired.", "I worry about mum."])
        assessments.append(a)
        assessment_needs.append(needs)
        if completed is None:
            continue
        plan = Plan(tenant=tenant, case=case, created_on=min(day(completed, 5), end))
        plans.append(plan)
        for _ in range(rng.randint(2, 4)):
            due = plan.created_on + dt.timedelta(days=rng.randint(14, 90))
            status = PlanAction.Status.DONE if due < today and rng.random() < 0.7 else PlanAction.Status.IN_PROGRESS
            description, whom, nf_outcome = rng.choice(ACTIONS)
            action = PlanAction(tenant=tenant, plan=plan, description=description,
                                owner=rng.choice(["Parent", "Lead professional", "School", "Health visitor"]),
                                due_on=due, status=status, nf_outcome="" if rng.random() < 0.1 else nf_outcome)
            actions.append(action)
            carers = adults.get(case.family_id, [])
            people = ([rng.choice(in_scope)] if whom == "child" and in_scope else
                      carers[:1] if whom == "adult" else [])
            action_people.append((action, people))
        held = plan.created_on + dt.timedelta(days=42)
        while held <= end:
            gap = 42 if rng.random() < 0.9 else 70
            reviews.append(Review(tenant=tenant, case=case, held_on=held, next_review_on=held + dt.timedelta(days=42),
                                  notes="Progress reviewed with the family and the Team Around the Family."))
            held += dt.timedelta(days=gap)
        stepped_up = rng.random() < 0.08
        if stepped_up:
            on = day(plan.created_on, max(0, (end - plan.created_on).days))
            steps.append(StepChange(tenant=tenant, case=case, kind=StepChange.Kind.STEP_UP, level_before=level,
                                    level_after=levels[3], occurred_on=on))
            case.level_of_need = levels[3]
        if case.closed_on:
            code = "STEPPED_UP" if stepped_up else rng.choice(
                ["OUTCOMES_MET"] * 6 + ["MOVED_AWAY", "DISENGAGED", "DISENGAGED", "UNIVERSAL", "UNIVERSAL", "NFA"])
            judgement = "not_at_all" if code in ("STEPPED_UP", "DISENGAGED") else rng.choice(
                ["fully", "fully", "fully", "partially", "partially", "not_at_all"])
            closure = Closure(tenant=tenant, case=case, closed_on=case.closed_on, reason=reasons[code],
                              judgement=judgement, summary="Work with the family has ended; see the review notes.")
            closures.append(closure)
            for need in needs:
                progress.append((closure, need, rng.choice(["resolved", "improved", "improved", "no_change"])))
            if rng.random() < 0.45:
                feedback.append(Feedback(
                    tenant=tenant, case=case, received_on=min(case.closed_on + dt.timedelta(days=7), today),
                    is_anonymous=rng.random() < 0.4, treated_with_respect=rng.random() < 0.85,
                    listened_to=rng.random() < 0.8, helped_with_issues=rng.random() < 0.7,
                    comments=rng.choice(["", "Really helped with routines.", "My worker listened to me.",
                                         "Took a while to get started."])))
    Case.objects.bulk_update(cases, ["level_of_need"])
    Assessment.objects.bulk_create(assessments)
    Assessment.needs.through.objects.bulk_create(
        Assessment.needs.through(assessment_id=a.pk, presentingneed_id=n.pk)
        for a, ns in zip(assessments, assessment_needs, strict=True) for n in ns
    )
    Plan.objects.bulk_create(plans)
    PlanAction.objects.bulk_create(actions)
    PlanAction.people.through.objects.bulk_create(
        PlanAction.people.through(planaction_id=a.pk, person_id=p.pk) for a, ps in action_people for p in ps)
    Review.objects.bulk_create(reviews)
    StepChange.objects.bulk_create(steps)
    Closure.objects.bulk_create(closures)
    ClosureNeedProgress.objects.bulk_create(
        ClosureNeedProgress(tenant=tenant, closure=c, need=n, progress=p) for c, n, p in progress
    )
    Feedback.objects.bulk_create(feedback)
    grades = [g for g, _ in CaseFileAudit.Grade.choices]
    for case in rng.sample(cases, min(12, len(cases))):
        audits.append(CaseFileAudit(tenant=tenant, case=case, auditor=users["auditor"],
                                    audited_on=min(case.opened_on + dt.timedelta(days=60), today),
                                    comments="Sampled in the monthly audit.",
                                    **{area: rng.choice(grades[:3]) for area in CaseFileAudit.AREAS}))
    audits.extend(_quality_audits(tenant, today, cases, users))
    CaseFileAudit.objects.bulk_create(audits)


def _quality_audits(tenant, today, cases, users) -> list[CaseFileAudit]:
    """The monthly case file audit over the past year, enough for the grades to show by team, locality and
    quarter (the officer's page, the statistics API and the report section): about one case in four, each
    audited once by the auditor or, for a case of the manager's own teams that the manager does not hold, by
    the team manager. Grades across the whole scale, mostly good. A random source of its own, so the rest of the
    demo's records stay as they were."""
    import random

    rng = random.Random(f"{tenant.slug}-case-file-audits")
    grades = [g for g, _ in CaseFileAudit.Grade.choices]
    weights = [2, 6, 3, 1]  # outstanding, good, requires improvement, inadequate
    manager = users.get("manager")
    manager_teams = set(manager.memberships.get().teams.values_list("pk", flat=True)) if manager else set()
    made = []
    for case in rng.sample(cases, len(cases) // 4):
        audited_on = min(case.opened_on + dt.timedelta(days=rng.randint(30, 200)), today)
        own_team = manager is not None and case.team_id in manager_teams and case.lead_professional_id != manager.pk
        made.append(CaseFileAudit(
            tenant=tenant, case=case, auditor=manager if own_team and rng.random() < 0.5 else users["auditor"],
            audited_on=audited_on, comments="Sampled in the monthly audit.",
            **{area: rng.choices(grades, weights)[0] for area in CaseFileAudit.AREAS}))
    return made


def check(tenant, sign_in) -> list[str]:
    """For manage.py demo_check: the demo of working with partners (cases.demo_partners)."""
    return demo_partners.check(tenant, sign_in)
