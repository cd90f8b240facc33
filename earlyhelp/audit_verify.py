"""Verifying a council's audit log: every row against its keyed hash and its link to the row before, and the
chain against the signed checkpoints kept outside the database (``earlyhelp.audit_checkpoints``). Used by
``manage.py verify_audit_chain`` and the *Verify audit log* page (``earlyhelp.access_log``)."""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass, field

from .audit import ChainBreak, audit_keys, chain_link, event_hash, row_mac
from .audit_checkpoints import checkpoint_problems, read_checkpoints
from .audit_seals import read_row_problem, seal_problems, seal_reads
from .models import AuditEvent


@dataclass
class ChainVerification:
    """What verifying one tenant's audit log found."""

    checked: int = 0
    breaks: list[ChainBreak] = field(default_factory=list)
    checkpoints: int = 0
    last_checkpoint: dict | None = None
    unkeyed: int = 0
    reads: int = 0  # read rows (outside the chain, sealed in batches)
    unsealed: int = 0  # read rows no seal covers yet (committed after this verification sealed)

    @property
    def intact(self) -> bool:
        return not self.breaks

    @property
    def first_break(self) -> ChainBreak | None:
        return min(self.breaks, key=lambda b: b.event_id) if self.breaks else None


def verify_audit_log(tenant, *, checkpoints: Iterable | None = None) -> ChainVerification:
    """Walk ``tenant``'s audit chain in order and check it against its checkpoints. Must run where the tenant's
    rows are readable (its tenant context, or the owner role).

    Each row: its keyed hash (the content was not edited, the row was not forged), its link to the row before
    (nothing was removed or inserted in between), and no unkeyed row after a keyed one. Read rows (outside the
    chain) are sealed first, then checked against their keyed hash and their seals (``earlyhelp.audit_seals``).
    Then each checkpoint (``earlyhelp.audit_checkpoints``; read from the store unless given): its signature, and
    that the chain still holds, up to the event it recorded, the number of events and the head hash it recorded —
    so rewriting the chain, or removing its newest events, up to the last checkpoint is seen.
    """
    _, keys = audit_keys()
    seal_reads(tenant=tenant, exhaustive=True, reason="verify")
    result = ChainVerification()
    reads: dict[int, str] = {}
    chained = 0
    if checkpoints is None:
        checkpoints, problems = read_checkpoints(tenant)
        result.breaks.extend(problems)
    checkpoints = list(checkpoints)
    result.checkpoints = len(checkpoints)
    result.last_checkpoint = checkpoints[-1] if checkpoints else None
    heads = {}  # event id → (rows up to it, its row_hash), for the events the checkpoints name
    wanted = {cp["last_event_id"] for cp in checkpoints}
    previous = ""
    first_keyed = None
    rows = AuditEvent.all_tenants.filter(tenant=tenant).order_by("id").iterator(chunk_size=2000)
    for event in rows:
        result.checked += 1
        if not event.chained:
            result.reads += 1
            reads[event.pk] = event.row_mac
            problem = read_row_problem(event, keys)
            if problem:
                result.breaks.append(ChainBreak(event.pk, problem))
            continue
        chained += 1
        if event.prev_hash != previous:
            result.breaks.append(ChainBreak(event.pk, "does not follow the row before it (a row was removed or "
                                                      "inserted)"))
        if event.row_mac:
            first_keyed = first_keyed or event.pk
            key = keys.get(event.key_id)
            if key is None:
                result.breaks.append(ChainBreak(event.pk, f"is signed with a key this installation does not hold "
                                                          f"(key id {event.key_id or 'none'})"))
            elif not hmac.compare_digest(row_mac(event, key), event.row_mac):
                result.breaks.append(ChainBreak(event.pk, "no longer matches its keyed hash (it was edited, or "
                                                          "forged without the key)"))
            if event.row_hash != chain_link(event.prev_hash, event.row_mac):
                result.breaks.append(ChainBreak(event.pk, "has a wrong chain hash (it was edited)"))
        else:
            result.unkeyed += 1
            if first_keyed is not None:
                result.breaks.append(ChainBreak(event.pk, "has no keyed hash although earlier events do (it was "
                                                          "edited and its keyed hash removed)"))
            if event_hash(event) != event.row_hash:
                result.breaks.append(ChainBreak(event.pk, "no longer matches its hash (it was edited)"))
        if event.pk in wanted:
            heads[event.pk] = (chained, event.row_hash)
        previous = event.row_hash
    result.breaks.extend(checkpoint_problems(checkpoints, heads=heads, first_keyed=first_keyed))
    breaks, result.unsealed = seal_problems(tenant=tenant, reads=reads, keys=keys)
    result.breaks.extend(breaks)
    result.breaks.sort(key=lambda b: b.event_id)
    return result


def verify_chain(tenant) -> tuple[int, list[ChainBreak]]:
    """Walk ``tenant``'s audit chain in order, with its checkpoints; return (rows checked, breaks found)."""
    result = verify_audit_log(tenant)
    return result.checked, result.breaks
