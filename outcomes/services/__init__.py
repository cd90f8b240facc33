"""Every write with a business rule in the outcomes app: one function per use case, keyword-only arguments,
each recording an audit event. Rules raise ``ValidationError`` with a message for the person at the screen.
Every service runs inside a tenant context and refuses objects of another tenant."""

from .family import family_outcomes_ensure, family_outcomes_record
from .library import outcome_tags_set, programme_framework_new_version, supporting_families_switch
from .programme import (
    ClaimCheck,
    claim_check,
    claim_decide,
    claim_prepare,
    claim_submit,
    enrolment_create,
    need_add,
    need_evidence_record,
    programme_framework_ensure,
    sustained_from,
)
from .tools import reading_record, tool_active_set, tool_areas_revise, tool_create, tool_templates_ensure


def outcomes_defaults_ensure(*, tenant) -> None:
    """The tenant's default tools, family outcomes and programme framework (idempotent)."""
    tool_templates_ensure(tenant=tenant)
    family_outcomes_ensure(tenant=tenant)
    programme_framework_ensure(tenant=tenant)


__all__ = [
    "outcome_tags_set",
    "programme_framework_new_version",
    "supporting_families_switch",
    "ClaimCheck",
    "claim_check",
    "claim_decide",
    "claim_prepare",
    "claim_submit",
    "enrolment_create",
    "family_outcomes_ensure",
    "family_outcomes_record",
    "need_add",
    "need_evidence_record",
    "outcomes_defaults_ensure",
    "programme_framework_ensure",
    "reading_record",
    "sustained_from",
    "tool_active_set",
    "tool_areas_revise",
    "tool_create",
    "tool_templates_ensure",
]
