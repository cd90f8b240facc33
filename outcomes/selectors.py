"""Reads for the outcomes screens, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch

from cases.models import Case, Person

from .models import CaseFamilyOutcome, DistanceTool, Reading, ReadingScore, ToolArea


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
    return {
        "groups": list(groups.values()),
        "family_outcomes": list(CaseFamilyOutcome.objects.filter(case=case).select_related("outcome")),
        "tools": list(DistanceTool.objects.filter(is_active=True)),
    }
