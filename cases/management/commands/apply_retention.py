"""Apply (or, with --dry-run, only count) each tenant's retention rule: ``manage.py apply_retention --dry-run``."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from cases.services.retention import retention_apply, retention_rule
from earlyhelp.models import Tenant
from earlyhelp.tenancy import tenant_context


class Command(BaseCommand):
    help = "Anonymise or delete families whose retention period has ended (per tenant); --dry-run writes nothing."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", help="The tenant's slug (default: every tenant).")
        parser.add_argument("--dry-run", action="store_true", help="Count what would be done; change nothing.")
        parser.add_argument("--today", type=dt.date.fromisoformat, help="Apply the rule as on this date (YYYY-MM-DD).")

    def handle(self, *args, tenant=None, dry_run=False, today=None, **options):
        tenants = Tenant.objects.order_by("slug")
        if tenant:
            tenants = tenants.filter(slug=tenant)
            if not tenants.exists():
                raise CommandError(f"No tenant with the slug {tenant!r}")
        for row in tenants:
            with tenant_context(row):
                outcome = retention_apply(today=today, dry_run=dry_run, by=retention_rule(row))
            self.stdout.write(f"{row.slug}: {json.dumps(outcome.summary(), sort_keys=True)}")
