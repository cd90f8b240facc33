"""The acting-user convention (earlyhelp.actors): a service checks ``by`` itself, so a caller that skips the
page's ``@require_capability`` (an API view, an import, a task, a script) is refused all the same."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from cases import services as cases_services
from cases.tests.helpers import child, referral
from commissioning import services as commissioning_services
from earlyhelp.actors import RuleActor, can, granted, label_of, require, user_of
from earlyhelp.api.services import api_client_create
from earlyhelp.audit import record_event
from earlyhelp.models import AuditEvent
from earlyhelp.permissions import Capability, Role
from earlyhelp.tenancy import tenant_context
from outcomes import services as outcomes_services
from reporting import services as reporting_services
from tests.factories import acting

D = dt.date


@pytest.fixture
def ctx(tenant_a):
    with tenant_context(tenant_a):
        cases_services.tenant_defaults_ensure(tenant=tenant_a)
        yield tenant_a


@pytest.fixture
def client_of():
    """``client_of(tenant, scopes)`` → an API client (not its token): the ``by`` of an API call."""

    def make(tenant, scopes):
        expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
        return api_client_create(by=acting(role=Role.TENANT_ADMIN, tenant=tenant), name="MASH case system",
                                 scopes=scopes, expires_at=expires)[0]

    return make


# What each service is called with, given the tenant (in context): a child and a referral made as a manager.
CALLS = {
    "cases.family_create": lambda: (cases_services.family_create, {"name": "Ashby family"}),
    "cases.referral_decide": lambda: (cases_services.referral_decide, {
        "referral": referral([child()]), "decision": "nfa", "decided_on": D(2024, 4, 11)}),
    "outcomes.tool_create": lambda: (outcomes_services.tool_create, {
        "code": "x", "name": "X", "subject": "family", "scale_min": 1, "scale_max": 5, "higher_is_better": True,
        "areas": ["One"]}),
    "reporting.report_create": lambda: (reporting_services.report_create, {
        "title": "Q2", "committee": "Scrutiny", "meeting_date": D(2025, 1, 6)}),
    "commissioning.provider_create": lambda: (commissioning_services.provider_create, {"name": "Acme"}),
}


@pytest.mark.parametrize("call", sorted(CALLS))
@pytest.mark.parametrize("role", [Role.PROVIDER, Role.AUDITOR])
def test_a_member_whose_role_cannot_is_refused_inside_the_service(ctx, member, call, role):
    service, kwargs = CALLS[call]()
    by = acting(member(ctx, role))
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied, match="cannot"):
        service(by=by, **kwargs)
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("call", sorted(CALLS))
def test_an_api_client_is_refused_inside_the_service_beyond_its_scopes(ctx, client_of, call):
    service, kwargs = CALLS[call]()
    reader = client_of(ctx, ["cases:read", "stats:read", "readings:read"])
    with pytest.raises(PermissionDenied):
        service(by=reader, **kwargs)


def test_an_api_client_acts_within_its_scopes_and_is_named_in_the_audit_log(ctx, client_of):
    writer = client_of(ctx, ["referrals:write"])
    family = cases_services.family_create(name="Ashby family", by=writer)
    event = AuditEvent.objects.filter(object_public_id=str(family.public_id)).get()
    assert event.actor is None and event.actor_label == f"API client {writer.name}"
    writer.revoked_at = dt.datetime.now(dt.UTC)
    with pytest.raises(PermissionDenied):  # a revoked client can do nothing
        cases_services.family_create(name="Baker family", by=writer)


def test_nobody_may_do_nothing(ctx):
    with pytest.raises(PermissionDenied):
        cases_services.family_create(name="Ashby family", by=None)
    with pytest.raises(ValueError, match="unknown capability"):
        require(acting(), "cases.everything")


def test_a_rule_may_do_what_it_names_only_and_is_named_in_the_audit_log(ctx):
    rule = RuleActor(tenant=ctx, name="retention rule", capabilities=frozenset({Capability.ADMINISTER_TENANT}))
    assert can(rule, Capability.ADMINISTER_TENANT) and not can(rule, Capability.EDIT_CHILD_RECORDS)
    assert user_of(rule) is None and label_of(rule) == "retention rule"
    event = record_event(action="test.ran", by=rule)
    assert event.actor is None and event.actor_label == "retention rule"
    with pytest.raises(ValueError):
        RuleActor(tenant=ctx, name="bad", capabilities=frozenset({"cases.everything"}))


def test_granted_lends_a_capability_to_one_actor_inside_the_block_only(ctx, member):
    admin = acting(member(ctx, Role.TENANT_ADMIN))
    other = acting(member(ctx, Role.TENANT_ADMIN))
    assert not can(admin, Capability.EDIT_CHILD_RECORDS)
    with granted(admin, Capability.IMPORT_CASE_RECORDS, Capability.EDIT_CHILD_RECORDS):
        assert can(admin, Capability.EDIT_CHILD_RECORDS)
        assert not can(other, Capability.EDIT_CHILD_RECORDS)
    assert not can(admin, Capability.EDIT_CHILD_RECORDS)
    practitioner = acting(member(ctx, Role.PRACTITIONER))
    with pytest.raises(PermissionDenied), granted(practitioner, Capability.IMPORT_CASE_RECORDS,
                                                  Capability.EDIT_CHILD_RECORDS):
        pass  # the use case itself is checked first


def test_the_audit_log_names_the_members_user(ctx, member):
    by = acting(member(ctx, Role.PRACTITIONER, username="pat"))
    family = cases_services.family_create(name="Ashby family", by=by)
    event = AuditEvent.objects.filter(object_public_id=str(family.public_id)).get()
    assert event.actor == by.user and event.actor_label == ""
