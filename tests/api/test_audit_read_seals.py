"""Reads audited without the chain's lock (earlyhelp.audit.record_read), sealed in batches
(earlyhelp.audit_seals): the chain of writes still verifies around them, and an edited, removed or forged read
row, or an edited or removed seal, is seen by the verification. The attacker is the one of
tests/test_audit_integrity.py: database writes with triggers off, no audit key."""

import datetime as dt

import pytest
from django.db import connection

from earlyhelp.audit import AuditKey, ReadRefused, read_row_mac, record_event, record_read
from earlyhelp.audit_checkpoints import checkpoint_write
from earlyhelp.audit_seals import seal_reads
from earlyhelp.audit_verify import verify_audit_log
from earlyhelp.models import AuditEvent, AuditSeal
from earlyhelp.tasks import seal_audit_reads_for_every_tenant
from earlyhelp.tenancy import tenant_context


def _mixed(tenant, n=4):
    """Writes and reads interleaved: w r w r …; returns (writes, reads)."""
    writes, reads = [], []
    with tenant_context(tenant):
        for i in range(n):
            writes.append(record_event(tenant=tenant, action=f"test.write{i}", detail={"i": i}))
            reads.append(record_read(tenant=tenant, action="case.viewed", object_public_id=f"case-{i}"))
    return writes, reads


def _verify(tenant):
    with tenant_context(tenant):
        return verify_audit_log(tenant)


def _triggers_off(change):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        change()
        cursor.execute("SET LOCAL session_replication_role = origin")


def test_reads_stay_outside_the_chain_and_the_log_verifies_with_its_checkpoints(tenant_a):
    writes, reads = _mixed(tenant_a)
    assert all(not r.chained and r.prev_hash == r.row_hash == "" and r.row_mac for r in reads)
    assert [w.prev_hash for w in writes[1:]] == [w.row_hash for w in writes[:-1]]  # the chain skips the reads
    with tenant_context(tenant_a):
        checkpoint_write(tenant=tenant_a, reason="test")
    result = _verify(tenant_a)
    assert result.intact, result.breaks
    assert result.reads == 4 and result.unsealed == 0
    with tenant_context(tenant_a):
        seal = AuditSeal.objects.get()
        assert seal.event_ids == [r.pk for r in reads] and seal.reason == "verify"
    assert _verify(tenant_a).intact  # verifying again seals nothing more and still holds


def test_the_minute_task_seals_reads_past_the_grace_only_once(tenant_a, monkeypatch):
    _, reads = _mixed(tenant_a, 2)
    from earlyhelp import audit_seals

    monkeypatch.setattr(audit_seals, "SEAL_GRACE", dt.timedelta(0))
    with tenant_context(tenant_a):
        limit = reads[0].occurred_at + (reads[1].occurred_at - reads[0].occurred_at) / 2
        monkeypatch.setattr(audit_seals.timezone, "now", lambda: limit)
    seal_audit_reads_for_every_tenant()
    monkeypatch.undo()
    monkeypatch.setattr(audit_seals, "SEAL_GRACE", dt.timedelta(minutes=5))
    with tenant_context(tenant_a):
        assert list(AuditSeal.objects.values_list("event_ids", flat=True)) == [[reads[0].pk]]
        assert seal_reads(tenant=tenant_a) is None  # the newer read waits for its grace
    assert _verify(tenant_a).intact


def test_an_edited_read_row_is_seen(tenant_a):
    _, reads = _mixed(tenant_a)
    _verify(tenant_a)  # sealed
    _triggers_off(lambda: AuditEvent.all_tenants.filter(pk=reads[1].pk).update(object_public_id="case-other"))
    breaks = _verify(tenant_a).breaks
    assert {b.event_id for b in breaks} >= {reads[1].pk}, breaks
    assert any("keyed hash" in b.problem for b in breaks)


def test_a_read_row_forged_as_a_chained_row_or_with_a_guessed_key_is_seen(tenant_a):
    _, reads = _mixed(tenant_a)
    wrong = AuditKey("attacker", b"not the key")
    row = AuditEvent.all_tenants.get(pk=reads[2].pk)
    row.object_public_id = "case-forged"
    forged_mac = read_row_mac(row, wrong)
    _triggers_off(lambda: AuditEvent.all_tenants.filter(pk=row.pk).update(object_public_id="case-forged",
                                                                           row_mac=forged_mac))
    assert not _verify(tenant_a).intact


def test_a_sealed_read_row_removed_is_seen(tenant_a):
    _, reads = _mixed(tenant_a)
    _verify(tenant_a)  # sealed
    _triggers_off(lambda: AuditEvent.all_tenants.filter(pk=reads[0].pk).delete())
    breaks = _verify(tenant_a).breaks
    assert any(b.event_id == reads[0].pk and "removed" in b.problem for b in breaks), breaks


def test_an_edited_or_removed_seal_is_seen(tenant_a):
    _mixed(tenant_a, 2)
    _verify(tenant_a)
    _mixed(tenant_a, 2)
    _verify(tenant_a)  # two seals
    with tenant_context(tenant_a):
        first, second = AuditSeal.objects.order_by("seq")
    _triggers_off(lambda: AuditSeal.all_tenants.filter(pk=first.pk).update(event_ids=first.event_ids[:1]))
    assert any("seal 1" in b.problem for b in _verify(tenant_a).breaks)
    _triggers_off(lambda: AuditSeal.all_tenants.filter(pk=first.pk).delete())
    assert any("does not follow" in b.problem for b in _verify(tenant_a).breaks)


def test_an_edited_write_is_still_seen_among_reads(tenant_a):
    writes, _ = _mixed(tenant_a)
    _triggers_off(lambda: AuditEvent.all_tenants.filter(pk=writes[1].pk).update(action="test.innocent"))
    assert any(b.event_id == writes[1].pk for b in _verify(tenant_a).breaks)


def test_an_api_read_takes_no_lock_of_the_chain(tenant_a, make_api_client, bearer):
    _, token = make_api_client(tenant_a, scopes=("cases:read",))
    assert bearer(token).get("/api/v1/cases/").status_code == 200
    with tenant_context(tenant_a):
        row = AuditEvent.objects.get(action="api.request")
        assert row.chained is False and row.prev_hash == ""
    assert _verify(tenant_a).intact


def _read_statements(tenant, n=2, **kwargs):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx, tenant_context(tenant):
        rows = [record_read(tenant=tenant, action="case.viewed", object_public_id=f"case-{i}", **kwargs)
                for i in range(n)]
    return rows, [q["sql"] for q in ctx.captured_queries if "auditevent" in q["sql"] or "eh_audit_read" in q["sql"]]


def test_a_read_row_insert_is_prepared_once_per_database_session(tenant_a, settings):
    """The read row's INSERT is prepared on a session's first read and executed after (planning it cost more than
    running it); a session that lost it (a new connection) prepares it again; the rows are the same either way,
    and with DATABASE_PREPARED_STATEMENTS off the statement is sent whole."""
    from earlyhelp import audit

    settings.DATABASE_PREPARED_STATEMENTS = True
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # as a new session
    audit._prepared_on.clear()
    rows, statements = _read_statements(tenant_a)
    assert [sql.split(" ", 1)[0] for sql in statements] == ["PREPARE", "EXECUTE", "EXECUTE"]
    rows2, statements = _read_statements(tenant_a)
    assert [sql.split(" ", 1)[0] for sql in statements] == ["EXECUTE", "EXECUTE"]
    # A remembered client's condition is a statement of its own kind, prepared once too.
    _, statements = _read_statements(tenant_a, only_if=("%s = %s", [1, 1]))
    assert [sql.split(" ", 1)[0] for sql in statements] == ["PREPARE", "EXECUTE", "EXECUTE"]
    with pytest.raises(ReadRefused):
        _read_statements(tenant_a, n=1, only_if=("%s = %s", [1, 2]))
    settings.DATABASE_PREPARED_STATEMENTS = False
    rows3, statements = _read_statements(tenant_a)
    assert [sql.split(" ", 1)[0] for sql in statements] == ["INSERT", "INSERT"]
    with tenant_context(tenant_a):
        stored = {e.pk: e for e in AuditEvent.objects.filter(pk__in=[r.pk for r in rows + rows2 + rows3])}
    assert len(stored) == 6
    for row in rows + rows2 + rows3:
        assert stored[row.pk].row_mac == row.row_mac and not stored[row.pk].chained
    assert _verify(tenant_a).intact
