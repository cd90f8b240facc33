"""Contacts, visits and case notes, their addenda, and the case summary.

A note can be corrected by its author for 24 hours after it was written; after that it is part of the record and
later changes are addenda, kept beside it."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from earlyhelp.actors import can, require, user_of
from earlyhelp.audit import record_event
from earlyhelp.permissions import Capability

from ..models import Case, CaseNote, CaseNoteAddendum
from ._common import check_one_tenant

EDIT_WINDOW = dt.timedelta(hours=24)
NOTE_FIELDS = ("occurred_at", "kind", "who_was_seen", "child_seen", "child_seen_alone", "narrative", "is_significant")


def _check_note(case: Case, *, occurred_at: dt.datetime, kind: str, narrative: str, child_seen: bool,
                child_seen_alone: bool, now: dt.datetime) -> None:
    if kind not in CaseNote.Kind.values:
        raise ValidationError({"kind": "Choose the kind of contact."})
    if not narrative.strip():
        raise ValidationError({"narrative": "Write what happened."})
    if child_seen_alone and not child_seen:
        raise ValidationError({"child_seen_alone": "A child seen alone was seen: tick 'The child was seen'."})
    if occurred_at > now:
        raise ValidationError({"occurred_at": "A contact cannot be in the future."})
    if timezone.localdate(occurred_at) < case.opened_on:
        raise ValidationError({"occurred_at": "Contacts before the case opened belong to the referral."})
    if case.closed_on is not None and timezone.localdate(occurred_at) > case.closed_on:
        raise ValidationError({"occurred_at": "The case was closed by then."})


def case_note_record(
    *,
    case: Case,
    occurred_at: dt.datetime,
    kind: str,
    narrative: str,
    by,
    who_was_seen: str = "",
    child_seen: bool = False,
    child_seen_alone: bool = False,
    is_significant: bool = False,
    now: dt.datetime | None = None,
) -> CaseNote:
    """Record a contact, visit or note. Significant ones appear on the case's chronology."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(case)
    now = now or timezone.now()
    _check_note(case, occurred_at=occurred_at, kind=kind, narrative=narrative, child_seen=child_seen,
                child_seen_alone=child_seen_alone, now=now)
    note = CaseNote.objects.create(
        case=case, occurred_at=occurred_at, kind=kind, narrative=narrative.strip(), who_was_seen=who_was_seen,
        child_seen=child_seen, child_seen_alone=child_seen_alone, is_significant=is_significant, author=user_of(by),
    )
    record_event(action="case_note.recorded", by=by, obj=note, detail={"significant": is_significant})
    return note


def note_is_editable(note: CaseNote, *, by, now: dt.datetime | None = None) -> bool:
    """True when ``by`` may still correct ``note`` (:func:`case_note_edit`): its author, within the window."""
    return (can(by, Capability.EDIT_CHILD_RECORDS) and note.author_id == getattr(user_of(by), "pk", None)
            and (now or timezone.now()) - note.created_at < EDIT_WINDOW)


def case_note_edit(*, note: CaseNote, by, now: dt.datetime | None = None, **changes) -> CaseNote:
    """Correct a note: only its author, only within 24 hours of writing it. Afterwards, add an addendum."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(note)
    now = now or timezone.now()
    unknown = set(changes) - set(NOTE_FIELDS)
    if unknown:
        raise ValueError(f"not note fields: {sorted(unknown)}")
    if note.author_id != getattr(user_of(by), "pk", None):
        raise PermissionDenied("Only the note's author can correct it: add an addendum instead.")
    if now - note.created_at >= EDIT_WINDOW:
        raise ValidationError("Notes cannot be changed more than 24 hours after they were written: add an addendum.")
    merged = {name: changes.get(name, getattr(note, name)) for name in NOTE_FIELDS}
    _check_note(note.case, occurred_at=merged["occurred_at"], kind=merged["kind"], narrative=merged["narrative"],
                child_seen=merged["child_seen"], child_seen_alone=merged["child_seen_alone"], now=now)
    changed = sorted(name for name in NOTE_FIELDS if merged[name] != getattr(note, name))
    for name in NOTE_FIELDS:
        setattr(note, name, merged[name])
    note.save()
    record_event(action="case_note.edited", by=by, obj=note, detail={"fields": changed})
    return note


def case_note_addendum_add(*, note: CaseNote, text: str, by) -> CaseNoteAddendum:
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(note)
    if not text.strip():
        raise ValidationError({"text": "Write the addendum."})
    addendum = CaseNoteAddendum.objects.create(note=note, text=text.strip(), author=user_of(by))
    record_event(action="case_note.addendum_added", by=by, obj=addendum,
                 detail={"note": str(note.public_id)})
    return addendum


def case_summary_update(*, case: Case, summary: str, by) -> Case:
    """Replace the case summary. The audit event records the previous summary's length, not its text: the audit
    table is append-only and outlives the retention rule, so it must carry no narrative about a family."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(case)
    if not summary.strip():
        raise ValidationError({"summary": "Write the case summary."})
    previous = case.summary
    case.summary = summary.strip()
    case.summary_updated_at = timezone.now()
    case.save(update_fields=["summary", "summary_updated_at"])
    record_event(action="case.summary_updated", by=by, obj=case, detail={"previous_characters": len(previous)})
    return case
