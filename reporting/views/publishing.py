"""Publishing a report run, in the browser: the publication form, and withdrawing a publication."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from earlyhelp.permissions import Capability, require_capability

from .. import publishing, selectors
from ..forms import PublicationForm, WithdrawalForm

RUN_REPORTS = Capability.RUN_REPORTS


def _apply(form, exc: ValidationError) -> None:
    """A service's refusal, shown on the form: against the field it names, or above the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@require_capability(RUN_REPORTS)
def run_publish(request, public_id):
    run = selectors.run_by_public_id(public_id)
    initial = {"committee": run.parameters.get("committee", ""), "item_number": run.parameters.get("item_number", "")}
    form = PublicationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            publication = publishing.publication_create(run=run, by=request.membership, **form.cleaned_data)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, f"Published as version {publication.version}.")
            return redirect("reporting:run-detail", public_id=run.public_id)
    return render(request, "reporting/publish_form.html", {"form": form, "run": run},
                  status=400 if request.method == "POST" else 200)


@require_capability(RUN_REPORTS)
@require_POST
def publication_withdraw(request, public_id):
    publication = publishing.publication_by_public_id(public_id)
    form = WithdrawalForm(request.POST)
    if form.is_valid():
        try:
            publishing.publication_withdraw(publication=publication, by=request.membership,
                                            reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Version {publication.version} withdrawn: its public address now says so.")
    else:
        messages.error(request, "Say why the publication is withdrawn.")
    return redirect("reporting:run-detail", public_id=publication.run.public_id)
