"""The audit log: hash-chained rows, a command that finds tampering, and the access-log questions."""

import html
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from earlyhelp.audit import record_event
from earlyhelp.audit_verify import verify_chain
from earlyhelp.models import AuditEvent
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context


def _events(tenant, n, **kwargs):
    with tenant_context(tenant):
        return [record_event(tenant=tenant, action=f"test.{i}", **kwargs) for i in range(n)]


def _tamper(sql, params):
    with connection.cursor() as cursor:
        # the suite's superuser may skip the append-only trigger
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        cursor.execute("SET LOCAL session_replication_role = origin")


def test_each_row_is_chained_to_the_one_before_within_its_tenant(tenant_a, tenant_b):
    a = _events(tenant_a, 3)
    b = _events(tenant_b, 2)
    assert a[1].prev_hash == a[0].row_hash and a[2].prev_hash == a[1].row_hash
    assert b[0].prev_hash != a[2].row_hash  # chains are per tenant
    with tenant_context(tenant_a):
        checked, breaks = verify_chain(tenant_a)
    assert checked >= 3 and breaks == []


def test_an_edited_row_is_detected(tenant_a):
    events = _events(tenant_a, 3)
    _tamper("UPDATE earlyhelp_auditevent SET action = 'forged' WHERE id = %s", [events[1].pk])
    with tenant_context(tenant_a):
        _, breaks = verify_chain(tenant_a)
    assert [(b.event_id, "edited" in b.problem) for b in breaks] == [(events[1].pk, True)]
    with pytest.raises(CommandError, match="1 problem"):
        call_command("verify_audit_chain", tenant=tenant_a.slug)


def test_a_removed_row_is_detected(tenant_a):
    events = _events(tenant_a, 3)
    _tamper("DELETE FROM earlyhelp_auditevent WHERE id = %s", [events[1].pk])
    with tenant_context(tenant_a):
        _, breaks = verify_chain(tenant_a)
    assert [b.event_id for b in breaks] == [events[2].pk] and "removed" in breaks[0].problem


def test_the_command_reports_an_intact_log(tenant_a, capsys):
    _events(tenant_a, 2)
    call_command("verify_audit_chain")
    assert "The audit log is intact." in capsys.readouterr().out


class TestAccessLog:
    @pytest.fixture
    def auditor(self, tenant_a, member):
        return member(tenant_a, role=Role.AUDITOR, username="agnes")

    def test_who_has_seen_this_record(self, tenant_a, member, auditor, sign_in):
        viewer = member(tenant_a, role=Role.PRACTITIONER, username="priya")
        record = uuid.uuid4()
        with tenant_context(tenant_a):
            record_event(action="case.viewed", actor=viewer, object_type="cases.case", object_public_id=str(record))
            record_event(action="case.viewed", actor=viewer, object_type="cases.case",
                         object_public_id=str(uuid.uuid4()))
        client = sign_in(auditor)
        page = client.get(reverse("access-log"), {"record": str(record)}).content.decode()
        # One event of this record, by the viewer (factory names may hold an apostrophe: compare escaped).
        assert page.count("Viewed a case<") == 1 and html.escape(viewer.get_full_name()) in page
        assert "case.viewed" not in page and "cases.case" not in page  # words, not the stored codes
        csv_text = client.get(reverse("access-log"), {"record": str(record), "format": "csv"}).content.decode()
        assert csv_text.splitlines()[0].startswith("when,who,username")
        assert len(csv_text.strip().splitlines()) == 2 and "priya" in csv_text

    def test_what_has_this_user_looked_at(self, tenant_a, member, auditor, sign_in):
        viewer = member(tenant_a, role=Role.PRACTITIONER, username="priya")
        other = member(tenant_a, role=Role.PRACTITIONER, username="dev")
        with tenant_context(tenant_a):
            record_event(action="case.viewed", actor=viewer, object_type="cases.case", object_public_id="a")
            record_event(action="case.viewed", actor=other, object_type="cases.case", object_public_id="b")
        csv_text = sign_in(auditor).get(reverse("access-log"), {"user": str(viewer.public_id),
                                                                "format": "csv"}).content.decode()
        assert "priya" in csv_text and ",dev," not in csv_text

    def test_exports_escape_formulas(self, tenant_a, member, auditor, sign_in):
        viewer = member(tenant_a, role=Role.PRACTITIONER, username="priya")
        with tenant_context(tenant_a):
            record_event(action="=HYPERLINK(\"x\")", actor=viewer, object_type="x", object_public_id="r")
        csv_text = sign_in(auditor).get(reverse("access-log"), {"user": str(viewer.public_id),
                                                                "format": "csv"}).content.decode()
        assert "'=HYPERLINK" in csv_text

    def test_a_bad_reference_is_named(self, auditor, sign_in):
        response = sign_in(auditor).get(reverse("access-log"), {"record": "not-a-uuid"})
        assert response.status_code == 400 and "is not a record reference" in response.content.decode()

    def test_another_tenants_events_never_appear(self, tenant_a, tenant_b, member, auditor, sign_in):
        outsider = member(tenant_b, role=Role.PRACTITIONER, username="zed")
        with tenant_context(tenant_b):
            record_event(action="case.viewed", actor=outsider, object_type="cases.case", object_public_id="z")
        csv_text = sign_in(auditor).get(reverse("access-log"), {"reads_only": "on", "format": "csv"}).content.decode()
        assert "zed" not in csv_text
        assert AuditEvent.all_tenants.filter(tenant=tenant_b, action="case.viewed").count() == 1


def test_the_database_computes_the_same_row_hash_as_python(tenant_a, member):
    """The row is appended in one statement that computes ``row_hash`` (``_append_in_one_statement``): it links
    the row's keyed hash, computed in Python over the row as it reads back, for any content."""
    from earlyhelp.audit import (
        RequestContext,
        audit_keys,
        chain_link,
        reset_request_context,
        row_mac,
        set_request_context,
    )

    user = member(tenant_a)
    token = set_request_context(RequestContext(request_id="r-1", source_ip="2001:db8::1"))
    try:
        events = _events(tenant_a, 1, actor=user, actor_label="Zoë “Ω” \\ \"quoted\"\nline",
                         object_type="cases.case", object_public_id=str(uuid.uuid4()),
                         detail={"b": [1, 2.5, None, True], "a": {"ünï": "✓ — ok"}, "n": 10**12, "%s": "%(x)s"})
    finally:
        reset_request_context(token)
    events += _events(tenant_a, 2)
    stored = list(AuditEvent.all_tenants.filter(pk__in=[e.pk for e in events]).order_by("id"))
    assert [(e.prev_hash, e.row_hash) for e in stored] == [(e.prev_hash, e.row_hash) for e in events]
    assert stored[0].source_ip == "2001:db8::1" and stored[0].actor_id == user.pk
    for row in stored:
        assert row.row_mac == row_mac(row, audit_keys()[0]) and row.key_id == audit_keys()[0].key_id
        assert row.row_hash == chain_link(row.prev_hash, row.row_mac)
    assert stored[1].prev_hash == stored[0].row_hash
    checked, breaks = verify_chain(tenant_a)
    assert checked >= 3 and breaks == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_chain(tenant_a):
    """Appends from several connections at once, each in its own transaction: one unbroken chain."""
    import threading

    from django.db import connections, transaction

    errors = []

    def append(n):
        try:
            for i in range(10):
                with transaction.atomic(), tenant_context(tenant_a):
                    record_event(tenant=tenant_a, action=f"test.thread{n}.{i}")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    checked, breaks = verify_chain(tenant_a)
    assert checked >= 40 and breaks == []
