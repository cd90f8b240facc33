"""Two-factor sign-in with a time-based one-time password (TOTP, django-otp).

Users whose role requires it (``TWO_FACTOR_REQUIRED_ROLES``, when ``TWO_FACTOR_ENFORCED``) are sent here after
signing in: the first time to set up an authenticator app (QR code and key), later to enter a code. Anyone
else may set it up too. Failed codes are throttled by django-otp and audited.
"""

from __future__ import annotations

import base64

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .audit import record_event
from .middleware import active_membership, memberships_of


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app", max_length=8, min_length=6,
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-10", "autocomplete": "one-time-code",
                                      "inputmode": "numeric", "spellcheck": "false"}),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].replace(" ", "")
        if not code.isdigit():
            raise forms.ValidationError("Enter the 6 digits your authenticator app shows.")
        return code


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else "/"


def _audit(request, action: str, **detail) -> None:
    membership = active_membership(request, memberships_of(request.user))
    if membership is not None:
        record_event(action=action, by=membership, tenant=membership.tenant,
                     object_type="earlyhelp.user", object_public_id=str(request.user.public_id), detail=detail)


@login_required
def two_factor(request):
    """Set up an authenticator (first time) or enter a code (every sign-in)."""
    confirmed = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    device = confirmed or TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="Authenticator app", confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _ = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["code"]):
            if not device.confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                _audit(request, "two_factor.set_up")
            otp_login(request, device)
            messages.success(request, "Two-factor sign-in complete.")
            return redirect(_next(request))
        _audit(request, "two_factor.failed")
        form.add_error("code", "That code is not right, or has expired. Wait for a new code and try again."
                       if allowed else "Too many wrong codes. Wait a little, then try again.")
    context = {"form": form, "setting_up": not device.confirmed, "next": _next(request)}
    if not device.confirmed:
        context["qr"] = segno.make(device.config_url, error="m").svg_data_uri(scale=4)
        context["key"] = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(request, "registration/two_factor.html", context, status=200 if form.is_bound is False
                  or form.is_valid() else 400)
