"""Reads for the casework screens. Each takes the signed-in member's membership and refuses roles that may not
see identifiable child records (commissioners, performance officers…), on top of the views' own checks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from operator import attrgetter

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models import Case as When_
from django.db.models.lookups import IsNull
from django.shortcuts import get_object_or_404
from django.utils import timezone

from earlyhelp.models import Membership
from earlyhelp.permissions import Capability, has_capability

from .models import (
    Allocation,
    Assessment,
    Case,
    CaseDocument,
    CaseFileAudit,
    CaseNote,
    CaseNoteAddendum,
    Closure,
    Consent,
    Family,
    FamilyMeeting,
    Feedback,
    InformationShare,
    Intervention,
    PanelDecision,
    Person,
    Plan,
    PlanAction,
    PreProceedings,
    Referral,
    Relationship,
    Review,
    Section17Episode,
    StepChange,
    Supervision,
)
from .services import case_settings, consent_position

CASELOAD_SCOPES = ("mine", "team")


def _require_view(membership) -> None:
    if not has_capability(membership, Capability.VIEW_CHILD_RECORDS):
        raise PermissionDenied("Your role does not show identifiable child records.")


def _is_not_null(queryset) -> IsNull:
    """Whether ``queryset`` (correlated with ``OuterRef``) has a row, as a boolean: its first id is not null."""
    return IsNull(Subquery(queryset.values("pk")[:1]), False)


def cases_with_drift(*, today: dt.date | None = None, assessment_limit_days: int | None = None,
                     supervision_interval_days: int | None = None) -> QuerySet[Case]:
    """Cases annotated with ``assessment_drift`` (open longer than the tenant's limit without a completed
    assessment) and ``review_overdue`` (the latest review's next review date has passed, or no review was held
    within the limit of a plan), plus ``next_review_on`` and ``has_completed_assessment``; and with
    ``supervision_due_on`` (the last supervision's next date, or the opening date plus the tenant's interval)
    and ``supervision_overdue``."""
    today = today or dt.date.today()
    if assessment_limit_days is None or supervision_interval_days is None:
        settings_row = case_settings()
        assessment_limit_days = assessment_limit_days or settings_row.assessment_limit_days
        supervision_interval_days = supervision_interval_days or settings_row.supervision_interval_days
    limit = assessment_limit_days
    cutoff = today - dt.timedelta(days=limit)
    supervision_cutoff = today - dt.timedelta(days=supervision_interval_days)
    latest_supervision = Supervision.objects.filter(case=OuterRef("pk")).order_by("-held_on", "-id")
    completed = Assessment.objects.filter(case=OuterRef("pk"), completed_on__isnull=False)
    latest_review = Review.objects.filter(case=OuterRef("pk")).order_by("-held_on", "-id")
    first_plan = Plan.objects.filter(case=OuterRef("pk")).order_by("created_on", "id")
    # "Is there one?" as the first one's id, not EXISTS: PostgreSQL turns an EXISTS of the select list into a hashed
    # subplan over the council's whole table (every assessment, every review) whenever it expects many cases, which
    # took most of a team manager's home page at national size (about 170 of 200 ms); a scalar subquery is looked
    # up per case through its case index.
    return Case.objects.annotate(
        has_completed_assessment=_is_not_null(completed),
        next_review_on=Subquery(latest_review.values("next_review_on")[:1]),
        has_review=_is_not_null(latest_review),
        first_plan_on=Subquery(first_plan.values("created_on")[:1]),
        supervision_next_on=Subquery(latest_supervision.values("next_due_on")[:1]),
    ).annotate(
        supervision_overdue=When_(
            When(closed_on__isnull=True, supervision_next_on__lt=today, then=Value(True)),
            When(closed_on__isnull=True, supervision_next_on__isnull=True, opened_on__lt=supervision_cutoff,
                 then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        assessment_drift=When_(
            When(closed_on__isnull=True, opened_on__lt=cutoff, has_completed_assessment=False, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        review_overdue=When_(
            When(closed_on__isnull=True, next_review_on__lt=today, then=Value(True)),
            When(closed_on__isnull=True, has_review=False, first_plan_on__lt=cutoff, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


@dataclass
class Caseload:
    scope: str
    cases: list[Case]
    drifting: int = 0
    assessment_limit_days: int = 45
    filters: dict = field(default_factory=dict)


def caseload(
    *,
    membership,
    scope: str = "mine",
    search: str = "",
    level_rank: int | None = None,
    drifting_only: bool = False,
    include_closed: bool = False,
    today: dt.date | None = None,
) -> Caseload:
    """Open cases of the member (``mine``) or of their teams (``team``), with drift flags, in a fixed number of
    queries (settings, cases, children) whatever the number of cases."""
    _require_view(membership)
    if scope not in CASELOAD_SCOPES:
        scope = "mine"
    settings_row = case_settings()
    limit = settings_row.assessment_limit_days
    cases = cases_with_drift(today=today, assessment_limit_days=limit,
                             supervision_interval_days=settings_row.supervision_interval_days).select_related(
        "family", "lead_professional", "team", "level_of_need"
    )
    if scope == "mine":
        cases = cases.filter(lead_professional=membership.user)
    else:
        cases = cases.filter(team__in=membership.teams.values("pk"))
    if not include_closed:
        cases = cases.filter(closed_on__isnull=True)
    if search.strip():
        term = search.strip()
        child_match = Case.children.through.objects.filter(case_id=OuterRef("pk")).filter(
            Q(person__first_name__icontains=term) | Q(person__last_name__icontains=term)
        )
        family_match = Q(family__name__icontains=term) | Q(family__postcode__icontains=term)
        cases = cases.filter(family_match | Exists(child_match))
    if level_rank:
        cases = cases.filter(level_of_need__rank=level_rank)
    if drifting_only:
        cases = cases.filter(Q(assessment_drift=True) | Q(review_overdue=True))
    cases = cases.prefetch_related(Prefetch("children", queryset=Person.objects.order_by("first_name")))
    rows = list(cases.order_by("opened_on", "id"))
    return Caseload(
        scope=scope,
        cases=rows,
        drifting=sum(1 for c in rows if c.assessment_drift or c.review_overdue),
        assessment_limit_days=limit,
        filters={"q": search, "level": level_rank, "drifting": drifting_only},
    )


@dataclass
class WorkerLoad:
    name: str
    open_cases: int = 0
    drifting: int = 0
    assessment_drift: int = 0
    review_overdue: int = 0
    supervision_overdue: int = 0


def team_overview(*, membership, today: dt.date | None = None) -> tuple[list[WorkerLoad], Caseload]:
    """For a manager: each lead professional's open cases (their caseload count), drift and supervision due
    across the manager's teams. Cases waiting in a team's queue have no lead professional: they are listed by
    ``unallocated(load)``, not counted against anyone."""
    _require_view(membership)
    if not has_capability(membership, Capability.MANAGE_TEAM):
        raise PermissionDenied("Only team managers see a team's caseloads.")
    load = caseload(membership=membership, scope="team", today=today)
    workers: dict[int, WorkerLoad] = {}
    for case in load.cases:
        if case.lead_professional_id is None:
            continue
        worker = workers.setdefault(case.lead_professional_id, WorkerLoad(name=str(case.lead_professional)))
        worker.open_cases += 1
        worker.assessment_drift += case.assessment_drift
        worker.review_overdue += case.review_overdue
        worker.supervision_overdue += case.supervision_overdue
        worker.drifting += case.assessment_drift or case.review_overdue
    return sorted(workers.values(), key=attrgetter("name")), load


def unallocated(load: Caseload) -> list[Case]:
    """The cases of a team caseload waiting in the queue for a lead professional."""
    return [c for c in load.cases if c.lead_professional_id is None]


def case_get(*, membership, public_id) -> Case:
    """A case by its public id within the tenant in context (404 otherwise)."""
    _require_view(membership)
    queryset = cases_with_drift().select_related(
        "family", "referral__source", "lead_professional", "team", "locality", "level_of_need"
    )
    return get_object_or_404(queryset, public_id=public_id)


def referral_get(*, membership, public_id) -> Referral:
    _require_view(membership)
    queryset = Referral.objects.select_related("family", "source").prefetch_related("children", "presenting_needs")
    return get_object_or_404(queryset, public_id=public_id)


def referrals_awaiting_decision(*, membership) -> list[Referral]:
    _require_view(membership)
    return list(
        Referral.objects.filter(decision="")
        .select_related("family", "source")
        .prefetch_related("children")
        .order_by("received_on", "id")
    )


def person_search(*, membership, name: str = "", date_of_birth: dt.date | None = None, postcode: str = "",
                  limit: int = 20) -> list[Person]:
    """People who may be the person being looked for: any of the name's words, the date of birth or the
    postcode match. Best matches first (most criteria matched), so possible duplicates are seen before a new
    person is created."""
    _require_view(membership)
    criteria = Q()
    words = [w for w in name.split() if w]
    for word in words:
        criteria |= Q(first_name__iexact=word) | Q(last_name__iexact=word) | Q(last_name__istartswith=word)
    if date_of_birth:
        criteria |= Q(date_of_birth=date_of_birth)
    postcode = postcode.replace(" ", "").upper()
    if postcode:
        criteria |= Q(postcode__iexact=postcode) | Q(family__postcode__iexact=postcode)
    if not criteria:
        return []
    people = list(Person.objects.filter(criteria).select_related("family")[:200])

    def score(person: Person) -> int:
        points = sum(w.lower() in (person.first_name.lower(), person.last_name.lower()) for w in words)
        points += bool(date_of_birth and person.date_of_birth == date_of_birth) * 2
        points += bool(postcode and person.postcode.replace(" ", "").upper() == postcode)
        return points

    people.sort(key=lambda p: (-score(p), p.last_name, p.first_name))
    return people[:limit]


@dataclass
class TimelineEntry:
    on: dt.date
    kind: str
    title: str
    detail: str = ""
    obj: object = None


def case_timeline(*, case: Case) -> list[TimelineEntry]:
    """Everything recorded on a case, newest first, in a fixed number of queries."""
    entries: list[TimelineEntry] = []
    if case.referral_id:
        r = case.referral
        entries.append(TimelineEntry(r.received_on, "referral", "Referral received",
                                     f"From {r.source}" + (" — re-referral" if r.is_re_referral else "")))
    allocations = list(Allocation.objects.filter(case=case).select_related("to_team", "to_worker").order_by("on", "id"))
    first = allocations[0] if allocations and allocations[0].kind == Allocation.Kind.OPENED else None
    worker = first.to_worker if first else case.lead_professional  # who it opened to, not who holds it now
    team = first.to_team if first else case.team
    entries.append(TimelineEntry(case.opened_on, "opened", "Case opened",
                                 (f"Lead professional {worker}" if worker else f"In the {team} queue") +
                                 (" — re-opened within the window" if case.is_reopened else "")))
    for co in Consent.objects.filter(family_id=case.family_id, decided_on__gte=case.opened_on):
        entries.append(TimelineEntry(co.decided_on, "consent", str(co).split(" on ")[0],
                                     f"By {co.given_by}; {co.get_method_display().lower()}", obj=co))
    for i in Intervention.objects.filter(case=case).select_related("service"):
        entries.append(TimelineEntry(i.referred_on, "intervention", f"Referred to {i.service}", obj=i))
        if i.started_on:
            entries.append(TimelineEntry(i.started_on, "intervention", f"{i.service} started",
                                         f"After {i.waiting_days} days' wait", obj=i))
        if i.ended_on:
            entries.append(TimelineEntry(i.ended_on, "intervention", f"{i.service} ended", obj=i))
    for n in CaseNote.objects.filter(case=case, is_significant=True).select_related("author"):
        entries.append(TimelineEntry(timezone.localdate(n.occurred_at), "note", f"Significant: {n.get_kind_display()}",
                                     n.narrative[:200] + ("…" if len(n.narrative) > 200 else ""), obj=n))
    for sv in Supervision.objects.filter(case=case).select_related("supervisor"):
        entries.append(TimelineEntry(sv.held_on, "supervision", "Supervision", f"By {sv.supervisor}: {sv.decisions}",
                                     obj=sv))
    for al in (a for a in allocations if a.kind != Allocation.Kind.OPENED):
        to = str(al.to_worker) if al.to_worker_id else f"the {al.to_team} queue"
        entries.append(TimelineEntry(al.on, "allocation", f"{al.get_kind_display()} to {to}", al.reason, obj=al))
    for sh in InformationShare.objects.filter(case=case):
        entries.append(TimelineEntry(sh.shared_on, "sharing", f"Information shared with {sh.agency}",
                                     sh.get_lawful_basis_display(), obj=sh))
    for a in Assessment.objects.filter(case=case).prefetch_related("needs"):
        entries.append(TimelineEntry(a.started_on, "assessment", "Early Help Assessment started", obj=a))
        if a.completed_on:
            needs = ", ".join(n.label for n in a.needs.all())
            entries.append(TimelineEntry(a.completed_on, "assessment", "Early Help Assessment completed",
                                         f"Needs: {needs}", obj=a))
    actions = Prefetch("actions", PlanAction.objects.order_by("due_on"))
    for p in Plan.objects.filter(case=case).prefetch_related(actions):
        count = len(p.actions.all())
        entries.append(TimelineEntry(p.created_on, "plan", "Plan made", f"{count} action{'' if count == 1 else 's'}",
                                     obj=p))
    for rv in Review.objects.filter(case=case):
        nxt = f"Next review {rv.next_review_on:%d %b %Y}" if rv.next_review_on else "No further review set"
        entries.append(TimelineEntry(rv.held_on, "review", "Review held", nxt, obj=rv))
    for s in StepChange.objects.filter(case=case).select_related("level_before", "level_after"):
        lead_cp = f"; lead child protection practitioner {s.lead_cp_practitioner_name}" \
            if s.lead_cp_practitioner_name else ""
        entries.append(TimelineEntry(s.occurred_on, "step", s.get_kind_display(),
                                     f"{s.level_before.label} → {s.level_after.label}{lead_cp}", obj=s))
    for ep in Section17Episode.objects.filter(case=case):
        entries.append(TimelineEntry(ep.started_on, "section17", "Section 17 started (child in need)",
                                     f"Primary need {ep.get_primary_need_display()}", obj=ep))
        if ep.ended_on:
            entries.append(TimelineEntry(ep.ended_on, "section17", "Section 17 ended: back to targeted Family Help",
                                         ep.get_closure_reason_display(), obj=ep))
    for fm in FamilyMeeting.objects.filter(case=case):
        entries.append(TimelineEntry(fm.offered_on, "family_meeting", "Family meeting offered", obj=fm))
        for day, what in ((fm.accepted_on, "accepted"), (fm.declined_on, "declined")):
            if day:
                entries.append(TimelineEntry(day, "family_meeting", f"Family meeting {what}", obj=fm))
        if fm.held_on:
            entries.append(TimelineEntry(fm.held_on, "family_meeting", "Family meeting held",
                                         fm.get_outcome_display(), obj=fm))
    for d in PanelDecision.objects.filter(Q(case=case) | Q(referral_id=case.referral_id, referral__isnull=False)):
        entries.append(TimelineEntry(d.decided_on, "panel", f"{d.get_panel_display()} decision", d.decision, obj=d))
    for f in Feedback.objects.filter(case=case):
        entries.append(TimelineEntry(f.received_on, "feedback", "'How was it for you' feedback received", obj=f))
    for au in CaseFileAudit.objects.filter(case=case).select_related("auditor"):
        entries.append(TimelineEntry(au.audited_on, "audit", "Case file audited",
                                     f"Overall: {au.get_overall_display()} (by {au.auditor})", obj=au))
    for c in Closure.objects.filter(case=case).select_related("reason"):
        entries.append(TimelineEntry(c.closed_on, "closure", "Case closed",
                                     f"{c.reason.label}; {c.get_judgement_display()}", obj=c))
    entries.sort(key=lambda e: e.on, reverse=True)
    return entries


def case_page(*, case: Case) -> dict:
    """What the case page shows beside the case itself, in a fixed number of queries."""
    actions = Prefetch("actions", PlanAction.objects.order_by("due_on", "id").prefetch_related("people"))
    return {
        "children": list(case.children.order_by("first_name")),
        "taf_members": list(case.taf_members.all()),
        "assessments": list(Assessment.objects.filter(case=case).prefetch_related("needs")),
        "plans": list(Plan.objects.filter(case=case).prefetch_related(actions)),
        "reviews": list(Review.objects.filter(case=case).order_by("-held_on")),
        "closure": Closure.objects.filter(case=case).select_related("reason").first(),
        "timeline": case_timeline(case=case),
        "consent": consent_position(family=case.family),
        "interventions": list(Intervention.objects.filter(case=case).select_related("service__provider")),
        "supervisions": list(Supervision.objects.filter(case=case).select_related("supervisor")[:3]),
        "allocations": list(Allocation.objects.filter(case=case).select_related(
            "from_team", "to_team", "from_worker", "to_worker", "by")),
        "documents": list(CaseDocument.objects.filter(case=case).select_related("uploaded_by")),
        "note_count": CaseNote.objects.filter(case=case).count(),
        "open_section17": Section17Episode.objects.filter(case=case, ended_on__isnull=True).first(),
        "support_requests": list(case.support_requests.select_related("service__provider", "decided_by")),
    }


def case_notes(*, case: Case) -> list[CaseNote]:
    """A case's notes, newest first, each with its addenda, in a fixed number of queries. Callers audit the read."""
    addenda = Prefetch("addenda", queryset=CaseNoteAddendum.objects.select_related("author"))
    return list(CaseNote.objects.filter(case=case).select_related("author").prefetch_related(addenda))


def family_get(*, membership, public_id) -> Family:
    """A family of the tenant in context (404 for another's), for a member who may see child records."""
    _require_view(membership)
    return get_object_or_404(Family, public_id=public_id)


@dataclass
class FamilyMap:
    """The family page's picture: the people placed on a genogram (adults above, children below; the wider
    network to the side) and every relationship, once per pair, read both ways."""

    household: list
    network: list
    relationships: list  # (person, kind label, relative, inverse kind label, parental responsibility)
    nodes: list  # dicts: person, x, y, shape
    lines: list  # dicts: x1, y1, x2, y2, dashed
    width: int
    height: int
    relationship_rows: list = field(default_factory=list)  # ``relationships`` with the Relationship row last


def relationship_sentences(family_map: FamilyMap) -> list[str]:
    """The genogram's relationships in words, once per pair and read both ways ("Jo Ash is Ann Ash's mother
    (parental responsibility); Ann Ash is Jo Ash's child."): its text alternative, and the exports' version."""
    out = []
    for person, kind, relative, back, pr in family_map.relationships:
        text = f"{person.full_name} is {relative.full_name}'s {kind.lower()}"
        text += " (parental responsibility)" if pr else ""
        text += f"; {relative.full_name} is {person.full_name}'s {back.lower()}" if back else ""
        out.append(text + ".")
    return out


def family_map(*, family: Family) -> FamilyMap:
    """Who is in ``family`` and how they are related, laid out for an SVG genogram / ecomap (no JavaScript)."""
    people = list(family.people.prefetch_related("linked_identifiers").order_by("kind", "date_of_birth", "pk"))
    household = [p for p in people if p.in_household]
    network = [p for p in people if not p.in_household]
    rows = list(Relationship.objects.filter(person__family=family).select_related("person", "relative"))
    back = {(r.person_id, r.relative_id): r for r in rows}
    pairs, seen, rows_with = [], set(), []
    for r in sorted(rows, key=lambda r: (r.person.kind != Person.Kind.ADULT, r.pk)):
        if (r.relative_id, r.person_id) in seen:
            continue
        seen.add((r.person_id, r.relative_id))
        other = back.get((r.relative_id, r.person_id))
        pairs.append((r.person, r.get_kind_display(), r.relative, other.get_kind_display() if other else "",
                      r.parental_responsibility))
        rows_with.append((*pairs[-1], r))
    adults = [p for p in household if p.kind == Person.Kind.ADULT]
    children = [p for p in household if p.kind == Person.Kind.CHILD]
    step, nodes = 150, []
    width = max(len(adults), len(children), 1) * step + (170 if network else 20)
    for row, group in ((60, adults), (200, children)):
        for i, person in enumerate(group):
            nodes.append({"person": person, "x": 20 + i * step + 60, "y": row,
                          "shape": "square" if person.sex == "M" else "circle" if person.sex == "F" else "diamond"})
    for i, person in enumerate(network):
        nodes.append({"person": person, "x": width - 90, "y": 60 + i * 70, "shape": "network"})
    where = {n["person"].pk: n for n in nodes}
    lines = []
    for person, _, relative, _, _ in pairs:
        a, b = where.get(person.pk), where.get(relative.pk)
        if a and b:
            lines.append({"x1": a["x"], "y1": a["y"], "x2": b["x"], "y2": b["y"],
                          "dashed": not (person.in_household and relative.in_household)})
    height = max(260, 60 + len(network) * 70 + 40)
    return FamilyMap(household=household, network=network, relationships=pairs, nodes=nodes, lines=lines,
                     width=width, height=height, relationship_rows=rows_with)


def family_help_page(*, case: Case) -> dict:
    """The Family Help page of a case: its section 17 episodes, family meetings (with their network), steps to
    and from child protection, and the lead practitioner history, in a fixed number of queries."""
    lead = case.lead_professional
    membership = (Membership.objects.filter(user=lead, is_active=True).first() if lead is not None else None)
    return {
        "episodes": list(Section17Episode.objects.filter(case=case).order_by("-started_on")),
        "open_episode": Section17Episode.objects.filter(case=case, ended_on__isnull=True).first(),
        "meetings": list(FamilyMeeting.objects.filter(case=case).prefetch_related("network_members")
                         .order_by("-offered_on", "-id")),
        "pre_proceedings": list(PreProceedings.objects.filter(case=case).order_by("-started_on", "-id")),
        "steps": list(StepChange.objects.filter(case=case).select_related("level_before", "level_after")
                      .order_by("-occurred_on", "-id")),
        "allocations": list(Allocation.objects.filter(case=case).select_related("to_team", "to_worker")),
        "lead_membership": membership,
    }


@dataclass
class FamilyChronologyEntry:
    """One event of a family's chronology: what happened, and the case it happened on (None: outside a case)."""

    entry: TimelineEntry
    case: Case | None = None


def family_chronology(*, family: Family, by) -> list[FamilyChronologyEntry]:
    """One timeline across the family: every case's chronology (referral, opening, assessments, plans,
    reviews, step changes, panel decisions, significant notes, closure…) and the referrals that opened no case,
    newest first. Reading it is audited (``family.chronology_viewed``): it shows every child's record."""
    from earlyhelp.actors import require
    from earlyhelp.audit import record_read

    require(by, Capability.VIEW_CHILD_RECORDS)
    entries: list[FamilyChronologyEntry] = []
    seen: set[tuple] = set()
    cases = list(Case.objects.filter(family=family).select_related("referral__source", "lead_professional", "team")
                 .order_by("opened_on", "id"))
    for case in cases:
        for entry in case_timeline(case=case):
            key = (entry.kind, type(entry.obj).__name__, getattr(entry.obj, "pk", None), entry.on, entry.title)
            if entry.obj is not None and key in seen:  # a consent or a panel decision shown on two cases
                continue
            seen.add(key)
            entries.append(FamilyChronologyEntry(entry, case))
    with_case = {c.referral_id for c in cases if c.referral_id}
    for r in Referral.objects.filter(family=family).exclude(pk__in=with_case).select_related("source"):
        entries.append(FamilyChronologyEntry(TimelineEntry(
            r.received_on, "referral", "Referral received",
            f"From {r.source}" + (" — re-referral" if r.is_re_referral else ""), obj=r)))
        if r.decided_on:
            entries.append(FamilyChronologyEntry(TimelineEntry(
                r.decided_on, "decision", f"Referral decided: {r.get_decision_display()}", obj=r)))
    for d in PanelDecision.objects.filter(referral__family=family, case__isnull=True).exclude(
            referral_id__in=with_case):
        entries.append(FamilyChronologyEntry(TimelineEntry(d.decided_on, "panel", f"{d.get_panel_display()} decision",
                                                           d.decision, obj=d)))
    entries.sort(key=lambda e: e.entry.on, reverse=True)
    record_read(action="family.chronology_viewed", by=by, obj=family,
                detail={"cases": len(cases), "entries": len(entries)})
    return entries
