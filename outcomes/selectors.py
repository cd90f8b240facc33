"""Reads for the outcomes screens, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404

from cases.models import Case, Person
from earlyhelp.permissions import Capability, has_capability

from .models import (
    CaseFamilyOutcome,
    Claim,
    DistanceTool,
    Enrolment,
    EnrolmentNeed,
    NeedEvidence,
    Reading,
    ReadingScore,
    ToolArea,
    ToolVersion,
)


def current_areas(tool: DistanceTool) -> list[ToolArea]:
    version = tool.versions.order_by("-number").first()
    return list(version.areas.all()) if version else []


@dataclass
class ReadingGroup:
    """One person's (or the family's) readings with one tool on a case, oldest first."""

    tool: DistanceTool
    person: Person | None
    labels: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    readings: list[tuple[Reading, list[int | None]]] = field(default_factory=list)
    chart: str = ""

    def series(self) -> list[tuple[str, list[int | None]]]:
        chosen = self.readings if len(self.readings) <= 3 else [self.readings[0], *self.readings[-2:]]
        return [(f"{r.get_stage_display()} {r.taken_on:%d %b %Y}", values) for r, values in chosen]


def case_outcomes_page(*, case: Case) -> dict:
    """A case's readings grouped by tool and person (with every area any of them scored, in the latest
    version's order) and its family outcomes at closure."""
    scores = Prefetch("scores", ReadingScore.objects.select_related("area"))
    readings = (Reading.objects.filter(case=case).select_related("tool", "person", "version")
                .prefetch_related(scores).order_by("taken_on", "id"))
    groups: dict[tuple, ReadingGroup] = {}
    for r in readings:
        group = groups.setdefault((r.tool_id, r.person_id), ReadingGroup(tool=r.tool, person=r.person))
        by_key = {s.area.key: s for s in r.scores.all()}
        for key, s in by_key.items():
            if key not in group.keys:
                group.keys.append(key)
                group.labels.append(s.area.label)
        group.readings.append((r, by_key))
    for group in groups.values():
        group.readings = [(r, [by_key[k].score if k in by_key else None for k in group.keys])
                          for r, by_key in group.readings]
    # one person's groups together (the whole family's first), each person's tools by name
    ordered = sorted(groups.values(), key=lambda g: (g.person is not None, g.person.full_name if g.person else "",
                                                    g.tool.name))
    return {
        "groups": ordered,
        "family_outcomes": list(CaseFamilyOutcome.objects.filter(case=case).select_related("outcome")),
        "tools": list(DistanceTool.objects.filter(is_active=True)),
    }


# ---------------------------------------------------------------------------------------------------- programme


def _require_view(membership) -> None:
    if not has_capability(membership, Capability.VIEW_CHILD_RECORDS):
        raise PermissionDenied("Your role does not show identifiable family records.")


def enrolments_list(*, membership) -> list[Enrolment]:
    """The tenant's Supporting Families enrolments, newest first, with their needs and live claim, in three
    queries."""
    _require_view(membership)
    return list(
        Enrolment.objects.select_related("family", "framework", "case", "lead_professional")
        .prefetch_related(Prefetch("needs", EnrolmentNeed.objects.select_related("outcome")),
                          Prefetch("claims", Claim.objects.order_by("-prepared_on", "-id")))
        .order_by("-enrolled_on", "-id")
    )


def enrolment_get(*, membership, public_id) -> Enrolment:
    """An enrolment by its public id within the tenant in context (404 otherwise; 403 for roles without
    family records)."""
    _require_view(membership)
    queryset = Enrolment.objects.select_related("family", "framework", "case", "lead_professional")
    return get_object_or_404(queryset, public_id=public_id)


def need_get(*, enrolment: Enrolment, public_id) -> EnrolmentNeed:
    return get_object_or_404(EnrolmentNeed.objects.select_related("outcome", "enrolment"), enrolment=enrolment,
                             public_id=public_id)


def enrolment_page(*, enrolment: Enrolment) -> dict:
    """A family's programme page: each need with its evidence (oldest first) and claims, newest first."""
    needs = list(enrolment.needs.select_related("outcome").prefetch_related(
        Prefetch("evidence", NeedEvidence.objects.select_related("recorded_by").order_by("recorded_on", "id"))))
    claims = list(enrolment.claims.order_by("-prepared_on", "-id"))
    return {"needs": needs, "claims": claims,
            "live_claim": next((c for c in claims if c.status != Claim.Status.REJECTED), None)}


def claims_list(*, membership, status: str = "") -> list[Claim]:
    _require_view(membership)
    claims = Claim.objects.select_related("enrolment__family", "enrolment__lead_professional")
    if status in Claim.Status.values:
        claims = claims.filter(status=status)
    return list(claims.order_by("-prepared_on", "-id"))


def claim_get(*, membership, public_id) -> Claim:
    _require_view(membership)
    queryset = Claim.objects.select_related("enrolment__family", "enrolment__framework", "enrolment__case",
                                            "enrolment__lead_professional")
    return get_object_or_404(queryset, public_id=public_id)


def evidence_pack(*, claim: Claim) -> list[EnrolmentNeed]:
    """The needs of the claim's family with the evidence recorded up to the day the claim was prepared."""
    evidence = NeedEvidence.objects.filter(recorded_on__lte=claim.prepared_on).select_related("recorded_by")
    return list(claim.enrolment.needs.select_related("outcome").prefetch_related(
        Prefetch("evidence", evidence.order_by("recorded_on", "id"))))


# ---------------------------------------------------------------------------------------------------- tools


def tools_list() -> list[DistanceTool]:
    """Every tool with its versions and their areas (and how many readings each version has)."""
    versions = ToolVersion.objects.annotate(reading_count=Count("readings")).prefetch_related("areas")
    return list(DistanceTool.objects.prefetch_related(Prefetch("versions", versions.order_by("-number")))
                .order_by("name"))


def tool_get(*, public_id) -> DistanceTool:
    versions = ToolVersion.objects.annotate(reading_count=Count("readings")).prefetch_related("areas")
    queryset = DistanceTool.objects.prefetch_related(Prefetch("versions", versions.order_by("-number")))
    return get_object_or_404(queryset, public_id=public_id)


def partner_readings(case: Case) -> list[Reading]:
    """A case's distance-travelled readings with their scores, oldest first: the section a partner practitioner may
    be shown (cases.partner_access decides whether they see the case at all)."""
    return list(Reading.objects.filter(case=case).select_related("tool")
                .prefetch_related(Prefetch("scores", ReadingScore.objects.select_related("area").order_by(
                    "area__sort_order"))).order_by("taken_on", "id"))
