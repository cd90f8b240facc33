"""Demo data for the platform floor: two fictional local authorities, their localities, teams and a user for
every role. Other apps add theirs in their own ``demo.py`` (``seed(tenant, rng, users)``), called in floor order
by ``manage.py seed_demo``. Everything here is fictional.
"""

from __future__ import annotations

import importlib
import random
import secrets
from dataclasses import dataclass, field
from types import ModuleType

from .models import Locality, Membership, Team, Tenant, User
from .permissions import Role


@dataclass
class DemoTenant:
    name: str
    slug: str
    prefix: str
    localities: dict[str, list[str]]
    brand: str = ""
    service_model: str = Tenant.ServiceModel.EARLY_HELP


DEMO_TENANTS = [
    DemoTenant(
        name="Northbridge Borough Council",
        slug="northbridge",
        prefix="nb",
        localities={
            "North": ["North Early Help Team"],
            "Riverside": ["Riverside Early Help Team"],
            "South": ["South Early Help Team", "Family Intervention Team"],
        },
    ),
    DemoTenant(
        name="Eastmoor City Council",
        slug="eastmoor",
        prefix="em",
        localities={
            "Central": ["Central Locality Team"],
            "East": ["East Locality Team"],
            "West": ["West Locality Team"],
        },
        # Eastmoor runs Family Help: section 17 on the same case, family meetings, steps up to a multi-agency
        # child protection team (docs/family-help.md).
        service_model=Tenant.ServiceModel.FAMILY_HELP,
    ),
]

# One fictional person per role and tenant: (role, first name, last name).
DEMO_PEOPLE = {
    "nb": [
        (Role.PRACTITIONER, "Priya", "Hollis"),
        (Role.TEAM_MANAGER, "Marcus", "Beale"),
        (Role.COMMISSIONER, "Chloe", "Ashdown"),
        (Role.PROVIDER, "Pat", "Renwick"),
        (Role.PERFORMANCE_OFFICER, "Omar", "Fenwick"),
        (Role.AUDITOR, "Agnes", "Thorne"),
        (Role.TENANT_ADMIN, "Theo", "Marsh"),
        (Role.PARTNER, "Nadia", "Brook"),
    ],
    "em": [
        (Role.PRACTITIONER, "Dev", "Okafor"),
        (Role.TEAM_MANAGER, "Grace", "Pellow"),
        (Role.COMMISSIONER, "Hamid", "Saltash"),
        (Role.PROVIDER, "Rosa", "Quill"),
        (Role.PERFORMANCE_OFFICER, "Ines", "Carrow"),
        (Role.AUDITOR, "Ade", "Lomax"),
        (Role.TENANT_ADMIN, "Tess", "Varley"),
        (Role.PARTNER, "Kit", "Danby"),
    ],
}
ROLE_SHORT = {
    Role.PRACTITIONER: "practitioner",
    Role.TEAM_MANAGER: "manager",
    Role.COMMISSIONER: "commissioner",
    Role.PROVIDER: "provider",
    Role.PERFORMANCE_OFFICER: "officer",
    Role.AUDITOR: "auditor",
    Role.TENANT_ADMIN: "admin",
    Role.PARTNER: "partner",
}
SHARED_USER = "shared.officer"  # a performance officer working for both authorities
PLATFORM_ADMIN = "platform.admin"


@dataclass
class SeedResult:
    tenants: list[Tenant] = field(default_factory=list)
    users_by_tenant: dict[str, dict[str, User]] = field(default_factory=dict)
    new_passwords: dict[str, str] = field(default_factory=dict)


def _user(username: str, first: str, last: str, email: str, password: str | None, result: SeedResult) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": first, "last_name": last, "email": email}
    )
    if created or password is not None:
        chosen = password or secrets.token_urlsafe(9)
        user.set_password(chosen)
        user.save(update_fields=["password"])
        result.new_passwords[username] = chosen
    return user


def seed_platform(*, password: str | None = None) -> SeedResult:
    """Create (or complete) the demo tenants and users. Idempotent: existing users keep their passwords
    unless ``password`` is given. Must run in ``platform_context``."""
    result = SeedResult()
    for spec in DEMO_TENANTS:
        tenant, _ = Tenant.objects.get_or_create(slug=spec.slug, defaults={"name": spec.name})
        if tenant.service_model != spec.service_model:
            tenant.service_model = spec.service_model
            tenant.save(update_fields=["service_model"])
        result.tenants.append(tenant)
        teams: list[Team] = []
        for locality_name, team_names in spec.localities.items():
            locality, _ = Locality.all_tenants.get_or_create(tenant=tenant, name=locality_name)
            for team_name in team_names:
                team, _ = Team.all_tenants.get_or_create(
                    tenant=tenant, name=team_name, defaults={"locality": locality}
                )
                teams.append(team)
        users: dict[str, User] = {}
        for role, first, last in DEMO_PEOPLE[spec.prefix]:
            username = f"{spec.prefix}.{ROLE_SHORT[role]}"
            user = _user(username, first, last, f"{username}@{spec.slug}.example", password, result)
            membership, _ = Membership.all_tenants.get_or_create(tenant=tenant, user=user, defaults={"role": role})
            if role in (Role.PRACTITIONER, Role.TEAM_MANAGER) and not membership.teams.exists():
                membership.teams.add(teams[0])
            users[ROLE_SHORT[role]] = user
        shared = _user(SHARED_USER, "Sam", "Kettering", "shared.officer@example.org", password, result)
        Membership.all_tenants.get_or_create(tenant=tenant, user=shared, defaults={"role": Role.PERFORMANCE_OFFICER})
        users["shared"] = shared
        result.users_by_tenant[spec.slug] = users
    platform = _user(PLATFORM_ADMIN, "Pat", "Form", "platform.admin@example.org", password, result)
    if not platform.is_superuser:
        platform.is_superuser = platform.is_staff = True
        platform.save(update_fields=["is_superuser", "is_staff"])
    return result


# Floor order: lower floors first, so higher floors can use their data.
APP_ORDER = ["earlyhelp", "commissioning", "cases", "outcomes", "reporting"]


def app_demo_modules() -> list[ModuleType]:
    """Each installed app's ``demo`` module, lower floors first: ``seed(tenant, users)`` for seed_demo and
    ``check(tenant, sign_in)`` for demo_check, where an app has them (imported by name: no floor imports up)."""
    from django.apps import apps

    modules = []
    for label in APP_ORDER:
        if not apps.is_installed(label):
            continue
        try:
            modules.append(importlib.import_module(f"{label}.demo"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{label}.demo":
                raise
    return modules


def rng_for(tenant: Tenant) -> random.Random:
    """A deterministic random source per tenant, so the demo is the same on every machine."""
    return random.Random(f"earlyhelp-demo-{tenant.slug}")  # noqa: S311 - demo data, not security
