"""The bad input corpus: malformed uploads and API bodies through the real views and endpoints.

Each case gets a 4xx answer carrying a clear message (asserted), and the database is unchanged: the row count and
a SHA-256 of every row of the tables an upload or a body could write (returns, values and revisions, indicators,
families, people, referrals and their children, documents) are the same before and after. The audit table is not
in the checksum: a refused call may itself be audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import json
import zipfile
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import CaseDocument, Family, Person, Referral
from commissioning import services as commissioning_services
from commissioning.models import KpiReturn, KpiReturnRevision, KpiValue
from earlyhelp.api.services import api_client_create
from earlyhelp.models import Membership
from earlyhelp.periods import Quarter
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from reporting import indicators
from reporting.models import QuarterlyIndicator
from tests.api import makers
from tests.factories import acting

TABLES = [KpiReturn, KpiValue, KpiReturnRevision, QuarterlyIndicator, Family, Person, Referral,
          Referral.children.through, CaseDocument]

HEADER = "service,quarter,kpi_code,kpi_label,value,numerator,base,note\n"


def snapshot() -> dict[str, tuple[int, str]]:
    """Row count and SHA-256 of every row, per table (all tenants)."""
    result = {}
    for model in TABLES:
        manager = getattr(model, "all_tenants", model.objects)
        rows = [json.dumps(r, sort_keys=True, default=str) for r in manager.order_by("pk").values()]
        result[model._meta.label_lower] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return result


@dataclass
class World:
    service: object
    commissioner: object
    officer: object
    practitioner: object
    case: object
    kid: object
    token: str


@pytest.fixture
def world(tenant_a, member):
    """A service with a draft return already uploaded, indicators already held, a case, and an API client."""
    cache.clear()
    service = makers.service(tenant_a)
    commissioner = Membership.all_tenants.filter(tenant=tenant_a, role=Role.COMMISSIONER).first().user
    officer = member(tenant_a, Role.PERFORMANCE_OFFICER)
    practitioner = member(tenant_a, Role.PRACTITIONER)
    from cases.tests import helpers

    team = helpers.team_for(tenant_a, practitioner)
    with tenant_context(tenant_a):
        good = (HEADER + f"{service.name},2014/15 Q1,referrals,,12,,,\n"
                f"{service.name},2014/15 Q1,feeling-safer,,,14,15,\n").encode()
        outcome = commissioning_services.return_import(
            by=Membership.objects.get(user=commissioner), service=service, quarter=Quarter(2014, 1),
            data=good, filename="good.csv")
        assert outcome.ok, outcome.problems
        assert indicators.indicators_import(tenant=tenant_a, data=b"indicator,quarter,value\ncin,2014/15 Q1,40\n",
                                            by=acting(officer)) == []
        case = helpers.open_case(lead=practitioner, team=team)
        kid = case.children.first()
        _, token = api_client_create(name="MASH", scopes=["referrals:write", "returns:write"],
                                     expires_at=timezone.now() + dt.timedelta(days=30),
                                     by=acting(role="tenant_admin"))
    yield World(service, commissioner, officer, practitioner, case, kid, token)
    cache.clear()


# ------------------------------------------------------------------------------------------------ the corpus


def row(service_name="{service}", quarter="2014/15 Q1", code="referrals", value="12", numerator="", base="",
        note=""):
    return f"{service_name},{quarter},{code},,{value},{numerator},{base},{note}\n"


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    """A 60 KB spreadsheet that unpacks to 60 MB."""
    return zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": b"0" * (60 * 1024 * 1024)})


# (name, filename, content (str with {service} or bytes), expected message)
RETURN_UPLOADS = [
    ("wrong extension", "return.txt", HEADER + row(), "The file must be a CSV or XLSX spreadsheet"),
    ("wrong headers", "return.csv", "service,period,code,amount\nX,2014/15 Q1,referrals,1\n",
     "Missing column(s): quarter, kpi_code, value, numerator, base"),
    ("Latin-1 encoding", "return.csv", (HEADER + row(note="Café visits")).encode("latin-1"),
     "The CSV file is not UTF-8 text (it may be saved as Windows-1252 / ANSI)"),
    # UTF-16 with its byte-order mark (Excel's "Unicode text") is read since issue #19: see test_hostile_returns.
    ("UTF-16 without its BOM", "return.csv", (HEADER + row()).encode("utf-16-le"),
     "The CSV file is saved as UTF-16 text without a byte-order mark"),
    ("two BOMs before the header", "return.csv", "\ufeff\ufeff" + HEADER + row(), "Missing column(s): service"),
    ("NUL bytes", "return.csv", (HEADER + row()).encode() + b"\x00\x00", "The file must be a CSV or XLSX"),
    ("formula as a value", "return.csv", HEADER + row(value="=1+1"), '"=1+1" is not a number'),
    ("formula as a numerator", "return.csv", HEADER + row(code="feeling-safer", value="",
                                                          numerator="=HYPERLINK(x)", base="15"),
     '"=HYPERLINK(x)" is not a number'),
    ("numerator above base", "return.csv", HEADER + row(code="feeling-safer", value="", numerator="16", base="15"),
     "the numerator (16) is larger than its base (15)"),
    ("numerator without base", "return.csv", HEADER + row(code="feeling-safer", value="", numerator="3"),
     "a numerator needs its base"),
    ("percentage for an outcome", "return.csv", HEADER + row(code="feeling-safer", value="93%"),
     "not a percentage"),
    ("duplicate KPI row", "return.csv", HEADER + row() + row(value="13"), 'KPI "referrals" is already given on row 2'),
    ("another quarter in the file", "return.csv", HEADER + row(quarter="2014/15 Q2"),
     "this file is for 2014/15 Q2, not 2014/15 Q1"),
    ("quarters out of order", "return.csv", HEADER + row(quarter="2015/14 Q1"), "is not a quarter like 2014/15 Q2"),
    ("another service", "return.csv", HEADER + row(service_name="Someone else's service"),
     'this file is for "Someone else\'s service"'),
    ("negative count", "return.csv", HEADER + row(value="-4"), "must not be negative"),
    ("NaN", "return.csv", HEADER + row(value="NaN"), '"NaN" is not a number'),
    ("fraction of a count", "return.csv", HEADER + row(value="12.5"), '"12.5" must be a whole number'),
    ("header only", "return.csv", HEADER, "The file has no rows of figures"),
    ("a zip named .csv", "return.csv", zip_bytes({"a.txt": b"x"}), "The file must be a CSV or XLSX"),
    ("damaged XLSX", "return.xlsx", b"PK\x03\x04 this is not a spreadsheet", "The file must be a CSV or XLSX"),
    ("XLSX zip bomb", "return.xlsx", zip_bomb(), "The spreadsheet unpacks to more than 50 MB"),
    ("XLSX with too many parts", "return.xlsx", zip_bytes({f"xl/part{i}.xml": b"<a/>" for i in range(150)}),
     "The spreadsheet has too many parts (150; at most 100)"),
    ("oversized", "return.csv", HEADER + row() + "#" * (5 * 1024 * 1024), "The file is larger than 5 MB"),
    ("empty file", "return.csv", b"", "The submitted file is empty"),
]

INDICATOR_UPLOADS = [
    ("Latin-1 encoding", "indicator,quarter,value,source\ncin,2014/15 Q2,41,Liquidlogic café\n".encode("latin-1"),
     "The file is not UTF-8 text"),
    ("NUL bytes", b"indicator,quarter,value\ncin,2014/15 Q2,4\x001\n", "The file contains NUL bytes"),
    ("wrong headers", b"measure,period,count\ncin,2014/15 Q2,41\n", "Missing column(s): indicator, quarter, value"),
    ("duplicate quarters", b"indicator,quarter,value\ncin,2014/15 Q2,41\ncin,2014/15 Q2,42\n",
     "Duplicate of row 2 (cin, 2014/15 Q2)"),
    ("formula as a value", b"indicator,quarter,value\ncin,2014/15 Q2,=40+1\n", "'=40+1' is not a number of at least 0"),
    ("unknown indicator", b"indicator,quarter,value\nadoptions,2014/15 Q2,3\n", "Unknown indicator 'adoptions'"),
    ("impossible quarter", b"indicator,quarter,value\ncin,2014/15 Q5,3\n", "2014/15 Q5"),
    ("oversized", b"indicator,quarter,value\n" + b"cin,2014/15 Q2,41\n" * 70000, "The file is larger than 1024 KB"),
    ("BOM then a blank header", b"\xef\xbb\xbf\nindicator,quarter,value\ncin,2014/15 Q2,41\n", "Missing column(s)"),
]

DOCUMENTS = [
    ("executable named .pdf", "report.pdf", b"MZ\x90\x00\x03" + b"\x00" * 100, "The file's content is not a PDF file"),
    ("HTML named .txt", "notes.txt", b"<html><script>alert(1)</script></html>", "The file's content is not a TXT file"),
    ("SVG", "drawing.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "The file must be a PDF, DOCX, PNG, JPEG"),
    ("zip named .docx", "letter.docx", zip_bytes({"evil.sh": b"rm -rf /"}), "The file's content is not a DOCX file"),
    ("NUL bytes in text", "notes.txt", b"visit\x00notes", "The file's content is not a TXT file"),
    ("PNG named .jpg", "photo.jpg", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "The file's content is not a JPG file"),
    ("oversized", "big.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024), "The file must be smaller than 10 MB"),
]


def _payload(world, **change):
    body = {"children": [str(world.kid.public_id)], "received_on": "2024-05-01", "source": "2A",
            "reason": "Attendance has dropped."}
    body.update(change)
    return body


def _return(world, rows):
    return {"service": str(world.service.public_id), "quarter": "2014/15 Q1", "rows": rows}


# (name, url, body builder or raw bytes, content type, status, expected message)
API_BODIES = [
    ("referral as form data", "/api/v1/referrals/", lambda w: b"children=1&source=2A",
     "application/x-www-form-urlencoded", 415, "Unsupported media type"),
    ("referral with broken JSON", "/api/v1/referrals/", lambda w: b'{"children": [', "application/json", 400,
     "The body is not valid JSON"),
    ("referral in Latin-1", "/api/v1/referrals/",
     lambda w: json.dumps(_payload(w, reason="Caf\u00e9"), ensure_ascii=False).encode("latin-1"),
     "application/json", 400, "The body is not valid JSON"),
    ("referral with a NUL character", "/api/v1/referrals/", lambda w: _payload(w, reason="a\u0000b"),
     "application/json", 400, "Text must not contain NUL characters"),
    ("referral with NaN", "/api/v1/referrals/", lambda w: b'{"children": [], "received_on": NaN}',
     "application/json", 400, "NaN is not valid JSON"),
    ("referral received in the future", "/api/v1/referrals/",
     lambda w: _payload(w, received_on=(dt.date.today() + dt.timedelta(days=3)).isoformat()),
     "application/json", 400, "The date the referral was received cannot be in the future"),
    ("new child born after the referral was received", "/api/v1/referrals/",
     lambda w: {"family": {"name": "Late family"}, "received_on": "2024-05-01", "source": "2A",
                "new_children": [{"first_name": "Ned", "last_name": "Late",
                                  "date_of_birth": (dt.date.today() + dt.timedelta(days=30)).isoformat()}]},
     "application/json", 400, '"pointer":"/new_children/0/date_of_birth","detail":"The date of birth ('),
    ("referral with an unknown source", "/api/v1/referrals/", lambda w: _payload(w, source="ZZ"),
     "application/json", 400, "ZZ"),
    ("referral with an unexpected field", "/api/v1/referrals/", lambda w: _payload(w, colour="red"),
     "application/json", 400, "colour"),
    ("referral body over 1 MB", "/api/v1/referrals/", lambda w: _payload(w, reason="x" * (1024 * 1024 + 10)),
     "application/json", 413, "The request body is larger than 1048576 bytes"),
    ("return with numerator above base", "/api/v1/returns/",
     lambda w: _return(w, [{"kpi_code": "feeling-safer", "numerator": 16, "base": 15}]), "application/json", 422,
     "the numerator (16) is larger than its base (15)"),
    ("return with a duplicate KPI", "/api/v1/returns/",
     lambda w: _return(w, [{"kpi_code": "referrals", "value": 1}, {"kpi_code": "referrals", "value": 2}]),
     "application/json", 422, "is already given on row"),
    ("return with a formula", "/api/v1/returns/",
     lambda w: _return(w, [{"kpi_code": "referrals", "value": "=SUM(A1:A9)"}]), "application/json", 422,
     "is not a number"),
    ("return for a quarter written backwards", "/api/v1/returns/",
     lambda w: {**_return(w, [{"kpi_code": "referrals", "value": 1}]), "quarter": "Q1 2014/15"},
     "application/json", 400, "quarter"),
    ("return with a BOM before the JSON", "/api/v1/returns/",
     lambda w: b"\xef\xbb\xbf" + json.dumps(_return(w, [{"kpi_code": "referrals", "value": 1}])).encode(),
     "application/json", 400, "The body is not valid JSON"),
]


def _text(response) -> str:
    return html.unescape(response.content.decode("utf-8", "replace"))


def _content(item, world) -> bytes:
    return (item.replace("{service}", world.service.name).encode() if isinstance(item, str) else item)


@pytest.mark.parametrize(("name", "filename", "content", "message"), RETURN_UPLOADS, ids=[c[0] for c in RETURN_UPLOADS])
def test_a_bad_return_upload_is_refused_with_a_message(world, client, name, filename, content, message):
    client.force_login(world.commissioner)
    url = reverse("commissioning:return-upload", kwargs={"service_id": world.service.public_id, "quarter": "2014-q1"})
    before = snapshot()
    response = client.post(url, {"file": SimpleUploadedFile(filename, _content(content, world))})
    assert response.status_code == 400
    assert message in _text(response)
    assert snapshot() == before


@pytest.mark.parametrize(("name", "content", "message"), INDICATOR_UPLOADS, ids=[c[0] for c in INDICATOR_UPLOADS])
def test_a_bad_indicator_import_is_refused_with_a_message(world, client, name, content, message):
    client.force_login(world.officer)
    before = snapshot()
    response = client.post(reverse("reporting:indicators"),
                           {"form": "import", "file": SimpleUploadedFile("figures.csv", content)})
    assert response.status_code == 400
    assert message in _text(response)
    assert snapshot() == before


@pytest.mark.parametrize(("name", "filename", "content", "message"), DOCUMENTS, ids=[c[0] for c in DOCUMENTS])
def test_a_bad_document_is_refused_with_a_message(world, client, name, filename, content, message):
    client.force_login(world.practitioner)
    before = snapshot()
    response = client.post(reverse("cases:document-upload", kwargs={"public_id": world.case.public_id}),
                           {"upload": SimpleUploadedFile(filename, content), "kind": "other", "title": name})
    assert response.status_code == 200  # the cases app shows a refused form again with its errors (not a 400)
    assert "There is a problem" in _text(response)
    assert message in _text(response)
    assert snapshot() == before


@pytest.mark.parametrize(("name", "url", "body", "content_type", "status", "message"), API_BODIES,
                         ids=[c[0] for c in API_BODIES])
def test_a_bad_api_body_is_refused_with_a_problem(world, name, url, body, content_type, status, message):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {world.token}")
    data = body(world)
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    before = snapshot()
    response = api.generic("POST", url, raw, content_type=content_type)
    assert response.status_code == status, response.content[:400]
    assert response["Content-Type"].startswith("application/problem+json")
    assert message in response.content.decode(), response.content[:600]
    assert snapshot() == before


def test_the_corpus_has_at_least_thirty_cases():
    assert len(RETURN_UPLOADS) + len(INDICATOR_UPLOADS) + len(DOCUMENTS) + len(API_BODIES) >= 30


def test_the_checksum_notices_a_change(world, tenant_a):
    """The check itself: one stored value changed is a different snapshot."""
    before = snapshot()
    with tenant_context(tenant_a):
        KpiValue.objects.filter(kpi__code="referrals").update(amount=13)
    assert snapshot() != before
