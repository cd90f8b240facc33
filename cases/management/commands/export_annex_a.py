"""``manage.py export_annex_a --tenant SLUG --output FILE [--start D --end D]``: the council's Ofsted Annex A
list 2 (children with an early help assessment in the period; default the twelve months to today) as XLSX."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cases.statutory.annex_a import annex_a_write, default_period
from cases.statutory.command import audit_export, tenant_by_slug
from earlyhelp.tenancy import tenant_context


class Command(BaseCommand):
    help = "Write one council's Ofsted Annex A list 2 (early help assessments) as an XLSX workbook."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="The council's slug: only its records are read.")
        parser.add_argument("--output", required=True, type=Path, help="The .xlsx file to write.")
        parser.add_argument("--start", type=dt.date.fromisoformat, help="First day of the period (YYYY-MM-DD).")
        parser.add_argument("--end", type=dt.date.fromisoformat, help="Last day of the period (default: today).")

    def handle(self, *args, tenant, output, start=None, end=None, **options):
        started = time.monotonic()
        council = tenant_by_slug(tenant)
        end = end or timezone.localdate()
        start = start or default_period(end)[0]
        if start > end:
            raise CommandError("--start must be on or before --end.")
        with tenant_context(council):
            rows = annex_a_write(output, start=start, end=end)
            audit_export("export_annex_a", kind="annex_a", output=output, records=rows, started=started,
                         start=start.isoformat(), end=end.isoformat())
        self.stdout.write(f"{council.slug}: {rows} rows (assessments {start:%d/%m/%Y} to {end:%d/%m/%Y}) written to "
                          f"{output} in {time.monotonic() - started:.1f} s")
