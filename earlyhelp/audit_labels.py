"""What the access log says, in words: a label for each action code that ``record_event`` writes, and for each
type of record.

The audit log stores short codes (``outcomes.case_viewed``, ``cases.case``) so that it can be searched and kept
stable; people read these labels instead. Record types are named by the model's own ``verbose_name`` (so a new
model needs nothing here); actions by :data:`ACTION_LABELS`, with a readable fallback for a code that has none
(``tests/test_audit_labels.py`` makes sure every code the code base records has one).
"""

from __future__ import annotations

from django.apps import apps

# Every action code recorded anywhere (record_event(action=...), an API view's ``viewed_action``), with the words
# the access log shows. Reads say "Viewed"; writes say what was done.
ACTION_LABELS: dict[str, str] = {
    # the access log and the audit log themselves
    "access_log.searched": "Searched the access log",
    "audit_log.verified": "Verified the audit log",
    "subject_access.searched": "Searched for a subject access request",
    # sign-in
    "two_factor.set_up": "Set up two-factor sign-in",
    "two_factor.failed": "Entered a wrong two-factor code",
    # administration
    "admin.added": "Added a record (platform administration)",
    "admin.changed": "Changed a record (platform administration)",
    "admin.deleted": "Deleted a record (platform administration)",
    "membership.saved": "Saved a user's role",
    "membership.saved_by_platform": "Saved a user's role (platform administrator)",
    "membership.added": "Added a user to the council",
    "membership.role_changed": "Changed a user's role or teams",
    "membership.deactivated": "Deactivated a user",
    "membership.reactivated": "Reactivated a user",
    "team.created": "Added a team",
    "team.updated": "Changed a team",
    "locality.created": "Added a locality",
    "locality.updated": "Changed a locality",
    "lookup.created": "Added an entry to a list",
    "lookup.updated": "Changed an entry of a list",
    "case_settings.changed": "Changed the casework settings",
    "tenant.settings_changed": "Changed the council's settings",
    "tenant.export_requested": "Asked for the council's data export",
    "tenant.exported": "Prepared the council's data export",
    "tenant.export_downloaded": "Downloaded the council's data export",
    "tenant.export_expired": "Deleted an expired data export",
    "api_client.created": "Created an API client",
    "api_client.revoked": "Revoked an API client",
    "api.request": "API request",
    "api.authentication_refused": "Refused an API client's token",
    "reminders.digest_sent": "Sent the reminders email",
    "retention.applied": "Applied the retention rule",
    # families, people and referrals
    "family.created": "Created a family",
    "family.viewed": "Viewed a family",
    "family.moved": "Moved a family",
    "family.anonymised": "Anonymised a family (retention rule)",
    "family.deleted": "Deleted a family (retention rule)",
    "person.created": "Added a person",
    "person.viewed": "Viewed a person",
    "person.identifier_added": "Added an identifier to a person",
    "person.merged": "Merged two records of a person",
    "person.unmerged": "Undid a merge of a person's records",
    "person.not_duplicate": "Marked two people as not the same person",
    "person.nhs_number_recorded": "Recorded an NHS number",
    "person.nhs_number_verified": "Verified an NHS number",
    "person.disabilities_recorded": "Recorded a child's disabilities",
    "pre_proceedings.started": "Recorded the start of pre-proceedings",
    "pre_proceedings.updated": "Updated pre-proceedings",
    "person.subject_access_exported": "Exported a person's records (subject access)",
    "relationship.recorded": "Recorded a relationship",
    "referral.created": "Recorded a referral",
    "referral.viewed": "Viewed a referral",
    "referral.decided": "Recorded a referral decision",
    "consent.given": "Recorded consent given",
    "consent.refused": "Recorded consent refused",
    "consent.withdrawn": "Recorded consent withdrawn",
    "information.shared": "Recorded information shared",
    # cases
    "case.opened": "Opened a case",
    "case.viewed": "Viewed a case",
    "case.allocated": "Allocated a case",
    "case.reassigned": "Reassigned a case",
    "case.transferred": "Transferred a case to another team",
    "case.summary_updated": "Updated a case summary",
    "case.taf_member_added": "Added a member of the team around the family",
    "case.step_up": "Stepped a case up to social care",
    "case.step_down": "Stepped a case down into early help",
    "case.de_escalation": "Recorded a de-escalation within social care",
    "case.closed": "Closed a case",
    "case_notes.viewed": "Viewed case notes",
    "case_note.recorded": "Recorded a case note",
    "case_note.edited": "Edited a case note",
    "case_note.addendum_added": "Added an addendum to a case note",
    "case_file_audit.recorded": "Recorded a case file audit",
    "assessment.started": "Started an assessment",
    "assessment.completed": "Completed an assessment",
    "plan.created": "Created a plan",
    "plan.action_added": "Added a plan action",
    "plan.action_updated": "Updated a plan action",
    "review.recorded": "Recorded a review",
    "panel_decision.recorded": "Recorded a panel decision",
    "supervision.recorded": "Recorded a supervision",
    "feedback.recorded": "Recorded feedback",
    "intervention.referred": "Referred to an intervention",
    "intervention.dates_recorded": "Recorded intervention dates",
    "document.uploaded": "Uploaded a document",
    "document.downloaded": "Downloaded a document",
    "cases.defaults_created": "Created the council's default lists",
    "cases.imported": "Imported case records",
    "case_import.queued": "Queued a case records import",
    "case_import.running": "Started a case records import",
    "case_import.done": "Finished a case records import",
    "case_import.rejected": "Refused a case records import",
    "case_import.failed": "A case records import failed",
    "case_import.requeued": "Queued a stalled case records import again",
    # outcomes
    "outcomes.case_viewed": "Viewed a case's outcomes",
    "outcomes.reading_recorded": "Recorded a distance-travelled reading",
    "reading.viewed": "Viewed a distance-travelled reading",
    "outcomes.family_outcomes_recorded": "Recorded a family's outcomes",
    "outcomes.tool_created": "Created a distance-travelled tool",
    "outcomes.tool_areas_revised": "Revised a tool's areas",
    "outcomes.tool_switched_on": "Switched a tool on",
    "outcomes.tool_switched_off": "Switched a tool off",
    "outcomes.programme_framework_created": "Created a programme outcomes framework",
    "outcomes.enrolment_created": "Enrolled a family in the programme",
    "outcomes.enrolment_viewed": "Viewed a programme enrolment",
    "outcomes.need_added": "Added a programme need",
    "outcomes.need_evidence_recorded": "Recorded evidence for a programme need",
    "outcomes.claim_prepared": "Prepared a programme claim",
    "outcomes.claim_submitted": "Submitted a programme claim",
    "outcomes.claim_decided": "Recorded a programme claim decision",
    "outcomes.claim_viewed": "Viewed a programme claim",
    # commissioning
    "provider.created": "Added a provider",
    "provider.updated": "Changed a provider",
    "provider.user_linked": "Linked a user to a provider",
    "provider.user_unlinked": "Unlinked a user from a provider",
    "provider.api_client_tied": "Tied an API client to a provider",
    "service.created": "Added a commissioned service",
    "service.updated": "Changed a commissioned service",
    "service.review_recorded": "Recorded a service review",
    "kpi.defined": "Defined a KPI",
    "kpi.relabelled": "Renamed a KPI",
    "return.imported": "Imported a KPI return",
    "return.submitted": "Submitted a KPI return",
    "return.accepted": "Accepted a KPI return",
    "return.queried": "Queried a KPI return",
    "return.reopened": "Reopened a KPI return",
    "return_import.queued": "Queued a KPI return import",
    "return_import.running": "Started a KPI return import",
    "return_import.done": "Finished a KPI return import",
    "return_import.rejected": "Refused a KPI return import",
    "return_import.failed": "A KPI return import failed",
    "return_import.requeued": "Queued a stalled KPI return import again",
    # reporting
    "report.created": "Created a committee report",
    "report.updated": "Changed a committee report",
    "report.sections_arranged": "Arranged a report's sections",
    "report.published": "Published a report",
    "report.publication_withdrawn": "Withdrew a published report",
    "report_run.requested": "Asked for a report run",
    "report_run.rendered": "Rendered a report",
    "report_run.failed": "A report run failed",
    "report_run.requeued": "Queued a stalled report run again",
    "report_run.retried": "Retried a report run",
    "report_run.downloaded": "Downloaded a report",
    "report_run.figures_downloaded": "Downloaded a report's figures",
    "indicator.recorded": "Recorded an indicator value",
    "indicators.imported": "Imported indicator values",
    "unit_cost.saved": "Saved a unit cost",
    # Family Help, statutory returns, partners, whole-family casework, the outcome library
    "api_client.partner_linked": "Tied an API client to a partner organisation",
    "case.children_changed": "Changed the children a case covers",
    "case.family_help_viewed": "Viewed a case's Family Help page",
    "case.family_meetings_viewed": "Viewed a case's family meetings",
    "case.printed": "Printed a case file",
    "case.section17_ended": "Ended section 17 on a case",
    "case.section17_started": "Started section 17 on a case",
    "case.step_up_macpt": "Stepped a case up to a multi-agency child protection team",
    "case.taf_partner_linked": "Linked a Team Around the Family member to a partner practitioner",
    "family.chronology_viewed": "Viewed a family's chronology",
    "family_meeting.offered": "Offered a family meeting",
    "family_meeting.updated": "Updated a family meeting",
    "family_meeting.viewed": "Viewed a family meeting",
    "outcomes.library_tags_changed": "Changed the outcome library's National Framework tags",
    "outcomes.programme_framework_versioned": "Started a new Supporting Families framework version",
    "outcomes.supporting_families_switched": "Switched the Supporting Families framework on or off",
    "partner.created": "Added a partner organisation",
    "partner.practitioner_linked": "Linked a partner practitioner to their organisation",
    "partner.updated": "Changed a partner organisation",
    "person.identifier_ended": "Ended a linked identifier",
    "person.identifier_removed": "Removed a linked identifier recorded in error",
    "person_info.queried": "Asked “Known to Family Help?”",
    "plan.action_focus_changed": "Changed who a plan action is for, or its outcome",
    "relationship.changed": "Changed a relationship",
    "relationship.ended": "Ended a relationship",
    "section17_episode.viewed": "Viewed a section 17 episode",
    "sharing_agreement.created": "Added a data-sharing agreement",
    "sharing_agreement.end_changed": "Changed a data-sharing agreement's end date",
    "sharing_agreement.ended": "Ended a data-sharing agreement",
    "sharing_agreement.expiry_notice": "Warned that a data-sharing agreement is ending",
    "sharing_agreement.lapsed": "A data-sharing agreement lapsed",
    "sharing_agreement.signed_copy_uploaded": "Uploaded a signed data-sharing agreement",
    "sharing_settings.changed": "Changed the partner sharing settings",
    "statutory_return.built": "Built a statutory return",
    "statutory_return.downloaded": "Downloaded a statutory return",
    "statutory_return.expired": "A statutory return's file expired",
    "statutory_return.exported": "Exported a statutory return from the command line",
    "statutory_return.failed": "A statutory return failed",
    "statutory_return.requested": "Asked for a statutory return",
    "statutory_return.requeued": "Queued a stalled statutory return again",
    "support_request.accepted": "Accepted a request for support",
    "support_request.declined": "Declined a request for support",
    "support_request.sent": "Sent a request for support",
    "support_request.viewed": "Viewed a request for support",
    "support_request.withdrawn": "Withdrew a request for support",
}


def readable(code: str) -> str:
    """A code without a label, made readable: ``outcomes.thing_done`` → "Outcomes: thing done"."""
    code = (code or "").strip()
    if not code:
        return ""
    group, _, rest = code.partition(".")
    group = group.replace("_", " ").capitalize()
    return f"{group}: {rest.replace('_', ' ').replace('.', ' ')}" if rest else group


def action_label(code: str) -> str:
    """The words for an action code, e.g. ``outcomes.case_viewed`` → "Viewed a case's outcomes"."""
    return ACTION_LABELS.get(code) or readable(code)


def object_type_label(label_lower: str) -> str:
    """The words for a record type, e.g. ``cases.case`` → "Case": the model's own verbose name."""
    if not label_lower:
        return ""
    try:
        model = apps.get_model(label_lower)
    except (LookupError, ValueError):
        return readable(label_lower)
    name = str(model._meta.verbose_name)
    return name[:1].upper() + name[1:]
