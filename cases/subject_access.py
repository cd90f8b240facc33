"""Subject access: everything the tenant holds about one person, as a JSON-ready dict and as a PDF (with the
family's genogram, drawn as on the family page, and its relationships in words).

What is included: the person's own details and their family's; every referral naming the person (a child) or, for
an adult, every referral and case of their family; each case with every record hanging off it in any app (notes
and their addenda, assessments, plans and actions, reviews, closures, consents, information shared, documents'
details, outcomes' readings…), found by following foreign keys, so a table added later is included without
changing this file; the plan goals that name the person; and the family's consent decisions. Rows that point at
another person (a sibling's reading) are left out; third parties named in free text are for the officer to redact
before release, as the page says.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone

from earlyhelp.pdf import write_pdf
from earlyhelp.tenancy import TenantModel

from .models import Case, Family, Person, Referral
from .selectors import family_map, relationship_sentences

SKIP_FIELDS = {"id", "tenant"}


def _value(obj, f: models.Field):
    value = getattr(obj, f.name)
    if value is None:
        return None
    if isinstance(f, models.FileField):
        return value.name.rsplit("/", 1)[-1] if value else ""
    if f.is_relation:
        if isinstance(value, Person):
            return {"person": str(value.public_id)}
        if hasattr(value, "get_username"):  # a worker: their name, never their account details
            return value.get_full_name() or value.get_username()
        return str(value)
    if f.choices:
        return getattr(obj, f"get_{f.name}_display")()
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _row(obj) -> dict:
    row = {"record": obj._meta.verbose_name, "reference": str(getattr(obj, "public_id", ""))}
    for f in obj._meta.concrete_fields:
        if f.name in SKIP_FIELDS or f.name == "public_id":
            continue
        row[f.name] = _value(obj, f)
    return row


def _children_of(obj, person: Person, depth: int, skip: tuple = ()) -> dict[str, list[dict]]:
    """Rows of every tenant-owned table with a foreign key to ``obj``, grouped by table, ``depth`` levels down."""
    groups: dict[str, list[dict]] = {}
    for relation in obj._meta.related_objects:
        if not (relation.one_to_many or relation.one_to_one) or not issubclass(relation.related_model, TenantModel):
            continue
        if relation.related_model in skip:
            continue
        model = relation.related_model
        rows = model.objects.filter(**{relation.field.name: obj})
        for f in model._meta.concrete_fields:  # a row about another person is not this person's data
            if f.is_relation and f.related_model is Person and f.name != relation.field.name:
                rows = rows.filter(models.Q(**{f.name: person}) | models.Q(**{f"{f.name}__isnull": True}))
        items = []
        for child in rows.order_by("pk"):
            item = _row(child)
            if depth > 1:
                item.update(_children_of(child, person, depth - 1))
            items.append(item)
        if items:
            groups[str(model._meta.verbose_name_plural)] = items
    return groups


def subject_access_data(*, person: Person) -> dict:
    """Everything held about ``person`` (in the tenant in context), JSON-serialisable. See the module doc."""
    if person.kind == Person.Kind.CHILD:
        referrals = Referral.objects.filter(children=person)
        cases = Case.objects.filter(children=person)
    else:
        referrals = Referral.objects.filter(family=person.family_id)
        cases = Case.objects.filter(family=person.family_id)
    family = person.family
    return {
        "subject_access_export": {
            "local_authority": person.tenant.name,
            "generated_at": timezone.now().isoformat(timespec="seconds"),
            "note": "Third parties named in free text must be redacted before release.",
        },
        "person": _row(person),
        "family": {**_row(family), "consent decisions": [_row(c) for c in family.consents.order_by("pk")]},
        "referrals": [
            {**_row(r), "presenting needs": [n.label for n in r.presenting_needs.all()],
             "children in scope": r.children.count(), **_children_of(r, person, 1, skip=(Case,))}
            for r in referrals.distinct().order_by("received_on", "pk")
        ],
        "cases": [
            {**_row(c), "children in scope": c.children.count(), **_children_of(c, person, 2)}
            for c in cases.distinct().order_by("opened_on", "pk")
        ],
        "other records": dict(_children_of(person, person, 1).items()),
        # The family page's genogram as text (the PDF draws it too): who is related to whom, both ways.
        "family network": {"relationships": relationship_sentences(family_map(family=family))},
        "plan goals for this person": [
            {**_row(a), "plan": str(a.plan.public_id), "case": str(a.plan.case.public_id)}
            for a in person.plan_actions.select_related("plan__case").order_by("plan__created_on", "due_on", "pk")
        ],
    }


def _blocks(title: str, data, level: int = 2) -> list[dict]:
    """Flatten the export into headed tables of (field, value) for the PDF template."""
    if isinstance(data, list):
        blocks = []
        for i, item in enumerate(data, start=1):
            blocks += _blocks(f"{title} {i}", item, level)
        return blocks or [{"title": title, "level": level, "rows": [("", "None held")]}]
    rows, nested = [], []
    for key, value in data.items():
        if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
            rows.append((key.replace("_", " "), ", ".join(map(str, value)) or "—"))
        elif isinstance(value, dict | list) and not (isinstance(value, dict) and set(value) == {"person"}):
            nested.append((key, value))
        else:
            rows.append((key.replace("_", " "), "" if value is None else value))
    blocks = [{"title": title, "level": level, "rows": rows}]
    for key, value in nested:
        blocks += _blocks(str(key).capitalize(), value, min(level + 1, 4))
    return blocks


def subject_access_pdf(data: dict) -> bytes:
    blocks = []
    for key in ("person", "family", "referrals", "cases", "plan goals for this person", "other records"):
        blocks += _blocks(key.capitalize(), data[key])
    family = Family.objects.get(public_id=data["family"]["reference"])
    html = render_to_string("cases/pdf/subject_access.html", {
        "meta": data["subject_access_export"], "person": data["person"], "blocks": blocks, "family": family,
        "map": family_map(family=family), "relationships": data["family network"]["relationships"]})
    return write_pdf(html)
