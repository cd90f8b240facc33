"""Every write with a business rule in the cases app: one function per use case, keyword-only arguments, each
recording an audit event. Rules raise ``django.core.exceptions.ValidationError`` with a message for the person
at the screen. Every service runs inside a tenant context and refuses objects of another tenant."""

from ._common import case_settings, check_one_tenant, months_before, tenant_defaults_ensure
from .casework import (
    assessment_complete,
    assessment_start,
    case_open,
    case_reassign,
    plan_action_add,
    plan_action_update,
    plan_create,
    review_record,
    step_change_record,
    taf_member_add,
    was_reopened,
)
from .closing import case_close, case_file_audit_record, feedback_record
from .referrals import (
    family_create,
    is_re_referral,
    panel_decision_record,
    person_create,
    referral_create,
    referral_decide,
)

__all__ = [
    "assessment_complete",
    "assessment_start",
    "case_close",
    "case_file_audit_record",
    "case_open",
    "case_reassign",
    "case_settings",
    "check_one_tenant",
    "family_create",
    "feedback_record",
    "is_re_referral",
    "months_before",
    "panel_decision_record",
    "person_create",
    "plan_action_add",
    "plan_action_update",
    "plan_create",
    "referral_create",
    "referral_decide",
    "review_record",
    "step_change_record",
    "taf_member_add",
    "tenant_defaults_ensure",
    "was_reopened",
]
