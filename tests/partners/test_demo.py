"""The demo shows working with partners: a register, an agreement ending soon, a partner practitioner on a case
and a request for support in the provider user's queue — checked as demo_check does, as the demo users."""

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.test import Client

from cases import demo_partners
from earlyhelp.models import Tenant, User
from earlyhelp.sharing.models import PartnerOrganisation, SharingAgreement
from earlyhelp.tenancy import tenant_context


def test_the_demo_shows_partners_to_each_demo_user(db):
    output = StringIO()
    call_command("seed_demo", password="demo-check-passphrase", stdout=output)
    assert "nb.partner" in output.getvalue()
    tenant = Tenant.objects.get(slug="northbridge")
    with tenant_context(tenant):
        assert PartnerOrganisation.objects.count() == 3
        assert SharingAgreement.objects.get().in_force_on(dt.date.today())

    def sign_in(role):
        client = Client()
        client.force_login(User.objects.get(username=f"nb.{role}"))
        return client

    assert demo_partners.check(tenant, sign_in) == []
    call_command("seed_demo", stdout=StringIO())  # idempotent
    with tenant_context(tenant):
        assert PartnerOrganisation.objects.count() == 3
