"""Precision and recall of the duplicate suggester on fictional people with planted duplicates (nothing is
kept): ``manage.py duplicates_benchmark --people 2000 --planted 200``."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from cases.duplicates_benchmark import VARIATIONS, measure


def _pct(value):
    return "—" if value is None else f"{value * 100:.1f}%"


class Command(BaseCommand):
    help = "Measure the precision and recall of the duplicate suggester on a seeded set of fictional people."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=2000)
        parser.add_argument("--planted", type=int, default=200)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *, people, planted, seed, **options):
        if not 0 < planted <= people:
            self.stderr.write("--planted must be between 1 and --people.")
            return
        results, seconds = measure(people=people, planted=planted, seed=seed)
        self.stdout.write(f"{people} people, {planted} planted duplicates (seed {seed}); "
                          f"pair search {seconds:.2f} s")
        self.stdout.write("| threshold | flagged | true positives | false positives | precision | recall |")
        self.stdout.write("| --- | --- | --- | --- | --- | --- |")
        for r in results:
            self.stdout.write(f"| {r.threshold} | {r.true_positives + r.false_positives} | {r.true_positives} | "
                              f"{r.false_positives} | {_pct(r.precision)} | {_pct(r.recall)} |")
        self.stdout.write("\nFound at each threshold, by kind of planted error (found / planted):")
        self.stdout.write("| kind | " + " | ".join(str(r.threshold) for r in results) + " |")
        self.stdout.write("| --- |" + " --- |" * len(results))
        for v in VARIATIONS:
            cells = " | ".join(f"{r.found_by_variation[v]}/{r.planted_by_variation[v]}" for r in results)
            self.stdout.write(f"| {v} | {cells} |")
