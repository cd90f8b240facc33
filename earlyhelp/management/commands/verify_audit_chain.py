"""Check every tenant's audit hash chain: an edited, removed or inserted row is reported (exit status 1)."""

from django.core.management.base import BaseCommand, CommandError

from earlyhelp.audit import verify_chain
from earlyhelp.models import Tenant
from earlyhelp.tenancy import tenant_context


class Command(BaseCommand):
    help = "Verify the audit log's hash chain for every tenant (or one, with --tenant SLUG)."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", help="slug of one tenant")

    def handle(self, *args, tenant=None, **options):
        tenants = Tenant.objects.filter(slug=tenant) if tenant else Tenant.objects.all()
        if tenant and not tenants.exists():
            raise CommandError(f"No tenant with slug {tenant!r}.")
        failures = 0
        for each in tenants:
            with tenant_context(each):
                checked, breaks = verify_chain(each)
            for item in breaks:
                self.stdout.write(self.style.ERROR(f"{each.slug}: audit event {item.event_id} {item.problem}"))
            failures += len(breaks)
            self.stdout.write(f"{each.slug}: {checked} events checked, {len(breaks)} problems")
        if failures:
            raise CommandError(f"The audit log has {failures} problem(s).")
        self.stdout.write(self.style.SUCCESS("The audit log is intact."))
