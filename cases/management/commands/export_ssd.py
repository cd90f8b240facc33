"""``manage.py export_ssd --tenant SLUG --output DIR``: the council's Standard Safeguarding Dataset early help
tables, ``ssd_early_help_episodes.csv`` and ``ssd_linked_identifiers.csv`` (docs/statutory-exports.md)."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand

from cases.statutory.command import audit_export, tenant_by_slug
from cases.statutory.ssd import ssd_write
from earlyhelp.tenancy import tenant_context


class Command(BaseCommand):
    help = "Write one council's SSD early help episodes and linked identifiers as CSV files into a directory."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="The council's slug: only its records are read.")
        parser.add_argument("--output", required=True, type=Path, help="The directory to write the two files into.")

    def handle(self, *args, tenant, output, **options):
        started = time.monotonic()
        council = tenant_by_slug(tenant)
        with tenant_context(council):
            counts = ssd_write(output)
            audit_export("export_ssd", kind="ssd", output=output, records=sum(counts.values()), started=started,
                         rows=counts)
        rows = ", ".join(f"{name}: {count}" for name, count in counts.items())
        self.stdout.write(f"{council.slug}: {rows}; written to {output} in {time.monotonic() - started:.1f} s")
