"""The audit log cannot be rewritten unseen (issue #24, item 2).

The attacker here can write anything to the database with its triggers disabled, and has the product's code,
but not the audit key (``AUDIT_KEY``, or the key derived from ``SECRET_KEY``), and cannot rewrite the checkpoint
files kept outside the database. What they do is what the issue did: edit an event and recompute
``prev_hash``/``row_hash`` forward with the product's own hash function; delete the newest events.
"""

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from earlyhelp.audit import AuditKey, audit_keys, chain_link, event_hash, record_event, row_mac
from earlyhelp.audit_checkpoints import checkpoint_path, checkpoint_write, read_checkpoints
from earlyhelp.audit_verify import verify_audit_log
from earlyhelp.models import AuditEvent
from earlyhelp.tasks import checkpoint_audit_chains_for_every_tenant
from earlyhelp.tenancy import tenant_context

FIELDS = {f.name for f in AuditEvent._meta.fields}


def _events(tenant, n):
    with tenant_context(tenant):
        return [record_event(tenant=tenant, action=f"test.{i}", detail={"i": i}) for i in range(n)]


def _with_triggers_off(change):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # the append-only trigger is skipped
        change()
        cursor.execute("SET LOCAL session_replication_role = origin")


def _rewrite_forward(tenant, from_id, *, edit=None, sign=None):
    """Edit the row ``from_id`` (``edit``: field values), then recompute every row's hashes from it forward:
    unkeyed with ``event_hash`` (keyed hashes blanked), or signed with the attacker's ``sign`` key."""

    def change():
        rows = list(AuditEvent.all_tenants.filter(tenant=tenant).order_by("id"))
        previous = ""
        for row in rows:
            if row.pk >= from_id:
                if row.pk == from_id:
                    for name, value in (edit or {}).items():
                        setattr(row, name, value)
                row.prev_hash = previous
                if sign is not None:
                    row.key_id, row.row_mac = sign.key_id, row_mac(row, sign)
                    row.row_hash = chain_link(row.prev_hash, row.row_mac)
                else:
                    row.row_mac = row.key_id = ""
                    row.row_hash = event_hash(row)
                AuditEvent.all_tenants.filter(pk=row.pk).update(
                    **{name: getattr(row, name) for name in ("action", "detail", "prev_hash", "row_hash",
                                                             "row_mac", "key_id") if name in FIELDS})
            previous = row.row_hash

    _with_triggers_off(change)


def _verify(tenant):
    with tenant_context(tenant):
        return verify_audit_log(tenant)


def test_an_intact_log_verifies_with_its_checkpoints(tenant_a):
    _events(tenant_a, 3)
    with tenant_context(tenant_a):
        checkpoint_write(tenant=tenant_a, reason="test")
    _events(tenant_a, 2)
    result = _verify(tenant_a)
    assert result.intact and result.checked == AuditEvent.all_tenants.filter(tenant=tenant_a).count()
    assert result.checked >= 5 and result.checkpoints == 1


def test_an_edit_rehashed_forward_with_the_products_hash_function_is_detected(tenant_a):
    events = _events(tenant_a, 6)
    _rewrite_forward(tenant_a, events[2].pk, edit={"action": "forged"})
    result = _verify(tenant_a)
    assert not result.intact and result.first_break.event_id == events[2].pk
    with pytest.raises(CommandError, match="not intact"):
        call_command("verify_audit_chain", tenant=tenant_a.slug)


def test_an_edit_resigned_without_the_key_is_detected_even_after_the_last_checkpoint(tenant_a):
    events = _events(tenant_a, 6)
    guessed = AuditKey(audit_keys()[0].key_id, b"insecure-demo-key-change-me-" + b"x" * 32)
    _rewrite_forward(tenant_a, events[4].pk, edit={"detail": {"i": 400}}, sign=guessed)
    result = _verify(tenant_a)
    assert [b.event_id for b in result.breaks] == [events[4].pk, events[5].pk]
    assert "keyed hash" in result.breaks[0].problem


def test_the_whole_chain_rewritten_unkeyed_is_detected_by_the_checkpoint(tenant_a):
    events = _events(tenant_a, 5)
    with tenant_context(tenant_a):
        checkpoint_write(tenant=tenant_a, reason="test")
    first = AuditEvent.all_tenants.filter(tenant=tenant_a).order_by("id").first()  # every keyed hash blanked
    _rewrite_forward(tenant_a, first.pk, edit={"action": "forged"})
    result = _verify(tenant_a)
    assert not result.intact
    assert {b.event_id for b in result.breaks} == {first.pk, events[4].pk}
    assert any("rewritten" in b.problem for b in result.breaks)


def test_deleting_the_newest_events_is_detected(tenant_a):
    events = _events(tenant_a, 6)
    with tenant_context(tenant_a):
        checkpoint_write(tenant=tenant_a, reason="test")
    _with_triggers_off(lambda: AuditEvent.all_tenants.filter(pk__in=[e.pk for e in events[-2:]]).delete())
    result = _verify(tenant_a)
    assert not result.intact and result.first_break.event_id == events[-1].pk
    assert "removed" in result.first_break.problem
    with pytest.raises(CommandError, match="not intact"):
        call_command("verify_audit_chain", tenant=tenant_a.slug)


def test_deleted_newest_events_replaced_by_new_ones_are_still_detected(tenant_a):
    events = _events(tenant_a, 4)
    with tenant_context(tenant_a):
        checkpoint_write(tenant=tenant_a, reason="test")
    _with_triggers_off(lambda: AuditEvent.all_tenants.filter(pk__in=[e.pk for e in events[-2:]]).delete())
    _events(tenant_a, 2)  # the count is made up again, by later events
    assert _verify(tenant_a).first_break.event_id == events[-1].pk


def test_a_row_removed_from_the_middle_and_relinked_is_detected_by_the_checkpoint(tenant_a):
    events = _events(tenant_a, 5)
    with tenant_context(tenant_a):
        checkpoint_write(tenant=tenant_a, reason="test")

    def change():
        AuditEvent.all_tenants.filter(pk=events[2].pk).delete()
        after = AuditEvent.all_tenants.get(pk=events[3].pk)
        AuditEvent.all_tenants.filter(pk=after.pk).update(  # the keyed hash is kept; only the link is redone
            prev_hash=events[1].row_hash, row_hash=chain_link(events[1].row_hash, after.row_mac))
        last = AuditEvent.all_tenants.get(pk=events[4].pk)
        new_prev = chain_link(events[1].row_hash, after.row_mac)
        AuditEvent.all_tenants.filter(pk=last.pk).update(prev_hash=new_prev,
                                                         row_hash=chain_link(new_prev, last.row_mac))

    _with_triggers_off(change)
    result = _verify(tenant_a)
    assert [b.event_id for b in result.breaks] == [events[4].pk] and "removed" in result.breaks[0].problem


class TestCheckpointStore:
    def _two_checkpoints(self, tenant):
        _events(tenant, 2)
        with tenant_context(tenant):
            checkpoint_write(tenant=tenant, reason="test")
        _events(tenant, 1)
        with tenant_context(tenant):
            checkpoint_write(tenant=tenant, reason="test")
        return checkpoint_path(tenant)

    def test_an_altered_checkpoint_is_refused(self, tenant_a):
        path = self._two_checkpoints(tenant_a)
        lines = path.read_text().splitlines()
        first = json.loads(lines[0])
        first["count"] = 1
        path.write_text("\n".join([json.dumps(first), lines[1]]) + "\n")
        with tenant_context(tenant_a):
            good, problems = read_checkpoints(tenant_a)
        assert len(good) == 1 and "signature does not match" in problems[0].problem
        assert not _verify(tenant_a).intact

    def test_a_checkpoint_removed_from_the_middle_is_seen(self, tenant_a):
        path = self._two_checkpoints(tenant_a)
        with tenant_context(tenant_a):
            checkpoint_write(tenant=tenant_a, reason="test")
        lines = path.read_text().splitlines()
        path.write_text("\n".join([lines[0], lines[2]]) + "\n")
        problems = [b.problem for b in _verify(tenant_a).breaks]
        assert problems == ["checkpoint line 2 does not follow the checkpoint before it (a checkpoint was removed "
                            "from the file)"]

    def test_another_councils_checkpoints_do_not_count(self, tenant_a, tenant_b):
        path = self._two_checkpoints(tenant_a)
        checkpoint_path(tenant_b).write_text(path.read_text())
        assert any("another council" in b.problem for b in _verify(tenant_b).breaks)

    def test_beat_writes_a_checkpoint_per_tenant_only_when_the_chain_moved(self, tenant_a, tenant_b):
        _events(tenant_a, 2)
        assert checkpoint_audit_chains_for_every_tenant() >= 2
        checkpoint_audit_chains_for_every_tenant()
        assert len(checkpoint_path(tenant_a).read_text().splitlines()) == 1
        count = AuditEvent.all_tenants.filter(tenant=tenant_a).count()
        assert json.loads(checkpoint_path(tenant_b).read_text())["tenant"] == str(tenant_b.public_id)
        _events(tenant_a, 1)
        checkpoint_audit_chains_for_every_tenant()
        lines = [json.loads(line) for line in checkpoint_path(tenant_a).read_text().splitlines()]
        assert [(cp["seq"], cp["count"]) for cp in lines] == [(1, count), (2, count + 1)]
        assert lines[1]["prev_mac"] == lines[0]["mac"] and lines[1]["key_id"] == audit_keys()[0].key_id

    def test_the_command_checkpoints_an_intact_log_and_says_against_what_it_checked(self, tenant_a, capsys):
        _events(tenant_a, 2)
        call_command("verify_audit_chain", tenant=tenant_a.slug, checkpoint=True)
        call_command("verify_audit_chain", tenant=tenant_a.slug)
        out = capsys.readouterr().out
        assert "checked against 1 checkpoint(s)" in out and "The audit log is intact." in out


def test_a_rotated_key_still_verifies_old_rows_and_an_unknown_key_is_named(tenant_a, settings):
    settings.AUDIT_KEY = "first-audit-key-" + "a" * 32
    _events(tenant_a, 2)
    with tenant_context(tenant_a):
        checkpoint_write(tenant=tenant_a, reason="test")
    old_id = audit_keys()[0].key_id
    settings.AUDIT_KEY, settings.AUDIT_RETIRED_KEYS = "second-audit-key-" + "b" * 32, [settings.AUDIT_KEY]
    _events(tenant_a, 2)
    result = _verify(tenant_a)
    assert result.intact and audit_keys()[0].key_id != old_id
    settings.AUDIT_RETIRED_KEYS = []
    problems = [b.problem for b in _verify(tenant_a).breaks]
    assert any(f"key id {old_id}" in p for p in problems) and len(problems) == 3  # 2 rows + the checkpoint


class TestVerifyPage:
    """The auditor's "Verify audit log" page, reached from the access log: their own council's log only."""

    def test_reached_from_the_access_log_and_says_intact(self, tenant_a, member, sign_in):
        from django.urls import reverse

        from earlyhelp.permissions import Role

        client = sign_in(member(tenant_a, role=Role.AUDITOR))
        assert reverse("audit-verify") in client.get(reverse("access-log")).content.decode()
        _events(tenant_a, 3)
        page = client.post(reverse("audit-verify")).content.decode()
        assert "Intact" in page and "Not intact" not in page
        with tenant_context(tenant_a):
            assert AuditEvent.objects.filter(action="audit_log.verified").count() == 1

    def test_shows_the_first_bad_event_of_its_own_council_only(self, tenant_a, tenant_b, member, sign_in):
        from django.urls import reverse

        from earlyhelp.permissions import Role

        broken = _events(tenant_b, 4)
        _rewrite_forward(tenant_b, broken[1].pk, edit={"action": "forged"})
        _events(tenant_a, 2)
        own = sign_in(member(tenant_a, role=Role.TENANT_ADMIN)).post(reverse("audit-verify")).content.decode()
        assert "Intact" in own and "Not intact" not in own
        other = sign_in(member(tenant_b, role=Role.AUDITOR)).post(reverse("audit-verify")).content.decode()
        assert "Not intact" in other and f"<strong>event {broken[1].pk}</strong>" in other

    def test_refused_to_a_member_without_the_role(self, tenant_a, member, sign_in):
        from django.urls import reverse

        from earlyhelp.permissions import Role

        assert sign_in(member(tenant_a, role=Role.PRACTITIONER)).post(reverse("audit-verify")).status_code == 403
