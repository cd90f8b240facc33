"""The tenant administrator's pages: people and roles, teams, localities and the council's settings (the writes
are the services of ``earlyhelp.administration``). The lists the casework uses (levels of need, referral sources,
closure reasons…) are the cases app's pages, linked from the administration page; API clients and the audit-log
check have their own pages."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import RegexValidator
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.views.decorators.http import require_POST

from . import administration, selectors
from .forms import GovukForm, show_service_errors
from .models import Locality, Membership, Team, Tenant
from .permissions import Capability, Role, require_capability

ADMIN = Capability.ADMINISTER_TENANT


# -- forms ---------------------------------------------------------------------------------------------------------

class MemberAddForm(GovukForm):
    first_name = forms.CharField(max_length=150, label="First name")
    last_name = forms.CharField(max_length=150, label="Last name")
    email = forms.EmailField(max_length=254, label="Email address",
                             help_text="The invitation to choose a password is sent here.")
    username = forms.CharField(max_length=150, label="Username", help_text="What they sign in with, e.g. jsmith.")
    role = forms.ChoiceField(choices=Role.choices, widget=forms.RadioSelect, label="Role")
    teams = forms.ModelMultipleChoiceField(queryset=Team.objects.none(), required=False,
                                           widget=forms.CheckboxSelectMultiple, label="Teams",
                                           help_text="Practitioners see their teams' cases; managers manage them.")
    querysets = {"teams": lambda: Team.objects.all()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].validators.append(RegexValidator(
            r"^[\w.@+-]+\Z", "A username may hold letters, digits and @ . + - _ only."))
        for name in ("first_name", "last_name", "username"):
            self.fields[name].widget.attrs.update({"class": "govuk-input govuk-input--width-20",
                                                   "spellcheck": "false", "autocomplete": "off"})
        self.fields["email"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})


class MemberChangeForm(GovukForm):
    role = forms.ChoiceField(choices=Role.choices, widget=forms.RadioSelect, label="Role")
    teams = forms.ModelMultipleChoiceField(queryset=Team.objects.none(), required=False,
                                           widget=forms.CheckboxSelectMultiple, label="Teams")
    is_registered_social_worker = forms.BooleanField(
        required=False, label="Registered social worker",
        help_text="Registered with Social Work England: may lead a case under section 17.")
    social_work_england_number = forms.CharField(
        required=False, max_length=20, label="Social Work England registration number",
        help_text="For example SW123456.")
    querysets = {"teams": lambda: Team.objects.all()}


class TeamForm(GovukForm):
    name = forms.CharField(max_length=120, label="Name of the team")
    locality = forms.ModelChoiceField(queryset=Locality.objects.none(), required=False, label="Locality",
                                      empty_label="None", help_text="The area the team mostly serves.")
    querysets = {"locality": lambda: Locality.objects.all()}


class LocalityForm(GovukForm):
    name = forms.CharField(max_length=120, label="Name of the locality", help_text="For example “North” or “Grays”.")


class TenantSettingsForm(forms.ModelForm):
    class Meta:
        model = Tenant
        fields = administration.TENANT_SETTINGS_FIELDS
        labels = {
            "re_referral_window_months": "Re-referral window (months)",
            "reopen_window_months": "Re-opened case window (months)",
            "small_number_threshold": "Small-number threshold",
            "rate_decimal_places": "Decimal places of percentages",
            "financial_year_start_month": "First month of the financial year",
            "report_brand_name": "Name printed on reports",
            "service_model": "Service model",
            "s17_lead_must_be_social_worker": "Section 17 lead must be a registered social worker",
        }
        widgets = {"report_brand_name": forms.TextInput(attrs={"class": "govuk-input govuk-input--width-30"})}


# -- people --------------------------------------------------------------------------------------------------------

def _member(public_id) -> Membership:
    return get_object_or_404(Membership.objects.select_related("user"), public_id=public_id)


def send_invitation(request, membership: Membership) -> None:
    """Email the new member a link to choose their password (Django's password-reset link: it works once)."""
    user = membership.user
    site = get_current_site(request)
    context = {
        "user": user, "tenant": membership.tenant, "role": membership.get_role_display(),
        "domain": site.domain, "site_name": site.name, "protocol": "https" if request.is_secure() else "http",
        "uid": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user),
    }
    send_mail(f"You have been added to Early Help for {membership.tenant.name}",
              render_to_string("earlyhelp/administration/invitation_email.txt", context), None, [user.email])


@require_capability(ADMIN)
def administration_index(request):
    return render(request, "earlyhelp/administration/index.html", {
        "counts": selectors.member_counts(), "teams": Team.objects.count(), "localities": Locality.objects.count()})


@require_capability(ADMIN)
def member_list(request):
    show = request.GET.get("show", "active")
    members = selectors.members(active_only=show == "active")
    return render(request, "earlyhelp/administration/members.html", {"members": members, "show": show})


@require_capability(ADMIN)
def member_add(request):
    form = MemberAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership = administration.member_add(
                by=request.membership, username=data["username"], first_name=data["first_name"],
                last_name=data["last_name"], email=data["email"], role=data["role"], teams=data["teams"])
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            send_invitation(request, membership)
            messages.success(request, f"{membership.user.get_full_name()} is added as "
                                      f"{membership.get_role_display().lower()}. An invitation to choose a password "
                                      f"was sent to {membership.user.email}.")
            return redirect("administration-member", public_id=membership.public_id)
    return render(request, "earlyhelp/administration/form.html", {
        "form": form, "title": "Add a person", "caption": "People and roles", "back": reverse("administration-members"),
        "button": "Add and send the invitation",
        "intro": "They get an email to choose their password. They can sign in once they have chosen it."},
        status=400 if form.is_bound and not form.is_valid() else 200)


@require_capability(ADMIN)
def member_detail(request, public_id):
    membership = _member(public_id)
    form = MemberChangeForm(request.POST or None, initial={
        "role": membership.role, "teams": list(membership.teams.all()),
        "is_registered_social_worker": membership.is_registered_social_worker,
        "social_work_england_number": membership.social_work_england_number})
    if request.method == "POST" and form.is_valid():
        try:
            administration.member_change(by=request.membership, membership=membership, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, f"{membership.user} is saved.")
            return redirect("administration-member", public_id=membership.public_id)
    return render(request, "earlyhelp/administration/member.html", {
        "member": membership, "form": form, "is_self": membership.pk == request.membership.pk},
        status=400 if form.is_bound and not form.is_valid() else 200)


@require_POST
@require_capability(ADMIN)
def member_active(request, public_id):
    """POST ``active`` = "0" deactivates, "1" reactivates."""
    membership = _member(public_id)
    service = administration.member_reactivate if request.POST.get("active") == "1" else \
        administration.member_deactivate
    try:
        service(by=request.membership, membership=membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{membership.user} is {'reactivated' if membership.is_active else 'deactivated'}.")
    return redirect("administration-member", public_id=membership.public_id)


# -- teams and localities ------------------------------------------------------------------------------------------

@require_capability(ADMIN)
def team_list(request):
    teams = selectors.teams_with_member_counts(active_only=True)
    return render(request, "earlyhelp/administration/teams.html", {"teams": teams})


def _save_named(request, *, form, save, title, back, done):
    if request.method == "POST" and form.is_valid():
        try:
            obj = save(form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, done(obj))
            return redirect(back)
    return render(request, "earlyhelp/administration/form.html", {
        "form": form, "title": title, "caption": "Administration", "back": back, "button": "Save"},
        status=400 if form.is_bound and not form.is_valid() else 200)


@require_capability(ADMIN)
def team_edit(request, public_id=None):
    team = get_object_or_404(Team.objects, public_id=public_id) if public_id else None
    initial = {"name": team.name, "locality": team.locality} if team else {}
    return _save_named(
        request, form=TeamForm(request.POST or None, initial=initial),
        save=lambda data: administration.team_save(by=request.membership, team=team, name=data["name"],
                                                   locality=data["locality"]),
        title=f"Change {team.name}" if team else "Add a team", back=reverse("administration-teams"),
        done=lambda obj: f"The team “{obj.name}” is saved.")


@require_capability(ADMIN)
def locality_list(request):
    localities = selectors.localities()
    return render(request, "earlyhelp/administration/localities.html", {"localities": localities})


@require_capability(ADMIN)
def locality_edit(request, public_id=None):
    locality = get_object_or_404(Locality.objects, public_id=public_id) if public_id else None
    return _save_named(
        request, form=LocalityForm(request.POST or None, initial={"name": locality.name} if locality else {}),
        save=lambda data: administration.locality_save(by=request.membership, locality=locality,
                                                       name=data["name"]),
        title=f"Change {locality.name}" if locality else "Add a locality",
        back=reverse("administration-localities"), done=lambda obj: f"The locality “{obj.name}” is saved.")


# -- the council's settings ----------------------------------------------------------------------------------------

@require_capability(ADMIN)
def tenant_settings(request):
    tenant = Tenant.objects.get(pk=request.tenant.pk)
    form = TenantSettingsForm(request.POST or None, instance=tenant)
    if request.method == "POST" and form.is_valid():
        try:
            administration.tenant_settings_update(
                by=request.membership, **{name: form.cleaned_data[name] for name in form.changed_data})
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, "The council's settings are saved.")
            return redirect("administration-settings")
    return render(request, "earlyhelp/administration/form.html", {
        "form": form, "title": "The council's settings", "caption": "Administration",
        "back": reverse("administration"), "button": "Save the settings",
        "intro": "These settings change how figures are counted and shown in dashboards and reports."},
        status=400 if form.is_bound and not form.is_valid() else 200)
