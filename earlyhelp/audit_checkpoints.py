"""Signed checkpoints of each tenant's audit chain head, kept outside the database.

A checkpoint records, for one tenant, the newest event id, how many events the chain held up to it, that event's
``row_hash`` (the head hash, which depends on every row before it) and the first keyed event — signed with the
audit key (``earlyhelp.audit.audit_keys``; its key id is written with it) and linked to the checkpoint before it.
They are appended, one JSON line each, to ``<AUDIT_CHECKPOINT_DIR>/<tenant public id>.jsonl``: by beat every few
minutes (when the chain has moved), on every committee report run (the report prints it), and on demand
(``manage.py verify_audit_chain --checkpoint``). ``earlyhelp.audit_verify.verify_audit_log`` checks the chain against
them, so that a chain rewritten, or cut short, up to the last checkpoint is seen even by someone who could
rewrite every row of the database. See docs/security.md for what this does not cover.
"""

from __future__ import annotations

import fcntl
import hmac
import json
import os
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .audit import AuditKey, ChainBreak, audit_keys, mac
from .models import AuditEvent

FORMAT = "earlyhelp-audit-checkpoint/1"
_SIGNED_FIELDS = ("format", "tenant", "seq", "last_event_id", "count", "head_hash", "keyed_from", "written_at",
                  "reason", "key_id", "prev_mac")


def checkpoint_path(tenant) -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR) / f"{tenant.public_id}.jsonl"


def _sign(key: AuditKey, checkpoint: dict) -> str:
    return mac(key, ["audit-checkpoint", *(checkpoint.get(name) for name in _SIGNED_FIELDS)])


def chain_head(tenant) -> dict:
    """The tenant's chain as it stands: newest event id, number of events, head hash, first keyed event (of the
    chained rows: reads outside the chain are sealed instead, earlyhelp.audit_seals). One statement, so one
    snapshot. Must run in the tenant's context (row-level security)."""
    table = AuditEvent._meta.db_table
    sql = (  # the table name comes from the model; values are parameters
        f"SELECT (SELECT count(*) FROM {table} WHERE tenant_id = %s AND chained), "  # noqa: S608
        f"(SELECT id FROM {table} WHERE tenant_id = %s AND chained AND row_mac <> '' ORDER BY id LIMIT 1), h.id, "
        f"h.row_hash FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT id, row_hash FROM {table} WHERE tenant_id = %s "
        "AND chained ORDER BY id DESC LIMIT 1) h ON true"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [tenant.pk] * 3)
        count, keyed_from, last_id, head = cursor.fetchone()
    return {"last_event_id": last_id or 0, "count": count, "head_hash": head or "", "keyed_from": keyed_from}


def _last_line(handle) -> dict | None:
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    handle.seek(max(0, size - 65536))
    lines = [line for line in handle.read().splitlines() if line.strip()]
    return json.loads(lines[-1]) if lines else None


def checkpoint_write(*, tenant, reason: str, only_if_moved: bool = False) -> dict:
    """Append a signed checkpoint of ``tenant``'s chain head to its file, and return it. With ``only_if_moved``,
    nothing is written while the chain has not moved since the last checkpoint (which is returned). Must run in
    the tenant's context. The file is locked while its last line is read and the new one appended."""
    head = chain_head(tenant)
    signing, _ = audit_keys()
    path = checkpoint_path(tenant)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
    with os.fdopen(fd, "r+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            last = _last_line(handle)
        except ValueError:
            last = None  # an unreadable last line: verification reports it; the next checkpoint starts afresh
        if only_if_moved and last and all(last.get(k) == v for k, v in head.items()):
            return last
        checkpoint = {
            "format": FORMAT, "tenant": str(tenant.public_id), "seq": (last or {}).get("seq", 0) + 1, **head,
            "written_at": timezone.now().isoformat(timespec="seconds"), "reason": reason[:200],
            "key_id": signing.key_id, "prev_mac": (last or {}).get("mac", ""),
        }
        checkpoint["mac"] = _sign(signing, checkpoint)
        handle.write(json.dumps(checkpoint, sort_keys=True) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return checkpoint


def read_checkpoints(tenant) -> tuple[list[dict], list[ChainBreak]]:
    """The tenant's checkpoints whose signature holds, in order, and the problems of the file itself: a line
    that is not a checkpoint, a bad or unknown signature, another tenant's checkpoint, a checkpoint removed from
    the middle of the file (the links), or figures that go backwards."""
    path = checkpoint_path(tenant)
    if not path.exists():
        return [], []
    _, keys = audit_keys()
    good: list[dict] = []
    problems: list[ChainBreak] = []
    previous: dict | None = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"checkpoint line {number}"
        try:
            checkpoint = json.loads(line)
            event_id = int(checkpoint["last_event_id"])
            int(checkpoint["count"])
        except (ValueError, KeyError, TypeError):
            problems.append(ChainBreak(0, f"{where} cannot be read (the checkpoint file was altered)"))
            continue
        key = keys.get(checkpoint.get("key_id"))
        if key is None:
            problems.append(ChainBreak(event_id, f"{where} is signed with a key this installation does not hold "
                                                 f"(key id {checkpoint.get('key_id')})"))
            continue
        if not hmac.compare_digest(_sign(key, checkpoint), str(checkpoint.get("mac", ""))):
            problems.append(ChainBreak(event_id, f"{where}'s signature does not match (the checkpoint was "
                                                 "altered or forged)"))
            continue
        if checkpoint.get("tenant") != str(tenant.public_id):
            problems.append(ChainBreak(event_id, f"{where} belongs to another council's audit log"))
            continue
        if previous is not None and (checkpoint.get("prev_mac") != previous["mac"]
                                     or checkpoint.get("seq") != previous["seq"] + 1):
            problems.append(ChainBreak(event_id, f"{where} does not follow the checkpoint before it (a checkpoint "
                                                 "was removed from the file)"))
        if previous is not None and (event_id < previous["last_event_id"]
                                     or checkpoint["count"] < previous["count"]):
            problems.append(ChainBreak(event_id, f"{where} records fewer events than the one before it (the "
                                                 "chain was cut short between them)"))
        good.append(checkpoint)
        previous = checkpoint
    return good, problems


def checkpoint_problems(checkpoints: list[dict], *, heads: dict[int, tuple[int, str]],
                        first_keyed: int | None) -> list[ChainBreak]:
    """Compare the chain as it is (``heads``: for each event a checkpoint names, the number of rows up to it and
    its ``row_hash``) with what each checkpoint recorded. One problem per event at most."""
    found: dict[int, ChainBreak] = {}
    for cp in checkpoints:
        event_id, count, when = cp["last_event_id"], cp["count"], cp["written_at"]
        problem = None
        if event_id and event_id not in heads:
            problem = (f"is missing: the checkpoint of {when} recorded it as the newest of {count} events (events "
                       "were removed)")
        elif event_id:
            rows, head_hash = heads[event_id]
            if rows != count:
                problem = (f"has {rows} events up to it where the checkpoint of {when} recorded {count} (events "
                           "were removed or inserted before it)")
            elif not hmac.compare_digest(head_hash, str(cp["head_hash"])):
                problem = (f"has a chain hash that differs from the checkpoint of {when} (the chain up to it was "
                           "rewritten)")
        if problem is not None:
            found.setdefault(event_id, ChainBreak(event_id, problem))
        if cp.get("keyed_from") and first_keyed != cp["keyed_from"]:
            found.setdefault(cp["keyed_from"], ChainBreak(cp["keyed_from"], (
                f"was the first event with a keyed hash at the checkpoint of {when}; the chain now says "
                f"{first_keyed or 'none'} (keyed hashes were removed)")))
    return list(found.values())
