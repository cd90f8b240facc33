"""The access log in the browser: who has seen a record, and what a user has looked at; exportable as CSV."""

from __future__ import annotations

import csv
import uuid

from django import forms
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from . import selectors
from .audit import record_event
from .audit_labels import action_label, object_type_label
from .audit_verify import verify_audit_log
from .permissions import Capability, require_capability
from .spreadsheets import escape_cell


def safe_cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (the project's one escaping rule)."""
    return escape_cell("" if value is None else str(value))


class AccessLogForm(forms.Form):
    user = forms.ChoiceField(required=False, label="What has this person looked at?")
    record = forms.CharField(required=False, label="Who has seen this record?",
                             help_text="The record's reference (shown on its page), or several separated by spaces")
    start = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    reads_only = forms.BooleanField(required=False, label="Only views and downloads")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", "Anyone")] + [
            (str(u.public_id), f"{u.get_full_name() or u.username} ({u.username})") for u in selectors.tenant_users()
        ]
        for name, field in self.fields.items():
            css = "govuk-checkboxes__input" if name == "reads_only" else (
                "govuk-select" if name == "user" else "govuk-input")
            field.widget.attrs.setdefault("class", css)

    def clean_record(self):
        ids = []
        for part in self.cleaned_data["record"].split():
            try:
                ids.append(uuid.UUID(part))
            except ValueError as exc:
                raise forms.ValidationError(f"“{part}” is not a record reference.") from exc
        return ids

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "The end date must be on or after the start date.")
        return data


@require_capability(Capability.VIEW_AUDIT_LOG)
def access_log(request):
    form = AccessLogForm(request.GET or None)
    events = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        events = selectors.access_log(actor_public_id=data["user"] or None, object_public_ids=data["record"],
                                      start=data["start"], end=data["end"], reads_only=data["reads_only"])
        record_event(action="access_log.searched", by=request.membership,
                     detail={k: str(v) for k, v in data.items() if v})
        if request.GET.get("format") == "csv":
            return _csv(events)
        events = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "earlyhelp/access_log.html", {"form": form, "events": events,
                                                         "query": request.GET.urlencode()},
                  status=400 if form.is_bound and not form.is_valid() else 200)


def _csv(events) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="access-log.csv"'
    writer = csv.writer(response)
    writer.writerow(["when", "who", "username", "what", "action code", "record type", "record", "from address",
                     "request", "records listed"])
    for event in events.iterator(chunk_size=2000):
        writer.writerow([safe_cell(v) for v in [
            event.occurred_at.isoformat(timespec="seconds"), event.actor.get_full_name() if event.actor else
            event.actor_label, event.actor.username if event.actor else "", action_label(event.action), event.action,
            object_type_label(event.object_type),
            event.object_public_id, event.source_ip, event.request_id,
            (len(event.detail.get("object_ids", ())) or "") if isinstance(event.detail, dict) else ""]])
    return response


@require_capability(Capability.VIEW_AUDIT_LOG)
def audit_verify(request):
    """Verify this council's audit log (its keyed hashes and the checkpoints outside the database) on request:
    intact, or not intact with the first bad event. Other councils' logs are never read here."""
    result = None
    if request.method == "POST":
        result = verify_audit_log(request.tenant)
        first = result.first_break
        record_event(action="audit_log.verified", by=request.membership,
                     detail={"checked": result.checked, "problems": len(result.breaks),
                             "first_bad_event": first.event_id if first else None})
    return render(request, "earlyhelp/audit_verify.html", {"result": result})
