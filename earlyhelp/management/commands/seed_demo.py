"""Build the demo: two fictional local authorities with a user for every role, then each app's demo data."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from earlyhelp.demo import app_demo_modules, seed_platform
from earlyhelp.tenancy import platform_context, tenant_context


class Command(BaseCommand):
    help = "Create the demo tenants, users and data (idempotent; prints new passwords once)."

    def add_arguments(self, parser):
        parser.add_argument("--password", help="Set every demo user's password to this (tests, demo-check).")

    def handle(self, *args, password=None, **options):
        with transaction.atomic(), platform_context():
            result = seed_platform(password=password)
        for tenant in result.tenants:
            for module in app_demo_modules():
                seed = getattr(module, "seed", None)
                if seed is None:
                    continue
                with tenant_context(tenant):
                    seed(tenant, result.users_by_tenant[tenant.slug])
                self.stdout.write(f"  {tenant.name}: {module.__name__.split('.')[0]} demo data ready")
        self.stdout.write(self.style.SUCCESS("Demo tenants: " + ", ".join(t.name for t in result.tenants)))
        if result.new_passwords:
            self.stdout.write("\nDemo users (passwords are shown this once):")
            for username, pw in sorted(result.new_passwords.items()):
                self.stdout.write(f"  {username:<22} {pw}")
            self.stdout.write("\n'shared.officer' belongs to both authorities and can switch between them.")
        else:
            self.stdout.write("Demo users already exist; their passwords were printed when first created. "
                              "Run `manage.py seed_demo --password ...` to set new ones.")
