"""Casework that follows the whole family: which of the family's children a case covers, plan goals for named
members of the family tagged to the National Framework outcomes. Every service takes ``by`` (earlyhelp.actors)
and checks what ``by`` may do itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from earlyhelp.actors import require
from earlyhelp.audit import record_event
from earlyhelp.permissions import Capability

from ..models import Case, Person, Plan, PlanAction
from ..national_framework import NationalFrameworkOutcome
from ._common import check_one_tenant


def _check_case_open(case: Case) -> None:
    if case.closed_on is not None:
        raise ValidationError("The case is closed: re-open it through a new referral.")


def _check_family_members(case: Case, people: list[Person], *, field: str, children_only: bool) -> None:
    strangers = [p for p in people if p.family_id != case.family_id]
    if strangers:
        names = ", ".join(p.full_name for p in strangers)
        raise ValidationError({field: f"{names} {'is' if len(strangers) == 1 else 'are'} not in "
                                      f"{case.family}: choose members of the case's family."})
    if children_only:
        adults = [p for p in people if p.kind != Person.Kind.CHILD]
        if adults:
            names = ", ".join(p.full_name for p in adults)
            raise ValidationError({field: f"{names} {'is not a child' if len(adults) == 1 else 'are not children'}"
                                          ": a case covers the family's children."})


def _check_nf_outcome(nf_outcome: str) -> str:
    nf_outcome = (nf_outcome or "").strip()
    if nf_outcome and nf_outcome not in NationalFrameworkOutcome.values:
        raise ValidationError({"nf_outcome": "Choose one of the four National Framework outcomes, or none."})
    return nf_outcome


@transaction.atomic
def case_children_set(*, case: Case, children: Iterable[Person], by) -> Case:
    """Change which of the family's children the open case covers: at least one, every one a child of the
    case's family. Goals and readings already recorded for a child taken out of scope are kept."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    children = list(children)
    check_one_tenant(case, *children)
    _check_case_open(case)
    if not children:
        raise ValidationError({"children": "Choose at least one child the case covers."})
    _check_family_members(case, children, field="children", children_only=True)
    before = set(case.children.values_list("public_id", flat=True))
    after = {c.public_id for c in children}
    case.children.set(children)
    record_event(action="case.children_changed", by=by, obj=case, detail={
        "added": sorted(str(p) for p in after - before), "removed": sorted(str(p) for p in before - after)})
    return case


@transaction.atomic
def plan_goal_add(*, plan: Plan, description: str, owner: str, due_on: dt.date, nf_outcome: str = "",
                  people: Iterable[Person] = (), by) -> PlanAction:
    """Add a SMART goal to a plan: what will be done, who will do it, by when; optionally for named members of
    the family (none: the whole family) and tagged to one National Framework outcome."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    people = list(people)
    check_one_tenant(plan, *people)
    case = plan.case
    _check_case_open(case)
    if not description.strip() or not owner.strip():
        raise ValidationError("A SMART action says what will be done and who will do it.")
    if due_on < plan.created_on:
        raise ValidationError({"due_on": "An action cannot be due before the plan was made."})
    nf_outcome = _check_nf_outcome(nf_outcome)
    _check_family_members(case, people, field="people", children_only=False)
    action = PlanAction.objects.create(plan=plan, description=description.strip(), owner=owner.strip(),
                                       due_on=due_on, nf_outcome=nf_outcome)
    action.people.set(people)
    record_event(action="plan.action_added", by=by, obj=action,
                 detail={"nf_outcome": nf_outcome, "people": [str(p.public_id) for p in people]})
    return action


@transaction.atomic
def plan_goal_focus_set(*, action: PlanAction, nf_outcome: str, people: Iterable[Person], by) -> PlanAction:
    """Change who a goal is for and the National Framework outcome it serves (also on goals made before the
    tags existed). Not on a closed case: its record is final."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    people = list(people)
    check_one_tenant(action, *people)
    case = action.plan.case
    _check_case_open(case)
    action.nf_outcome = _check_nf_outcome(nf_outcome)
    _check_family_members(case, people, field="people", children_only=False)
    action.save(update_fields=["nf_outcome"])
    action.people.set(people)
    record_event(action="plan.action_focus_changed", by=by, obj=action,
                 detail={"nf_outcome": action.nf_outcome, "people": [str(p.public_id) for p in people]})
    return action
