"""The migration import: a previous system's referrals and cases, read from a CSV or XLSX file.

One row is one child's referral, optionally with the early help case opened from it (and its closure). Rows of
siblings referred together (same family, received date and source) become one referral about several children
and one case. The whole file is read and checked first — every problem listed by row and column — and nothing
is written unless every row is valid. The writes then run in one transaction through the ordinary services
(``referral_record`` — which creates the family and children at their first referral, as in the browser and the
API — ``consent_record``, ``case_open``, ``case_close``…), in date order, so
the rules, the audit events and the re-referral / re-opened flags are those of records entered by hand. A rule
a service still refuses (e.g. against records already in the system) is reported against its row and the whole
import is rolled back.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from earlyhelp import limits, spreadsheets
from earlyhelp.actors import granted, require
from earlyhelp.audit import record_event
from earlyhelp.models import Membership, Team
from earlyhelp.permissions import Capability, capabilities_for
from earlyhelp.planner_statistics import analyze_after_load
from earlyhelp.spreadsheets import Problem, cell_text

from ..models import (
    Case,
    Closure,
    ClosureReason,
    Consent,
    Family,
    LevelOfNeed,
    Person,
    PresentingNeed,
    Referral,
    ReferralSource,
)
from ..models.people import ETHNICITY_CHOICES, SEX_CHOICES, FamilyAddress, LinkedIdentifier
from ._common import check_one_tenant
from .casework import case_open
from .closing import case_close
from .consent import consent_position, consent_record
from .referrals import ChildEntry, FamilyEntry, FamilyReferral, NewPerson, referral_decide, referral_record

# The columns of an import file, in order, with what each holds (shown on the import page).
COLUMN_HELP: dict[str, str] = {
    "external_id": "Optional. The child's id in the previous system; rows with the same id are the same child.",
    "family_name": "Required. How the family is known, e.g. 'Ashby family'.",
    "postcode": "Required. The family's postcode.",
    "first_name": "Required. The child's first name.",
    "last_name": "Required. The child's last name.",
    "date_of_birth": "Required. The child's date of birth (YYYY-MM-DD or DD/MM/YYYY).",
    "sex": "Optional. M, F or U (unknown).",
    "ethnicity": "Optional. A DfE CIN census ethnicity code, e.g. WBRI.",
    "referral_received": "Required. The date the referral was received.",
    "source_code": "Required. The referral source code (DfE CIN census code such as 2A, or MASH, VCM, MAGS).",
    "route": "Optional. direct (the default) or panel.",
    "need_codes": "Optional. Presenting need codes separated by ';', e.g. PARENTING;ATTENDANCE.",
    "decision": "Optional. case_opened, signposted, nfa (no further action) or stepped_up.",
    "decision_date": "The date of the decision; required with signposted, nfa or stepped_up.",
    "case_opened": "The date the early help case opened; leave the case columns empty for a referral only.",
    "team": "With a case: the team's name as it is in this system.",
    "lead_professional": "Optional. The lead professional's username (empty: the case waits in the team's queue).",
    "level": "With a case: the rank of its level of need (e.g. 2).",
    "consent_date": "With a case: the date the family consented to early help (on or before opening).",
    "consent_given_by": "With a case: who consented, e.g. Mother.",
    "consent_method": "Optional. written (the default), verbal or electronic.",
    "closed_date": "Optional. The date the case closed.",
    "closure_reason": "With a closed case: the closure reason code, e.g. OUTCOMES_MET.",
    "judgement": "With a closed case: fully, partially or not_at_all (outcomes achieved).",
    "closure_summary": "Optional. The closure summary (default: 'Closed in the previous system').",
}
COLUMNS = list(COLUMN_HELP)
REQUIRED_COLUMNS = ["family_name", "postcode", "first_name", "last_name", "date_of_birth", "referral_received",
                    "source_code"]
CASE_COLUMNS = ["case_opened", "team", "lead_professional", "level", "consent_date", "consent_given_by",
                "consent_method", "closed_date", "closure_reason", "judgement", "closure_summary"]
# Columns that must agree between the rows of one referral (siblings referred together).
REFERRAL_COLUMNS = ["route", "need_codes", "decision", "decision_date", *CASE_COLUMNS]
MAX_ROWS = 10_000
DEFAULT_CLOSURE_SUMMARY = "Closed in the previous system (imported)."

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")
SEXES = {code for code, _ in SEX_CHOICES}
ETHNICITIES = {code for code, _ in ETHNICITY_CHOICES}
NON_CASE_DECISIONS = {Referral.Decision.SIGNPOSTED, Referral.Decision.NO_FURTHER_ACTION, Referral.Decision.STEPPED_UP}


@dataclass
class ImportRow:
    """One valid row of an import file, with the tenant's objects it names."""

    row: int
    cells: dict[str, str]
    family_key: tuple
    child_key: tuple
    date_of_birth: dt.date
    received: dt.date
    source: ReferralSource
    needs: list[PresentingNeed]
    decision: str = ""
    decision_date: dt.date | None = None
    opened: dt.date | None = None
    team: Team | None = None
    lead: Membership | None = None
    level: LevelOfNeed | None = None
    consent_date: dt.date | None = None
    closed: dt.date | None = None
    reason: ClosureReason | None = None

    def text(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass
class ImportSummary:
    families: int = 0
    children: int = 0
    referrals: int = 0
    re_referrals: int = 0
    decisions: int = 0
    cases: int = 0
    reopened: int = 0
    closed: int = 0


@dataclass
class ImportOutcome:
    problems: list[Problem] = field(default_factory=list)
    summary: ImportSummary | None = None
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and self.summary is not None


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def _postcode(text: str) -> str:
    return " ".join(text.split()).upper()


class _RowChecker:
    """Checks one row's cells, collecting problems against the row and column."""

    def __init__(self, row: int, cells: dict[str, str], problems: list[Problem], today: dt.date):
        self.row, self.cells, self.problems, self.today = row, cells, problems, today

    def problem(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.row, column, message))

    def required(self, column: str, what: str) -> str:
        value = self.cells.get(column, "")
        if not value:
            self.problem(column, f"{what} is missing")
        return value

    def date(self, column: str, what: str, *, required: bool = False, raw=None) -> dt.date | None:
        if isinstance(raw, dt.datetime):
            day = raw.date()
        elif isinstance(raw, dt.date):
            day = raw
        else:
            text = self.cells.get(column, "")
            if not text:
                if required:
                    self.problem(column, f"{what} is missing")
                return None
            text = text.split(" ")[0] if re.match(r"^\d{4}-\d{2}-\d{2} \d", text) else text
            day = None
            for pattern in DATE_FORMATS:
                try:
                    day = dt.datetime.strptime(text, pattern).date()
                    break
                except ValueError:
                    continue
            if day is None:
                self.problem(column, f'"{text}" is not a date like 2024-04-10 or 10/04/2024')
                return None
        if day > self.today:
            self.problem(column, f"{what} ({day:%d/%m/%Y}) is in the future")
            return None
        return day

    def before(self, earlier: dt.date | None, later: dt.date | None, column: str, message: str) -> None:
        if earlier is not None and later is not None and later < earlier:
            self.problem(column, message)


class _Lookups:
    """The tenant's lists, teams and members, keyed as an import file names them."""

    def __init__(self):
        self.sources = {s.code.upper(): s for s in ReferralSource.objects.all()}
        self.needs = {n.code.upper(): n for n in PresentingNeed.objects.all()}
        self.reasons = {r.code.upper(): r for r in ClosureReason.objects.all()}
        self.levels = {lvl.rank: lvl for lvl in LevelOfNeed.objects.all()}
        self.teams = {_normal(t.name): t for t in Team.objects.select_related("locality")}
        self.members = {m.user.username.casefold(): m
                        for m in Membership.objects.filter(is_active=True).select_related("user")}


def _check_row(number: int, raw: dict, lookups: _Lookups, problems: list[Problem], today: dt.date
               ) -> ImportRow | None:
    cells = {name: spreadsheets.unescape_cell(cell_text(value)) for name, value in raw.items()}
    check = _RowChecker(number, cells, problems, today)
    before = len(problems)
    family_name = check.required("family_name", "The family name")
    postcode = check.required("postcode", "The postcode")
    first = check.required("first_name", "The child's first name")
    last = check.required("last_name", "The child's last name")
    dob = check.date("date_of_birth", "The date of birth", required=True, raw=raw.get("date_of_birth"))
    if cells.get("sex") and cells["sex"].upper() not in SEXES:
        check.problem("sex", f'"{cells["sex"]}" is not M, F or U')
    if cells.get("ethnicity") and cells["ethnicity"].upper() not in ETHNICITIES:
        check.problem("ethnicity", f'"{cells["ethnicity"]}" is not a CIN census ethnicity code')

    received = check.date("referral_received", "The date the referral was received", required=True,
                          raw=raw.get("referral_received"))
    source_code = check.required("source_code", "The referral source code")
    source = lookups.sources.get(source_code.upper())
    if source_code and source is None:
        check.problem("source_code", f'"{source_code}" is not a referral source code here')
    route = cells.get("route", "").lower() or Referral.Route.DIRECT
    if route not in Referral.Route.values:
        check.problem("route", f'"{cells["route"]}" is not a route: use direct or panel')
    needs = []
    for code in filter(None, (c.strip() for c in re.split(r"[;,]", cells.get("need_codes", "")))):
        need = lookups.needs.get(code.upper())
        if need is None:
            check.problem("need_codes", f'"{code}" is not a presenting need code here')
        else:
            needs.append(need)

    decision = cells.get("decision", "").lower()
    decision_date = check.date("decision_date", "The decision date", raw=raw.get("decision_date"))
    if decision and decision not in Referral.Decision.values:
        check.problem("decision", f'"{cells["decision"]}" is not a decision: use case_opened, signposted, nfa '
                                  "or stepped_up")
    elif decision in NON_CASE_DECISIONS and not cells.get("decision_date"):
        check.problem("decision_date", "The decision date is missing")
    elif not decision and cells.get("decision_date"):
        check.problem("decision", "A decision date is given without the decision")
    check.before(received, decision_date, "decision_date", "The decision cannot be before the referral was received")

    row = ImportRow(row=number, cells=cells, family_key=(_normal(family_name), _normal(postcode)), child_key=(),
                    date_of_birth=dob, received=received, source=source, needs=needs, decision=decision,
                    decision_date=decision_date)
    has_case = any(cells.get(c) for c in CASE_COLUMNS)
    if has_case:
        _check_case(row, check, lookups, raw)
    elif decision == Referral.Decision.CASE_OPENED:
        check.problem("case_opened", "The decision is case_opened but the date the case opened is missing")
    row.child_key = (("id", cells["external_id"].casefold()) if cells.get("external_id")
                     else ("name", row.family_key, _normal(first), _normal(last), dob))
    return row if len(problems) == before else None


def _check_case(row: ImportRow, check: _RowChecker, lookups: _Lookups, raw: dict) -> None:
    cells = row.cells
    row.opened = check.date("case_opened", "The date the case opened", required=True, raw=raw.get("case_opened"))
    if row.decision and row.decision != Referral.Decision.CASE_OPENED:
        check.problem("decision", f'A referral decided "{row.decision}" cannot have a case: leave the case '
                                  "columns empty or make the decision case_opened")
    if row.decision == Referral.Decision.CASE_OPENED and row.decision_date and row.opened \
            and row.decision_date != row.opened:
        check.problem("decision_date", "The decision to open a case is dated the day the case opened")
    check.before(row.received, row.opened, "case_opened", "A case cannot open before its referral was received")
    team_name = check.required("team", "The team")
    row.team = lookups.teams.get(_normal(team_name))
    if team_name and row.team is None:
        check.problem("team", f'"{team_name}" is not a team here')
    username = cells.get("lead_professional", "")
    if username:
        row.lead = lookups.members.get(username.casefold())
        if row.lead is None:
            check.problem("lead_professional", f'"{username}" is not a member here')
        elif Capability.EDIT_CHILD_RECORDS not in capabilities_for(row.lead.role):
            check.problem("lead_professional", f'"{username}" is not a practitioner or manager here')
            row.lead = None
    rank = check.required("level", "The level of need")
    if rank:
        row.level = lookups.levels.get(int(rank)) if rank.isdigit() else None
        if row.level is None:
            ranks = ", ".join(map(str, lookups.levels))
            check.problem("level", f'"{rank}" is not a level of need here (the ranks are {ranks})')
    row.consent_date = check.date("consent_date", "The date of consent", required=True, raw=raw.get("consent_date"))
    check.before(row.consent_date, row.opened, "consent_date",
                 "Consent to early help must be given on or before the case opened")
    check.required("consent_given_by", "Who gave consent")
    method = cells.get("consent_method", "").lower()
    if method and method not in Consent.Method.values:
        check.problem("consent_method", f'"{cells["consent_method"]}" is not written, verbal or electronic')

    row.closed = check.date("closed_date", "The closing date", raw=raw.get("closed_date"))
    reason_code, judgement = cells.get("closure_reason", ""), cells.get("judgement", "").lower()
    if cells.get("closed_date"):
        check.before(row.opened, row.closed, "closed_date", "A case cannot close before it opened")
        if not reason_code:
            check.problem("closure_reason", "A closed case needs its closure reason")
        if not judgement:
            check.problem("judgement", "A closed case needs the judgement: fully, partially or not_at_all")
    else:
        if reason_code:
            check.problem("closed_date", "A closure reason is given but the closing date is missing")
        if judgement:
            check.problem("closed_date", "A judgement is given but the closing date is missing")
    if reason_code:
        row.reason = lookups.reasons.get(reason_code.upper())
        if row.reason is None:
            check.problem("closure_reason", f'"{reason_code}" is not a closure reason code here')
    if judgement and judgement not in Closure.Judgement.values:
        check.problem("judgement", f'"{cells["judgement"]}" is not fully, partially or not_at_all')
    if len(cells.get("closure_summary", "")) > limits.LONG_TEXT:
        check.problem("closure_summary", f"The closure summary is longer than {limits.LONG_TEXT:,} characters")


def _check_across_rows(rows: list[ImportRow], problems: list[Problem]) -> dict:
    """Identity, duplicates, sibling rows of one referral, overlapping cases, and records already here.
    Returns the existing children the file names by external id."""
    children: dict[tuple, ImportRow] = {}
    referrals: dict[tuple, ImportRow] = {}
    groups: dict[tuple, ImportRow] = {}
    for row in rows:
        first = children.setdefault(row.child_key, row)
        if first is not row and (
            (_normal(first.text("first_name")), _normal(first.text("last_name")), first.date_of_birth, first.family_key)
            != (_normal(row.text("first_name")), _normal(row.text("last_name")), row.date_of_birth, row.family_key)
        ):
            problems.append(Problem(row.row, "external_id", f'The external id "{row.text("external_id")}" is given '
                                                            f"on row {first.row} for another child or family"))
            continue
        key = (row.child_key, row.received, row.source.pk)
        if key in referrals:
            problems.append(Problem(row.row, "", f"Duplicate row: row {referrals[key].row} already gives this "
                                                 "child's referral of that date and source"))
            continue
        referrals[key] = row
        group = groups.setdefault((row.family_key, row.received, row.source.pk), row)
        if group is not row:
            for column in REFERRAL_COLUMNS:
                if _normal(group.text(column)) != _normal(row.text(column)):
                    problems.append(Problem(row.row, column, f"Differs from row {group.row}, the same referral "
                                                             "(same family, date received and source)"))
    # One open case at a time per family.
    by_family = defaultdict(list)
    for row in groups.values():
        if row.opened:
            by_family[row.family_key].append(row)
    for cases in by_family.values():
        cases.sort(key=lambda r: (r.opened, r.row))
        for earlier, later in zip(cases, cases[1:], strict=False):
            if earlier.closed is None or earlier.closed > later.opened:
                problems.append(Problem(later.row, "case_opened", f"The family's case of row {earlier.row} is still "
                                                                  f"open on {later.opened:%d/%m/%Y}"))
    # Children already in the system, named by external id.
    ids = {row.text("external_id") for row in rows if row.text("external_id")}
    existing = {p.local_id.casefold(): p for p in Person.objects.filter(local_id__in=ids, kind=Person.Kind.CHILD)
                .select_related("family")}
    for row in rows:
        person = existing.get(row.text("external_id").casefold()) if row.text("external_id") else None
        if person is None:
            continue
        if (_normal(person.first_name), _normal(person.last_name), person.date_of_birth) != (
                _normal(row.text("first_name")), _normal(row.text("last_name")), row.date_of_birth):
            problems.append(Problem(row.row, "external_id", f'The external id "{row.text("external_id")}" belongs to '
                                                            "another child already recorded here"))
        elif Referral.objects.filter(children=person, received_on=row.received, source=row.source).exists():
            problems.append(Problem(row.row, "referral_received", "This child's referral of that date and source is "
                                                                  "already recorded (was the file imported before?)"))
    return existing


def case_records_import(*, data: bytes, filename: str, by, today: dt.date | None = None,
                        progress: Callable[[int], None] | None = None) -> ImportOutcome:
    """Read, check in full and — only when the whole file is valid — store a previous system's referrals and
    cases. Runs in the tenant's context; returns the problems (row and column) or a summary of what was made.
    ``progress``, if given, is told how far the import has got (a percentage, for the background job's page).

    ``by`` needs ``cases.import``; the referrals, cases and closures are then recorded as ``by`` through the
    casework services (``cases.edit`` lent for the import: a tenant administrator imports, but keeps no cases)."""
    require(by, Capability.IMPORT_CASE_RECORDS)
    tenant = check_one_tenant()
    report = progress or (lambda percent: None)
    read = spreadsheets.read_upload(data, filename, columns=COLUMNS, required_columns=REQUIRED_COLUMNS,
                                    max_rows=MAX_ROWS, no_rows_message="The file has no rows of referrals")
    if read.problems:
        return ImportOutcome(problems=read.problems)
    report(15)
    today = today or dt.date.today()
    lookups = _Lookups()
    problems: list[Problem] = []
    rows = [r for number, raw in read.rows if (r := _check_row(number, raw, lookups, problems, today))]
    report(30)
    existing = _check_across_rows(rows, problems)  # on the rows that are valid on their own
    if problems:
        return ImportOutcome(problems=sorted(problems, key=lambda p: p.row), rows=len(read.rows))
    report(40)
    with transaction.atomic(), granted(by, Capability.IMPORT_CASE_RECORDS, Capability.EDIT_CHILD_RECORDS):
        summary = _write(rows, existing, by, problems, progress=lambda done: report(40 + 55 * done // len(rows)))
        if problems:
            transaction.set_rollback(True)
            return ImportOutcome(problems=sorted(problems, key=lambda p: p.row), rows=len(read.rows))
        record_event(action="cases.imported", by=by, tenant=tenant,
                     detail={"filename": filename[:200], "rows": len(rows), **summary.__dict__})
        # A large load (a council's first import) changes these tables' sizes at once: fresh planner statistics
        # after the commit, so the next statements are not planned for the old size (docs/scaling.md).
        analyze_after_load(*_LOADED, rows=len(rows))
    return ImportOutcome(summary=summary, rows=len(rows))


# The tables an import writes (through the referral, consent, case and closure services).
_LOADED = (Family, FamilyAddress, Person, LinkedIdentifier, Referral, Referral.children.through,
           Referral.presenting_needs.through, Consent, Case, Case.children.through, Closure)


# Order of the events of one day: a closure before a new opening (so a case can close and the family's next
# open the same day), a referral before its decision, consent before the opening it allows.
_CLOSE_FIRST, _REFERRAL, _DECISION, _CONSENT, _OPEN, _CLOSE_SAME_DAY = range(6)


def _write(rows: list[ImportRow], existing: dict, by, problems: list[Problem], progress=None) -> ImportSummary:
    summary = ImportSummary()
    families: dict[tuple, Family] = {}
    people: dict[tuple, Person] = {}
    for row in rows:
        person = existing.get(row.text("external_id").casefold()) if row.text("external_id") else None
        if person is not None:
            families.setdefault(row.family_key, person.family)
            people[row.child_key] = person
    groups: dict[tuple, list[ImportRow]] = {}
    for row in rows:
        groups.setdefault((row.family_key, row.received, row.source.pk), []).append(row)

    events = []
    for members in groups.values():
        row = members[0]
        events.append((row.received, _REFERRAL, row.row, "referral", members))
        if row.decision in NON_CASE_DECISIONS:
            events.append((row.decision_date, _DECISION, row.row, "decision", members))
        if row.opened:
            # Consent given before the referral arrived is recorded once the referral (and family) exist.
            events.append((max(row.consent_date, row.received), _CONSENT, row.row, "consent", members))
            events.append((row.opened, _OPEN, row.row, "open", members))
        if row.closed:
            order = _CLOSE_SAME_DAY if row.closed == row.opened else _CLOSE_FIRST
            events.append((row.closed, order, row.row, "close", members))
    events.sort(key=lambda e: e[:3])
    referrals, cases, failed = {}, {}, set()
    columns = {"referral": "referral_received", "decision": "decision", "consent": "consent_date",
               "open": "case_opened", "close": "closed_date"}
    for index, (_day, _order, number, kind, members) in enumerate(events):
        if progress and index % 100 == 0:
            progress(index * len(rows) // len(events))
        if number in failed:
            continue
        row = members[0]
        try:
            with transaction.atomic():
                if kind == "referral":
                    recorded = referral_record(household=_household(members, families, people),
                                               received_on=row.received, source=row.source,
                                               route=row.text("route").lower() or Referral.Route.DIRECT,
                                               presenting_needs=row.needs, by=by)
                    referral = recorded.referral
                    families[row.family_key] = recorded.family
                    for member, child in zip(members, recorded.children, strict=True):
                        people[member.child_key] = child
                    referrals[number] = referral
                    summary.families += recorded.family_created
                    summary.children += len(recorded.created)
                    summary.referrals += 1
                    summary.re_referrals += referral.is_re_referral
                elif kind == "decision":
                    referral_decide(referral=referrals[number], decision=row.decision,
                                    decided_on=row.decision_date, by=by)
                    summary.decisions += 1
                elif kind == "consent":
                    family = families[row.family_key]
                    position = consent_position(family=family, on=row.consent_date)
                    if not (position.early_help_given and position.early_help.decided_on == row.consent_date):
                        consent_record(family=family, scope=Consent.Scope.EARLY_HELP, status=Consent.Status.GIVEN,
                                       decided_on=row.consent_date, given_by=row.text("consent_given_by"),
                                       method=row.text("consent_method").lower() or Consent.Method.WRITTEN,
                                       referral=referrals[number], by=by)
                elif kind == "open":
                    case = case_open(referral=referrals[number], team=row.team, level_of_need=row.level,
                                     lead_professional=row.lead.user if row.lead else None, opened_on=row.opened,
                                     by=by)
                    cases[number] = case
                    summary.cases += 1
                    summary.reopened += case.is_reopened
                else:
                    case_close(case=cases[number], closed_on=row.closed, reason=row.reason,
                               judgement=row.text("judgement").lower(),
                               summary=row.text("closure_summary") or DEFAULT_CLOSURE_SUMMARY,
                               check_evidence=False, by=by)  # the previous system's closure, as recorded
                    summary.closed += 1
        except ValidationError as error:
            failed.add(number)
            problems.append(Problem(number, columns[kind], " ".join(error.messages)))
    return summary


def _household(members: list[ImportRow], families: dict, people: dict) -> FamilyReferral:
    """The referral of sibling rows: children already met (earlier rows, or by external id) or new, in the family
    met before or a new one named by the first row."""
    row = members[0]
    children = []
    for member in members:
        known = people.get(member.child_key)
        children.append(ChildEntry(person=known) if known is not None else ChildEntry(new=NewPerson(
            first_name=member.text("first_name"), last_name=member.text("last_name"),
            date_of_birth=member.date_of_birth, sex=member.text("sex").upper() or "U",
            ethnicity=member.text("ethnicity").upper() or "NOBT", postcode=_postcode(member.text("postcode")),
            local_id=member.text("external_id"))))
    family = families.get(row.family_key)
    entry = FamilyEntry(family=family) if family is not None else FamilyEntry(name=row.text("family_name"),
                                                                              postcode=row.text("postcode"))
    return FamilyReferral(children=children, family=entry)
