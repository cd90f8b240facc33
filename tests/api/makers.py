"""Objects of one tenant for the API tests, made through the apps' services inside the tenant's context.

Each maker takes ``(tenant, client)``: ``client`` is the API client the object should count as sent by (for
"own submissions" endpoints) and may be ignored.
"""

from __future__ import annotations

import datetime as dt
import itertools

from django.core.files.base import ContentFile

from cases import services as case_services
from cases.models import ReferralSource
from commissioning import services as commissioning_services
from commissioning.models import KpiKind, KpiReturn
from earlyhelp.api.services import api_submission_record
from earlyhelp.models import Membership
from earlyhelp.periods import Quarter
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from reporting import services as reporting_services
from reporting.models import ReportRun
from tests.factories import MembershipFactory, TeamFactory, acting

Q1_2014 = Quarter(2014, 1)
PDF_BYTES = b"%PDF-1.4\n% a test PDF\n%%EOF\n"
_numbers = itertools.count(1)


def user_of(tenant, role=Role.PRACTITIONER):
    return MembershipFactory(tenant=tenant, role=role).user


def membership(tenant, role):
    return Membership.all_tenants.get(user=user_of(tenant, role), tenant=tenant)


def team(tenant, client=None):
    return TeamFactory(tenant=tenant)


def child(tenant, client=None, *, first="Ada", last="Ashby"):
    with tenant_context(tenant):
        case_services.tenant_defaults_ensure(tenant=tenant)
        family = case_services.family_create(name=f"{last} family", postcode="NB1 1AA", by=acting())
        return case_services.person_create(family=family, first_name=first, last_name=last,
                                           date_of_birth=dt.date(2015, 3, 1), by=acting())


def referral(tenant, client=None):
    kid = child(tenant)
    with tenant_context(tenant):
        made = case_services.referral_create(children=[kid], received_on=dt.date(2024, 4, 10),
                                             source=ReferralSource.objects.get(code="2A"), by=acting())
        api_submission_record(client=client, obj=made)
    return made


def case(tenant, client=None, *, opened_on=dt.date(2024, 4, 20)):
    made = referral(tenant)
    lead = user_of(tenant)
    with tenant_context(tenant):
        from cases.models import LevelOfNeed
        from cases.tests.helpers import consent

        consent(made.children.first().family, on=made.received_on)
        return case_services.case_open(referral=made, lead_professional=lead, team=TeamFactory(tenant=tenant),
                                       level_of_need=LevelOfNeed.objects.get(rank=2), opened_on=opened_on, by=acting())


def family(tenant, client=None):
    return case(tenant).family


def person(tenant, client=None):
    return child(tenant)


def service(tenant, client=None):
    """A commissioned service with a count, a mean and an outcome measure (codes as in the return tests)."""
    by = membership(tenant, Role.COMMISSIONER)
    number = next(_numbers)
    with tenant_context(tenant):
        provider = commissioning_services.provider_create(by=by, name=f"Women's Aid {number}")
        made = commissioning_services.service_create(by=by, name=f"STEPS {number}", provider=provider)
        commissioning_services.kpi_define(by=by, service=made, code="referrals", label="Referrals received",
                                          kind=KpiKind.OUTPUT_COUNT, valid_from=Q1_2014)
        commissioning_services.kpi_define(by=by, service=made, code="waiting-days", label="Mean waiting (days)",
                                          kind=KpiKind.MEAN, valid_from=Q1_2014, higher_is_better=False)
        commissioning_services.kpi_define(by=by, service=made, code="feeling-safer", label="Feeling safer",
                                          kind=KpiKind.OUTCOME, valid_from=Q1_2014, target=80)
    return made


def kpi_return(tenant, client=None):
    made = service(tenant)
    with tenant_context(tenant):
        return KpiReturn.objects.create(service=made, fy_start_year=2014, quarter_number=1)


def report(tenant, client=None):
    officer = user_of(tenant, Role.PERFORMANCE_OFFICER)
    with tenant_context(tenant):
        return reporting_services.report_create(
            by=acting(officer), title="Early help", committee="Scrutiny", meeting_date=dt.date(2015, 1, 6),
            report_of="Officer", accountable_director="Director", period_start_year=2014, period_quarter=1,
        )


def report_run(tenant, client=None, *, done=False):
    made = report(tenant)
    with tenant_context(tenant):
        run = ReportRun.objects.create(report=made, requested_by=made.created_by, parameters={})
        if done:
            run.pdf.save(f"reports/test/{run.public_id}.pdf", ContentFile(PDF_BYTES), save=False)
            run.status = ReportRun.Status.DONE
            run.progress = 100
            run.save()
    return run


def finished_report_run(tenant, client=None):
    return report_run(tenant, client, done=True)


def rendered_report_run(tenant, client=None):
    """A finished run with a real snapshot of the report's written sections (its HTML edition can be made)."""
    from reporting import rendering
    from reporting import sections as registry

    run = report_run(tenant, client, done=True)
    layout = [dict(item, include=registry.get(item["key"]).kind == "narrative") for item in registry.default_layout()]
    parameters = {"title": "Early help", "committee": "Scrutiny", "meeting_date": "2015-01-06", "is_public": True,
                  "period_start_year": 2014, "period_quarter": 1, "sections": layout}
    with tenant_context(tenant):
        run.parameters = parameters
        run.snapshot = rendering.build_snapshot(tenant, parameters)
        run.save()
    return run


def case_with_tools(tenant, client=None):
    """A case (opened 20 April 2024) in a tenant with the default distance-travelled tools."""
    from outcomes import services as outcome_services

    made = case(tenant)
    with tenant_context(tenant):
        outcome_services.outcomes_defaults_ensure(tenant=tenant)
    return made


def reading(tenant, client=None):
    """A spider graph start reading on a new case, as sent by ``client``."""
    from outcomes import services as outcome_services
    from outcomes.models import DistanceTool

    made = case_with_tools(tenant)
    with tenant_context(tenant):
        recorded = outcome_services.reading_record(
            case=made, tool=DistanceTool.objects.get(code="spider-graph"), stage="start",
            taken_on=dt.date(2024, 4, 25), scores={"routines": 3, "parenting": 5}, by=acting())
        api_submission_record(client=client, obj=recorded)
    return recorded


class Pair:
    """Two records of one person (the same name, date of birth and postcode): ``public_id`` is the first's."""

    def __init__(self, first, second):
        self.first, self.second, self.public_id = first, second, first.public_id


def duplicate_pair(tenant, client=None):
    first = child(tenant, first="Dupe", last="Doubleday")
    with tenant_context(tenant):
        second = case_services.person_create(family=first.family, first_name="Dupe", last_name="Doubleday",
                                             date_of_birth=dt.date(2015, 3, 1), postcode="NB1 1AA", by=acting())
    return Pair(first, second)


def person_merge(tenant, client=None):
    pair = duplicate_pair(tenant)
    with tenant_context(tenant):
        return case_services.person_merge(survivor=pair.first, merged=pair.second,
                                          by=membership(tenant, Role.TEAM_MANAGER))
def section17_episode(tenant, client=None):
    """An open section 17 episode on a Family Help case led by a registered social worker."""
    tenant.service_model = "family_help"
    tenant.save(update_fields=["service_model"])
    made = case(tenant)
    with tenant_context(tenant):
        Membership.objects.filter(user=made.lead_professional).update(is_registered_social_worker=True)
        return case_services.section17_start(case=made, started_on=made.opened_on, primary_need="N4",
                                             by=Membership.objects.get(user=made.lead_professional))


def family_meeting(tenant, client=None):
    made = case(tenant)
    with tenant_context(tenant):
        gran = case_services.person_create(family=made.family, first_name="Gran", last_name="Ashby", kind="adult",
                                           by=acting())
        return case_services.family_meeting_offer(case=made, offered_on=made.opened_on, network_members=[gran],
                                                  by=Membership.objects.get(user=made.lead_professional))


def known_person_for_partner(tenant, client=None):
    """A child with an open case and an NHS number of its own; ``client`` (if any) becomes the system of a school
    under an agreement covering "Known to Family Help?" queries."""
    from stdnum.gb import nhs

    from earlyhelp.sharing.models import Purpose
    from tests.partners.helpers import agreement, partner

    made = case(tenant)
    number = None
    while number is None:  # a different, well-formed NHS number for each person made (Modulus 11)
        first_nine = f"94{next(_numbers):07d}"
        number = next((first_nine + d for d in "0123456789" if nhs.is_valid(first_nine + d)), None)
    with tenant_context(tenant):
        kid = made.children.first()
        kid.nhs_number = number
        type(kid).objects.filter(pk=kid.pk).update(nhs_number=kid.nhs_number)
    if client is not None:
        school = partner(tenant, name=f"School of {client.name}")
        agreement(tenant, [school], purposes=[Purpose.KNOWN_TO_FAMILY_HELP])
        with tenant_context(tenant):
            client.partner = school
            client.save(update_fields=["partner"])
    return kid
