"""Builders for outcomes tests: a spider graph for the family (1–10, higher better) and a worry scale for a
child (0–4, lower better), each with three areas; readings recorded through the service."""

from __future__ import annotations

from cases.tests.helpers import D
from outcomes import services
from outcomes.models import DistanceTool
from tests.factories import acting

__all__ = ["D", "spider", "worry", "reading"]


def spider() -> DistanceTool:
    return services.tool_create(code="spider", name="Spider", subject="family", scale_min=1, scale_max=10,
                                higher_is_better=True, areas=[("a", "Area A"), ("b", "Area B"), ("c", "Area C")],
                                by=acting(role="tenant_admin"))


def worry() -> DistanceTool:
    return services.tool_create(code="worry", name="Worry scale", subject="child", scale_min=0, scale_max=4,
                                higher_is_better=False, areas=[("x", "Worry X"), ("y", "Worry Y"), ("z", "Worry Z")],
                                by=acting(role="tenant_admin"))


def reading(case, tool, stage, on, person=None, **scores):
    return services.reading_record(case=case, tool=tool, stage=stage, taken_on=on, person=person, scores=scores,
                                   by=acting())
