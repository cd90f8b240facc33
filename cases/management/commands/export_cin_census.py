"""``manage.py export_cin_census --tenant SLUG --year 2026 --la-number 926 --output FILE``: the council's children in
need census (2025/26 for ``--year 2026``) as XML, valid against that year's XSD (docs/statutory-exports.md)."""

from __future__ import annotations

import time
from argparse import BooleanOptionalAction
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.statutory.cin_census import CensusError, census_write
from cases.statutory.command import audit_export, tenant_by_slug
from earlyhelp.tenancy import tenant_context


class Command(BaseCommand):
    help = "Write one council's CIN census XML (its section 17 episodes), checked against the year's XSD."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="The council's slug: only its records are read.")
        parser.add_argument("--year", required=True, type=int,
                            help="The census year, named by its 31 March: 2026 is 1 April 2025 to 31 March 2026.")
        parser.add_argument("--la-number", required=True, help="The council's three-digit DfE LA number (<LEA>).")
        parser.add_argument("--output", required=True, type=Path, help="The XML file to write.")
        parser.add_argument("--module5", action=BooleanOptionalAction, default=None,
                            help="Add the provisional 2026/27 Module 5 (default: the CIN_CENSUS_MODULE5 setting).")

    def handle(self, *args, tenant, year, la_number, output, module5, **options):
        started = time.monotonic()
        council = tenant_by_slug(tenant)
        with tenant_context(council):
            try:
                outcome = census_write(output, year=year, la_number=la_number, module5=module5)
            except CensusError as error:
                raise CommandError(str(error)) from error
            audit_export("export_cin_census", kind="cin_census", output=output, records=outcome.episodes,
                         started=started, year=year, children=outcome.children, schema=outcome.schema,
                         module5_blocks=outcome.module5_blocks)
        for problem in outcome.problems:
            self.stderr.write(f"warning: {problem}")
        self.stdout.write(f"{council.slug}: {outcome.children} children, {outcome.episodes} section 17 episodes "
                          f"({outcome.module5_blocks} with Module 5) valid against {outcome.schema}, "
                          f"written to {output} in {time.monotonic() - started:.1f} s")
