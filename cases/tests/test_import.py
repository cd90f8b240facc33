"""The migration import: a previous system's referrals and cases. Every kind of problem is reported by row and
column with nothing stored; a good file creates the families, referrals and cases through the services, in date
order. Mia (team manager) and Tom (tenant administrator) may import; alice (practitioner) and bob (commissioner)
get 403. Another authority's team is simply unknown."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases import services
from cases.models import Case, Closure, Consent, Family, Person, Referral
from cases.services.importing import COLUMNS
from earlyhelp import spreadsheets
from earlyhelp.models import AuditEvent
from earlyhelp.permissions import Role
from earlyhelp.spreadsheets import Problem
from earlyhelp.tenancy import tenant_context
from tests.factories import acting

from .helpers import D, child, open_case, team_for

TODAY = dt.date.today()


@pytest.fixture
def alice(tenant_a, member):
    return member(tenant_a, Role.PRACTITIONER, username="alice")


@pytest.fixture
def mia(tenant_a, member):
    return member(tenant_a, Role.TEAM_MANAGER, username="mia")


@pytest.fixture
def bob(tenant_a, member):
    return member(tenant_a, Role.COMMISSIONER, username="bob")


@pytest.fixture
def team(tenant_a, alice):
    return team_for(tenant_a, alice, "North Early Help Team")


@pytest.fixture
def eastmoor_team(tenant_b, member):
    return team_for(tenant_b, member(tenant_b, Role.PRACTITIONER, username="eve"), "Eastmoor Team")


@pytest.fixture
def existing(tenant_a, alice, team):
    """A case already in the system (with external id OLD-9): a failed import must leave it as it is."""
    with tenant_context(tenant_a):
        kid = child(first="Zoe", last="Zed", dob=D(2012, 1, 1), postcode="NB9 9ZZ")
        Person.objects.filter(pk=kid.pk).update(local_id="OLD-9")
        return open_case(lead=alice, team=team, kid=kid, received_on=D(2024, 1, 5), opened_on=D(2024, 1, 20))


def snapshot():
    """Every row the import could write, in every tenant."""
    return (
        sorted(Family.all_tenants.values_list("name", "postcode")),
        sorted(Person.all_tenants.values_list("first_name", "last_name", "date_of_birth", "local_id")),
        sorted(Referral.all_tenants.values_list("received_on", "decision", "is_re_referral")),
        sorted(Case.all_tenants.values_list("opened_on", "closed_on", "is_reopened")),
        Closure.all_tenants.count(),
        Consent.all_tenants.count(),
        AuditEvent.all_tenants.count(),
    )


def row(**cells) -> dict:
    """A valid row: Ada Ashby, referred by her school, with a case that opened and closed."""
    base = {
        "external_id": "A1", "family_name": "Ashby family", "postcode": "NB1 1AA", "first_name": "Ada",
        "last_name": "Ashby", "date_of_birth": "2015-03-01", "referral_received": "2023-01-10", "source_code": "2A",
        "route": "direct", "need_codes": "PARENTING;ATTENDANCE", "case_opened": "2023-01-20",
        "team": "North Early Help Team", "lead_professional": "alice", "level": "2", "consent_date": "15/01/2023",
        "consent_given_by": "Mother", "closed_date": "2023-05-01", "closure_reason": "OUTCOMES_MET",
        "judgement": "fully",
    }
    base.update(cells)
    return base


def csv_bytes(rows: list[dict], columns=COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def run(tenant, actor, data: bytes, filename: str = "import.csv"):
    with tenant_context(tenant):
        return services.case_records_import(data=data, filename=filename, by=acting(actor))


def good_rows() -> list[dict]:
    """Out of date order on purpose: the import sorts the events by date."""
    return [
        row(referral_received="2023-07-01", source_code="6", case_opened="2023-07-10", consent_date="2023-07-05",
            closed_date="", closure_reason="", judgement=""),
        row(external_id="", family_name="Cole family", postcode="nb2 2bb", first_name="Cara", last_name="Cole",
            date_of_birth="2019-06-30", referral_received="2024-02-01", source_code="3A", decision="nfa",
            decision_date="2024-02-03", need_codes="", case_opened="", team="", lead_professional="", level="",
            consent_date="", consent_given_by="", closed_date="", closure_reason="", judgement=""),
        row(),
        row(external_id="A2", first_name="Ben", date_of_birth="2017-09-12"),  # Ada's brother, referred with her
    ]


def test_a_good_file_creates_the_families_referrals_and_cases_in_date_order(tenant_a, mia, alice, team, existing):
    outcome = run(tenant_a, mia, csv_bytes(good_rows()))

    assert outcome.ok, outcome.problems
    s = outcome.summary
    assert (s.families, s.children, s.referrals, s.re_referrals, s.decisions, s.cases, s.reopened, s.closed) == (
        2, 3, 3, 1, 1, 2, 1, 1)
    with tenant_context(tenant_a):
        ashby = Family.objects.get(name="Ashby family")
        assert sorted(ashby.people.values_list("first_name", "local_id")) == [("Ada", "A1"), ("Ben", "A2")]
        first, second = ashby.referrals.order_by("received_on")
        assert sorted(first.children.values_list("first_name", flat=True)) == ["Ada", "Ben"]
        assert sorted(first.presenting_needs.values_list("code", flat=True)) == ["ATTENDANCE", "PARENTING"]
        assert (first.is_re_referral, second.is_re_referral) == (False, True)
        assert (first.decision, first.decided_on) == ("case_opened", D(2023, 1, 20))
        closed, reopened = ashby.cases.order_by("opened_on")
        assert (closed.closed_on, closed.lead_professional, closed.team, closed.level_of_need.rank) == (
            D(2023, 5, 1), alice, team, 2)
        assert closed.closures.get().reason.code == "OUTCOMES_MET"
        assert sorted(closed.children.values_list("first_name", flat=True)) == ["Ada", "Ben"]
        assert (reopened.is_reopened, reopened.closed_on) == (True, None)
        cole = Family.objects.get(name="Cole family")
        assert cole.postcode == "NB2 2BB"
        assert cole.referrals.get().decision == "nfa"
        assert not cole.cases.exists()
        actions = set(AuditEvent.objects.values_list("action", flat=True))
        assert {"cases.imported", "referral.created", "case.opened", "case.closed", "consent.given"} <= actions
        assert AuditEvent.objects.get(action="cases.imported").actor == mia


def test_a_good_xlsx_file_with_date_cells_is_imported(tenant_a, mia, team, alice):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(COLUMNS)
    values = row(date_of_birth=dt.date(2015, 3, 1), referral_received=dt.datetime(2023, 1, 10),
                 case_opened=dt.date(2023, 1, 20), consent_date=dt.date(2023, 1, 15), closed_date=dt.date(2023, 5, 1),
                 level=2)
    sheet.append([values.get(c) for c in COLUMNS])
    out = io.BytesIO()
    book.save(out)

    outcome = run(tenant_a, mia, out.getvalue(), "import.xlsx")

    assert outcome.ok, outcome.problems
    assert (outcome.summary.referrals, outcome.summary.cases, outcome.summary.closed) == (1, 1, 1)


FAILURES = [
    ("missing field", [row(first_name="")], Problem(2, "first_name", "The child's first name is missing")),
    ("unknown source", [row(source_code="ZZ")], Problem(2, "source_code", '"ZZ" is not a referral source code here')),
    ("unknown need", [row(need_codes="PARENTING;FLYING")],
     Problem(2, "need_codes", '"FLYING" is not a presenting need code here')),
    ("unknown closure reason", [row(closure_reason="BORED")],
     Problem(2, "closure_reason", '"BORED" is not a closure reason code here')),
    ("unknown team", [row(team="South Team")], Problem(2, "team", '"South Team" is not a team here')),
    ("another tenant's team", [row(team="Eastmoor Team")], Problem(2, "team", '"Eastmoor Team" is not a team here')),
    ("unknown user", [row(lead_professional="nobody")],
     Problem(2, "lead_professional", '"nobody" is not a member here')),
    ("user without the role", [row(lead_professional="bob")],
     Problem(2, "lead_professional", '"bob" is not a practitioner or manager here')),
    ("unknown level", [row(level="9")],
     Problem(2, "level", '"9" is not a level of need here (the ranks are 1, 2, 3, 4)')),
    ("bad decision", [row(decision="maybe")],
     Problem(2, "decision", '"maybe" is not a decision: use case_opened, signposted, nfa or stepped_up')),
    ("not a date", [row(referral_received="last Tuesday")],
     Problem(2, "referral_received", '"last Tuesday" is not a date like 2024-04-10 or 10/04/2024')),
    ("future date", [row(closed_date=(TODAY + dt.timedelta(days=1)).isoformat())],
     Problem(2, "closed_date", f"The closing date ({TODAY + dt.timedelta(days=1):%d/%m/%Y}) is in the future")),
    ("case before referral", [row(case_opened="2023-01-05", consent_date="2023-01-01")],
     Problem(2, "case_opened", "A case cannot open before its referral was received")),
    ("closed before opened", [row(closed_date="2023-01-19")],
     Problem(2, "closed_date", "A case cannot close before it opened")),
    ("consent after opening", [row(consent_date="2023-01-21")],
     Problem(2, "consent_date", "Consent to early help must be given on or before the case opened")),
    ("decision before referral", [row(case_opened="", team="", lead_professional="", level="", consent_date="",
                                      consent_given_by="", closed_date="", closure_reason="", judgement="",
                                      decision="signposted", decision_date="2023-01-01")],
     Problem(2, "decision_date", "The decision cannot be before the referral was received")),
    ("closure without reason", [row(closure_reason="")],
     Problem(2, "closure_reason", "A closed case needs its closure reason")),
    ("closure without judgement", [row(judgement="")],
     Problem(2, "judgement", "A closed case needs the judgement: fully, partially or not_at_all")),
    ("reason without closing date", [row(closed_date="")],
     Problem(2, "closed_date", "A closure reason is given but the closing date is missing")),
    ("duplicated row", [row(), row()],
     Problem(3, "", "Duplicate row: row 2 already gives this child's referral of that date and source")),
    ("external id of another child", [row(), row(first_name="Amy", source_code="6")],
     Problem(3, "external_id", 'The external id "A1" is given on row 2 for another child or family')),
    ("siblings disagree", [row(), row(external_id="A2", first_name="Ben", level="3")],
     Problem(3, "level", "Differs from row 2, the same referral (same family, date received and source)")),
    ("overlapping cases", [row(closed_date="", closure_reason="", judgement=""),
                           row(referral_received="2023-03-01", source_code="6", case_opened="2023-03-05",
                               consent_date="2023-03-01", closed_date="", closure_reason="", judgement="")],
     Problem(3, "case_opened", "The family's case of row 2 is still open on 05/03/2023")),
    ("external id of a child already here", [row(external_id="OLD-9")],
     Problem(2, "external_id", 'The external id "OLD-9" belongs to another child already recorded here')),
]


@pytest.mark.parametrize("rows, expected", [f[1:] for f in FAILURES], ids=[f[0] for f in FAILURES])
def test_each_problem_is_reported_by_row_and_column_and_nothing_is_stored(
    rows, expected, tenant_a, mia, alice, bob, team, eastmoor_team, existing
):
    before = snapshot()
    outcome = run(tenant_a, mia, csv_bytes(rows))
    assert expected in outcome.problems, outcome.problems
    assert not outcome.ok
    assert snapshot() == before


def test_every_problem_of_every_row_is_listed_at_once(tenant_a, mia, team, alice):
    rows = [row(source_code="ZZ", team="Nowhere"), row(external_id="B1", first_name="Bea", closure_reason="")]
    outcome = run(tenant_a, mia, csv_bytes(rows))
    assert [(p.row, p.column) for p in outcome.problems] == [(2, "source_code"), (2, "team"), (3, "closure_reason")]


def test_a_rule_refused_by_a_service_rolls_back_every_earlier_row(tenant_a, mia, alice, team, existing):
    """Zoe (OLD-9) already has an open case here: the file's new case for her family is refused by case_open,
    and the rows already written in the transaction (the Ashby family) are rolled back too."""
    before = snapshot()
    zoe = row(external_id="OLD-9", family_name="Zed family", postcode="NB9 9ZZ", first_name="Zoe", last_name="Zed",
              date_of_birth="2012-01-01", referral_received="2024-03-01", case_opened="2024-03-05",
              consent_date="2024-03-01", closed_date="", closure_reason="", judgement="")
    outcome = run(tenant_a, mia, csv_bytes([row(), zoe]))
    assert outcome.problems == [Problem(3, "case_opened", "The family already has an open early help case.")]
    assert snapshot() == before


def test_a_file_imported_twice_is_refused_the_second_time(tenant_a, mia, alice, team):
    assert run(tenant_a, mia, csv_bytes([row()])).ok
    before = snapshot()
    outcome = run(tenant_a, mia, csv_bytes([row()]))
    assert Problem(2, "referral_received", "This child's referral of that date and source is already recorded "
                                           "(was the file imported before?)") in outcome.problems
    assert snapshot() == before


@pytest.mark.parametrize("data, filename", [
    (b"family_name,postcode\nAshby,NB1\n", "import.txt"),
    (b"\x00\x01binary", "import.csv"),
    (b"not a zip at all", "import.xlsx"),
])
def test_a_file_that_is_not_csv_or_xlsx_is_refused(data, filename, tenant_a, mia, existing):
    before = snapshot()
    outcome = run(tenant_a, mia, data, filename)
    assert [str(p) for p in outcome.problems] == [f"File: {spreadsheets.NOT_CSV_OR_XLSX}"]
    assert snapshot() == before


def test_missing_columns_are_named(tenant_a, mia):
    outcome = run(tenant_a, mia, csv_bytes([row()], columns=["family_name", "first_name", "last_name"]))
    assert outcome.problems == [
        Problem(1, "", "Missing column(s): postcode, date_of_birth, referral_received, source_code")]


def test_an_oversized_file_is_refused(tenant_a, mia, team, alice, existing, monkeypatch):
    data = csv_bytes([row()])
    monkeypatch.setattr(spreadsheets, "MAX_UPLOAD_BYTES", len(data) - 1)
    before = snapshot()
    outcome = run(tenant_a, mia, data)
    assert "is larger than" in str(outcome.problems[0])
    assert snapshot() == before


def test_an_xlsx_that_unpacks_too_large_is_refused(tenant_a, mia, existing, monkeypatch):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (2 * 1024 * 1024))
    monkeypatch.setattr(spreadsheets, "XLSX_MAX_UNCOMPRESSED_BYTES", 1024 * 1024)
    before = snapshot()
    outcome = run(tenant_a, mia, bomb.getvalue(), "import.xlsx")
    assert [str(p) for p in outcome.problems] == ["File: The spreadsheet unpacks to more than 1 MB"]
    assert snapshot() == before


def test_an_xlsx_with_too_many_parts_is_refused(tenant_a, mia):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w") as archive:
        for i in range(spreadsheets.XLSX_MAX_ENTRIES + 1):
            archive.writestr(f"part{i}.xml", b"x")
    outcome = run(tenant_a, mia, bomb.getvalue(), "import.xlsx")
    assert "too many parts" in str(outcome.problems[0])


# The page ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.TEAM_MANAGER, Role.TENANT_ADMIN])
def test_managers_and_tenant_admins_see_the_import_page_with_its_columns(role, tenant_a, member, sign_in):
    response = sign_in(member(tenant_a, role)).get(reverse("cases:import"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label class="govuk-label govuk-label--s" for="id_file">Import file (CSV or XLSX)</label>' in html
    for column in COLUMNS:
        assert f"<code>{column}</code>" in html


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.COMMISSIONER, Role.PERFORMANCE_OFFICER, Role.AUDITOR,
                                  Role.PROVIDER])
def test_other_roles_get_403(role, tenant_a, member, sign_in):
    client = sign_in(member(tenant_a, role))
    assert client.get(reverse("cases:import")).status_code == 403
    assert client.get(reverse("cases:import-template")).status_code == 403
    upload = SimpleUploadedFile("import.csv", csv_bytes([row()]))
    assert client.post(reverse("cases:import"), {"file": upload}).status_code == 403


def test_a_bad_upload_lists_the_problems_in_the_browser_and_stores_nothing(tenant_a, mia, team, alice, sign_in):
    before = snapshot()
    upload = SimpleUploadedFile("import.csv", csv_bytes([row(source_code="ZZ"), row(), row()]))
    response = sign_in(mia).post(reverse("cases:import"), {"file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and "The file has 2 problems: nothing was saved" in html
    assert "&quot;ZZ&quot; is not a referral source code here" in html
    assert "Duplicate row: row 3 already gives" in html
    assert snapshot() == before


def test_an_upload_without_a_file_says_so(tenant_a, mia, sign_in):
    response = sign_in(mia).post(reverse("cases:import"), {})
    assert response.status_code == 400
    assert "Select import file (CSV or XLSX)" in response.content.decode()


def test_a_good_upload_shows_what_was_created(tenant_a, mia, team, alice, sign_in):
    upload = SimpleUploadedFile("import.csv", csv_bytes(good_rows()))
    response = sign_in(mia).post(reverse("cases:import"), {"file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Import complete" in html and "4 rows imported" in html
    assert "3 (of which 1 re-referral)" in html


def test_the_templates_download_as_csv_and_xlsx_and_import_cleanly(tenant_a, mia, team, alice, sign_in):
    client = sign_in(mia)
    response = client.get(reverse("cases:import-template"))
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    assert text.splitlines()[0] == ",".join(COLUMNS)
    xlsx = client.get(reverse("cases:import-template") + "?format=xlsx")
    assert xlsx["Content-Type"] == spreadsheets.XLSX_CONTENT_TYPE
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[1]] == COLUMNS
    assert client.get(reverse("cases:import-template") + "?format=pdf").status_code == 404
    # The example row imports as it is downloaded: it names one of the council's teams (issue #19).
    assert ",2024-04-20,North Early Help Team,,2," in text
    outcome = run(tenant_a, mia, text.encode())
    assert outcome.ok, outcome.problems


# A large file: imported by a worker, with a progress page ------------------------------------------------------


def _job(tenant):
    from cases.models import CaseImportJob

    with tenant_context(tenant):
        return CaseImportJob.objects.get()


def test_a_large_upload_goes_to_the_worker_then_its_page_shows_what_was_created(tenant_a, mia, team, alice,
                                                                                  sign_in, settings):
    from cases.import_jobs import case_import_job_execute

    settings.IMPORT_BACKGROUND_BYTES = 100
    client = sign_in(mia)
    before = snapshot()
    response = client.post(reverse("cases:import"), {"file": SimpleUploadedFile("import.csv",
                                                                                  csv_bytes(good_rows()))})
    job = _job(tenant_a)
    assert response.status_code == 302 and response.url == reverse("cases:import-job", args=[job.public_id])
    assert snapshot()[:6] == before[:6]  # nothing made in the request
    page = client.get(response.url).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page and "Progress: 0%" in page
    job = case_import_job_execute(tenant=tenant_a, job_id=job.pk)  # what the worker does
    assert job.status == "done" and job.attempts == 1 and bytes(job.data) == b""
    page = client.get(response.url).content.decode()
    assert "Import complete" in page and "4 rows imported" in page and "3 (of which 1 re-referral)" in page
    assert 'http-equiv="refresh"' not in page
    again = case_import_job_execute(tenant=tenant_a, job_id=job.pk)  # a second delivery does nothing
    assert again.attempts == 1 and Referral.all_tenants.count() == 3


def test_a_large_upload_with_problems_lists_them_as_the_import_page_does_and_stores_nothing(
        tenant_a, mia, team, alice, sign_in, settings):
    from cases.import_jobs import case_import_job_execute

    settings.IMPORT_BACKGROUND_BYTES = 100
    client = sign_in(mia)
    before = snapshot()
    upload = SimpleUploadedFile("import.csv", csv_bytes([row(source_code="ZZ"), row(), row()]))
    response = client.post(reverse("cases:import"), {"file": upload})
    case_import_job_execute(tenant=tenant_a, job_id=_job(tenant_a).pk)
    page = client.get(response.url).content.decode()
    assert "There is a problem" in page and "The file has 2 problems: nothing was saved" in page
    assert "&quot;ZZ&quot; is not a referral source code here" in page
    assert "Duplicate row: row 3 already gives" in page
    after = snapshot()
    assert after[:6] == before[:6]  # only the job's own audit events were added


def test_a_stalled_case_import_is_queued_again_and_fails_after_three_attempts(tenant_a, mia, team, alice,
                                                                              django_capture_on_commit_callbacks):
    import datetime as dt

    from django.utils import timezone

    from cases.import_jobs import case_import_jobs_requeue_stalled
    from cases.models import CaseImportJob

    now = timezone.now()
    with tenant_context(tenant_a):
        job = CaseImportJob.objects.create(filename="i.csv", data=csv_bytes(good_rows()), requested_by=mia,
                                           status="running", attempts=1, started_at=now - dt.timedelta(hours=2),
                                           heartbeat_at=now - dt.timedelta(seconds=20))
        assert case_import_jobs_requeue_stalled(now=now) == {"requeued": 0, "failed": 0}  # long, but alive
    with tenant_context(tenant_a), django_capture_on_commit_callbacks(execute=True):
        assert case_import_jobs_requeue_stalled(now=now + dt.timedelta(minutes=3)) == {"requeued": 1, "failed": 0}
    with tenant_context(tenant_a):
        job.refresh_from_db()
        assert job.status == "done" and job.attempts == 2 and Referral.objects.count() == 3
        CaseImportJob.objects.filter(pk=job.pk).update(status="running", attempts=3, finished_at=None)
        assert case_import_jobs_requeue_stalled(now=now + dt.timedelta(minutes=10)) == {"requeued": 0, "failed": 1}
        job.refresh_from_db()
        assert job.status == "failed" and "stopped 3 times" in job.problems[0]["message"]


@pytest.mark.parametrize(("min_rows", "analysed"), [(4, True), (5, False)])
def test_a_large_import_refreshes_the_planner_statistics_of_what_it_loaded(
        tenant_a, mia, team, alice, settings, django_capture_on_commit_callbacks, min_rows, analysed):
    """A council's first import must not be planned for empty tables: above the row threshold the tables it
    loaded are analysed once it commits (below it, autovacuum is left to do it)."""
    from tests.planner_statistics import analyze_count

    settings.ANALYZE_AFTER_LOAD_MIN_ROWS = min_rows
    tables = [Referral._meta.db_table, Person._meta.db_table, Case._meta.db_table,
              Referral.children.through._meta.db_table]
    before = [analyze_count(table) for table in tables]
    with django_capture_on_commit_callbacks(execute=True):
        outcome = run(tenant_a, mia, csv_bytes(good_rows()))
    assert outcome.ok, outcome.problems
    after = [analyze_count(table) for table in tables]
    assert after == ([n + 1 for n in before] if analysed else before)
