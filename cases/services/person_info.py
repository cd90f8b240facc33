"""“Known to Family Help?”: a partner's system asks whether a person is known, under a named piece of
legislation, in the shape of the DfE data exchange standard (``$person-info-query``; docs/partners.md).

The answer is *match* with the team to contact, or *no match* — nothing else. "No such person", "no open case"
and "known, but the family refused sharing with this partner" all give the same no-match answer, built by the
same statements in the same order, so neither the body nor the time taken tells them apart. Every query is
logged (:class:`~cases.models.PersonInfoQuery`: client, reason, answer) and audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from earlyhelp.actors import is_client, require
from earlyhelp.audit import record_event
from earlyhelp.permissions import Capability
from earlyhelp.sharing.models import Purpose
from earlyhelp.sharing.services import covering_agreement, sharing_settings
from earlyhelp.tenancy import current_tenant

from ..identifiers import nhs_number_clean
from ..models import Case, Consent, Person, PersonInfoQuery

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"

# The legislation a partner may name (the standard's ``reason``: a legislation.gov.uk URI). A reason outside this
# list is refused (400): the council has not agreed that it justifies asking.
REASONS: dict[str, str] = {
    "https://www.legislation.gov.uk/ukpga/1989/41/section/47":
        "Children Act 1989, section 47: enquiries where a child may be suffering significant harm",
    "https://www.legislation.gov.uk/ukpga/1989/41/section/17":
        "Children Act 1989, section 17: provision of services for children in need",
    "https://www.legislation.gov.uk/ukpga/2004/31/section/10":
        "Children Act 2004, section 10: co-operation to improve the well-being of children",
    "https://www.legislation.gov.uk/ukpga/2004/31/section/11":
        "Children Act 2004, section 11: arrangements to safeguard and promote the welfare of children",
}
# Reasons that justify sharing without (or against) the family's consent: a refusal does not withhold the answer.
SAFEGUARDING_REASONS = frozenset({"https://www.legislation.gov.uk/ukpga/1989/41/section/47"})


@dataclass(frozen=True)
class PersonQuery:
    """Who is asked about: an NHS number, or a family name, given name and date of birth."""

    nhs_number: str = ""
    family_name: str = ""
    given_name: str = ""
    birth_date: dt.date | None = None

    @property
    def identified_by(self) -> str:
        return "nhs_number" if self.nhs_number else "name_and_birth_date"

    def subject_hash(self) -> str:
        """A keyed hash of the identifiers (not reversible without the key): repeated queries about one person
        can be seen in the log without the log keeping who was asked about."""
        material = "|".join([self.nhs_number, self.family_name.casefold(), self.given_name.casefold(),
                             self.birth_date.isoformat() if self.birth_date else ""])
        key = hmac.new(settings.SECRET_KEY.encode(), b"earlyhelp person-info-query", hashlib.sha256).digest()
        return hmac.new(key, material.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class PersonInfoAnswer:
    matched: bool
    contact: dict | None = None  # a FHIR Organization, only on a match


def person_query_from(*, nhs_number: str = "", family_name: str = "", given_name: str = "",
                      birth_date: dt.date | None = None) -> PersonQuery:
    """Check the identifiers: a valid NHS number, or all three of family name, given name and date of birth."""
    nhs_number = "".join((nhs_number or "").split())
    if nhs_number:
        try:
            nhs_number = nhs_number_clean(nhs_number)
        except ValidationError as error:
            raise ValidationError({"nhs_number": error.messages}) from None
        return PersonQuery(nhs_number=nhs_number)
    family_name, given_name = " ".join((family_name or "").split()), " ".join((given_name or "").split())
    if not (family_name and given_name and birth_date):
        raise ValidationError({"resource": "Identify the person by NHS number, or by family name, given name and "
                                           "date of birth together."})
    return PersonQuery(family_name=family_name, given_name=given_name, birth_date=birth_date)


def reason_check(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the legislation the query relies on (a legislation.gov.uk URI)."})
    if reason not in REASONS:
        raise ValidationError({"reason": f"{reason} is not a reason this council accepts. Accepted: "
                                         + ", ".join(sorted(REASONS))})
    return reason


def _contact(case: Case) -> dict:
    """The FHIR Organization to contact: the case's team, with the council's front-door contact details."""
    row = sharing_settings()
    organisation = {"resourceType": "Organization",
                    "name": f"{current_tenant().brand_name} – {case.team.name}"}
    telecom = [{"system": system, "value": value, "use": "work"}
               for system, value in (("phone", row.contact_phone), ("email", row.contact_email)) if value]
    if telecom:
        organisation["telecom"] = telecom
    lines = [line.strip() for line in row.contact_address.splitlines() if line.strip()]
    if lines or row.contact_postcode:
        address = {"line": lines} if lines else {}
        if row.contact_postcode:
            address["postalCode"] = row.contact_postcode
        address["country"] = "UK"
        organisation["address"] = [address]
    return organisation


@transaction.atomic
def person_info_query(*, by, person: PersonQuery, reason: str) -> PersonInfoAnswer:
    """Answer a partner system's query (``by``: an API client with the person-info:query scope, of a partner
    with an agreement in force for "Known to Family Help" queries)."""
    require(by, Capability.QUERY_PERSON_INFO)
    if not is_client(by) or covering_agreement(partner=by.partner, purpose=Purpose.KNOWN_TO_FAMILY_HELP) is None:
        raise PermissionDenied("No data-sharing agreement in force covers “Known to Family Help” queries.")
    reason = reason_check(reason)
    if person.nhs_number:
        people = Person.objects.filter(nhs_number=person.nhs_number)
    else:
        people = Person.objects.filter(last_name__iexact=person.family_name, first_name__iexact=person.given_name,
                                       date_of_birth=person.birth_date)
    # The same two statements whatever the answer: the open case, then the family's latest decision on sharing
    # with this partner (for no family, a query that finds nothing).
    case = (Case.objects.filter(closed_on__isnull=True, family__in=people.values("family_id"))
            .select_related("team").order_by("-opened_on", "-id").first())
    latest_sharing = (Consent.objects.filter(family_id=case.family_id if case else None, scope=Consent.Scope.SHARING,
                                             agency__iexact=by.partner.name)
                      .order_by("-decided_on", "-id").values_list("status", flat=True).first())
    refused = latest_sharing in (Consent.Status.REFUSED, Consent.Status.WITHDRAWN)
    if case is None:
        outcome = PersonInfoQuery.Outcome.NOT_KNOWN
    elif refused and reason not in SAFEGUARDING_REASONS:
        outcome = PersonInfoQuery.Outcome.WITHHELD
    else:
        outcome = PersonInfoQuery.Outcome.MATCH
    matched = outcome == PersonInfoQuery.Outcome.MATCH
    log = PersonInfoQuery.objects.create(
        client=by, partner=by.partner, reason=reason, identified_by=person.identified_by,
        subject_hash=person.subject_hash(), matched=matched, outcome=outcome, case=case)
    record_event(action="person_info.queried", by=by, obj=log,
                 detail={"reason": reason, "matched": matched, "partner": str(by.partner.public_id)})
    return PersonInfoAnswer(matched=True, contact=_contact(case)) if matched else PersonInfoAnswer(matched=False)
