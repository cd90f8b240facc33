"""factory-boy factories. Related objects always stay inside one tenant: pass ``tenant=`` and every
sub-factory uses the same one."""

from __future__ import annotations

import factory

from earlyhelp.models import Locality, Membership, Team, Tenant, User
from earlyhelp.permissions import Role


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Testshire Council {n}")
    slug = factory.Sequence(lambda n: f"testshire-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class TenantOwnedFactory(factory.django.DjangoModelFactory):
    """Base for tenant-owned factories: saved with ``all_tenants`` so tests need no scope to build data."""

    class Meta:
        abstract = True

    tenant = factory.SubFactory(TenantFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        manager = model_class.all_tenants
        return manager.create(*args, **kwargs)


class LocalityFactory(TenantOwnedFactory):
    class Meta:
        model = Locality

    name = factory.Sequence(lambda n: f"Locality {n}")


class TeamFactory(TenantOwnedFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    locality = factory.SubFactory(LocalityFactory, tenant=factory.SelfAttribute("..tenant"))


class MembershipFactory(TenantOwnedFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.PRACTITIONER


def acting(who=None, *, role: str | None = None, tenant: Tenant | None = None):
    """The ``by`` a test passes to a service (earlyhelp.actors), in ``tenant`` (default: the tenant in context).

    ``acting(user)`` is that user's membership there (a membership, API client or rule is returned as it is);
    ``acting()`` a member of ``role`` (a team manager unless told: casework, oversight and imports), made once
    per tenant and role. A user without a membership there is given one of ``role``."""
    from earlyhelp.actors import RuleActor, is_client
    from earlyhelp.tenancy import current_tenant

    if isinstance(who, (Membership, RuleActor)) or is_client(who):
        return who
    tenant = tenant or current_tenant()
    if tenant is None:
        raise ValueError("acting() needs a tenant: pass tenant= or run inside the tenant's context")
    role = role or Role.TEAM_MANAGER
    user = who
    if user is None:
        user, _ = User.objects.get_or_create(username=f"acting-{role}-{tenant.slug}",
                                             defaults={"first_name": "Acting", "last_name": Role(role).label})
    membership = Membership.all_tenants.filter(tenant=tenant, user=user).first()
    if membership is None:
        membership = Membership.all_tenants.create(tenant=tenant, user=user, role=role)
    return membership
