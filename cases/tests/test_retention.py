"""The retention rule: kept until the youngest child is 25 (the tenant's setting), then anonymised or deleted."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from cases import services
from cases.models import Case, CaseDocument, CaseNote, CaseSettings, Family, Person, Referral
from cases.services.retention import families_due, retention_apply, retention_rule
from cases.tasks import apply_retention
from earlyhelp.models import AuditEvent
from earlyhelp.permissions import Role
from earlyhelp.tenancy import platform_context, tenant_context
from tests.factories import acting

from .helpers import D, child, close, open_case, team_for

SECRET_NAMES = ("Zebedee", "Quixote", "Marigold")


@pytest.fixture
def lead(tenant_a, member):
    return member(tenant_a, Role.PRACTITIONER, username="lead")


@pytest.fixture
def team(tenant_a, lead):
    return team_for(tenant_a, lead)


def _closed_family(lead, team, *, born=D(2000, 6, 15), first="Zebedee", last="Quixote", sibling_born=None):
    """A family with a closed case, a case note, a document and a referral that names the child."""
    kid = child(first=first, last=last, dob=born, postcode="NB9 9ZZ")
    if sibling_born:
        child(family=kid.family, first="Marigold", last=last, dob=sibling_born)
    case = open_case(lead=lead, team=team, kid=kid, received_on=D(2015, 4, 1), opened_on=D(2015, 4, 10))
    Referral.objects.filter(pk=case.referral_id).update(reason=f"{first} {last} is missing school")
    services.case_note_record(case=case, occurred_at=timezone.now(), kind="home_visit",
                              narrative=f"Saw {first} {last} at home with Marigold", by=acting(lead))
    services.document_upload(case=case, upload=SimpleUploadedFile("letter.txt", f"Dear {first}".encode()),
                             kind="letter", by=acting(lead))
    services.case_summary_update(case=case, summary=f"{first} is doing well", by=acting(lead))
    close(case, closed_on=D(2015, 9, 1))
    return kid.family


def _settings(**changes):
    CaseSettings.objects.filter().update(**changes)


class TestWhenAFamilyIsDue:
    def test_the_day_before_the_youngest_childs_25th_birthday_the_family_is_kept(self, tenant_a, lead, team):
        with tenant_context(tenant_a):
            _closed_family(lead, team, born=D(2000, 6, 15))
            assert families_due(today=D(2025, 6, 14)) == []

    def test_on_the_25th_birthday_it_is_due(self, tenant_a, lead, team):
        with tenant_context(tenant_a):
            family = _closed_family(lead, team, born=D(2000, 6, 15))
            due = families_due(today=D(2025, 6, 15))
            assert [d.family_id for d in due] == [family.pk] and due[0].due_on == D(2025, 6, 15)

    def test_the_youngest_child_decides(self, tenant_a, lead, team):
        with tenant_context(tenant_a):
            _closed_family(lead, team, born=D(1998, 1, 1), sibling_born=D(2001, 3, 3))
            assert families_due(today=D(2026, 3, 2)) == []
            assert len(families_due(today=D(2026, 3, 3))) == 1

    def test_a_leap_day_birthday_falls_on_28_february(self, tenant_a, lead, team):
        with tenant_context(tenant_a):
            _closed_family(lead, team, born=D(2004, 2, 29))
            assert families_due(today=D(2029, 2, 27)) == []
            assert len(families_due(today=D(2029, 2, 28))) == 1

    def test_the_age_is_the_tenants_setting(self, tenant_a, lead, team):
        with tenant_context(tenant_a):
            _closed_family(lead, team, born=D(2000, 6, 15))
            _settings(retention_age_years=30)
            assert families_due(today=D(2029, 6, 15)) == []
            assert len(families_due(today=D(2030, 6, 15))) == 1

    def test_a_family_with_an_open_case_is_never_due(self, tenant_a, lead, team):
        with tenant_context(tenant_a):
            kid = child(dob=D(1990, 1, 1))
            open_case(lead=lead, team=team, kid=kid, received_on=D(2015, 4, 1), opened_on=D(2015, 4, 10))
            assert families_due(today=D(2040, 1, 1)) == []

    def test_without_a_birth_date_the_last_activity_counts(self, tenant_a, lead, team):
        with tenant_context(tenant_a):
            family = _closed_family(lead, team, born=None)  # closed on 1 September 2015
            _settings(retention_years_without_birth_date=10)
            assert families_due(today=D(2025, 8, 31)) == []
            assert [d.family_id for d in families_due(today=D(2025, 9, 1))] == [family.pk]


def _everything_text(tenant) -> str:
    """Every row of every table of the tenant, as text (names must not appear in it after anonymisation)."""
    from django.apps import apps

    from earlyhelp.tenancy import TenantModel

    parts = []
    with platform_context():
        for model in apps.get_models():
            if issubclass(model, TenantModel) and model._meta.label_lower != "earlyhelp.auditevent":
                parts += [json.dumps(row, default=str) for row in model.all_tenants.filter(tenant=tenant).values()]
    return "\n".join(parts)


class TestAnonymising:
    def test_names_identifiers_and_narrative_are_removed_and_counts_and_dates_kept(self, tenant_a, lead, team):
        with tenant_context(tenant_a):
            family = _closed_family(lead, team, born=D(2000, 6, 15))
            assert "Zebedee" in _everything_text(tenant_a)
            outcome = retention_apply(today=D(2025, 6, 15), by=retention_rule(tenant_a))
            assert len(outcome.families) == 1
            text = _everything_text(tenant_a)
            for name in SECRET_NAMES:
                assert name not in text
            assert "NB9 9ZZ" not in text
            family.refresh_from_db()
            assert family.name == "Anonymised family" and family.anonymised_on == D(2025, 6, 15)
            person = Person.objects.get(family=family)
            assert (person.first_name, person.date_of_birth, person.postcode) == ("Anonymised", D(2000, 7, 1), "")
            case = Case.objects.get(family=family)
            assert (case.opened_on, case.closed_on, case.summary) == (D(2015, 4, 10), D(2015, 9, 1), "")
            assert CaseNote.objects.get(case=case).narrative == "Removed under the retention rule."
            assert not CaseDocument.objects.exists()

    def test_it_is_logged_with_counts_and_no_names(self, tenant_a, lead, team):
        with tenant_context(tenant_a):
            family = _closed_family(lead, team)
            retention_apply(today=D(2025, 6, 15), by=retention_rule(tenant_a))
            run = AuditEvent.objects.get(action="retention.applied")
            assert run.detail["families"] == 1 and run.detail["action"] == "anonymise"
            assert run.detail["rows"]["cases.person"] == 1 and run.detail["rows"]["cases.casedocument"] == 1
            event = AuditEvent.objects.get(action="family.anonymised")
            assert event.object_public_id == str(family.public_id) and event.actor_label == "retention rule"
            for name in SECRET_NAMES:
                assert name not in json.dumps(run.detail) + json.dumps(event.detail)

    def test_a_second_run_changes_nothing(self, tenant_a, lead, team):
        with tenant_context(tenant_a):
            _closed_family(lead, team)
            retention_apply(today=D(2025, 6, 15), by=retention_rule(tenant_a))
            assert retention_apply(today=D(2026, 1, 1), by=retention_rule(tenant_a)).families == []

    def test_other_families_and_other_tenants_are_untouched(self, tenant_a, tenant_b, lead, team, member):
        with tenant_context(tenant_a):
            _closed_family(lead, team)
            _closed_family(lead, team, first="Young", last="Keeper", born=D(2010, 1, 1))
        lead_b = member(tenant_b, Role.PRACTITIONER)
        team_b = team_for(tenant_b, lead_b)
        with tenant_context(tenant_b):
            _closed_family(lead_b, team_b, first="Other", last="Council")
        with tenant_context(tenant_a):
            retention_apply(today=D(2025, 6, 15), by=retention_rule(tenant_a))
            assert Person.objects.filter(first_name="Young").exists()
        assert "Council" in _everything_text(tenant_b)

    def test_a_dry_run_writes_nothing(self, tenant_a, lead, team):
        with tenant_context(tenant_a):
            _closed_family(lead, team)
            before = _everything_text(tenant_a)
            outcome = retention_apply(today=D(2025, 6, 15), dry_run=True, by=retention_rule(tenant_a))
            assert len(outcome.families) == 1 and outcome.rows["cases.person"] == 1
            assert _everything_text(tenant_a) == before
            assert not AuditEvent.objects.filter(action__in=["retention.applied", "family.anonymised"]).exists()

    def test_a_tenant_can_switch_the_rule_off(self, tenant_a, lead, team):
        with tenant_context(tenant_a):
            _closed_family(lead, team)
            _settings(retention_enabled=False)
            assert retention_apply(today=D(2025, 6, 15), by=retention_rule(tenant_a)).families == []
            assert Person.objects.filter(first_name="Zebedee").exists()


class TestDeleting:
    def test_every_record_of_the_family_is_deleted(self, tenant_a, lead, team):
        with tenant_context(tenant_a):
            _closed_family(lead, team)
            keeper = _closed_family(lead, team, first="Young", last="Keeper", born=D(2010, 1, 1))
            _settings(retention_action="delete")
            outcome = retention_apply(today=D(2025, 6, 15), by=retention_rule(tenant_a))
            assert outcome.rows["cases.family"] == 1 and outcome.rows["cases.casenote"] == 1
            assert list(Family.objects.all()) == [keeper]
            assert Case.objects.count() == 1 and Referral.objects.count() == 1
            assert "Zebedee" not in _everything_text(tenant_a)
            assert AuditEvent.objects.get(action="family.deleted").detail["rows"]["cases.person"] == 1


def test_the_scheduled_task_and_the_dry_run_command(tenant_a, lead, team):
    with tenant_context(tenant_a):
        _closed_family(lead, team)
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", "--today", "2025-06-15", "--tenant", "northbridge", stdout=out)
    assert '"families": 1' in out.getvalue() and '"dry_run": true' in out.getvalue()
    with tenant_context(tenant_a):
        assert Person.objects.filter(first_name="Zebedee").exists()
    summary = apply_retention.delay(tenant_a.pk, "2025-06-15").get()
    assert summary["families"] == 1
    with tenant_context(tenant_a):
        assert not Person.objects.filter(first_name="Zebedee").exists()
