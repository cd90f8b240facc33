"""The tenant's retention rule: early help records are kept until the youngest child of the family reaches the
tenant's retention age (25 by default, as in the LGA retention guidelines), then anonymised or deleted.

A family is *due* on ``today`` when

* it has not been anonymised already and has no open case, and
* ``today`` is on or after the youngest child's birthday at the retention age (a child born on 29 February has
  that birthday on 28 February in other years), and
* when no child, or not every child, has a date of birth: ``today`` is also on or after the anniversary, the
  tenant's ``retention_years_without_birth_date`` years on, of the family's last referral, case opening or closure.

Everything recorded about a due family is found by walking the foreign keys that point at it (people, referrals,
cases and every row hanging off them, in any app — outcomes' readings and enrolments too, without importing it).
**Anonymise** keeps the rows, their dates, codes and counts (so past statistics and reports stay true), and removes
names, identifiers, addresses and every free-text field; dates of birth keep only their year (1 July). Documents
are deleted with their files. **Delete** removes every row found. Either way one audit event per family and one
summary event per run record what was done, with counts and public ids only — never a name.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Max, Q

from earlyhelp.actors import RuleActor, require
from earlyhelp.audit import record_event
from earlyhelp.permissions import Capability
from earlyhelp.tenancy import TenantModel, current_tenant

from ..models import Case, CaseSettings, Family, Person
from ._common import case_settings

REMOVED = "Removed under the retention rule."
ANONYMOUS_FAMILY = "Anonymised family"

# Short text fields that name or identify someone, by model; every TextField of a reached row is cleared anyway.
IDENTIFYING_CHAR_FIELDS: dict[str, tuple[str, ...]] = {
    "cases.family": ("postcode",),
    "cases.person": ("postcode", "nhs_number", "local_id", "phone", "email"),
    "cases.linkedidentifier": ("value",),
    "cases.familyaddress": ("postcode",),
    "cases.teamaroundfamilymember": ("contact_name", "contact_details"),
    "cases.feedback": ("respondent",),
    "cases.consent": ("given_by",),
    "cases.casenote": ("who_was_seen",),
    "cases.planaction": ("owner",),
}


def _birthday(born: dt.date, age: int) -> dt.date:
    """The day ``born`` turns ``age`` (29 February → 28 February in a common year)."""
    try:
        return born.replace(year=born.year + age)
    except ValueError:
        return born.replace(year=born.year + age, day=28)


@dataclass
class FamilyDue:
    family_id: int
    public_id: str
    due_on: dt.date


@dataclass
class RetentionOutcome:
    action: str
    today: dt.date
    dry_run: bool
    families: list[FamilyDue] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # model label -> rows anonymised or deleted

    def summary(self) -> dict:
        return {"action": self.action, "today": self.today.isoformat(), "dry_run": self.dry_run,
                "families": len(self.families), "rows": dict(sorted(self.rows.items()))}


def families_due(*, today: dt.date, settings_row: CaseSettings | None = None) -> list[FamilyDue]:
    """The families of the tenant in context whose retention period has ended on ``today`` (see module doc)."""
    settings_row = settings_row or case_settings()
    families = (
        Family.objects.filter(anonymised_on__isnull=True)
        .exclude(pk__in=Case.objects.filter(closed_on__isnull=True).values("family_id"))
        .annotate(
            youngest=Max("people__date_of_birth", filter=Q(people__kind=Person.Kind.CHILD)),
            last_referral=Max("referrals__received_on"),
            last_opened=Max("cases__opened_on"),
            last_closed=Max("cases__closed_on"),
        )
    )
    undated = set(
        Person.objects.filter(kind=Person.Kind.CHILD, date_of_birth__isnull=True).values_list("family_id", flat=True)
    )
    due = []
    for family in families.order_by("pk"):
        dates = []
        if family.youngest is not None:
            dates.append(_birthday(family.youngest, settings_row.retention_age_years))
        if family.youngest is None or family.pk in undated:
            activity = [d for d in (family.last_referral, family.last_opened, family.last_closed) if d]
            last = max(activity, default=family.created_at.date())
            dates.append(_birthday(last, settings_row.retention_years_without_birth_date))
        due_on = max(dates)
        if today >= due_on:
            due.append(FamilyDue(family.pk, str(family.public_id), due_on))
    return due


def _records_of(family_ids: list[int]) -> dict[type[models.Model], set[int]]:
    """Every tenant-owned row reached from the families by following foreign keys backwards (any app)."""
    found: dict[type[models.Model], set[int]] = defaultdict(set)
    frontier: list[tuple[type[models.Model], set[int]]] = [(Family, set(family_ids))]
    while frontier:
        model, pks = frontier.pop()
        new = pks - found[model]
        if not new:
            continue
        found[model] |= new
        for relation in model._meta.related_objects:
            if not (relation.one_to_many or relation.one_to_one):
                continue
            related = relation.related_model
            if not issubclass(related, TenantModel):
                continue
            rows = set(related.objects.filter(**{f"{relation.field.name}__in": new}).values_list("pk", flat=True))
            if rows:
                frontier.append((related, rows))
    return found


def _anonymise(model: type[models.Model], pks: set[int], today: dt.date) -> int:
    rows = model.objects.filter(pk__in=pks)
    label = model._meta.label_lower
    file_fields = [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
    if file_fields:  # an uploaded document cannot be anonymised: it goes, file and row
        for row in rows:
            for f in file_fields:
                getattr(row, f.name).delete(save=False)
        count, _ = rows.delete()
        return count
    changes: dict[str, object] = {}
    for f in model._meta.concrete_fields:
        if isinstance(f, models.TextField) or f.name in IDENTIFYING_CHAR_FIELDS.get(label, ()):
            changes[f.name] = "" if f.blank else REMOVED[: f.max_length or None]
    if model is Family:
        changes.update(name=ANONYMOUS_FAMILY, anonymised_on=today)
    if model is Person:
        changes.update(first_name="Anonymised", last_name="person")
        for person in rows.exclude(date_of_birth=None).only("pk", "date_of_birth"):
            Person.objects.filter(pk=person.pk).update(date_of_birth=dt.date(person.date_of_birth.year, 7, 1))
    return rows.update(**changes) if changes else len(pks)


def _delete(found: dict[type[models.Model], set[int]]) -> dict[str, int]:
    """Delete the rows found, dependants first: a model whose rows are still protected is retried after the others."""
    deleted: dict[str, int] = defaultdict(int)
    pending = dict(found)
    for model, pks in pending.items():
        for f in (f for f in model._meta.concrete_fields if isinstance(f, models.FileField)):
            for row in model.objects.filter(pk__in=pks):
                getattr(row, f.name).delete(save=False)
    while pending:
        progress = False
        for model in list(pending):
            try:
                with transaction.atomic():
                    _, per_model = model.objects.filter(pk__in=pending[model]).delete()
            except (models.ProtectedError, models.RestrictedError, IntegrityError):
                continue
            for label, count in per_model.items():
                deleted[label.lower()] += count
            del pending[model]
            progress = True
        if not progress:
            raise ValidationError("The retention rule could not delete these records: "
                                  + ", ".join(m._meta.label for m in pending))
    return {label: count for label, count in deleted.items() if count}


def retention_rule(tenant) -> RuleActor:
    """The retention rule acting on its schedule (the nightly task, ``apply_retention``): named in the audit log,
    it may administer the council's records and nothing else."""
    return RuleActor(tenant=tenant, name="retention rule", capabilities=frozenset({Capability.ADMINISTER_TENANT}))


def retention_apply(*, today: dt.date | None = None, dry_run: bool = False, by) -> RetentionOutcome:
    """Anonymise or delete (per the tenant's case settings) every family due on ``today``, in the tenant in
    context. ``dry_run`` counts what would be done and writes nothing. Idempotent: an anonymised family is never
    due again; a deleted one is gone."""
    require(by, Capability.ADMINISTER_TENANT)
    tenant = current_tenant()
    if tenant is None:
        raise ValidationError("The retention rule runs inside a local authority's context.")
    today = today or dt.date.today()
    settings_row = case_settings()
    outcome = RetentionOutcome(action=settings_row.retention_action, today=today, dry_run=dry_run)
    if not settings_row.retention_enabled and not dry_run:
        return outcome
    outcome.families = families_due(today=today, settings_row=settings_row)
    totals: dict[str, int] = defaultdict(int)
    for family in outcome.families:
        with transaction.atomic():
            found = _records_of([family.family_id])
            counts = {m._meta.label_lower: len(pks) for m, pks in found.items()}
            if not dry_run:
                if settings_row.retention_action == CaseSettings.RetentionAction.DELETE:
                    counts = _delete(found)
                else:
                    counts = {m._meta.label_lower: _anonymise(m, pks, today) for m, pks in found.items()}
                verb = "deleted" if settings_row.retention_action == CaseSettings.RetentionAction.DELETE else (
                    "anonymised")
                record_event(action=f"family.{verb}", by=by,
                             object_type="cases.family", object_public_id=family.public_id,
                             detail={"due_on": family.due_on.isoformat(), "rows": counts})
        for label, count in counts.items():
            totals[label] += count
    outcome.rows = dict(totals)
    if not dry_run:
        record_event(action="retention.applied", by=by,
                     detail={**outcome.summary(), "retention_age_years": settings_row.retention_age_years})
    return outcome
