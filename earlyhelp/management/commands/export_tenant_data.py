"""Export everything one tenant holds as a zip of CSV files: ``manage.py export_tenant_data SLUG --output x.zip``."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from earlyhelp.audit import record_event
from earlyhelp.models import Tenant
from earlyhelp.tenancy import tenant_context
from earlyhelp.tenant_export import tenant_export_zip


class Command(BaseCommand):
    help = "Write one tenant's data (every table, its members, its files) to a zip of CSV files with a manifest."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the tenant's slug")
        parser.add_argument("--output", required=True, help="the zip file to write")
        parser.add_argument("--without-files", action="store_true", help="leave uploaded and generated files out")

    def handle(self, *args, slug, output, without_files=False, **options):
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            raise CommandError(f"No tenant with slug {slug!r}.")
        with open(output, "wb") as out, tenant_context(tenant):
            manifest = tenant_export_zip(out=out, include_files=not without_files)
            rows = sum(t["rows"] for t in manifest["tables"].values())
            record_event(action="tenant.exported", actor_label="manage.py export_tenant_data",
                         detail={"file": output, "rows": rows, "files": manifest["files"]})
        self.stdout.write(f"{slug}: {len(manifest['tables'])} tables, {rows} rows, {manifest['files']} files "
                          f"written to {output}")
