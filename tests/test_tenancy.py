"""The tenancy kernel fails closed: no scope, no rows; one tenant's scope, only its rows."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django_scopes.exceptions import ScopeError

from earlyhelp.models import Locality, Membership, Team
from earlyhelp.tenancy import current_tenant, tenant_context
from tests.factories import LocalityFactory, MembershipFactory, TeamFactory


def test_a_query_with_no_tenant_in_context_raises(tenant_a):
    LocalityFactory(tenant=tenant_a)
    with pytest.raises(ScopeError):
        list(Locality.objects.all())
    with pytest.raises(ScopeError):
        Locality.objects.filter(name="x")
    with pytest.raises(ScopeError):
        Locality.objects.count()


def test_a_scope_with_no_tenant_fails_closed_too(tenant_a, in_tenant):
    LocalityFactory(tenant=tenant_a)
    with in_tenant(None), pytest.raises(ScopeError):
        list(Locality.objects.all())


def test_tenant_a_context_never_returns_tenant_b_rows(tenant_a, tenant_b):
    LocalityFactory(tenant=tenant_a, name="Grays")
    LocalityFactory(tenant=tenant_b, name="Allenton")
    with tenant_context(tenant_a):
        assert [loc.name for loc in Locality.objects.all()] == ["Grays"]
        assert not Locality.objects.filter(name="Allenton").exists()
        assert current_tenant() == tenant_a
    with tenant_context(tenant_b):
        assert [loc.name for loc in Locality.objects.all()] == ["Allenton"]
    assert current_tenant() is None


def test_a_new_row_takes_the_tenant_of_its_context(tenant_a):
    with tenant_context(tenant_a):
        locality = Locality.objects.create(name="Tilbury")
    assert locality.tenant == tenant_a


def test_a_row_with_no_tenant_and_no_context_is_refused(db):
    with pytest.raises(ValidationError, match="needs a tenant"):
        Locality(name="Nowhere").save()


def test_a_foreign_key_into_another_tenant_is_refused_on_save(tenant_a, tenant_b):
    b_locality = LocalityFactory(tenant=tenant_b)
    with pytest.raises(ValidationError, match="another local authority"):
        Team.all_tenants.create(tenant=tenant_a, name="Mixed", locality=b_locality)
    team = TeamFactory(tenant=tenant_a)
    team.locality_id = b_locality.pk  # by id, without the cached object
    with pytest.raises(ValidationError, match="another local authority"):
        team.save()


def test_a_many_to_many_link_into_another_tenant_is_refused(tenant_a, tenant_b):
    membership = MembershipFactory(tenant=tenant_a)
    foreign_team = TeamFactory(tenant=tenant_b)
    with pytest.raises(ValidationError, match="another local authority"), transaction.atomic():
        membership.teams.add(foreign_team)
    own_team = TeamFactory(tenant=tenant_a)
    membership.teams.add(own_team)
    with tenant_context(tenant_a):
        assert list(Membership.objects.get(pk=membership.pk).teams.all()) == [own_team]


def test_the_same_name_may_exist_in_two_tenants_but_not_twice_in_one(tenant_a, tenant_b):
    from django.db import IntegrityError

    LocalityFactory(tenant=tenant_a, name="Central")
    LocalityFactory(tenant=tenant_b, name="Central")
    with pytest.raises(IntegrityError), transaction.atomic():
        LocalityFactory(tenant=tenant_a, name="Central")
