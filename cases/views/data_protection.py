"""Data protection pages for a tenant administrator or auditor: find a person, and export everything held about
them (a subject access request) as JSON or PDF. Every search and export is audited."""

from __future__ import annotations

import contextlib
import json
import uuid

from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from earlyhelp.audit import record_event, record_read
from earlyhelp.permissions import Capability, require_capability

from ..models import Person
from ..subject_access import subject_access_data, subject_access_pdf

EXPORT = Capability.EXPORT_PERSONAL_DATA


@require_capability(EXPORT)
def data_protection(request):
    """Find the person a subject access request is about, by any word of their name or their reference."""
    query = request.GET.get("q", "").strip()[:100]
    people = None
    if query:
        criteria = Q()
        for word in query.split():
            criteria |= Q(first_name__iexact=word) | Q(last_name__istartswith=word)
            with contextlib.suppress(ValueError):
                criteria |= Q(public_id=uuid.UUID(word))
        people = list(Person.objects.filter(criteria).select_related("family").order_by("last_name")[:50])
        record_event(action="subject_access.searched", by=request.membership, detail={"results": len(people)})
    return render(request, "cases/data_protection.html", {"query": query, "people": people})


@require_capability(EXPORT)
def subject_access(request, public_id):
    """What is held about one person: a summary, and the export as ``?format=json`` or ``?format=pdf``."""
    person = get_object_or_404(Person.objects.select_related("family"), public_id=public_id)
    data = subject_access_data(person=person)
    file_format = request.GET.get("format", "")
    if file_format in ("json", "pdf"):
        if file_format == "json":
            response = HttpResponse(json.dumps(data, indent=2, ensure_ascii=False, default=str),
                                    content_type="application/json; charset=utf-8")
        else:
            response = HttpResponse(subject_access_pdf(data), content_type="application/pdf")
        # Chained (data leaving the system), as the last write: the chain lock is not held through the rendering.
        record_event(action="person.subject_access_exported", by=request.membership, obj=person,
                     detail={"format": file_format, "referrals": len(data["referrals"]), "cases": len(data["cases"])})
        response["Content-Disposition"] = f'attachment; filename="subject-access-{person.public_id}.{file_format}"'
        return response
    record_read(action="person.viewed", by=request.membership, obj=person, detail={"page": "subject access"})
    return render(request, "cases/subject_access.html", {"person": person, "data": data})
