"""Seals of the audit log's read rows: batches of reads, written without the chain's lock
(``earlyhelp.audit.record_read``), made tamper-evident after the fact (docs/security.md, "Reads audited without
the chain lock").

A seal lists the ids of the read rows it covers, a digest of their keyed hashes, the hash of the seal before it
(a chain of seals per tenant) and its own keyed hash under the audit key. Sealing holds its own advisory lock, not
the chain's: writes and reads never wait for it. Beat seals every minute the reads older than ``SEAL_GRACE``
(``earlyhelp.tasks.seal_audit_reads_for_every_tenant``, cheap: only ids above the last seal); verification first
seals *every* read row not yet in a seal (``exhaustive``), so a read that committed late is sealed, not taken for
tampering. A sealed read row edited or removed, a seal edited, removed from the middle or forged, a read row in
two seals: each is a break that verification reports.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.db import connection, transaction
from django.utils import timezone

from .audit import AuditKey, ChainBreak, audit_keys, mac, read_row_mac
from .models import AuditEvent, AuditSeal

SEAL_LOCK_NAMESPACE = 0x4553  # "ES": the seals' advisory lock (the chain's is 0x4555)
SEAL_GRACE = dt.timedelta(seconds=30)


def _digest(rows: list[tuple[int, str]]) -> str:
    return hashlib.sha256("\n".join(f"{pk}:{row_mac}" for pk, row_mac in rows).encode()).hexdigest()


def _seal_mac(key: AuditKey, seal: AuditSeal) -> str:
    return mac(key, ["audit-seal", key.key_id, seal.tenant_id, seal.seq, seal.event_ids, seal.digest,
                     seal.prev_hash, seal.seal_hash])


@transaction.atomic
def seal_reads(*, tenant, exhaustive: bool = False, reason: str = "scheduled") -> AuditSeal | None:
    """Seal ``tenant``'s unsealed read rows (older than ``SEAL_GRACE`` unless ``exhaustive``); the new seal, or
    None when there was nothing to seal. Must run in the tenant's context."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [SEAL_LOCK_NAMESPACE, tenant.pk])
    last = AuditSeal.all_tenants.filter(tenant=tenant).order_by("-seq").first()
    reads = AuditEvent.all_tenants.filter(tenant=tenant, chained=False)
    if exhaustive:
        sealed = {pk for ids in AuditSeal.all_tenants.filter(tenant=tenant).values_list("event_ids", flat=True)
                  for pk in ids}
        rows = [(pk, m) for pk, m in reads.order_by("id").values_list("id", "row_mac") if pk not in sealed]
    else:
        if last is not None:
            reads = reads.filter(id__gt=last.last_event_id)
        rows = list(reads.filter(occurred_at__lt=timezone.now() - SEAL_GRACE).order_by("id")
                    .values_list("id", "row_mac"))
    if not rows:
        return None
    signing, _ = audit_keys()
    digest = _digest(rows)
    prev_hash = last.seal_hash if last else ""
    seal = AuditSeal(tenant=tenant, seq=(last.seq + 1) if last else 1, event_ids=[pk for pk, _ in rows],
                     first_event_id=rows[0][0], last_event_id=rows[-1][0], digest=digest, prev_hash=prev_hash,
                     seal_hash=hashlib.sha256((prev_hash + digest).encode()).hexdigest(), key_id=signing.key_id,
                     reason=reason)
    seal.seal_mac = _seal_mac(signing, seal)
    seal.save(force_insert=True)
    return seal


def read_row_problem(event: AuditEvent, keys: dict) -> str | None:
    """Why a read row fails its keyed hash (None: it is as written)."""
    key = keys.get(event.key_id)
    if key is None:
        return f"is a read signed with a key this installation does not hold (key id {event.key_id or 'none'})"
    if event.prev_hash or event.row_hash:
        return "is a read with chain hashes (it was edited)"
    if not hmac.compare_digest(read_row_mac(event, key), event.row_mac):
        return "no longer matches its keyed hash as a read (it was edited, or forged without the key)"
    return None


def seal_problems(*, tenant, reads: dict[int, str], keys: dict) -> tuple[list[ChainBreak], int]:
    """Check ``tenant``'s seals against the read rows found (``reads``: id → row_mac): each seal's keyed hash and
    link, its digest recomputed from the rows it lists, and that no read row is in two seals. Returns the breaks
    and how many read rows no seal covers yet (a read that committed after the sealing: not a break — a forged
    one fails its keyed hash)."""
    problems: list[ChainBreak] = []
    previous, expected_seq = "", 1
    seen: set[int] = set()
    for seal in AuditSeal.all_tenants.filter(tenant=tenant).order_by("seq"):
        where = seal.first_event_id
        key = keys.get(seal.key_id)
        if key is None or not hmac.compare_digest(_seal_mac(key, seal), seal.seal_mac):
            problems.append(ChainBreak(where, f"seal {seal.seq} no longer matches its keyed hash (it was edited, or "
                                              "forged without the key)"))
        if seal.seq != expected_seq or seal.prev_hash != previous:
            problems.append(ChainBreak(where, f"seal {seal.seq} does not follow the seal before it (a seal was "
                                              "removed or inserted)"))
        missing = [pk for pk in seal.event_ids if pk not in reads]
        if missing:
            problems.append(ChainBreak(missing[0], f"is a sealed read (seal {seal.seq}) that was removed"))
        elif _digest([(pk, reads[pk]) for pk in seal.event_ids]) != seal.digest:
            problems.append(ChainBreak(where, f"the reads of seal {seal.seq} no longer match it (one was edited)"))
        twice = seen.intersection(seal.event_ids)
        if twice:
            problems.append(ChainBreak(min(twice), f"is a read sealed twice (seal {seal.seq})"))
        seen.update(seal.event_ids)
        previous, expected_seq = seal.seal_hash, seal.seq + 1
    return problems, len(set(reads) - seen)
