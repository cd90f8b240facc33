"""The duplicates queue for team managers (merge, undo a merge, "not a duplicate") and the identifier
completeness report. Thin over ``cases.duplicates``, ``cases.stats`` and ``cases.services.duplicates``."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from earlyhelp.permissions import Capability, require_capability

from .. import duplicates, services, stats
from ..models import Person, PersonMerge


def _person(public_id) -> Person:
    """A person of the council in context (404 to anyone else's: the manager is scoped to the tenant)."""
    return get_object_or_404(Person, public_id=public_id)


def _score_from(query) -> float:
    try:
        return min(max(float(query.get("at", duplicates.SUGGEST_AT)), 0.3), 1.0)
    except ValueError:
        return duplicates.SUGGEST_AT


@require_capability(Capability.MANAGE_TEAM)
def duplicate_queue(request, status: int = 200, problem: str = ""):
    """Pairs of people who may be one person, best first, with the recent merges (each can be undone)."""
    at = _score_from(request.GET)
    return render(request, "cases/duplicates.html", {
        "pairs": duplicates.duplicate_pairs(at_least=at), "at": at, "problem": problem,
        "merges": PersonMerge.objects.select_related("survivor", "merged_by", "undone_by")[:20],
    }, status=status)


@require_capability(Capability.MANAGE_TEAM)
def person_merge(request, public_id):
    """Merge the person of the URL into the ``survivor`` posted (both of this council)."""
    merged = _person(public_id)
    if request.method != "POST":
        return redirect("cases:duplicates")
    if not request.POST.get("survivor"):
        return duplicate_queue(request, status=400, problem="Choose whose record to keep.")
    survivor = _person(request.POST["survivor"]) if _is_uuid(request.POST["survivor"]) else None
    if survivor is None:
        return duplicate_queue(request, status=400, problem="Choose whose record to keep.")
    try:
        services.person_merge(survivor=survivor, merged=merged, by=request.membership)
    except ValidationError as error:
        return duplicate_queue(request, status=400, problem=" ".join(error.messages))
    messages.success(request, f"{merged.full_name}'s record was merged into {survivor.full_name}'s. "
                              "You can undo this below.")
    return redirect("cases:duplicates")


@require_capability(Capability.MANAGE_TEAM)
def person_unmerge(request, public_id):
    merge = get_object_or_404(PersonMerge, public_id=public_id)
    if request.method != "POST":
        return redirect("cases:duplicates")
    try:
        person = services.person_unmerge(merge=merge, by=request.membership)
    except ValidationError as error:
        return duplicate_queue(request, status=400, problem=" ".join(error.messages))
    messages.success(request, f"The merge was undone: {person.full_name}'s record is back as it was.")
    return redirect("cases:duplicates")


@require_capability(Capability.MANAGE_TEAM)
def not_duplicate(request, public_id):
    """The person of the URL and the ``other`` posted are different people."""
    person = _person(public_id)
    if request.method != "POST":
        return redirect("cases:duplicates")
    other_id = request.POST.get("other", "")
    if not _is_uuid(other_id):
        return duplicate_queue(request, status=400, problem="Choose the other person of the pair.")
    try:
        services.not_duplicate_record(person=person, other=_person(other_id), by=request.membership)
    except ValidationError as error:
        return duplicate_queue(request, status=400, problem=" ".join(error.messages))
    messages.success(request, "Noted: they are different people. The pair will not be offered again.")
    return redirect("cases:duplicates")


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(str(text))
    except ValueError:
        return False
    return True


@require_capability(Capability.VIEW_STATISTICS)
def identifier_completeness(request):
    """Children with a verified, unverified or missing NHS number, by team (counts with bases)."""
    teams, everyone = stats.identifier_completeness()
    return render(request, "cases/identifier_completeness.html", {"teams": teams, "everyone": everyone})
