"""The security baseline: headers, two-factor sign-in, password reset that reveals nothing, deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from earlyhelp.models import AuditEvent
from earlyhelp.permissions import Role

ROOT = Path(__file__).resolve().parent.parent


def test_pages_send_a_content_security_policy_without_inline_scripts(tenant_a, member, sign_in):
    response = sign_in(member(tenant_a)).get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_templates_have_no_inline_scripts_or_styles():
    offenders = []
    for path in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in path.parts:
            continue
        text = path.read_text()
        for needle in ("<script>", "<script type=\"text/javascript\">", " style=\"", " onclick=", "<style>"):
            if needle in text and "pdf/" not in path.as_posix():  # the PDF template is never served to browsers
                # The HTML edition fills its <style> only for the downloaded file, and for the frozen copy served
                # at the public address with that style's hash in its CSP (reporting/tests/test_public_reports.py);
                # in the app it links the static stylesheet (reporting/tests/test_accessible_editions.py).
                if needle == "<style>" and path.as_posix().endswith("reporting/edition/report.html"):
                    continue
                offenders.append(f"{path.relative_to(ROOT)}: {needle.strip()}")
    assert offenders == []


def test_signed_in_pages_are_not_cached(tenant_a, member, sign_in):
    response = sign_in(member(tenant_a)).get("/")
    assert "no-store" in response["Cache-Control"]


def test_session_cookies_are_httponly_and_samesite(tenant_a, member, client):
    member(tenant_a, username="alice")
    response = client.post(reverse("login"), {"username": "alice", "password": "correct horse battery staple"})
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


class TestTwoFactor:
    @pytest.fixture(autouse=True)
    def enforced(self, settings):
        settings.TWO_FACTOR_ENFORCED = True
        settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no waiting between attempts inside a test

    def test_an_officer_must_set_up_two_factor_before_any_tenant_page(self, tenant_a, member, client):
        officer = member(tenant_a, role=Role.PERFORMANCE_OFFICER, username="omar")
        client.post(reverse("login"), {"username": "omar", "password": "correct horse battery staple"})
        response = client.get("/")
        assert response.status_code == 302 and response["Location"].startswith(reverse("two-factor"))
        page = client.get(response["Location"])
        assert "Set up two-factor sign-in" in page.content.decode()
        device = TOTPDevice.objects.get(user=officer)
        wrong = client.post(reverse("two-factor"), {"code": "000000", "next": "/"})
        assert wrong.status_code == 400 and "not right" in wrong.content.decode()
        code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
        done = client.post(reverse("two-factor"), {"code": code, "next": "/"})
        assert done.status_code == 302 and done["Location"] == "/"
        assert client.get("/").status_code == 200
        assert AuditEvent.all_tenants.filter(action="two_factor.set_up").count() == 1
        assert AuditEvent.all_tenants.filter(action="two_factor.failed").count() == 1

    def test_a_practitioner_is_not_required_to(self, tenant_a, member, sign_in):
        assert sign_in(member(tenant_a, role=Role.PRACTITIONER)).get("/").status_code == 200

    def test_the_next_sign_in_asks_for_a_code_not_a_new_setup(self, tenant_a, member, client):
        officer = member(tenant_a, role=Role.TENANT_ADMIN, username="tess")
        TOTPDevice.objects.create(user=officer, name="app", confirmed=True)
        client.post(reverse("login"), {"username": "tess", "password": "correct horse battery staple"})
        page = client.get(reverse("two-factor"))
        assert "Enter your sign-in code" in page.content.decode()


class TestPasswordReset:
    def test_a_known_address_gets_a_link(self, tenant_a, member, client):
        user = member(tenant_a, username="alice")
        response = client.post(reverse("password_reset"), {"email": user.email})
        assert response.status_code == 302
        assert len(mail.outbox) == 1 and "/accounts/reset/" in mail.outbox[0].body

    def test_an_unknown_address_sees_the_same_page_and_nothing_is_sent(self, db, client):
        response = client.post(reverse("password_reset"), {"email": "nobody@example.org"}, follow=True)
        assert "If the address you entered belongs to an account" in response.content.decode()
        assert mail.outbox == []


PRODUCTION_KEY = "a-long-random-production-secret-key-0123456789-abcdefghijklmnop"
SET_BY_THE_SUITE = ("DJANGO_ALLOW_ASYNC_UNSAFE", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT",
                    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_COOKIES")


def _manage(*args, **env):
    """``manage.py *args`` with the production settings module and only ``env`` set of the security variables."""
    env = {**{k: v for k, v in os.environ.items() if k not in SET_BY_THE_SUITE},
           "DJANGO_SETTINGS_MODULE": "earlyhelp.settings", **env}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=False)


def test_check_deploy_is_clean_with_only_debug_off_a_secret_key_and_the_hosts():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", DEBUG="off", SECRET_KEY=PRODUCTION_KEY,
                     ALLOWED_HOSTS="earlyhelp.example.gov.uk")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("key", [None, "insecure-demo-key-change-me-" + "x" * 32])
def test_production_refuses_to_start_without_a_real_secret_key(key):
    env = {"DEBUG": "off", "ALLOWED_HOSTS": "earlyhelp.example.gov.uk"} | ({"SECRET_KEY": key} if key else {})
    result = _manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY is missing or is the demo key" in result.stderr


def test_https_redirect_and_hsts_can_be_left_to_a_proxy():
    result = _manage("check", "--deploy", DEBUG="off", SECRET_KEY=PRODUCTION_KEY,
                     ALLOWED_HOSTS="earlyhelp.example.gov.uk", SECURE_SSL_REDIRECT="off", SECURE_HSTS_SECONDS="0")
    assert result.returncode == 0, result.stderr
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


def test_chart_pages_carry_no_inline_styles_that_the_policy_would_block(tenant_a, member, sign_in):
    """matplotlib's SVG uses style attributes: charts are served as data-URI images, never inline SVG."""
    page = sign_in(member(tenant_a, role=Role.PERFORMANCE_OFFICER)).get("/outcomes/").content.decode()
    assert "data:image/svg+xml;base64," in page
    assert ' style="' not in page and "<style" not in page


def test_an_idle_session_ends(tenant_a, member, client, settings):
    """Sessions expire after SESSION_IDLE_SECONDS without a request; each request pushes the expiry forward."""
    import datetime as dt

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    member(tenant_a, username="alice")
    client.post(reverse("login"), {"username": "alice", "password": "correct horse battery staple"})
    assert client.get("/").status_code == 200
    assert settings.SESSION_SAVE_EVERY_REQUEST and settings.SESSION_COOKIE_AGE <= 3600
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))  # idle past the limit
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
