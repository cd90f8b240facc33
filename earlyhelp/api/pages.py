"""The tenant administrator's pages for API clients: list, create (the token is shown once, on the page the
creation redirects to), revoke.

A client can be made for a commissioned provider (its own system, submitting and reading that provider's
returns only). Providers belong to the commissioning app, on a floor above: it registers itself through
``earlyhelp.api.extensions`` and these pages call it there, never by import.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ..permissions import Capability, require_capability
from ..sharing.models import PartnerOrganisation
from ..sharing.services import api_client_partner_link
from .extensions import client_owner
from .models import ApiClient, Scope
from .services import api_client_create, api_client_revoke

MAX_LIFETIME_DAYS = 3 * 365


class ApiClientForm(forms.Form):
    name = forms.CharField(max_length=120, help_text="The partner system, e.g. “MASH case system”.")
    scopes = forms.MultipleChoiceField(choices=Scope.choices, widget=forms.CheckboxSelectMultiple)
    expires_on = forms.DateField(help_text="The token stops working at the end of this day (YYYY-MM-DD).")
    provider = forms.ChoiceField(
        required=False,
        help_text="For a provider's own system: it submits and reads only that provider's services' returns, "
                  "and holds only the returns scopes. Leave empty for the council's own systems.",
    )

    partner = forms.ChoiceField(
        required=False,
        help_text="For a partner's system (school, health, police, voluntary): it works only while a data-sharing "
                  "agreement with that partner covers the purposes of its scopes.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = [("", "None (the council's own system)"), *(
            (str(p.public_id), p.name) for p in PartnerOrganisation.objects.filter(is_active=True))]
        self.fields["partner"].widget.attrs.update({"class": "govuk-select"})
        owner = client_owner()
        if owner is None:
            del self.fields["provider"]
        else:
            self.fields["provider"].choices = [("", "None (the council's own system)"), *owner.provider_choices()]
            self.fields["provider"].widget.attrs.update({"class": "govuk-select"})
        self.fields["name"].widget.attrs.update({"class": "govuk-input govuk-input--width-30"})
        self.fields["expires_on"].widget.attrs.update({"class": "govuk-input govuk-input--width-10"})
        self.fields["expires_on"].initial = timezone.localdate() + datetime.timedelta(days=365)

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if day < today:
            raise forms.ValidationError("The expiry must be today or later.")
        if day > today + datetime.timedelta(days=MAX_LIFETIME_DAYS):
            raise forms.ValidationError("A token may live at most three years.")
        return day

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("provider") and not set(cleaned.get("scopes") or []) <= client_owner().PROVIDER_CLIENT_SCOPES:
            self.add_error("scopes", "A provider's API client may hold only the returns:read and returns:write "
                                     "scopes.")
        return cleaned

    def expires_at(self) -> datetime.datetime:
        end_of_day = datetime.datetime.combine(self.cleaned_data["expires_on"], datetime.time.max)
        return timezone.make_aware(end_of_day)


@require_capability(Capability.ADMINISTER_TENANT)
def api_client_list(request):
    clients = list(ApiClient.objects.select_related("created_by", "partner"))
    providers = client_owner().providers_of(clients) if client_owner() else {}
    for client in clients:
        client.provider = providers.get(client.pk)
    return render(request, "earlyhelp/api_clients/list.html", {"clients": clients, "now": timezone.now()})


@require_capability(Capability.ADMINISTER_TENANT)
def api_client_add(request):
    form = ApiClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                client, token = api_client_create(
                    by=request.membership,
                    name=form.cleaned_data["name"],
                    scopes=form.cleaned_data["scopes"],
                    expires_at=form.expires_at(),
                )
                if form.cleaned_data.get("partner"):
                    api_client_partner_link(
                        by=request.membership, client=client,
                        partner=PartnerOrganisation.objects.get(public_id=form.cleaned_data["partner"]))
                if form.cleaned_data.get("provider"):
                    client.provider = client_owner().client_tie(
                        by=request.membership, client=client, provider_public_id=form.cleaned_data["provider"]).provider
        except ValidationError as error:
            form.add_error(None, error)
            return render(request, "earlyhelp/api_clients/add.html", {"form": form})
        # Post/redirect/get: the token waits in the session for one view of the next page, so that reloading
        # that page shows nothing again and creates nothing.
        request.session[NEW_TOKEN_SESSION_KEY] = {"client": str(client.public_id), "token": token}
        return redirect("api-client-created", public_id=client.public_id)
    return render(request, "earlyhelp/api_clients/add.html", {"form": form})


NEW_TOKEN_SESSION_KEY = "earlyhelp_new_api_token"


@require_capability(Capability.ADMINISTER_TENANT)
def api_client_created(request, public_id):
    """The client just created, with its token the first time this page is shown after creating it (taken from
    the session, then gone); afterwards the page says the token cannot be shown again."""
    client = get_object_or_404(ApiClient.objects, public_id=public_id)
    pending = request.session.get(NEW_TOKEN_SESSION_KEY) or {}
    token = None
    if pending.get("client") == str(client.public_id):
        token = request.session.pop(NEW_TOKEN_SESSION_KEY)["token"]
    response = render(request, "earlyhelp/api_clients/created.html", {"client": client, "token": token})
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@require_capability(Capability.ADMINISTER_TENANT)
def api_client_revoke_view(request, public_id):
    client = get_object_or_404(ApiClient.objects, public_id=public_id)
    api_client_revoke(client=client, by=request.membership)
    messages.success(request, f"The API client “{client.name}” is revoked: its token no longer works.")
    return redirect("api-clients")
