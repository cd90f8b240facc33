"""Distance-travelled tools, their versioned areas, and readings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from cases.models import Case, Person
from cases.services import check_one_tenant
from earlyhelp.actors import RuleActor, require, user_of
from earlyhelp.audit import record_event
from earlyhelp.permissions import Capability
from earlyhelp.tenancy import current_tenant

from .. import defaults
from ..models import DistanceTool, Reading, ReadingScore, Stage, Subject, ToolArea, ToolVersion


def _require_tenant(tenant) -> None:
    if current_tenant() is None or current_tenant().pk != tenant.pk:
        raise ValidationError("This must run inside the local authority's context.")


def current_version(tool: DistanceTool) -> ToolVersion:
    return tool.versions.order_by("-number").first()


@transaction.atomic
def tool_create(*, code: str, name: str, subject: str, scale_min: int, scale_max: int, higher_is_better: bool,
                areas: Sequence[tuple[str, str] | str], description: str = "", by) -> DistanceTool:
    """A new tool with its first version of areas (labels, in order; keys made from labels when not given)."""
    require(by, Capability.ADMINISTER_TENANT)
    check_one_tenant()
    if subject not in Subject.values:
        raise ValidationError({"subject": "Say who the tool is for."})
    if scale_max <= scale_min:
        raise ValidationError({"scale_max": "The top of the scale must be above the bottom."})
    code = slugify(code)
    if DistanceTool.objects.filter(code=code).exists():
        raise ValidationError({"code": "A tool with this short name already exists."})
    tool = DistanceTool.objects.create(code=code, name=name.strip(), subject=subject, scale_min=scale_min,
                                       scale_max=scale_max, higher_is_better=higher_is_better,
                                       description=description)
    version = ToolVersion.objects.create(tool=tool, number=1)
    _create_areas(version, areas)
    record_event(action="outcomes.tool_created", by=by, obj=tool, detail={"areas": len(areas)})
    return tool


def _normalise_areas(areas: Sequence[tuple[str, str] | str]) -> list[tuple[str, str]]:
    out = []
    for area in areas:
        key, label = area if isinstance(area, tuple) else (slugify(area), area)
        key, label = slugify(key)[:40], label.strip()
        if not key or not label:
            raise ValidationError({"areas": "Every area needs a name."})
        out.append((key, label))
    keys = [k for k, _ in out]
    if len(set(keys)) != len(keys):
        raise ValidationError({"areas": "Two areas have the same name."})
    if len(out) < 3:
        raise ValidationError({"areas": "A distance-travelled tool needs at least three areas."})
    return out


def _create_areas(version: ToolVersion, areas) -> None:
    ToolArea.objects.bulk_create(
        ToolArea(tenant=version.tenant, version=version, key=key, label=label, sort_order=i)
        for i, (key, label) in enumerate(_normalise_areas(areas))
    )


@transaction.atomic
def tool_areas_revise(*, tool: DistanceTool, areas: Sequence[tuple[str, str] | str], by) -> ToolVersion:
    """Set the tool's areas (labels and order). A version with readings is frozen: the change makes a new
    version and old readings keep theirs. A version not yet used is changed in place."""
    require(by, Capability.ADMINISTER_TENANT)
    check_one_tenant(tool)
    normalised = _normalise_areas(areas)
    version = current_version(tool)
    if version.readings.exists():
        version = ToolVersion.objects.create(tool=tool, number=version.number + 1)
    else:
        version.areas.all().delete()
    _create_areas(version, normalised)
    record_event(action="outcomes.tool_areas_revised", by=by, obj=tool,
                 detail={"version": version.number, "areas": [k for k, _ in normalised]})
    return version


def tool_active_set(*, tool: DistanceTool, active: bool, by) -> DistanceTool:
    """Switch a tool off (no new readings; its readings stay in the statistics and reports) or back on."""
    require(by, Capability.ADMINISTER_TENANT)
    _require_tenant(tool.tenant)
    if tool.is_active != active:
        tool.is_active = active
        tool.save(update_fields=["is_active"])
        record_event(action="outcomes.tool_switched_on" if active else "outcomes.tool_switched_off", by=by,
                     obj=tool)
    return tool


def tool_templates_ensure(*, tenant) -> list[DistanceTool]:
    """Create the generic spider graph and wellbeing web for the tenant where missing (idempotent): part of a
    council's set-up, which acts as the rule ``tenant set-up`` (no person asked for it)."""
    _require_tenant(tenant)
    by = RuleActor(tenant=tenant, name="tenant set-up", capabilities=frozenset({Capability.ADMINISTER_TENANT}))
    existing = set(DistanceTool.objects.values_list("code", flat=True))
    made = []
    for code, name, subject, low, high, higher_better, areas in defaults.TOOL_TEMPLATES:
        if code not in existing:
            made.append(tool_create(code=code, name=name, subject=subject, scale_min=low, scale_max=high,
                                    higher_is_better=higher_better, areas=areas, by=by))
    return made


def _check_person(tool: DistanceTool, case: Case, person: Person | None) -> None:
    if tool.subject == Subject.FAMILY:
        if person is not None:
            raise ValidationError({"person": f"The {tool.name} is completed for the whole family, not one person."})
        return
    if person is None:
        raise ValidationError({"person": "Choose who the reading is for."})
    if person.family_id != case.family_id:
        raise ValidationError({"person": "The person is not in this case's family."})
    wanted = Person.Kind.CHILD if tool.subject == Subject.CHILD else Person.Kind.ADULT
    if person.kind != wanted:
        raise ValidationError({"person": f"The {tool.name} is for a {tool.get_subject_display().lower()}."})


@transaction.atomic
def reading_record(*, case: Case, tool: DistanceTool, stage: str, taken_on: dt.date,
                   scores: Mapping[str, int | None], person: Person | None = None, notes: str = "",
                   by, today: dt.date | None = None) -> Reading:
    """Record a reading with the tool's current version. ``scores`` maps area keys to scores (``None`` or a
    missing key: not scored). Rules: every score within the scale and at least one area scored; the date
    inside the case (not before it opened, not after it closed, not in the future); one start and one end
    per person and tool on a case; no review or end before the start, no start after a review or end."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(case, tool, person)
    if stage not in Stage.values:
        raise ValidationError({"stage": "Choose the stage: start, review or end."})
    if not tool.is_active:
        raise ValidationError({"tool": "This tool is no longer in use."})
    _check_person(tool, case, person)
    if taken_on < case.opened_on:
        raise ValidationError({"taken_on": "A reading cannot be taken before the case opened."})
    if case.closed_on and taken_on > case.closed_on:
        raise ValidationError({"taken_on": "A reading cannot be taken after the case closed."})
    if taken_on > (today or dt.date.today()):
        raise ValidationError({"taken_on": "The date of the reading cannot be in the future."})
    version = current_version(tool)
    areas = {a.key: a for a in version.areas.all()}
    unknown = set(scores) - set(areas)
    if unknown:
        raise ValidationError({"scores": f"Not areas of the {tool.name}: {', '.join(sorted(unknown))}."})
    errors = {}
    given = {}
    for key, value in scores.items():
        if value is None:
            continue
        if not tool.scale_min <= value <= tool.scale_max:
            errors[key] = f"{areas[key].label}: enter a score from {tool.scale_min} to {tool.scale_max}."
        given[key] = value
    if errors:
        raise ValidationError(errors)
    if not given:
        raise ValidationError({"scores": "Score at least one area."})
    others = Reading.objects.filter(case=case, tool=tool, person=person)
    start = others.filter(stage=Stage.START).first()
    if stage in (Stage.START, Stage.END) and others.filter(stage=stage).exists():
        raise ValidationError({"stage": f"This case already has a {stage} reading with this tool for them."})
    if stage == Stage.START and others.filter(taken_on__lt=taken_on).exists():
        raise ValidationError({"taken_on": "The start reading cannot come after a review or end reading."})
    if stage != Stage.START:
        if start is None:
            raise ValidationError({"stage": "Record the start reading first."})
        if taken_on < start.taken_on:
            raise ValidationError({"taken_on": "A review or end reading cannot come before the start."})
    if stage == Stage.REVIEW and others.filter(stage=Stage.END, taken_on__lt=taken_on).exists():
        raise ValidationError({"taken_on": "A review cannot come after the end reading."})
    if stage == Stage.END:
        last = others.aggregate(last=Max("taken_on"))["last"]
        if last and taken_on < last:
            raise ValidationError({"taken_on": "The end reading cannot come before an earlier review."})
    reading = Reading.objects.create(case=case, person=person, tool=tool, version=version, stage=stage,
                                     taken_on=taken_on, notes=notes.strip(), recorded_by=user_of(by))
    ReadingScore.objects.bulk_create(
        ReadingScore(tenant=reading.tenant, reading=reading, area=areas[key], score=value)
        for key, value in given.items()
    )
    record_event(action="outcomes.reading_recorded", by=by, obj=reading,
                 detail={"tool": tool.code, "stage": stage, "areas": len(given)})
    return reading


def closure_evidence_gaps(case: Case) -> list[str]:
    """A distance-travelled tool started on ``case`` (a start reading) with no end reading for the same person:
    registered with ``cases.services.closing.CLOSURE_EVIDENCE_CHECKS`` so a closure judged "achieved fully"
    asks why."""
    taken = set(Reading.objects.filter(case=case).values_list("tool__name", "person_id", "stage"))
    missing = sorted({name for name, person, stage in taken
                      if stage == Stage.START and (name, person, Stage.END) not in taken})
    return [f"'{name}' has no end reading" for name in missing]
