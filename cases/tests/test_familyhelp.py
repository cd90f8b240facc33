"""Family Help: section 17 on a case, the rule on who may lead it, family meetings, the step-up to a multi-agency
child protection team, and the figure 'families offered a family meeting before step-up to child protection'.
Services first (each refusal writes nothing), then the pages."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from cases import selectors, services
from cases.models import Allocation, Case, FamilyMeeting, PreProceedings, Section17Episode, StepChange
from cases.stats import family_meetings_before_step_up_series
from earlyhelp.models import AuditEvent, Tenant
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from tests.factories import acting

from .helpers import D, child, level, open_case, team_for


@pytest.fixture
def family_help(tenant_a):
    tenant_a.service_model = Tenant.ServiceModel.FAMILY_HELP
    tenant_a.save(update_fields=["service_model"])
    return tenant_a


@pytest.fixture
def sam(family_help, member):
    """A registered social worker."""
    user = member(family_help, Role.PRACTITIONER, username="sam")
    with tenant_context(family_help):
        user.memberships.filter().update(is_registered_social_worker=True, social_work_england_number="SW123456")
    return user


@pytest.fixture
def fay(family_help, member):
    """A family practitioner who is not a social worker."""
    return member(family_help, Role.PRACTITIONER, username="fay")


@pytest.fixture
def marcus(family_help, member):
    return member(family_help, Role.TEAM_MANAGER, username="marcus")


@pytest.fixture
def team(family_help, sam, fay, marcus):
    team = team_for(family_help, sam, "Family Help North")
    with tenant_context(family_help):
        for user in (fay, marcus):
            user.memberships.get().teams.add(team)
    return team


def _by(user):
    return user.memberships.get()


@pytest.fixture
def case(family_help, sam, team):
    with tenant_context(family_help):
        return open_case(lead=sam, team=team, kid=child(first="Ada", last="Ashby"))


# Section 17 ---------------------------------------------------------------------------------------------------


def test_section17_ending_before_it_started_is_refused_and_nothing_written(family_help, sam, case):
    with tenant_context(family_help):
        episode = services.section17_start(case=case, started_on=D(2024, 5, 1), primary_need="N4", by=_by(sam))
        with pytest.raises(ValidationError, match="cannot end before it started"):
            services.section17_end(episode=episode, ended_on=D(2024, 4, 30), closure_reason="RC7", by=_by(sam))
        episode.refresh_from_db()
        assert episode.ended_on is None and episode.closure_reason == ""
        assert not AuditEvent.objects.filter(action="case.section17_ended").exists()


def test_section17_only_where_the_council_runs_family_help(family_help, sam, case):
    family_help.service_model = Tenant.ServiceModel.EARLY_HELP
    family_help.save(update_fields=["service_model"])
    with tenant_context(family_help):
        with pytest.raises(ValidationError, match="runs Family Help"):
            services.section17_start(case=case, started_on=D(2024, 5, 1), primary_need="N4", by=_by(sam))
        assert not Section17Episode.objects.exists()


def test_a_second_or_overlapping_episode_is_refused(family_help, sam, case):
    with tenant_context(family_help):
        first = services.section17_start(case=case, started_on=D(2024, 5, 1), primary_need="N4", by=_by(sam))
        with pytest.raises(ValidationError, match="already open"):
            services.section17_start(case=case, started_on=D(2024, 6, 1), primary_need="N1", by=_by(sam))
        services.section17_end(episode=first, ended_on=D(2024, 7, 1), closure_reason="RC7", by=_by(sam))
        with pytest.raises(ValidationError, match="after the last one ended"):
            services.section17_start(case=case, started_on=D(2024, 7, 1), primary_need="N1", by=_by(sam))
        assert Section17Episode.objects.count() == 1
        services.section17_start(case=case, started_on=D(2024, 7, 2), primary_need="N1", by=_by(sam))
        assert Section17Episode.objects.count() == 2


def test_the_database_refuses_overlapping_episodes_and_dates_out_of_order(family_help, case):
    with tenant_context(family_help):
        Section17Episode.objects.create(case=case, started_on=D(2024, 5, 1), ended_on=D(2024, 6, 1),
                                        primary_need="N4")
        with pytest.raises(IntegrityError), transaction.atomic():
            Section17Episode.objects.create(case=case, started_on=D(2024, 6, 1), primary_need="N4")
        with pytest.raises(IntegrityError), transaction.atomic():
            Section17Episode.objects.create(case=case, started_on=D(2024, 9, 1), ended_on=D(2024, 8, 1),
                                            primary_need="N4")


def test_bad_codes_are_refused(family_help, sam, case):
    with tenant_context(family_help):
        with pytest.raises(ValidationError, match="primary need"):
            services.section17_start(case=case, started_on=D(2024, 5, 1), primary_need="N0", by=_by(sam))
        episode = services.section17_start(case=case, started_on=D(2024, 5, 1), primary_need="N4", by=_by(sam))
        with pytest.raises(ValidationError, match="RC1 to RC9"):
            services.section17_end(episode=episode, ended_on=D(2024, 6, 1), closure_reason="", by=_by(sam))


def test_a_role_that_cannot_edit_records_is_refused_inside_the_service(family_help, member, case):
    officer = member(family_help, Role.PERFORMANCE_OFFICER, username="pat")
    with tenant_context(family_help):
        with pytest.raises(PermissionDenied):
            services.section17_start(case=case, started_on=D(2024, 5, 1), primary_need="N4", by=_by(officer))


def test_under_section17_a_lead_who_is_not_a_social_worker_is_refused(family_help, sam, fay, marcus, team):
    with tenant_context(family_help):
        case = open_case(lead=fay, team=team)
        with pytest.raises(ValidationError, match="not recorded as a registered social worker"):
            services.section17_start(case=case, started_on=D(2024, 5, 1), primary_need="N4", by=_by(fay))
        assert not Section17Episode.objects.exists()
        services.case_transfer(case=case, team=team, lead_professional=sam, on=D(2024, 4, 30),
                               reason="Section 17 needs a social worker", by=acting(marcus))
        services.section17_start(case=case, started_on=D(2024, 5, 1), primary_need="N4", by=_by(sam))
        with pytest.raises(ValidationError, match="not recorded as a registered social worker"):
            services.case_transfer(case=case, team=team, lead_professional=fay, on=D(2024, 5, 2),
                                   reason="Rebalancing", by=acting(marcus))
        case.refresh_from_db()
        assert case.lead_professional == sam


def test_the_council_may_let_other_practitioners_lead_section17(family_help, fay, team):
    family_help.s17_lead_must_be_social_worker = False
    family_help.save(update_fields=["s17_lead_must_be_social_worker"])
    with tenant_context(family_help):
        case = open_case(lead=fay, team=team)
        services.section17_start(case=case, started_on=D(2024, 5, 1), primary_need="N4", by=_by(fay))
        assert case.section17_episodes.count() == 1


def test_targeted_help_to_section17_and_back_keeps_one_case(family_help, sam, fay, marcus, team):
    """One chronology, one assessment, one plan and one lead practitioner history across the change of level."""
    with tenant_context(family_help):
        case = open_case(lead=fay, team=team, kid=child(first="Ben", last="Brook"))
        services.assessment_start(case=case, started_on=D(2024, 4, 22), by=acting())
        services.plan_create(case=case, created_on=D(2024, 4, 25), summary="Routines and school", by=acting())
        services.case_transfer(case=case, team=team, lead_professional=sam, on=D(2024, 5, 1),
                               reason="Step to section 17", by=acting(marcus))
        episode = services.section17_start(case=case, started_on=D(2024, 5, 2), primary_need="N5", by=_by(sam))
        services.section17_end(episode=episode, ended_on=D(2024, 8, 1), closure_reason="RC7", by=_by(sam))
        services.case_transfer(case=case, team=team, lead_professional=fay, on=D(2024, 8, 2),
                               reason="Back to targeted help", by=acting(marcus))
        assert Case.objects.filter(family=case.family).count() == 1
        assert case.assessments.count() == 1 and case.plans.count() == 1
        history = list(Allocation.objects.filter(case=case).order_by("on", "id").values_list("to_worker", flat=True))
        assert history == [fay.pk, sam.pk, fay.pk]
        titles = [e.title for e in selectors.case_timeline(case=case)]
        assert "Section 17 started (child in need)" in titles
        assert "Section 17 ended: back to targeted Family Help" in titles
        assert f"Transferred to {sam}" in titles and f"Transferred to {fay}" in titles
        assert "Plan made" in titles and "Early Help Assessment started" in titles


def test_a_case_does_not_close_with_section17_open(family_help, sam, case):
    from .helpers import close

    with tenant_context(family_help):
        services.section17_start(case=case, started_on=D(2024, 5, 1), primary_need="N4", by=_by(sam))
        with pytest.raises(ValidationError, match="Section 17 is still open"):
            close(case)


# Family meetings -----------------------------------------------------------------------------------------------


def _network(case):
    from cases.services import person_create

    return [person_create(family=case.family, first_name="Grace", last_name="Ashby", kind="adult",
                          relationship="grandmother", by=acting())]


@pytest.mark.parametrize("bad, message", [
    ({"network_members": []}, "at least one person"),
    ({"held_on": D(2024, 5, 1)}, "cannot be held before it was offered"),
    ({"accepted_on": D(2024, 5, 12), "declined_on": D(2024, 5, 13)}, "either accepted or declined"),
])
def test_a_family_meeting_with_bad_dates_or_no_network_is_refused(family_help, sam, case, bad, message):
    with tenant_context(family_help):
        data = {"offered_on": D(2024, 5, 10), "network_members": _network(case), "facilitator": "FGC service"}
        with pytest.raises(ValidationError, match=message):
            services.family_meeting_offer(case=case, by=_by(sam), **{**data, **bad})
        assert not FamilyMeeting.objects.exists()


def test_a_meeting_update_that_breaks_a_rule_writes_nothing(family_help, sam, case):
    with tenant_context(family_help):
        meeting = services.family_meeting_offer(case=case, offered_on=D(2024, 5, 10), network_members=_network(case),
                                                by=_by(sam))
        services.family_meeting_update(meeting=meeting, accepted_on=D(2024, 5, 12), by=_by(sam))
        with pytest.raises(ValidationError, match="either accepted or declined"):
            services.family_meeting_update(meeting=meeting, declined_on=D(2024, 5, 14), by=_by(sam))
        meeting = FamilyMeeting.objects.get()
        assert meeting.accepted_on == D(2024, 5, 12) and meeting.declined_on is None


def test_network_members_come_from_the_family(family_help, sam, case):
    with tenant_context(family_help):
        stranger = child(first="Cal", last="Cole")
        with pytest.raises(ValidationError, match="connected to this family"):
            services.family_meeting_offer(case=case, offered_on=D(2024, 5, 10), network_members=[stranger],
                                          by=_by(sam))


def test_a_held_meeting_records_the_family_plan_and_module5_items(family_help, sam, case):
    with tenant_context(family_help):
        meeting = services.family_meeting_offer(case=case, offered_on=D(2024, 5, 10), network_members=_network(case),
                                                facilitator="Family group conference service", by=_by(sam))
        with pytest.raises(ValidationError, match="family's plan"):
            services.family_meeting_update(meeting=meeting, accepted_on=D(2024, 5, 11), held_on=D(2024, 5, 20),
                                           outcome="plan_agreed", by=_by(sam))
        meeting = services.family_meeting_update(
            meeting=FamilyMeeting.objects.get(), accepted_on=D(2024, 5, 11), held_on=D(2024, 5, 20),
            outcome="plan_agreed", family_plan="Grandmother collects the children on school days.",
            letter_before_proceedings_on=D(2024, 5, 9), pre_proceedings_meeting_offered=True, facilitated=True,
            module5_outcome_code="A", by=_by(sam))
        assert meeting.status == "Held" and meeting.network_members.count() == 1


# Step-up to a multi-agency child protection team ---------------------------------------------------------------


def test_step_up_to_macpt_names_the_lead_cp_practitioner_and_steps_down_on_the_same_case(family_help, sam, case):
    with tenant_context(family_help):
        with pytest.raises(ValidationError, match="lead child protection practitioner"):
            services.step_up_macpt_record(case=case, occurred_on=D(2024, 6, 1), level_after=level(4),
                                          lead_cp_practitioner_name=" ", by=_by(sam))
        assert not StepChange.objects.exists()
        up = services.step_up_macpt_record(case=case, occurred_on=D(2024, 6, 1), level_after=level(4),
                                           lead_cp_practitioner_name="Priya Shah",
                                           lead_cp_practitioner_contact="01234 567890", by=_by(sam))
        assert up.kind == StepChange.Kind.STEP_UP_MACPT and up.level_before.rank == 2
        services.step_change_record(case=case, kind=StepChange.Kind.STEP_DOWN, occurred_on=D(2024, 9, 1),
                                    level_after=level(2), by=acting())
        case.refresh_from_db()
        assert case.level_of_need.rank == 2 and case.step_changes.count() == 2
        details = [e.detail for e in selectors.case_timeline(case=case) if e.kind == "step"]
        assert any("Priya Shah" in d for d in details)
        with pytest.raises(ValidationError):
            services.step_change_record(case=case, kind=StepChange.Kind.STEP_UP_MACPT, occurred_on=D(2024, 9, 2),
                                        level_after=level(4), by=acting())


# The figure ------------------------------------------------------------------------------------------------------


def test_families_offered_a_meeting_before_step_up_are_counted_with_their_base(family_help, sam, team):
    with tenant_context(family_help):
        offered_first = open_case(lead=sam, team=team, kid=child(first="Ada", last="Ashby"))
        offered_after = open_case(lead=sam, team=team, kid=child(first="Ben", last="Brook"))
        never = open_case(lead=sam, team=team, kid=child(first="Cal", last="Cole"))
        services.family_meeting_offer(case=offered_first, offered_on=D(2024, 5, 1),
                                      network_members=_network(offered_first), by=_by(sam))
        services.family_meeting_offer(case=offered_after, offered_on=D(2024, 7, 1),
                                      network_members=_network(offered_after), by=_by(sam))
        for c in (offered_first, offered_after, never):
            services.step_up_macpt_record(case=c, occurred_on=D(2024, 6, 1), level_after=level(4),
                                          lead_cp_practitioner_name="Priya Shah", by=_by(sam))
        year = (D(2024, 4, 1), D(2025, 3, 31))
        rate, earlier = family_meetings_before_step_up_series([year, (D(2024, 4, 1), D(2024, 5, 31))])
        assert (rate.numerator, rate.base) == (1, 3)
        assert (earlier.numerator, earlier.base) == (0, 0)


# Pages -----------------------------------------------------------------------------------------------------------


def test_the_family_help_pages_start_section17_and_offer_a_meeting(family_help, sam, case, sign_in):
    client = sign_in(sam)
    page = client.get(reverse("cases:family-help", args=[case.public_id]))
    assert page.status_code == 200 and b"Start section 17" in page.content
    response = client.post(reverse("cases:section17-start", args=[case.public_id]),
                           {"started_on": "2024-05-01", "primary_need": "N4", "referral_source": "5D"})
    assert response.status_code == 302
    with tenant_context(family_help):
        episode = Section17Episode.objects.get()
        assert episode.primary_need == "N4" and episode.referral_source == "5D"
    response = client.post(reverse("cases:section17-end", args=[case.public_id, episode.public_id]),
                           {"ended_on": "2024-04-01", "closure_reason": "RC7"})
    assert response.status_code == 200 and b"cannot end before it started" in response.content
    url = reverse("cases:family-meeting-offer", args=[case.public_id])
    response = client.post(url, {"offered_on": "2024-05-10", "facilitator": "FGC service"})
    assert response.status_code == 200 and b"at least one person" in response.content
    with tenant_context(family_help):
        assert not FamilyMeeting.objects.exists()
        grandmother = _network(case)[0]
    response = client.post(url, {"offered_on": "2024-05-10", "network_members": [grandmother.pk]})
    assert response.status_code == 302
    with tenant_context(family_help):
        meeting = FamilyMeeting.objects.get()
    edit = client.get(reverse("cases:family-meeting", args=[case.public_id, meeting.public_id]))
    assert edit.status_code == 200 and b"2024-05-10" in edit.content
    listing = client.get(reverse("cases:family-meetings", args=[case.public_id]))
    assert b"Grace Ashby" in listing.content
    detail = client.get(reverse("cases:case", args=[case.public_id]))
    assert b"Section 17" in detail.content and b"Family meeting offered" in detail.content


def test_the_macpt_page_records_the_step_up(family_help, sam, case, sign_in):
    client = sign_in(sam)
    with tenant_context(family_help):
        cp = level(4)
    url = reverse("cases:step-up-macpt", args=[case.public_id])
    assert client.get(url).status_code == 200
    response = client.post(url, {"occurred_on": "2024-06-01", "level_after": cp.pk,
                                 "lead_cp_practitioner_name": "Priya Shah"})
    assert response.status_code == 302
    with tenant_context(family_help):
        assert StepChange.objects.get().lead_cp_practitioner_name == "Priya Shah"


# Pre-proceedings (CIN census 2026/27 Module 5) --------------------------------------------------------------------


FULL_PP = {"initial_meeting_on": D(2024, 6, 10), "review_meetings": 2, "step_decision_on": D(2024, 7, 20),
           "court_application_on": D(2024, 7, 25), "letter_initiating_proceedings_on": D(2024, 7, 26)}


def test_pre_proceedings_record_every_module5_date_in_order_and_are_audited(family_help, sam, case):
    with tenant_context(family_help):
        record = services.pre_proceedings_start(case=case, started_on=D(2024, 6, 1), by=_by(sam))
        assert record.is_open
        services.pre_proceedings_update(record=record, by=_by(sam), **FULL_PP)
        record.refresh_from_db()
        assert (record.review_meetings, record.letter_initiating_proceedings_on) == (2, D(2024, 7, 26))
        assert not record.is_open
        assert list(AuditEvent.objects.filter(action__startswith="pre_proceedings.")
                    .values_list("action", flat=True).order_by("pk")) == ["pre_proceedings.started",
                                                                          "pre_proceedings.updated"]


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"initial_meeting_on": D(2024, 5, 31)}, "initial_meeting_on", "cannot be before the date of the start"),
    ({"step_decision_on": D(2024, 5, 1)}, "step_decision_on", "cannot be before the date of the start"),
    ({"step_decision_on": D(2024, 7, 1), "court_application_on": D(2024, 6, 30)}, "court_application_on",
     "court application cannot be before the date of the decision"),
    ({"court_application_on": D(2024, 7, 1)}, "step_decision_on", "Give the date of the decision to step up"),
    ({"step_decision_on": D(2024, 7, 1), "court_application_on": D(2024, 7, 2),
      "letter_initiating_proceedings_on": D(2024, 7, 1)}, "letter_initiating_proceedings_on",
     "cannot be before the date of the court application"),
    ({"review_meetings": 1}, "review_meetings", "give its date first"),
    ({"review_meetings": -1, "initial_meeting_on": D(2024, 6, 2)}, "review_meetings", "cannot be negative"),
])
def test_pre_proceedings_dates_out_of_order_are_refused_and_nothing_written(family_help, sam, case, changes,
                                                                           field, message):
    with tenant_context(family_help):
        with pytest.raises(ValidationError, match=message) as refused:
            services.pre_proceedings_start(case=case, started_on=D(2024, 6, 1), by=_by(sam), **changes)
        assert field in refused.value.message_dict
        assert not PreProceedings.objects.exists()
        record = services.pre_proceedings_start(case=case, started_on=D(2024, 6, 1), by=_by(sam))
        with pytest.raises(ValidationError, match=message):
            services.pre_proceedings_update(record=record, by=_by(sam), **changes)
        record.refresh_from_db()
        assert record.initial_meeting_on is None and record.step_decision_on is None
        assert record.review_meetings is None


def test_one_open_pre_proceedings_per_case_and_no_start_before_the_case_or_in_the_future(family_help, sam, case):
    with tenant_context(family_help):
        with pytest.raises(ValidationError, match="before the case was opened"):
            services.pre_proceedings_start(case=case, started_on=D(2024, 4, 1), by=_by(sam))
        with pytest.raises(ValidationError, match="in the future"):
            services.pre_proceedings_start(case=case, started_on=D(2099, 1, 1), by=_by(sam))
        first = services.pre_proceedings_start(case=case, started_on=D(2024, 6, 1), by=_by(sam))
        with pytest.raises(ValidationError, match="already open"):
            services.pre_proceedings_start(case=case, started_on=D(2024, 6, 5), by=_by(sam))
        services.pre_proceedings_update(record=first, step_decision_on=D(2024, 7, 1), by=_by(sam))
        with pytest.raises(ValidationError, match="after the last ones ended"):
            services.pre_proceedings_start(case=case, started_on=D(2024, 7, 1), by=_by(sam))
        services.pre_proceedings_start(case=case, started_on=D(2024, 7, 2), by=_by(sam))
        assert PreProceedings.objects.count() == 2


def test_the_database_refuses_pre_proceedings_dates_out_of_order(family_help, case):
    with tenant_context(family_help):
        with pytest.raises(IntegrityError), transaction.atomic():
            PreProceedings.objects.create(case=case, started_on=D(2024, 6, 1), step_decision_on=D(2024, 5, 1))


def test_a_role_that_cannot_edit_records_cannot_record_pre_proceedings(family_help, member, sam, case):
    officer = member(family_help, Role.PERFORMANCE_OFFICER, username="pat")
    with tenant_context(family_help):
        with pytest.raises(PermissionDenied):
            services.pre_proceedings_start(case=case, started_on=D(2024, 6, 1), by=_by(officer))
        record = services.pre_proceedings_start(case=case, started_on=D(2024, 6, 1), by=_by(sam))
        with pytest.raises(PermissionDenied):
            services.pre_proceedings_update(record=record, review_meetings=0, by=_by(officer))


def test_the_pre_proceedings_pages_record_and_refuse_with_a_clear_error(family_help, sam, case, sign_in):
    client = sign_in(sam)
    url = reverse("cases:pre-proceedings-start", args=[case.public_id])
    assert client.get(url).status_code == 200
    response = client.post(url, {"started_on": "2024-06-01", "step_decision_on": "2024-05-01"})
    assert response.status_code == 200
    assert b"cannot be before the date of the start of pre-proceedings" in response.content
    assert b"govuk-error-summary" in response.content
    with tenant_context(family_help):
        assert not PreProceedings.objects.exists()
    assert client.post(url, {"started_on": "2024-06-01"}).status_code == 302
    with tenant_context(family_help):
        record = PreProceedings.objects.get()
    edit = reverse("cases:pre-proceedings", args=[case.public_id, record.public_id])
    assert b"2024-06-01" in client.get(edit).content
    response = client.post(edit, {"started_on": "2024-06-01", "initial_meeting_on": "2024-06-10",
                                  "review_meetings": "1", "step_decision_on": "2024-07-20",
                                  "court_application_on": "2024-07-25"})
    assert response.status_code == 302
    with tenant_context(family_help):
        record.refresh_from_db()
        assert (record.review_meetings, record.court_application_on) == (1, D(2024, 7, 25))
    page = client.get(reverse("cases:family-help", args=[case.public_id]))
    assert b"Pre-proceedings" in page.content and b"25 July 2024" in page.content
