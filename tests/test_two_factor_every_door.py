"""Two-factor sign-in on every door: a password-only session of a role that must use two-factor gets nothing.

Walks every URL pattern of the URL conf (pages, the two admin sites, the API) with a password-only session of
each enforced role and of a platform administrator, then the isolation sweep's and the API matrix's real objects
(URLs that answer 200 once verified), and checks that only the minimal exemption list is reachable.
"""

from __future__ import annotations

import itertools
import re
import uuid

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from earlyhelp.permissions import Role
from earlyhelp.two_factor import PENDING_ALLOWED_PREFIXES
from tests.api.test_matrix import ENDPOINTS, call, make_obj
from tests.factories import UserFactory
from tests.test_isolation_sweep import SWEEP

ENFORCED_ROLES = sorted(settings.TWO_FACTOR_REQUIRED_ROLES)
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def enforced(settings):
    settings.TWO_FACTOR_ENFORCED = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def _candidates(name: str, converter: str) -> list[str]:
    if converter == "uuid":
        return [str(uuid.uuid4())]
    if converter == "int":
        return ["1"]
    if name == "format":
        return ["json"]
    if name == "app_label":
        return [config.label for config in apps.get_app_configs()]
    return ["1", "x", str(uuid.uuid4()), "2024-q1", "csv"]


def every_url(resolver=None, prefix=""):
    """One concrete path for every URL pattern (name or not), by filling its parameters."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from every_url(pattern, prefix + str(pattern.pattern))
            continue
        assert isinstance(pattern, URLPattern)
        route = prefix + str(pattern.pattern)
        yield route, _fill(route)


def _fill(route: str) -> str | None:
    """A path matching ``route`` (a path() route or a regex): resolve candidates until one resolves to it."""
    text = route.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\.", ".").replace("/?", "/")
    params = re.findall(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>[^)]*\)", text)
    options = []
    for conv, name, regex_name in params:
        options.append(_candidates(name or regex_name, conv))

    for values in itertools.product(*options) if options else [()]:
        values = iter(values)
        path = re.sub(r"<(?:\w+:)?\w+>|\(\?P<\w+>[^)]*\)", lambda _m, v=values: next(v), text)
        path = "/" + path.lstrip("/")
        try:
            resolve(path)
        except Resolver404:
            continue
        return path
    return None


@pytest.fixture
def pending_sessions(tenant_a, member):
    """A password-only session per enforced role, and one of a platform administrator."""
    sessions = {}
    for role in ENFORCED_ROLES:
        user = member(tenant_a, role=role, username=f"pw-only-{role}")
        client = APIClient()
        client.force_login(user)  # a password sign-in: no OTP device verified in this session
        sessions[role] = client
    root = UserFactory(username="pw-only-platform", is_superuser=True, is_staff=True)
    client = APIClient()
    client.force_login(root)
    sessions["platform"] = client
    return sessions


def _is_exempt(path: str) -> bool:
    return path.startswith(PENDING_ALLOWED_PREFIXES)


def test_every_url_pattern_is_closed_to_a_password_only_session(pending_sessions):
    paths = list(every_url())
    unfilled = [route for route, path in paths if path is None]
    assert unfilled == [], f"the walk could not build a path for: {unfilled}"
    assert len(paths) > 150
    opened = []
    for who, client in pending_sessions.items():
        for route, path in paths:
            if _is_exempt(path):
                continue
            for method in ("get", "post"):
                response = getattr(client, method)(path)
                if response.status_code < 300:
                    opened.append(f"{method.upper()} {path} as {who}: {response.status_code}")
                elif path.startswith("/api/"):
                    assert response.status_code in (401, 403), f"{path} as {who}: {response.status_code}"
    assert opened == []


@pytest.mark.parametrize("name", sorted(SWEEP))
def test_real_objects_stay_closed_until_the_code_is_entered(name, tenant_a, member):
    entry = SWEEP[name]
    obj = entry.make(tenant_a, member) if entry.make else None
    url = reverse(name, kwargs=entry.url_kwargs) if obj is None else reverse(
        name, kwargs=entry.kwargs(obj) if entry.kwargs else {"public_id": obj.public_id})
    for role in sorted(entry.roles & set(ENFORCED_ROLES)):
        user = member(tenant_a, role=role, username=f"pw-{role}")
        client = APIClient()
        client.force_login(user)
        response = getattr(client, entry.method)(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("two-factor")), (
            f"{name} as {role} with a password only: {response.status_code}")


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_the_api_refuses_a_password_only_session(name, tenant_a, member):
    endpoint = ENDPOINTS[name]
    obj = make_obj(endpoint, tenant_a)
    user = member(tenant_a, role=Role.TEAM_MANAGER, username="pw-manager")
    api = APIClient()
    api.force_login(user)
    response = call(api, name, endpoint, obj)
    assert response.status_code == 401, f"{name}: {response.status_code}"
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "urn:earlyhelp:problem:two_factor_required"


def _verify(client, user):
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    response = client.post(reverse("two-factor"), {"code": code, "next": "/"})
    assert response.status_code == 302


def test_the_reported_bypass_people_and_referrals_through_the_session_api(tenant_a, member, client):
    from tests.api import makers

    makers.person(tenant_a, None)
    manager = member(tenant_a, role=Role.TEAM_MANAGER, username="mo")
    client.post(reverse("login"), {"username": "mo", "password": PASSWORD})
    assert client.get("/api/v1/people/").status_code == 401
    assert client.post("/api/v1/referrals/", {}, content_type="application/json").status_code == 401
    assert client.get("/admin/").status_code == 302
    _verify(client, manager)
    people = client.get("/api/v1/people/")
    assert people.status_code == 200 and people.json()["results"]


def test_a_pending_session_with_a_non_bearer_authorization_header_is_still_refused(tenant_a, member):
    user = member(tenant_a, role=Role.AUDITOR, username="aud")
    api = APIClient()
    api.force_login(user)
    api.credentials(HTTP_AUTHORIZATION="Basic YXVkOng=")
    assert api.get("/api/v1/people/").status_code in (401, 403)


def test_a_practitioner_is_not_asked_and_a_platform_admin_is(tenant_a, member, client):
    client.force_login(member(tenant_a, role=Role.PRACTITIONER))
    assert client.get("/").status_code == 200
    client.logout()
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    response = client.get("/platform/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("two-factor"))
    _verify(client, root)
    assert client.get("/platform/").status_code == 200


def test_a_practitioner_who_is_also_a_manager_elsewhere_must_verify(tenant_a, tenant_b, member, client):
    user = member(tenant_a, role=Role.PRACTITIONER, username="both")
    from tests.factories import MembershipFactory

    MembershipFactory(tenant=tenant_b, user=user, role=Role.TEAM_MANAGER)
    client.force_login(user)
    assert client.get("/").status_code == 302
