"""The access log speaks words, not codes (issue #19: it showed ``outcomes.case_viewed`` and ``cases.case``).

Every action code the code base records — a literal ``record_event(action=...)``, an API view's ``viewed_action``,
the sign-in step's codes, and each code a computed action can take — has a label in
``earlyhelp.audit_labels.ACTION_LABELS``; record types are named by their model.
"""

from __future__ import annotations

import ast
import html
import uuid
from pathlib import Path

from django.urls import reverse

from earlyhelp.audit import record_event
from earlyhelp.audit_labels import ACTION_LABELS, action_label, object_type_label, readable
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context

ROOT = Path(__file__).resolve().parents[1]
APPS = ["earlyhelp", "cases", "commissioning", "outcomes", "reporting"]


def _computed_codes() -> dict[tuple[str, str], set[str]]:
    """Each call site whose action is computed, with every code it can write (taken from the choices it is
    computed from). A new computed action fails the test below until it is listed here."""
    from cases.models import CaseImportJob, StepChange
    from cases.models.partners import SupportRequest
    from cases.models.practice import Consent
    from commissioning.models import ReturnImportJob

    return {
        ("cases/import_jobs.py", "f'case_import.{job.status}'"): {
            f"case_import.{s}" for s in CaseImportJob.Status.values},
        ("commissioning/import_jobs.py", "f'return_import.{job.status}'"): {
            f"return_import.{s}" for s in ReturnImportJob.Status.values},
        ("cases/services/retention.py", "f'family.{verb}'"): {"family.anonymised", "family.deleted"},
        ("cases/services/casework.py", "f'case.{kind}'"): {f"case.{k}" for k in StepChange.Kind.values},
        ("cases/services/consent.py", "f'consent.{status}'"): {f"consent.{s}" for s in Consent.Status.values},
        ("earlyhelp/jobs.py", "f'{action}.requeued'"): {"case_import.requeued", "return_import.requeued"},
        ("earlyhelp/jobs.py", "f'{action}.failed'"): {"case_import.failed", "return_import.failed"},
        ("earlyhelp/admin.py", "f\"admin.{('changed' if change else 'added')}\""): {"admin.changed", "admin.added"},
        ("earlyhelp/api/base.py", "self.viewed_action"): set(),  # the literal class attributes are scanned
        ("cases/api.py", "self.viewed_action"): set(),
        ("cases/services/support_requests.py", "f'support_request.{request.status}'"): {
            f"support_request.{s}" for s in SupportRequest.Status.values},
        ("earlyhelp/accounts.py", "action"): set(),  # ``_audit(request, "two_factor....")``: scanned as literals
    }


def _scan():
    literal, computed = set(), set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if {"tests", "migrations"} & set(path.relative_to(ROOT).parts):
                continue
            relative = str(path.relative_to(ROOT))
            for node in ast.walk(ast.parse(path.read_text(), relative)):
                if isinstance(node, ast.Call):
                    name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                    if name in ("record_event", "record_read"):
                        for keyword in node.keywords:
                            if keyword.arg != "action":
                                continue
                            value = keyword.value
                            if isinstance(value, ast.Constant):
                                literal.add(value.value)
                            elif (isinstance(value, ast.IfExp) and isinstance(value.body, ast.Constant)
                                  and isinstance(value.orelse, ast.Constant)):  # "a.created" if new else "a.updated"
                                literal |= {value.body.value, value.orelse.value}
                            else:
                                computed.add((relative, ast.unparse(keyword.value)))
                    elif name == "_audit" and len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
                        literal.add(node.args[1].value)  # earlyhelp.accounts: the sign-in step's events
                elif (isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "viewed_action"
                                                           for t in node.targets)
                      and isinstance(node.value, ast.Constant) and node.value.value):
                    literal.add(node.value.value)
    return literal, computed


def test_every_recorded_action_has_a_label():
    literal, computed = _scan()
    assert len(literal) > 80, "the scan found too few record_event calls: is it still looking in the right place?"
    known = _computed_codes()
    assert computed <= set(known), f"computed actions to list in _computed_codes: {sorted(computed - set(known))}"
    codes = literal.union(*(known[site] for site in computed))
    missing = sorted(code for code in codes if code not in ACTION_LABELS)
    assert not missing, f"action codes without a label in earlyhelp.audit_labels.ACTION_LABELS: {missing}"


def test_labels_read_as_words():
    for code, label in ACTION_LABELS.items():
        assert label and label[0].isupper() and "_" not in label and label != code, code


def test_an_unknown_code_falls_back_to_a_readable_form():
    assert action_label("outcomes.case_viewed") == "Viewed a case's outcomes"
    assert action_label("newthing.was_done") == "Newthing: was done" == readable("newthing.was_done")
    assert object_type_label("cases.case") == "Case"
    assert object_type_label("earlyhelp.apiclient") == "API client"
    assert object_type_label("nosuch.model") == "Nosuch: model"
    assert object_type_label("") == ""


def test_the_access_log_and_home_page_show_labels(tenant_a, member, sign_in):
    auditor = member(tenant_a, role=Role.AUDITOR, username="agnes")
    viewer = member(tenant_a, role=Role.PRACTITIONER, username="priya")
    record = uuid.uuid4()
    with tenant_context(tenant_a):
        record_event(action="outcomes.case_viewed", actor=viewer, object_type="cases.case",
                     object_public_id=str(record))
    client = sign_in(auditor)
    for page in (client.get(reverse("access-log"), {"record": str(record)}).content.decode(),
                 client.get(reverse("home")).content.decode()):
        assert html.escape("Viewed a case's outcomes") in page
        assert "outcomes.case_viewed" not in page and "cases.case" not in page
    csv_text = client.get(reverse("access-log"), {"record": str(record), "format": "csv"}).content.decode()
    assert "Viewed a case's outcomes,outcomes.case_viewed,Case," in csv_text
