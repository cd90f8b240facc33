"""Prove the seeded demo works: sign in as demo users and load their tenant's home page.

Used by ``make demo-check`` in CI so the demo path cannot rot.
"""

from django.core.management.base import BaseCommand, CommandError
from django.test import Client

from earlyhelp.demo import DEMO_TENANTS, SHARED_USER


class Command(BaseCommand):
    help = "Sign in as demo users through the test client and check each tenant's home page."

    def add_arguments(self, parser):
        parser.add_argument("--password", required=True)

    def handle(self, *args, password, **options):
        checked = 0
        for spec in DEMO_TENANTS:
            for role in ("practitioner", "admin", "officer"):
                username = f"{spec.prefix}.{role}"
                client = Client()
                response = client.post("/accounts/login/", {"username": username, "password": password}, follow=True)
                if response.status_code != 200 or spec.name not in response.content.decode():
                    raise CommandError(f"{username}: home page did not show {spec.name} ({response.status_code})")
                checked += 1
        client = Client()
        client.post("/accounts/login/", {"username": SHARED_USER, "password": password})
        names = client.get("/").content.decode()
        if not all(spec.name in names for spec in DEMO_TENANTS):
            raise CommandError(f"{SHARED_USER} cannot see both tenants in the switcher")
        self.stdout.write(self.style.SUCCESS(f"demo-check: {checked + 1} signed-in pages OK"))
