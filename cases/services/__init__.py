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
from .closing import case_close, case_file_audit_record, case_file_audit_refusal, feedback_record
from .consent import ConsentPosition, consent_position, consent_record, information_share_record
from .documents import document_download, document_upload
from .importing import ImportOutcome, case_records_import
from .interventions import intervention_dates_record, intervention_refer
from .notes import case_note_addendum_add, case_note_edit, case_note_record, case_summary_update, note_is_editable
from .oversight import allocation_history_start, case_allocate, case_transfer, supervision_record
from .referrals import (
    family_create,
    is_re_referral,
    panel_decision_record,
    person_create,
    referral_create,
    referral_decide,
)

__all__ = [
    "allocation_history_start",
    "assessment_complete",
    "assessment_start",
    "case_allocate",
    "case_close",
    "case_file_audit_record",
    "case_file_audit_refusal",
    "case_note_addendum_add",
    "case_note_edit",
    "case_note_record",
    "case_open",
    "case_records_import",
    "case_reassign",
    "case_settings",
    "case_summary_update",
    "case_transfer",
    "check_one_tenant",
    "consent_position",
    "consent_record",
    "ConsentPosition",
    "document_download",
    "document_upload",
    "family_create",
    "feedback_record",
    "ImportOutcome",
    "information_share_record",
    "intervention_dates_record",
    "intervention_refer",
    "is_re_referral",
    "months_before",
    "note_is_editable",
    "panel_decision_record",
    "person_create",
    "plan_action_add",
    "plan_action_update",
    "plan_create",
    "referral_create",
    "referral_decide",
    "review_record",
    "step_change_record",
    "supervision_record",
    "taf_member_add",
    "tenant_defaults_ensure",
    "was_reopened",
]
