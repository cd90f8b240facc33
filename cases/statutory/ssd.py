"""The Standard Safeguarding Dataset's early help tables (data-to-insight/ssd-data-model, MIT), as two CSV files.

``ssd_early_help_episodes``: one row per child of each early help case (the SSD's person is a child), with the
case's dates, the referral's presenting needs as the reason, the closure reason as the end reason, the case's
team as the organisation and the lead professional as the worker. ``ssd_linked_identifiers``: one row per other
system's identifier of those children (``LinkedIdentifier``, whose types carry the SSD's labels) and one per NHS
number held. Columns, their order and their types are the standard's (``tests`` read them from the YAML specs in
``../shared/standards/ssd-data-model``); dates are written as datetimes (``YYYY-MM-DD 00:00:00``), blank while
an episode is open.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

from ..models import Case, Closure, LinkedIdentifier, Person, Referral
from .common import person_ref

EARLY_HELP_EPISODES = "ssd_early_help_episodes"
LINKED_IDENTIFIERS = "ssd_linked_identifiers"

EARLY_HELP_EPISODE_COLUMNS = (
    "earl_episode_id", "earl_person_id", "earl_episode_start_date", "earl_episode_end_date", "earl_episode_reason",
    "earl_episode_end_reason", "earl_episode_organisation", "earl_episode_worker_id",
)
LINKED_IDENTIFIER_COLUMNS = (
    "link_table_id", "link_person_id", "link_identifier_type", "link_identifier_value", "link_valid_from_date",
    "link_valid_to_date",
)
NHS_NUMBER = "NHS Number"  # an SSD identifier type; the NHS number is a field of the person here


def _datetime(day) -> str:
    return f"{day:%Y-%m-%d} 00:00:00" if day else ""


def early_help_episode_rows(progress: Callable[[int], None] | None = None) -> Iterator[list[str]]:
    """The current council's early help episodes, one row per (case, child), oldest first."""
    end_reasons = dict(Closure.objects.values_list("case_id", "reason__label"))
    needs: dict[int, list[str]] = defaultdict(list)
    for referral_id, label in (Referral.objects.filter(presenting_needs__isnull=False)
                               .order_by("pk", "presenting_needs__sort_order", "presenting_needs__label")
                               .values_list("pk", "presenting_needs__label")):
        needs[referral_id].append(label)
    episodes = (Case.objects.filter(children__isnull=False)
                .order_by("opened_on", "pk", "children__pk")
                .values_list("pk", "public_id", "opened_on", "closed_on", "referral_id", "team__name",
                             "lead_professional__public_id", "children__pk", "children__public_id"))
    total = max(1, episodes.count())
    for n, (case_pk, case_id, opened, closed, referral_id, team, worker, person_pk, person_id) in enumerate(
            episodes.iterator(chunk_size=5000)):
        if progress and n % 5000 == 0:
            progress(n * 100 // total)
        yield [
            f"{case_id.hex}-{person_pk}", person_ref(person_id), _datetime(opened), _datetime(closed),
            "; ".join(needs.get(referral_id, ())), end_reasons.get(case_pk, "") if closed else "", team or "",
            worker.hex if worker else "",
        ]


def linked_identifier_rows() -> Iterator[list[str]]:
    """Other systems' identifiers (and NHS numbers) of the children of the current council's cases."""
    labels = dict(LinkedIdentifier.Type.choices)
    in_cases = Person.objects.filter(cases__isnull=False).values("pk")
    for public_id, person_id, kind, value, valid_from, valid_to in (
            LinkedIdentifier.objects.filter(person__in=in_cases).order_by("person_id", "identifier_type", "pk")
            .values_list("public_id", "person__public_id", "identifier_type", "value", "valid_from", "valid_to")
            .iterator(chunk_size=5000)):
        yield [public_id.hex, person_ref(person_id), labels[kind], value, _datetime(valid_from), _datetime(valid_to)]
    for person_id, nhs_number in (Person.objects.filter(pk__in=in_cases).exclude(nhs_number="").order_by("pk")
                                  .values_list("public_id", "nhs_number").iterator(chunk_size=5000)):
        yield [f"nhs-{person_id.hex}", person_ref(person_id), NHS_NUMBER, nhs_number, "", ""]


def _write(handle, columns, rows) -> int:
    writer = csv.writer(handle, lineterminator="\r\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


def ssd_write(directory: Path | str, progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Write ``ssd_early_help_episodes.csv`` and ``ssd_linked_identifiers.csv`` into ``directory``; returns the
    rows written per table."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    counts = {}
    with open(directory / f"{EARLY_HELP_EPISODES}.csv", "w", newline="", encoding="utf-8") as handle:
        counts[EARLY_HELP_EPISODES] = _write(handle, EARLY_HELP_EPISODE_COLUMNS, early_help_episode_rows(progress))
    with open(directory / f"{LINKED_IDENTIFIERS}.csv", "w", newline="", encoding="utf-8") as handle:
        counts[LINKED_IDENTIFIERS] = _write(handle, LINKED_IDENTIFIER_COLUMNS, linked_identifier_rows())
    return counts


def ssd_write_zip(out, progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """The two CSV files in one zip written to the binary stream ``out`` (the download of the returns page)."""
    counts = {}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        tables = ((EARLY_HELP_EPISODES, EARLY_HELP_EPISODE_COLUMNS, early_help_episode_rows(progress)),
                  (LINKED_IDENTIFIERS, LINKED_IDENTIFIER_COLUMNS, linked_identifier_rows()))
        for name, columns, rows in tables:
            with archive.open(f"{name}.csv", "w") as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as text:
                counts[name] = _write(text, columns, rows)
    return counts
