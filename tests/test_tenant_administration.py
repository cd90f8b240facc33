"""The tenant administrator's own pages (issue #19 item 4): people and roles, teams, localities, the council's
lists and settings — in the product's accessible pages, through services that check the role inside, audited,
and kept inside the council: another council's people are not found, nobody is raised to platform administrator,
nobody is deleted."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases.models import CaseSettings, ClosureReason, LevelOfNeed, ReferralSource
from cases.services import tenant_defaults_ensure
from cases.services.lists import TENANT_LISTS, list_entry_save
from earlyhelp import administration
from earlyhelp.audit import record_event
from earlyhelp.models import AuditEvent, Locality, Membership, Team, Tenant, User
from earlyhelp.permissions import Capability, Role, has_capability
from earlyhelp.tenancy import tenant_context
from tests.factories import LocalityFactory, TeamFactory


@pytest.fixture
def admin(tenant_a, member):
    return member(tenant_a, role=Role.TENANT_ADMIN, username="ada-admin")


def _membership(user, tenant):
    return Membership.all_tenants.get(user=user, tenant=tenant)


def _teams_of(membership):
    with tenant_context(membership.tenant):
        return list(membership.teams.all())


# -- the pages -----------------------------------------------------------------------------------------------------

def test_every_page_opens_for_the_administrator(tenant_a, admin, member, sign_in):
    other = member(tenant_a, role=Role.PRACTITIONER, username="pat")
    with tenant_context(tenant_a):
        tenant_defaults_ensure(tenant=tenant_a)
        team = TeamFactory(tenant=tenant_a, name="North")
        locality = LocalityFactory(tenant=tenant_a, name="Grays")
        source = ReferralSource.objects.first()
    client = sign_in(admin)
    urls = [reverse("administration"), reverse("administration-members"), reverse("administration-member-add"),
            reverse("administration-member", args=[_membership(other, tenant_a).public_id]),
            reverse("administration-teams"), reverse("administration-team-add"),
            reverse("administration-team", args=[team.public_id]), reverse("administration-localities"),
            reverse("administration-locality-add"), reverse("administration-locality", args=[locality.public_id]),
            reverse("administration-settings"), reverse("cases:lists"), reverse("cases:case-settings"),
            reverse("cases:list-entry", args=["referral-sources", source.public_id])]
    urls += [reverse("cases:list", args=[slug]) for slug in TENANT_LISTS]
    urls += [reverse("cases:list-add", args=[slug]) for slug in TENANT_LISTS]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
    home = client.get(reverse("home")).content.decode()
    for name in ("administration-members", "administration-teams", "administration-settings", "audit-verify"):
        assert reverse(name) in home, name
    assert reverse("cases:lists") in home


def test_an_outsider_gets_404_and_a_member_without_the_role_403(tenant_a, tenant_b, admin, member, sign_in,
                                                                client):
    foreign = member(tenant_b, role=Role.PRACTITIONER, username="bob-b")
    with tenant_context(tenant_b):
        tenant_defaults_ensure(tenant=tenant_b)
        foreign_team = TeamFactory(tenant=tenant_b, name="Eastmoor team")
        foreign_locality = LocalityFactory(tenant=tenant_b, name="Eastmoor")
        foreign_level = LevelOfNeed.objects.first()
    foreign_urls = [reverse("administration-member", args=[_membership(foreign, tenant_b).public_id]),
                    reverse("administration-team", args=[foreign_team.public_id]),
                    reverse("administration-locality", args=[foreign_locality.public_id]),
                    reverse("cases:list-entry", args=["levels-of-need", foreign_level.public_id])]
    sign_in(admin)
    for url in foreign_urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"role": Role.TENANT_ADMIN, "name": "Mine now", "label": "Mine"}).status_code == 404
    assert client.post(reverse("administration-member-active", args=[_membership(foreign, tenant_b).public_id]),
                       {"active": "0"}).status_code == 404
    assert _membership(foreign, tenant_b).is_active and _membership(foreign, tenant_b).role == Role.PRACTITIONER
    client.logout()
    practitioner = member(tenant_a, role=Role.PRACTITIONER, username="pat")
    sign_in(practitioner)
    for url in [reverse("administration"), reverse("administration-members"), reverse("administration-settings"),
                reverse("cases:lists"), reverse("cases:list", args=["levels-of-need"])]:
        assert client.get(url).status_code == 403, url
    response = client.post(reverse("administration-member", args=[_membership(practitioner, tenant_a).public_id]),
                           {"role": Role.TENANT_ADMIN})
    assert response.status_code == 403
    assert _membership(practitioner, tenant_a).role == Role.PRACTITIONER


# -- people and roles ----------------------------------------------------------------------------------------------

def test_adding_a_person_invites_them_and_audits_it(tenant_a, admin, sign_in):
    with tenant_context(tenant_a):
        team = TeamFactory(tenant=tenant_a, name="North")
    response = sign_in(admin).post(reverse("administration-member-add"), {
        "first_name": "Noor", "last_name": "Patel", "email": "noor@example.org", "username": "npatel",
        "role": Role.PRACTITIONER, "teams": [team.pk]})
    assert response.status_code == 302
    user = User.objects.get(username="npatel")
    assert not user.has_usable_password() and not user.is_staff and not user.is_superuser
    membership = _membership(user, tenant_a)
    assert membership.role == Role.PRACTITIONER and _teams_of(membership) == [team]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["noor@example.org"]
    assert "/accounts/reset/" in mail.outbox[0].body and "npatel" in mail.outbox[0].body
    event = AuditEvent.all_tenants.get(tenant=tenant_a, action="membership.added")
    assert event.actor == admin and event.object_public_id == str(membership.public_id)


def test_a_username_in_use_elsewhere_is_refused_without_touching_that_person(tenant_a, tenant_b, admin, member,
                                                                            sign_in):
    elsewhere = member(tenant_b, role=Role.PRACTITIONER, username="shared")
    response = sign_in(admin).post(reverse("administration-member-add"), {
        "first_name": "X", "last_name": "Y", "email": "x@example.org", "username": "Shared",
        "role": Role.TENANT_ADMIN})
    assert response.status_code == 400
    page = response.content.decode()
    assert "This username is already in use" in page and 'class="govuk-error-summary"' in page
    assert 'href="#id_username"' in page  # the error summary links to the field
    assert not Membership.all_tenants.filter(user=elsewhere, tenant=tenant_a).exists()
    assert not mail.outbox


def test_bad_input_names_what_is_wrong_and_writes_nothing(tenant_a, admin, sign_in):
    response = sign_in(admin).post(reverse("administration-member-add"), {
        "first_name": "", "last_name": "Y", "email": "not-an-email", "username": "a b", "role": "superuser"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter first name" in page and "Enter a valid email address" in page
    assert "A username may hold letters" in page and "Select a valid choice" in page
    assert not User.objects.filter(username="a b").exists()


def test_an_administrator_cannot_raise_anyone_to_platform_administrator(tenant_a, admin, member, sign_in):
    person = member(tenant_a, role=Role.PRACTITIONER, username="pat")
    url = reverse("administration-member", args=[_membership(person, tenant_a).public_id])
    for role in ("superuser", "platform_admin", "is_staff"):
        response = sign_in(admin).post(url, {"role": role, "is_superuser": "on", "is_staff": "on"})
        assert response.status_code == 400
    person.refresh_from_db()
    assert not person.is_superuser and not person.is_staff
    assert _membership(person, tenant_a).role == Role.PRACTITIONER
    with tenant_context(tenant_a), pytest.raises(ValidationError):
        administration.member_change(by=_membership(admin, tenant_a), membership=_membership(person, tenant_a),
                                     role="platform_admin")


def test_changing_a_role_and_teams(tenant_a, admin, member, sign_in):
    person = member(tenant_a, role=Role.PRACTITIONER, username="pat")
    with tenant_context(tenant_a):
        team = TeamFactory(tenant=tenant_a, name="North")
    url = reverse("administration-member", args=[_membership(person, tenant_a).public_id])
    assert sign_in(admin).post(url, {"role": Role.TEAM_MANAGER, "teams": [team.pk]}).status_code == 302
    membership = _membership(person, tenant_a)
    assert membership.role == Role.TEAM_MANAGER and _teams_of(membership) == [team]
    event = AuditEvent.all_tenants.get(tenant=tenant_a, action="membership.role_changed")
    assert event.detail["before"]["role"] == Role.PRACTITIONER and event.detail["after"]["role"] == Role.TEAM_MANAGER


def test_recording_a_social_workers_registration(tenant_a, admin, member, sign_in):
    """Recorded on the council's own member page now that the Django admin is the platform's staff's only: the
    section 17 lead rule reads it."""
    person = member(tenant_a, role=Role.PRACTITIONER, username="pat")
    url = reverse("administration-member", args=[_membership(person, tenant_a).public_id])
    client = sign_in(admin)
    response = client.post(url, {"role": Role.PRACTITIONER, "is_registered_social_worker": "on"})
    assert response.status_code == 400 and "Enter the Social Work England registration number" in \
        response.content.decode()
    assert not _membership(person, tenant_a).is_registered_social_worker
    assert client.post(url, {"role": Role.PRACTITIONER, "is_registered_social_worker": "on",
                             "social_work_england_number": "sw 123456"}).status_code == 302
    membership = _membership(person, tenant_a)
    assert membership.is_registered_social_worker and membership.social_work_england_number == "SW123456"
    assert 'value="SW123456"' in client.get(url).content.decode()
    event = AuditEvent.all_tenants.get(tenant=tenant_a, action="membership.role_changed")
    assert event.detail["after"]["social_worker"] == [True, "SW123456"]


def test_a_team_of_another_council_cannot_be_given(tenant_a, tenant_b, admin, member, sign_in):
    person = member(tenant_a, role=Role.PRACTITIONER, username="pat")
    with tenant_context(tenant_b):
        foreign_team = TeamFactory(tenant=tenant_b, name="Eastmoor team")
    url = reverse("administration-member", args=[_membership(person, tenant_a).public_id])
    assert sign_in(admin).post(url, {"role": Role.PRACTITIONER, "teams": [foreign_team.pk]}).status_code == 400
    assert not _teams_of(_membership(person, tenant_a))


def test_deactivating_keeps_the_person_and_their_audit_history(tenant_a, admin, member, sign_in, client):
    person = member(tenant_a, role=Role.PRACTITIONER, username="pat")
    with tenant_context(tenant_a):
        record_event(action="case.viewed", actor=person, object_type="cases.case", object_public_id="x")
    membership = _membership(person, tenant_a)
    url = reverse("administration-member-active", args=[membership.public_id])
    assert sign_in(admin).post(url, {"active": "0"}).status_code == 302
    membership.refresh_from_db()
    assert not membership.is_active and not has_capability(membership, Capability.VIEW_CHILD_RECORDS)
    assert User.objects.filter(pk=person.pk).exists()
    assert AuditEvent.all_tenants.filter(tenant=tenant_a, actor=person, action="case.viewed").count() == 1
    assert AuditEvent.all_tenants.filter(tenant=tenant_a, action="membership.deactivated").count() == 1
    client.logout()
    client.force_login(person)
    assert client.get(reverse("cases:caseload")).status_code == 403  # no active membership: the no-council page
    client.logout()
    sign_in(admin).post(url, {"active": "1"})
    membership.refresh_from_db()
    assert membership.is_active


def test_an_administrator_cannot_change_or_deactivate_themselves(tenant_a, admin, member, sign_in):
    own = _membership(admin, tenant_a)
    client = sign_in(admin)
    response = client.post(reverse("administration-member-active", args=[own.public_id]), {"active": "0"},
                           follow=True)
    assert "cannot deactivate your own membership" in response.content.decode()
    own.refresh_from_db()
    assert own.is_active
    with tenant_context(tenant_a), pytest.raises(ValidationError, match="own membership"):
        administration.member_change(by=own, membership=own, role=Role.PRACTITIONER)
    second = member(tenant_a, role=Role.TENANT_ADMIN, username="second-admin")
    with tenant_context(tenant_a):
        administration.member_deactivate(by=_membership(second, tenant_a), membership=own)
        own.refresh_from_db()
        with pytest.raises(PermissionDenied):  # a deactivated administrator administers nothing
            administration.member_change(by=own, membership=_membership(second, tenant_a), role=Role.AUDITOR)


def test_the_services_check_the_role_inside(tenant_a, tenant_b, admin, member):
    practitioner = _membership(member(tenant_a, role=Role.PRACTITIONER, username="pat"), tenant_a)
    with tenant_context(tenant_a):
        for call in (lambda: administration.team_save(by=practitioner, name="T", locality=None),
                     lambda: administration.locality_save(by=practitioner, name="L"),
                     lambda: administration.member_deactivate(by=practitioner, membership=practitioner),
                     lambda: administration.tenant_settings_update(by=practitioner, small_number_threshold=0),
                     lambda: administration.member_add(by=practitioner, username="u", first_name="a", last_name="b",
                                                       email="u@example.org", role=Role.TENANT_ADMIN),
                     lambda: list_entry_save(by=practitioner, kind=TENANT_LISTS["closure-reasons"], code="X",
                                             label="X")):
            with pytest.raises(PermissionDenied):
                call()
    foreign = _membership(member(tenant_b, role=Role.PRACTITIONER, username="bob-b"), tenant_b)
    with tenant_context(tenant_a), pytest.raises(PermissionDenied):
        administration.member_deactivate(by=_membership(admin, tenant_a), membership=foreign)


# -- teams, localities, settings, lists ----------------------------------------------------------------------------

def test_teams_and_localities(tenant_a, admin, sign_in):
    client = sign_in(admin)
    assert client.post(reverse("administration-locality-add"), {"name": "Grays"}).status_code == 302
    with tenant_context(tenant_a):
        grays = Locality.objects.get(name="Grays")
    assert client.post(reverse("administration-team-add"), {"name": "Grays EH", "locality": grays.pk}).status_code \
        == 302
    response = client.post(reverse("administration-team-add"), {"name": "grays eh"})
    assert response.status_code == 400 and "already has a team called" in response.content.decode()
    with tenant_context(tenant_a):
        team = Team.objects.get()
    assert team.locality == grays
    assert client.post(reverse("administration-team", args=[team.public_id]), {"name": "Grays Family Help"}) \
        .status_code == 302
    team.refresh_from_db()
    assert team.name == "Grays Family Help" and team.locality is None
    actions = set(AuditEvent.all_tenants.filter(tenant=tenant_a).values_list("action", flat=True))
    assert {"locality.created", "team.created", "team.updated"} <= actions


def test_the_councils_settings(tenant_a, admin, sign_in):
    client = sign_in(admin)
    data = {"re_referral_window_months": 6, "reopen_window_months": 3, "small_number_threshold": 10,
            "rate_decimal_places": 1, "financial_year_start_month": 4, "report_brand_name": "Northbridge",
            "service_model": "family_help"}  # the section 17 rule left unticked: off
    assert client.post(reverse("administration-settings"), data).status_code == 302
    tenant_a.refresh_from_db()
    assert tenant_a.re_referral_window_months == 6 and tenant_a.small_number_threshold == 10
    # Family Help is turned on here too, now that the Django admin is the platform's staff's only.
    assert tenant_a.service_model == "family_help" and not tenant_a.s17_lead_must_be_social_worker
    event = AuditEvent.all_tenants.get(tenant=tenant_a, action="tenant.settings_changed")
    assert event.detail["changed"]["small_number_threshold"] == {"before": 5, "after": 10}
    response = client.post(reverse("administration-settings"), {**data, "small_number_threshold": 999,
                                                                "rate_decimal_places": 9})
    assert response.status_code == 400 and "govuk-error-summary" in response.content.decode()
    assert Tenant.objects.get(pk=tenant_a.pk).small_number_threshold == 10
    with tenant_context(tenant_a), pytest.raises(ValidationError, match="cannot be changed here"):
        administration.tenant_settings_update(by=_membership(admin, tenant_a), name="Renamed council")


def test_the_councils_lists(tenant_a, admin, sign_in):
    with tenant_context(tenant_a):
        tenant_defaults_ensure(tenant=tenant_a)
        reason = ClosureReason.objects.first()
    client = sign_in(admin)
    response = client.post(reverse("cases:list-add", args=["closure-reasons"]),
                           {"code": "MOVED", "label": "Family moved away", "sort_order": 50, "is_active": "on"})
    assert response.status_code == 302
    response = client.post(reverse("cases:list-add", args=["closure-reasons"]),
                           {"code": "MOVED", "label": "Again", "sort_order": 1})
    assert response.status_code == 400 and "already has an entry with code MOVED" in response.content.decode()
    # Retire an entry; its code cannot change (the form has no code field once made, the service refuses it).
    response = client.post(reverse("cases:list-entry", args=["closure-reasons", reason.public_id]),
                           {"code": "CHANGED", "label": reason.label, "sort_order": reason.sort_order})
    assert response.status_code == 302
    with tenant_context(tenant_a):
        reason.refresh_from_db()
        assert not reason.is_active and reason.code != "CHANGED"
        assert ClosureReason.objects.filter(code="MOVED", label="Family moved away").exists()
        with pytest.raises(ValidationError):
            list_entry_save(by=_membership(admin, tenant_a), kind=TENANT_LISTS["closure-reasons"], entry=reason,
                            code="CHANGED")
    response = client.post(reverse("cases:list-add", args=["levels-of-need"]),
                           {"rank": 5, "label": "Looked after", "is_statutory": "on"})
    assert response.status_code == 302
    assert client.get(reverse("cases:list", args=["no-such-list"])).status_code == 404
    event = AuditEvent.all_tenants.filter(tenant=tenant_a, action="lookup.updated").get()
    assert event.detail["changed"]["is_active"] == {"before": True, "after": False}


def test_casework_settings(tenant_a, admin, sign_in):
    client = sign_in(admin)
    data = {"assessment_limit_days": 30, "supervision_interval_days": 28, "retention_enabled": "on",
            "retention_age_years": 25, "retention_years_without_birth_date": 25, "retention_action": "anonymise"}
    assert client.post(reverse("cases:case-settings"), data).status_code == 302
    with tenant_context(tenant_a):
        assert CaseSettings.objects.get().assessment_limit_days == 30
    response = client.post(reverse("cases:case-settings"), {**data, "assessment_limit_days": 0})
    assert response.status_code == 400
    with tenant_context(tenant_a):
        assert CaseSettings.objects.get().assessment_limit_days == 30
    assert AuditEvent.all_tenants.filter(tenant=tenant_a, action="case_settings.changed").count() == 1
