"""Check every tenant's audit hash chain against its keyed hashes and its checkpoints: an edited, forged,
removed or inserted row, or removed newest rows up to the last checkpoint, is reported (exit status 1)."""

from django.core.management.base import BaseCommand, CommandError

from earlyhelp.audit_checkpoints import checkpoint_write
from earlyhelp.audit_verify import verify_audit_log
from earlyhelp.models import Tenant
from earlyhelp.tenancy import tenant_context


class Command(BaseCommand):
    help = ("Verify the audit log's hash chain for every tenant (or one, with --tenant SLUG) against the keyed "
            "hashes and the checkpoints kept outside the database; --checkpoint writes a checkpoint after an "
            "intact verification.")

    def add_arguments(self, parser):
        parser.add_argument("--tenant", help="slug of one tenant")
        parser.add_argument("--checkpoint", action="store_true",
                            help="write a signed checkpoint of each intact chain's head")

    def handle(self, *args, tenant=None, checkpoint=False, **options):
        tenants = Tenant.objects.filter(slug=tenant) if tenant else Tenant.objects.all()
        if tenant and not tenants.exists():
            raise CommandError(f"No tenant with slug {tenant!r}.")
        failures = 0
        for each in tenants:
            with tenant_context(each):
                result = verify_audit_log(each)
                if checkpoint and result.intact:
                    checkpoint_write(tenant=each, reason="verify_audit_chain --checkpoint")
            for item in result.breaks:
                self.stdout.write(self.style.ERROR(f"{each.slug}: audit event {item.event_id}: {item.problem}"))
            failures += len(result.breaks)
            last = result.last_checkpoint
            against = (f"; checked against {result.checkpoints} checkpoint(s), the last of {last['written_at']} "
                       f"at event {last['last_event_id']}" if last else "; no checkpoint yet")
            self.stdout.write(f"{each.slug}: {result.checked} events checked, {len(result.breaks)} problems"
                              f"{against}")
        if failures:
            raise CommandError(f"The audit log is not intact: {failures} problem(s).")
        self.stdout.write(self.style.SUCCESS("The audit log is intact."))
