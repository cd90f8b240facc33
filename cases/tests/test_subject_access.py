"""Subject access: everything held about one person, and nothing about anyone else; JSON and PDF; audited."""

from __future__ import annotations

import io
import json
import zipfile

import pdfplumber
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cases import services
from earlyhelp.models import AuditEvent
from earlyhelp.permissions import Role
from earlyhelp.tasks import export_tenant_data
from earlyhelp.tenancy import tenant_context
from tests.factories import acting

from .helpers import D, child, close, open_case, referral, team_for


@pytest.fixture
def records(tenant_a, tenant_b, member):
    """Zoe (the subject) with a referral, a case and a note; her brother Sid with his own referral and case; a
    stranger in another family; and a namesake in another council."""
    lead = member(tenant_a, Role.PRACTITIONER, user__first_name="Pat", user__last_name="Worker")
    team = team_for(tenant_a, lead)
    with tenant_context(tenant_a):
        zoe = child(first="Zoe", last="Quarrie", dob=D(2014, 5, 5))
        sid = child(family=zoe.family, first="Sid", last="Quarrie", dob=D(2012, 1, 1))
        case = open_case(lead=lead, team=team, kid=zoe)
        services.case_note_record(case=case, occurred_at=timezone.now(), kind="home_visit",
                                  narrative="Zoe showed me her drawings", by=acting(lead))
        close(case, closed_on=D(2024, 4, 30))
        sid_case = open_case(lead=lead, team=team, kid=sid, received_on=D(2024, 5, 1), opened_on=D(2024, 5, 9))
        services.case_note_record(case=sid_case, occurred_at=timezone.now(), kind="phone",
                                  narrative="Sid's football coach called", by=acting(lead))
        stranger = child(first="Xavier", last="Stranger")
        referral([stranger])
    lead_b = member(tenant_b, Role.PRACTITIONER)
    with tenant_context(tenant_b):
        other = child(first="Zoe", last="Elsewhere")
        open_case(lead=lead_b, team=team_for(tenant_b, lead_b), kid=other)
    return {"zoe": zoe, "case": case, "sid_case": sid_case, "other": other}


def test_the_export_holds_the_persons_referrals_cases_and_notes_and_nobody_elses(tenant_a, member, sign_in, records):
    admin = member(tenant_a, Role.TENANT_ADMIN)
    url = reverse("cases:subject-access", kwargs={"public_id": records["zoe"].public_id})
    response = sign_in(admin).get(url + "?format=json")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    data = json.loads(response.content)
    text = response.content.decode()
    assert data["person"]["first_name"] == "Zoe" and data["person"]["date_of_birth"] == "2014-05-05"
    assert len(data["referrals"]) == 1 and len(data["cases"]) == 1
    assert data["cases"][0]["reference"] == str(records["case"].public_id)
    assert data["cases"][0]["case notes"][0]["narrative"] == "Zoe showed me her drawings"
    assert data["cases"][0]["case notes"][0]["author"] == "Pat Worker"
    for absent in ("football", "Xavier", "Elsewhere", str(records["sid_case"].public_id),
                   str(records["other"].public_id), "password"):
        assert absent not in text
    event = AuditEvent.all_tenants.get(action="person.subject_access_exported")
    assert event.actor == admin and event.detail["format"] == "json" and event.tenant_id == tenant_a.pk


def test_the_pdf_export_reads_as_the_same_record(tenant_a, member, sign_in, records):
    auditor = member(tenant_a, Role.AUDITOR)
    url = reverse("cases:subject-access", kwargs={"public_id": records["zoe"].public_id})
    response = sign_in(auditor).get(url + "?format=pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    with pdfplumber.open(io.BytesIO(response.content)) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    assert "Subject access export: Zoe Quarrie" in text and "Zoe showed me her drawings" in text
    assert "football" not in text and "Xavier" not in text


def test_the_search_page_finds_people_of_this_council_only(tenant_a, member, sign_in, records):
    client = sign_in(member(tenant_a, Role.AUDITOR))
    response = client.get(reverse("cases:data-protection"), {"q": "Zoe"})
    assert response.status_code == 200
    assert b"Zoe Quarrie" in response.content and b"Elsewhere" not in response.content
    assert AuditEvent.all_tenants.filter(action="subject_access.searched", tenant=tenant_a).exists()
    page = client.get(reverse("cases:subject-access", kwargs={"public_id": records["zoe"].public_id}))
    assert b"Download PDF" in page.content


def test_a_practitioner_cannot_export_and_another_council_cannot_see_the_person(
        tenant_a, tenant_b, member, client, records):
    url = reverse("cases:subject-access", kwargs={"public_id": records["zoe"].public_id})
    client.force_login(member(tenant_a, Role.PRACTITIONER))
    assert client.get(url + "?format=json").status_code == 403
    client.force_login(member(tenant_b, Role.TENANT_ADMIN))
    assert client.get(url + "?format=json").status_code == 404


def _export(tenant_slug, tmp_path):
    path = tmp_path / "export.zip"
    call_command("export_tenant_data", tenant_slug, "--output", str(path), stdout=io.StringIO())
    return zipfile.ZipFile(path)


def test_the_tenant_export_holds_every_table_of_this_council_only(tenant_a, member, records, tmp_path):
    archive = _export("northbridge", tmp_path)
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["slug"] == "northbridge"
    people = archive.read("tables/cases.person.csv").decode()
    assert "Zoe,Quarrie" in people and "Sid,Quarrie" in people and "Elsewhere" not in people
    assert manifest["tables"]["cases.person"]["rows"] == 3
    assert "football" in archive.read("tables/cases.casenote.csv").decode()
    assert "tables/cases.case.children.csv" in archive.namelist()
    users = archive.read("tables/earlyhelp.user.csv").decode()
    assert "password" not in users.splitlines()[0] and "Pat" in users
    assert "token_hash" not in archive.read("tables/earlyhelp.apiclient.csv").decode()
    assert AuditEvent.all_tenants.filter(action="tenant.exported", tenant=tenant_a).count() == 1


def test_the_export_task_is_for_a_tenant_administrator(tenant_a, member, records):
    from django.core.files.storage import default_storage

    from earlyhelp.models import DataExport

    admin = member(tenant_a, Role.TENANT_ADMIN)
    with tenant_context(tenant_a):
        export = DataExport.objects.create(requested_by=admin)
        refused = DataExport.objects.create(requested_by=member(tenant_a, Role.PRACTITIONER))
    assert export_tenant_data.delay(tenant_a.pk, export.pk).get() == "done"
    assert export_tenant_data.delay(tenant_a.pk, refused.pk).get() == "failed"
    with tenant_context(tenant_a):
        export.refresh_from_db()
        refused.refresh_from_db()
    with default_storage.open(export.file.name, "rb") as handle:
        assert "tables/cases.referral.csv" in zipfile.ZipFile(handle).namelist()
    assert refused.status == "failed" and "Only a tenant administrator" in refused.error and not refused.file


def test_the_export_carries_the_nhs_number_and_linked_identifiers(tenant_a):
    from cases import services
    from cases.subject_access import subject_access_data

    with tenant_context(tenant_a):
        services.tenant_defaults_ensure(tenant=tenant_a)
        family = services.family_create(name="Idris family", by=acting())
        kid = services.person_create(family=family, first_name="Ivo", last_name="Idris", nhs_number="943 476 5919",
                                     upn="H801200001001", by=acting())
        data = subject_access_data(person=kid)
    assert data["person"]["nhs_number"] == "9434765919" and data["person"]["nhs_number_status"] == "Not verified"
    assert data["other records"]["linked identifiers"][0]["value"] == "H801200001001"


def test_the_exports_carry_the_familys_genogram_and_its_relationships(tenant_a, member, sign_in, records):
    """The family page's genogram is drawn in the PDF (SVG for WeasyPrint) and given in words in both exports."""
    zoe = records["zoe"]
    manager = member(tenant_a, Role.TEAM_MANAGER)
    with tenant_context(tenant_a):
        from earlyhelp.models import Membership

        by = Membership.all_tenants.get(user=manager)
        sid = zoe.family.people.get(first_name="Sid")
        mum = services.person_create(family=zoe.family, first_name="Quinn", last_name="Quarrie", kind="adult",
                                     date_of_birth=D(1985, 7, 7), by=acting())
        nan = services.person_create(family=zoe.family, first_name="Nell", last_name="Norris", kind="adult",
                                     in_household=False, by=acting())
        services.relationship_add(person=mum, relative=zoe, kind="mother", parental_responsibility=True, by=by)
        services.relationship_add(person=sid, relative=zoe, kind="sibling", by=by)
        services.relationship_add(person=nan, relative=zoe, kind="grandparent", by=by)
    client = sign_in(member(tenant_a, Role.AUDITOR))
    url = reverse("cases:subject-access", kwargs={"public_id": zoe.public_id})
    data = json.loads(client.get(url + "?format=json").content)
    assert ("Quinn Quarrie is Zoe Quarrie's mother (parental responsibility); Zoe Quarrie is Quinn Quarrie's child."
            in data["family network"]["relationships"])
    assert "Sid Quarrie is Zoe Quarrie's sibling; Zoe Quarrie is Sid Quarrie's sibling." in (
        data["family network"]["relationships"])

    response = client.get(url + "?format=pdf")
    with pdfplumber.open(io.BytesIO(response.content)) as pdf:
        pages = list(pdf.pages)
        text = " ".join(" ".join((page.extract_text() or "").split()) for page in pages)
        drawn = [page for page in pages if page.curves or page.rects]  # the genogram's circles and squares
    assert "Family network" in text
    assert "Quinn Quarrie is Zoe Quarrie's mother (parental responsibility); Zoe Quarrie is Quinn Quarrie's child." \
        in text
    assert "Nell Norris is Zoe Quarrie's grandparent; Zoe Quarrie is Nell Norris's grandchild." in text
    assert drawn, "the genogram's shapes are in the PDF"
    # The genogram's labels, drawn before the relationships in words (each name twice in its sentence).
    figure, words = text.split("Family network", 1)[1].split("Quinn Quarrie is Zoe", 1)
    for name in ("Quinn Quarrie", "Zoe Quarrie", "Sid Quarrie", "Nell Norris"):
        assert name in figure, name
