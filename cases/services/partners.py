"""Partner practitioners on a case's Team Around the Family (see cases.partner_access for what they then see)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from earlyhelp.actors import require
from earlyhelp.audit import record_event
from earlyhelp.permissions import Capability
from earlyhelp.sharing.models import PartnerMembership

from ..models import TeamAroundFamilyMember
from ._common import check_one_tenant


@transaction.atomic
def taf_member_link_partner(*, by, member: TeamAroundFamilyMember,
                            practitioner: PartnerMembership | None) -> TeamAroundFamilyMember:
    """Link a Team Around the Family member to a partner practitioner's account (or unlink with None), so that
    they can sign in and see the case's allowed sections. The agency becomes the practitioner's organisation."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(member, practitioner)
    if member.case.closed_on is not None:
        raise ValidationError("The case is closed: its Team Around the Family cannot change.")
    member.partner_membership = practitioner
    if practitioner is not None:
        member.agency = practitioner.partner.name
        member.contact_name = member.contact_name or str(practitioner.membership.user)
    member.save(update_fields=["partner_membership", "agency", "contact_name"])
    record_event(action="case.taf_partner_linked", by=by, obj=member.case,
                 detail={"taf_member": str(member.public_id),
                         "practitioner": str(practitioner.membership.user.public_id) if practitioner else ""})
    return member
