"""Precision and recall of the duplicate suggester on fictional people with planted duplicates.

``measure`` creates a throwaway council with ``people`` fictional people (Faker, en_GB; 30% of them a brother or
sister of the person before, same surname and postcode, some twins) and ``planted`` copies of
some of them, each copy changed the way records go wrong: a typing slip in a name, a nickname, the day and
month or two digits of the date of birth swapped, a new postcode, a missing date of birth. It runs
:func:`cases.duplicates.duplicate_pairs` at several thresholds, counts true and false positives against the
planted pairs, and rolls everything back. Used by ``manage.py duplicates_benchmark`` and a test."""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
from dataclasses import dataclass

from django.db import transaction
from faker import Faker

from earlyhelp.models import Tenant
from earlyhelp.tenancy import tenant_context

from . import duplicates
from .models import Family, Person

# Test data: common English nicknames (the generator writes some duplicates with one).
NICKNAMES = {
    "William": "Bill", "Robert": "Bob", "Elizabeth": "Liz", "Margaret": "Maggie", "Katherine": "Kate",
    "Catherine": "Cathy", "Thomas": "Tom", "James": "Jim", "Joseph": "Joe", "Michael": "Mike",
    "Daniel": "Dan", "Samuel": "Sam", "Jessica": "Jess", "Rebecca": "Becky", "Alexander": "Alex",
    "Christopher": "Chris", "Matthew": "Matt", "Benjamin": "Ben", "Charlotte": "Lottie", "Victoria": "Vicky",
    "Jennifer": "Jenny", "Nicholas": "Nick", "Anthony": "Tony", "Edward": "Ed", "Abigail": "Abby",
}
VARIATIONS = ("name typo", "nickname", "date of birth swapped", "moved postcode", "no date of birth",
              "surname typo and date swapped")


class _RollBack(Exception):
    pass


@dataclass
class Measured:
    threshold: float
    true_positives: int
    false_positives: int
    planted: int
    found_by_variation: dict
    planted_by_variation: dict

    @property
    def precision(self) -> float | None:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else None

    @property
    def recall(self) -> float | None:
        return self.true_positives / self.planted if self.planted else None


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 3:
        return word + word[-1]
    i = rng.randrange(1, len(word) - 1)
    how = rng.choice(("swap", "drop", "double", "replace"))
    if how == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if how == "drop":
        return word[:i] + word[i + 1:]
    if how == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice("aeiouy") + word[i + 1:]


def _swap_date(rng: random.Random, day: dt.date) -> dt.date:
    if day.day <= 12 and day.day != day.month and rng.random() < 0.5:
        return day.replace(month=day.day, day=day.month)
    text = day.strftime("%Y%m%d")
    for _ in range(20):
        i = rng.choice((2, 3, 6))  # year digits or the day's digits
        swapped = text[:i] + text[i + 1] + text[i] + text[i + 2:]
        try:
            candidate = dt.datetime.strptime(swapped, "%Y%m%d").date()
        except ValueError:
            continue
        if candidate != day:
            return candidate
    return day + dt.timedelta(days=1)


def _copy(rng: random.Random, fake: Faker, person: dict, variation: str) -> dict:
    copy = dict(person)
    if variation == "name typo":
        copy["first_name"] = _typo(rng, copy["first_name"])
    elif variation == "nickname":
        copy["first_name"] = NICKNAMES.get(copy["first_name"], _typo(rng, copy["first_name"]))
    elif variation == "date of birth swapped":
        copy["date_of_birth"] = _swap_date(rng, copy["date_of_birth"])
    elif variation == "moved postcode":
        copy["postcode"] = fake.postcode()
    elif variation == "no date of birth":
        copy["date_of_birth"] = None
    else:
        copy["last_name"] = _typo(rng, copy["last_name"])
        copy["date_of_birth"] = _swap_date(rng, copy["date_of_birth"])
    return copy


def measure(*, people: int, planted: int, seed: int = 2026,
            thresholds=(0.6, 0.7, duplicates.SUGGEST_AT, 0.8, 0.9)) -> tuple[list[Measured], float]:
    """Precision and recall at each threshold, and the seconds the pair search took at the lowest one."""
    rng = random.Random(seed)
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    originals = []
    nicknamed = list(NICKNAMES)
    for _ in range(people):
        male = rng.random() < 0.5
        first = (rng.choice(nicknamed) if rng.random() < 0.15 else
                 fake.first_name_male() if male else fake.first_name_female())
        person = {"first_name": first, "last_name": fake.last_name(),
                  "date_of_birth": fake.date_between(dt.date(2006, 1, 1), dt.date(2024, 12, 31)),
                  "postcode": fake.postcode()}
        if originals and rng.random() < 0.3:  # a brother or sister: same surname and home (5% of them twins)
            older = originals[-1]
            twin = rng.random() < 0.05
            person.update(last_name=older["last_name"], postcode=older["postcode"], date_of_birth=(
                older["date_of_birth"] if twin else older["date_of_birth"] + dt.timedelta(days=rng.randint(300, 2500))))
        originals.append(person)
    copies = []
    for n, index in enumerate(rng.sample(range(people), planted)):
        variation = VARIATIONS[n % len(VARIATIONS)]
        copies.append((index, variation, _copy(rng, fake, originals[index], variation)))
    results: list[Measured] = []
    seconds = 0.0
    try:
        with transaction.atomic():
            tag = uuid.uuid4().hex[:8]
            tenant = Tenant.objects.create(name=f"Benchmark {tag}", slug=f"bench-{tag}")
            with tenant_context(tenant):
                family = Family.objects.create(name="Benchmark households")
                rows = Person.objects.bulk_create(
                    [Person(tenant=tenant, family=family, **p) for p in originals]
                    + [Person(tenant=tenant, family=family, **c) for _, _, c in copies])
                ids = [r.pk for r in rows]
                truth = {}
                for n, (index, variation, _) in enumerate(copies):
                    pair = tuple(sorted((ids[index], ids[people + n])))
                    truth[pair] = variation
                started = time.perf_counter()
                pairs = duplicates.duplicate_pairs(at_least=min(thresholds), limit=None, include_dismissed=True)
                seconds = time.perf_counter() - started
                for threshold in thresholds:
                    found = {tuple(sorted((m.person.pk, m.other.pk))) for m in pairs if m.score >= threshold}
                    hits = found & set(truth)
                    by_variation = {v: sum(1 for p in hits if truth[p] == v) for v in VARIATIONS}
                    results.append(Measured(
                        threshold=threshold, true_positives=len(hits), false_positives=len(found - set(truth)),
                        planted=len(truth), found_by_variation=by_variation,
                        planted_by_variation={v: sum(1 for t in truth.values() if t == v) for v in VARIATIONS}))
            raise _RollBack
    except _RollBack:
        pass
    return results, seconds
