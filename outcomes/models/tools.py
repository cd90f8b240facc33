"""Distance-travelled tools (spider graphs, wellbeing webs) and the readings taken with them.

A tool's areas are versioned: once a version has readings it is frozen, and a change of areas makes a new
version. A reading keeps the version it was taken with; statistics compare a start and an end reading area by
area through the area's stable ``key``, so a reading taken before an area was added simply lacks that area.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cases.models import Case, Person
from earlyhelp.figures_engine import Anchor, figures_triggers
from earlyhelp.tenancy import TenantForeignKey, TenantModel

# The earliest period end a reading can change (earlyhelp.figures_engine.Anchor): a pair counts in the period of its
# end reading, and a closure counts as "with a start and an end reading" whenever they were taken, so a reading
# can change the periods of its case's end readings and closure.
READING_ANCHOR = (
    "least({r}.taken_on,"
    " (SELECT min(e.taken_on) FROM outcomes_reading e WHERE e.tenant_id = {r}.tenant_id AND e.case_id = {r}.case_id"
    " AND e.stage = 'end'),"
    " (SELECT min(c.closed_on) FROM cases_closure c WHERE c.tenant_id = {r}.tenant_id AND c.case_id = {r}.case_id))")


class Subject(models.TextChoices):
    CHILD = "child", "Child or young person"
    PARENT = "parent", "Parent or carer"
    FAMILY = "family", "Whole family"


class Stage(models.TextChoices):
    START = "start", "Start"
    REVIEW = "review", "Review"
    END = "end", "End"


class DistanceTool(TenantModel):
    """A tenant's distance-travelled tool: who it is for, its scale, and which end of the scale is better."""

    code = models.SlugField(max_length=40, help_text="Stable short name used by imports and statistics.")
    name = models.CharField(max_length=120)
    subject = models.CharField(max_length=10, choices=Subject.choices)
    scale_min = models.SmallIntegerField(default=1)
    scale_max = models.SmallIntegerField(default=10)
    higher_is_better = models.BooleanField(default=True, help_text="Untick when a low score is the good end.")
    is_active = models.BooleanField(default=True)
    description = models.TextField(blank=True)

    class Meta(TenantModel.Meta):
        triggers = figures_triggers(None)
        ordering = ["name"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "code"], name="outcomes_distancetool_code"),
            models.CheckConstraint(condition=models.Q(scale_max__gt=models.F("scale_min")),
                                   name="outcomes_distancetool_scale_order"),
        ]

    def __str__(self) -> str:
        return self.name

    def better(self, change: int) -> int:
        """``change`` (end − start) turned so that a positive number is always an improvement."""
        return change if self.higher_is_better else -change


class ToolVersion(TenantModel):
    tool = TenantForeignKey(DistanceTool, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        triggers = figures_triggers(None)
        ordering = ["tool", "number"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "tool", "number"], name="outcomes_toolversion_number"),
        ]

    def __str__(self) -> str:
        return f"{self.tool} v{self.number}"


class ToolArea(TenantModel):
    """One scored area of a tool version. ``key`` is stable across versions."""

    version = TenantForeignKey(ToolVersion, on_delete=models.CASCADE, related_name="areas")
    key = models.SlugField(max_length=40)
    label = models.CharField(max_length=120)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta(TenantModel.Meta):
        triggers = figures_triggers(None)
        ordering = ["sort_order", "id"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "version", "key"], name="outcomes_toolarea_key"),
        ]

    def __str__(self) -> str:
        return self.label


class Reading(TenantModel):
    """A tool completed for a person (or the whole family) on a case, at a stage."""

    case = TenantForeignKey(Case, on_delete=models.CASCADE, related_name="readings")
    person = TenantForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="readings",
                               help_text="Empty for a whole-family tool.")
    version = TenantForeignKey(ToolVersion, on_delete=models.PROTECT, related_name="readings")
    tool = TenantForeignKey(DistanceTool, on_delete=models.PROTECT, related_name="readings")
    stage = models.CharField(max_length=10, choices=Stage.choices)
    taken_on = models.DateField()
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        triggers = figures_triggers(Anchor(READING_ANCHOR,
                                           ignored=("public_id", "notes", "created_at", "recorded_by_id")))
        ordering = ["taken_on", "id"]
        indexes = [
            models.Index(fields=["tenant", "taken_on"], name="outcomes_reading_taken_idx"),
            models.Index(fields=["tenant", "stage", "taken_on"], name="outcomes_reading_stage_idx"),
            models.Index(fields=["tenant", "case", "stage"], name="outcomes_reading_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.tool} {self.get_stage_display().lower()} reading of {self.taken_on:%d %b %Y}"


class ReadingScore(TenantModel):
    reading = TenantForeignKey(Reading, on_delete=models.CASCADE, related_name="scores")
    area = TenantForeignKey(ToolArea, on_delete=models.PROTECT, related_name="scores")
    score = models.SmallIntegerField()

    class Meta(TenantModel.Meta):
        triggers = figures_triggers(Anchor(
            "coalesce((SELECT " + READING_ANCHOR.format(r="x") + " FROM outcomes_reading x"  # noqa: S608 (a constant)
            " WHERE x.tenant_id = {r}.tenant_id AND x.id = {r}.reading_id), '-infinity'::date)"))
        ordering = ["area__sort_order", "id"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "reading", "area"], name="outcomes_readingscore_area"),
        ]
