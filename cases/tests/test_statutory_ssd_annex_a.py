"""The SSD early help tables and Ofsted Annex A list 2: each file checked against its specification, read from the
published files in ``../shared/standards`` (never copied here), on factory data of two councils (the other
council's rows never appear) and on the demo data."""

from __future__ import annotations

import csv
import datetime as dt
import re
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
import yaml
from django.conf import settings
from django.core.management import call_command

from cases import services
from cases.models import Assessment, Person
from cases.services.people import IdentifierEntry
from earlyhelp.models import AuditEvent, Tenant
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from tests.factories import acting

from .helpers import child, close, need, open_case, team_for

D = dt.date
STANDARDS = Path(settings.STANDARDS_DIR)
SSD = STANDARDS / "ssd-data-model"
ANNEX_A = STANDARDS / "ofsted-annex-a" / "Annex_A_schema.yml"
pytestmark = pytest.mark.skipif(not SSD.exists() or not ANNEX_A.exists(),
                                reason="check out ../shared/standards to run the statutory return checks")


# ------------------------------------------------------------------------------------------------ the specs


def ssd_fields(table: str) -> list[dict]:
    """The fields of an SSD table, in order, from its YAML object spec."""
    spec = yaml.safe_load((SSD / f"{table}.yml").read_text())
    (node,) = [n for n in spec["nodes"] if n["name"] == table]
    return node["fields"]


def ssd_identifier_types() -> set[str]:
    """``link_identifier_type``'s list, from its description (a Python-like list whose quotes are uneven)."""
    (field,) = [f for f in ssd_fields("ssd_linked_identifiers") if f["name"] == "link_identifier_type"]
    return {part.strip().strip("'\" ") for part in field["description"].strip("[]").split(",")}


def ssd_required(field: dict) -> bool:
    return any(v.get("required", {}).get("enabled") for v in field.get("validators", ()))


def ssd_unique(field: dict) -> bool:
    return any(v.get("unique", {}).get("enabled") for v in field.get("validators", ()))


def annex_a_list_2() -> dict:
    """List 2's columns, in order, with their rules (YAML anchors resolved by the loader)."""
    return yaml.safe_load(ANNEX_A.read_text())["column_map"]["list_2"]


def excel_format(strftime: str) -> str:
    """The Excel number format that shows a date as ``strftime`` does (only the codes Annex A uses)."""
    return strftime.replace("%d", "dd").replace("%m", "mm").replace("%Y", "yyyy")


def check_ssd_table(path: Path, table: str, *, person_ids: set[str]) -> list[dict]:
    """Every rule the spec gives: columns (names and order), types, required, unique, the person foreign key."""
    fields = ssd_fields(table)
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == [f["name"] for f in fields]
        rows = list(reader)
    for f in fields:
        values = [row[f["name"]] for row in rows]
        if f["type"] == "datetime":
            for value in values:
                if value:
                    dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
        else:
            assert f["type"] == "nvarchar", f  # the only other type these tables use
        if ssd_required(f):
            assert all(values), f"{table}.{f['name']} is required"
        if ssd_unique(f) or f.get("primary_key"):
            assert len(set(values)) == len(values), f"{table}.{f['name']} must be unique"
        if f.get("foreign_key") == "ssd_person.pers_person_id":
            assert set(values) <= person_ids, f"{table}.{f['name']}: a person not in the council's records"
    return rows


def check_annex_a_list_2(path: Path) -> list[dict]:
    """The workbook against list 2's cleaning config: headers in order, categories as codes, dates in the
    config's format, integers, and no blank where the config forbids one."""
    spec = annex_a_list_2()
    sheet = openpyxl.load_workbook(path).worksheets[0]
    rows = list(sheet.iter_rows())
    assert [c.value for c in rows[0]] == list(spec)
    records = []
    for row in rows[1:]:
        record = {}
        for (name, rule), cell in zip(spec.items(), row, strict=True):
            value = cell.value
            if value in (None, ""):
                assert rule.get("canbeblank", True), f"{name} cannot be blank"
            elif "category" in rule:
                assert value in {c["code"] for c in rule["category"]}, f"{name}: {value!r} is not a code"
            elif "date" in rule:
                assert isinstance(value, dt.datetime) and cell.number_format == excel_format(rule["date"]), name
                dt.datetime.strptime(value.strftime(rule["date"]), rule["date"])
            elif "numeric" in rule:
                assert isinstance(value, int) and value >= rule["numeric"].get("min_value", 0), name
            elif "string" in rule:
                assert isinstance(value, str) and value.strip(), name
                if name == "Child Unique ID":
                    assert re.fullmatch(r"[A-Za-z0-9]+", value), value
            record[name] = value
        records.append(record)
    return records


# ------------------------------------------------------------------------------------------------ factory data


def _council(tenant, member, *, prefix: str):
    """Two closed and one open case; identifiers of every kind; one assessment completed, one in progress."""
    lead = member(tenant, Role.PRACTITIONER, username=f"{prefix}-lead")
    team = team_for(tenant, lead, f"{prefix.title()} Early Help")
    with tenant_context(tenant):
        ada = child(first="Ada", last=f"{prefix.title()}ley", dob=D(2012, 6, 1))
        Person.objects.filter(pk=ada.pk).update(sex="F", ethnicity="BAFR")
        services.linked_identifier_add(person=ada, entry=IdentifierEntry("upn", "H801200001001"), by=acting())
        services.linked_identifier_add(person=ada, entry=IdentifierEntry("nino", "AB123456C", D(2024, 1, 1),
                                                                         D(2025, 1, 1)), by=acting())
        services.nhs_number_check_record(person=ada, nhs_number="9434765919", verified=False, by=acting())
        ben = child(family=ada.family, first="Ben", last=f"{prefix.title()}ley", dob=None)
        first = open_case(lead=lead, team=team, kid=ada, received_on=D(2024, 4, 10), opened_on=D(2024, 4, 20),
                          needs=("PARENTING", "ATTENDANCE"))
        first.children.add(ben)
        assessment = services.assessment_start(case=first, started_on=D(2024, 4, 25), by=acting())
        services.assessment_complete(assessment=assessment, completed_on=D(2024, 5, 30), needs=[need()], by=acting())
        close(first, closed_on=D(2024, 9, 1))
        cara = child(first="Cara", last=f"{prefix.title()}wood", dob=D(2019, 2, 3))
        second = open_case(lead=lead, team=team, kid=cara, received_on=D(2025, 1, 5), opened_on=D(2025, 1, 10))
        services.assessment_start(case=second, started_on=D(2025, 1, 15), by=acting())
    return {"cases": [first, second], "people": [ada, ben, cara], "team": team, "lead": lead}


@pytest.fixture
def two_councils(tenant_a, tenant_b, member):
    return _council(tenant_a, member, prefix="north"), _council(tenant_b, member, prefix="east")


def _person_ids(tenant) -> set[str]:
    with tenant_context(tenant):
        return {p.hex for p in Person.objects.values_list("public_id", flat=True)}


def test_the_ssd_tables_match_the_data_model_and_hold_one_council_only(two_councils, tenant_a, tenant_b, tmp_path):
    north, east = two_councils
    call_command("export_ssd", "--tenant", tenant_a.slug, "--output", str(tmp_path), stdout=StringIO())
    ours = _person_ids(tenant_a)
    episodes = check_ssd_table(tmp_path / "ssd_early_help_episodes.csv", "ssd_early_help_episodes", person_ids=ours)
    links = check_ssd_table(tmp_path / "ssd_linked_identifiers.csv", "ssd_linked_identifiers", person_ids=ours)

    ada, ben, cara = north["people"]
    first, second = north["cases"]
    assert [(r["earl_person_id"], r["earl_episode_start_date"], r["earl_episode_end_date"]) for r in episodes] == [
        (ada.public_id.hex, "2024-04-20 00:00:00", "2024-09-01 00:00:00"),
        (ben.public_id.hex, "2024-04-20 00:00:00", "2024-09-01 00:00:00"),
        (cara.public_id.hex, "2025-01-10 00:00:00", ""),  # open: no end date, no end reason
    ]
    assert episodes[0]["earl_episode_reason"] == "Parenting and family relationships; School attendance and education"
    assert episodes[0]["earl_episode_end_reason"] == "Outcomes met" and episodes[2]["earl_episode_end_reason"] == ""
    assert {r["earl_episode_organisation"] for r in episodes} == {"North Early Help"}
    assert {r["earl_episode_worker_id"] for r in episodes} == {north["lead"].public_id.hex}
    assert episodes[0]["earl_episode_id"].startswith(first.public_id.hex)

    assert {r["link_identifier_type"] for r in links} <= ssd_identifier_types()
    assert sorted((r["link_identifier_type"], r["link_identifier_value"]) for r in links) == [
        ("NHS Number", "9434765919"), ("National Insurance Number", "AB123456C"),
        ("Unique Pupil Number", "H801200001001")]
    nino = next(r for r in links if r["link_identifier_type"] == "National Insurance Number")
    assert (nino["link_valid_from_date"], nino["link_valid_to_date"]) == ("2024-01-01 00:00:00", "2025-01-01 00:00:00")

    theirs = _person_ids(tenant_b)
    text = "".join((tmp_path / f"{name}.csv").read_text()
                   for name in ("ssd_early_help_episodes", "ssd_linked_identifiers"))
    assert not any(pid in text for pid in theirs)
    assert "East Early Help" not in text and east["lead"].public_id.hex not in text
    with tenant_context(tenant_a):
        event = AuditEvent.objects.get(action="statutory_return.exported")
    assert event.actor_label == "manage.py export_ssd" and event.detail["records"] == 6
    assert event.detail["rows"] == {"ssd_early_help_episodes": 3, "ssd_linked_identifiers": 3}


def test_every_identifier_type_and_label_is_one_the_ssd_names(db):
    from cases.models import LinkedIdentifier
    from cases.statutory.ssd import NHS_NUMBER

    assert set(LinkedIdentifier.Type.labels) | {NHS_NUMBER} <= ssd_identifier_types()


def test_the_annex_a_list_2_matches_the_ofsted_config_and_holds_one_council_only(two_councils, tenant_a, tenant_b,
                                                                                  tmp_path):
    north, _east = two_councils
    out = tmp_path / "annex-a.xlsx"
    call_command("export_annex_a", "--tenant", tenant_a.slug, "--output", str(out), "--start", "2024-04-01",
                 "--end", "2025-03-31", stdout=StringIO())
    records = check_annex_a_list_2(out)
    ada, ben, cara = north["people"]
    assert [(r["Child Unique ID"], r["Gender"], r["Ethnicity"], r["Age of Child (Years)"]) for r in records] == [
        (ada.public_id.hex, "b) Female", "d) Black or black British", 12),
        (ben.public_id.hex, "c) Not stated/recorded", "f) Not stated", None),  # no date of birth: age blank
        (cara.public_id.hex, "c) Not stated/recorded", "f) Not stated", 6),
    ]
    assert records[0]["Assessment start date"].date() == D(2024, 4, 25)
    assert records[0]["Assessment completion date"].date() == D(2024, 5, 30)
    assert records[2]["Assessment completion date"] is None  # still in progress
    assert {r["Organisation completing assessment"] for r in records} == {"North Early Help"}
    body = str([r["Child Unique ID"] for r in records])
    assert not any(pid in body for pid in _person_ids(tenant_b))


def test_annex_a_keeps_only_assessments_open_in_the_period(two_councils, tenant_a, tmp_path):
    out = tmp_path / "later.xlsx"
    call_command("export_annex_a", "--tenant", tenant_a.slug, "--output", str(out), "--start", "2024-06-01",
                 "--end", "2025-03-31", stdout=StringIO())
    assert len(check_annex_a_list_2(out)) == 1  # the assessment completed on 30 May is outside


def test_every_sex_and_ethnicity_code_maps_to_the_category_annex_a_reads_it_as(db):
    """Running the raw codes through list 2's cleaning config gives the codes the export writes."""
    from cases.models.people import ETHNICITY_CHOICES, SEX_CHOICES
    from cases.statutory.annex_a import ETHNICITY, GENDER

    spec = annex_a_list_2()

    def cleaned(column, raw):
        (code,) = {c["code"] for c in spec[column]["category"] if raw in c["name"]}
        return code

    assert {code: GENDER[code] for code, _ in SEX_CHOICES} == {code: cleaned("Gender", code) for code, _ in SEX_CHOICES}
    assert ({code: ETHNICITY[code] for code, _ in ETHNICITY_CHOICES}
            == {code: cleaned("Ethnicity", code) for code, _ in ETHNICITY_CHOICES})


def test_an_unknown_council_is_a_clear_error(db, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No council with the slug 'nowhere'"):
        call_command("export_ssd", "--tenant", "nowhere", "--output", str(tmp_path), stdout=StringIO())


def test_the_demo_data_exports_valid_ssd_tables_and_annex_a(db, tmp_path):
    call_command("seed_demo", password="demo-check-passphrase", stdout=StringIO())
    tenant = Tenant.objects.get(slug="northbridge")
    call_command("export_ssd", "--tenant", tenant.slug, "--output", str(tmp_path / "ssd"), stdout=StringIO())
    ours = _person_ids(tenant)
    episodes = check_ssd_table(tmp_path / "ssd" / "ssd_early_help_episodes.csv", "ssd_early_help_episodes",
                               person_ids=ours)
    check_ssd_table(tmp_path / "ssd" / "ssd_linked_identifiers.csv", "ssd_linked_identifiers", person_ids=ours)
    with tenant_context(tenant):
        first, last = (Assessment.objects.order_by("started_on").values_list("started_on", flat=True)[0],
                       Assessment.objects.order_by("-started_on").values_list("started_on", flat=True)[0])
    assert len(episodes) > 100
    call_command("export_annex_a", "--tenant", tenant.slug, "--output", str(tmp_path / "annex.xlsx"),
                 "--start", first.isoformat(), "--end", last.isoformat(), stdout=StringIO())
    assert len(check_annex_a_list_2(tmp_path / "annex.xlsx")) > 100
    others = set().union(*(_person_ids(t) for t in Tenant.objects.exclude(pk=tenant.pk)))
    text = (tmp_path / "ssd" / "ssd_early_help_episodes.csv").read_text()
    assert others and not any(pid in text for pid in others)
