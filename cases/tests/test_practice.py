"""The rules of the practice records: consent, information sharing, notes, supervision, allocation and
transfer, interventions, documents and reminders — services first, then their pages and audit trail."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases import reminders, services
from cases.models import Allocation, Consent, InformationShare
from cases.selectors import cases_with_drift
from cases.stats import WaitingTime, case_stats
from cases.tasks import send_daily_digests
from commissioning import services as commissioning
from earlyhelp.figures import Rate
from earlyhelp.models import AuditEvent
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from tests.factories import acting

from .helpers import D, child, consent, level, open_case, referral, team_for

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def alice(tenant_a, member):
    return member(tenant_a, Role.PRACTITIONER, username="alice", user__email="alice@example.org")


@pytest.fixture
def marcus(tenant_a, member):
    return member(tenant_a, Role.TEAM_MANAGER, username="marcus", user__email="marcus@example.org")


@pytest.fixture
def team(tenant_a, alice, marcus):
    team = team_for(tenant_a, alice, "North")
    with tenant_context(tenant_a):
        marcus.memberships.get().teams.add(team)
    return team


@pytest.fixture
def case(tenant_a, alice, team):
    with tenant_context(tenant_a):
        return open_case(lead=alice, team=team, kid=child(first="Ada", last="Ashby"))


def _service(tenant, member, name="Freedom Programme", **contract):
    commissioner = member(tenant, Role.COMMISSIONER, username=f"c-{tenant.slug}-{name[:4]}")
    with tenant_context(tenant):
        by = commissioner.memberships.get()
        provider = commissioning.provider_create(by=by, name=f"{name} provider")
        service = commissioning.service_create(by=by, name=name, provider=provider)
        for key, value in contract.items():
            setattr(service, key, value)
        service.save()
    return service


# Consent -------------------------------------------------------------------------------------------------------


def test_a_case_opens_only_with_consent_to_early_help_given(tenant_a, alice, team):
    with tenant_context(tenant_a):
        kid = child()
        ref = referral([kid])
        kwargs = {"referral": ref, "lead_professional": alice, "team": team, "level_of_need": level(2),
                  "opened_on": D(2024, 4, 20)}
        with pytest.raises(ValidationError, match="consent to early help"):
            services.case_open(**kwargs, by=acting())
        consent(kid.family, on=D(2024, 4, 12), status="refused")
        with pytest.raises(ValidationError, match="consent to early help"):
            services.case_open(**kwargs, by=acting())
        consent(kid.family, on=D(2024, 4, 21))  # given, but after the opening date
        with pytest.raises(ValidationError, match="consent to early help"):
            services.case_open(**kwargs, by=acting())
        assert services.case_open(**{**kwargs, "opened_on": D(2024, 4, 21)}, by=acting()).is_open


def test_consent_is_withdrawn_only_where_given_and_stays_in_date_order(tenant_a):
    with tenant_context(tenant_a):
        family = child().family
        with pytest.raises(ValidationError, match="only be withdrawn where it was given"):
            consent(family, status="withdrawn")
        consent(family, on=D(2024, 4, 12))
        with pytest.raises(ValidationError, match="date order"):
            consent(family, on=D(2024, 4, 1), status="withdrawn")
        consent(family, on=D(2024, 5, 1), status="withdrawn")
        position = services.consent_position(family=family, on=D(2024, 5, 2))
        assert position.early_help_withdrawn and not position.early_help_given
        assert services.consent_position(family=family, on=D(2024, 4, 30)).early_help_given


def test_withdrawal_flags_the_open_case_for_closure(tenant_a, alice, case, sign_in):
    with tenant_context(tenant_a):
        consent(case.family, on=D(2024, 6, 1), status="withdrawn")
    event = AuditEvent.all_tenants.get(action="consent.withdrawn")
    assert event.detail["prompts_closure"] is True
    page = sign_in(alice).get(reverse("cases:case", args=[case.public_id])).content.decode()
    assert "Consent to early help was withdrawn on 1 June 2024" in page and "Consent withdrawn" in page


def test_sharing_without_consent_records_its_lawful_reason(tenant_a, case):
    with tenant_context(tenant_a):
        share = {"case": case, "agency": "Northbridge Primary", "shared_on": D(2024, 5, 1),
                 "what_was_shared": "Attendance concerns"}
        with pytest.raises(ValidationError, match="choose the lawful basis"):
            services.information_share_record(**share, by=acting())
        with pytest.raises(ValidationError, match="necessary and proportionate"):
            services.information_share_record(**share, lawful_basis="safeguarding", by=acting())
        without = services.information_share_record(**share, lawful_basis="safeguarding",
                                                     reason="Bruising seen at school", by=acting())
        assert without.lawful_basis == "safeguarding"
        consent(case.family, on=D(2024, 5, 2), scope="sharing", agency="northbridge  primary")
        with_consent = services.information_share_record(**{**share, "shared_on": D(2024, 5, 3)}, by=acting())
        assert with_consent.lawful_basis == InformationShare.LawfulBasis.CONSENT
        assert Consent.objects.filter(scope="sharing").get().agency == "northbridge primary"


# Notes ---------------------------------------------------------------------------------------------------------


def test_a_note_is_corrected_for_a_day_then_only_added_to(tenant_a, alice, marcus, case):
    with tenant_context(tenant_a):
        written = timezone.now()
        note = services.case_note_record(case=case, occurred_at=written - dt.timedelta(hours=2), kind="home_visit",
                                         narrative="Saw Ada and mum.", child_seen=True, by=acting(alice))
        note.created_at = written
        services.case_note_edit(note=note,
                                by=acting(alice), narrative="Saw Ada alone, then mum.", child_seen_alone=True,
                                now=written + dt.timedelta(hours=23))
        with pytest.raises(PermissionDenied):
            services.case_note_edit(note=note, by=acting(marcus), narrative="x", now=written)
        with pytest.raises(ValidationError, match="add an addendum"):
            services.case_note_edit(note=note,
                                    by=acting(alice), narrative="Later", now=written + dt.timedelta(hours=24))
        services.case_note_addendum_add(note=note, text="Mum rang to add that school called.", by=acting(alice))
        note.refresh_from_db()
        assert note.narrative == "Saw Ada alone, then mum." and note.addenda.count() == 1
        with pytest.raises(ValidationError, match="seen alone"):
            services.case_note_record(case=case, occurred_at=written, kind="phone", narrative="Call",
                                      child_seen_alone=True, by=acting(alice))
        with pytest.raises(ValidationError, match="future"):
            services.case_note_record(case=case, occurred_at=written + dt.timedelta(hours=1), kind="phone",
                                      narrative="Call", by=acting(alice))
    assert AuditEvent.all_tenants.filter(action="case_note.edited", detail__fields=["child_seen_alone",
                                                                                   "narrative"]).exists()


def test_reading_notes_is_audited_and_significant_notes_are_on_the_chronology(tenant_a, alice, case, sign_in):
    with tenant_context(tenant_a):
        services.case_note_record(case=case, occurred_at=timezone.now(), kind="home_visit", by=acting(alice),
                                  narrative="Disclosure of domestic abuse.", is_significant=True)
        services.case_summary_update(case=case, summary="Ada (9) lives with mum; attendance 80%.", by=acting(alice))
    client = sign_in(alice)
    page = client.get(reverse("cases:case", args=[case.public_id])).content.decode()
    assert "Significant: Home visit" in page and "attendance 80%" in page
    assert client.get(reverse("cases:notes", args=[case.public_id])).status_code == 200
    assert AuditEvent.all_tenants.filter(action="case_notes.viewed", actor=alice).count() == 2


# Supervision, allocation and transfer -------------------------------------------------------------------------


def test_only_managers_supervise_and_the_next_is_due_after_the_interval(tenant_a, alice, marcus, case):
    with tenant_context(tenant_a):
        kwargs = {"case": case, "held_on": D(2024, 5, 1), "discussion": "Attendance", "decisions": "TAF meeting"}
        with pytest.raises(PermissionDenied):
            services.supervision_record(**kwargs, by=acting(alice))
        supervision = services.supervision_record(**kwargs, by=acting(marcus))
        assert supervision.next_due_on == D(2024, 6, 12)  # 42 days, the default interval
        flags = cases_with_drift(today=D(2024, 6, 12)).get(pk=case.pk), cases_with_drift(today=D(2024, 6, 13))
        assert not flags[0].supervision_overdue and flags[1].get(pk=case.pk).supervision_overdue
        with pytest.raises(ValidationError, match="before the previous"):
            services.supervision_record(**{**kwargs, "held_on": D(2024, 4, 30)}, by=acting(marcus))


def test_cases_wait_in_the_queue_then_are_allocated_and_transferred_with_history(tenant_a, member, alice,
                                                                                  marcus, team):
    bea = member(tenant_a, Role.PRACTITIONER, username="bea")
    south = team_for(tenant_a, bea, "South")
    with tenant_context(tenant_a):
        kid = child()
        consent(kid.family)
        case = services.case_open(referral=referral([kid]), team=team, level_of_need=level(2),
                                  opened_on=D(2024, 4, 20), by=acting())
        assert case.lead_professional is None
        with pytest.raises(ValidationError, match="not a member of North"):
            services.case_allocate(case=case, lead_professional=bea, on=D(2024, 4, 21), by=acting(marcus))
        with pytest.raises(PermissionDenied):
            services.case_allocate(case=case, lead_professional=alice, on=D(2024, 4, 21), by=acting(alice))
        services.case_allocate(case=case, lead_professional=alice, on=D(2024, 4, 21), by=acting(marcus))
        with pytest.raises(ValidationError, match="reason"):
            services.case_transfer(case=case, team=south, lead_professional=bea, on=D(2024, 5, 1), reason="",
                                   by=acting(marcus))
        services.case_transfer(case=case, team=south, lead_professional=bea, on=D(2024, 5, 1),
                               reason="Family moved to the south", by=acting(marcus))
        history = list(case.allocations.order_by("on", "id").values_list("kind", "to_worker", "from_worker"))
        assert history == [("opened", None, None), ("allocated", alice.pk, None), ("transferred", bea.pk, alice.pk)]
        assert case.team == south and case.locality == south.locality


def test_the_team_view_shows_caseloads_the_queue_and_supervision_overdue(tenant_a, alice, marcus, team, case,
                                                                         sign_in):
    with tenant_context(tenant_a):
        kid = child(first="Cy", last="Cole")
        consent(kid.family)
        services.case_open(referral=referral([kid]), team=team, level_of_need=level(2), opened_on=D(2024, 4, 20),
                           by=acting())
    page = sign_in(marcus).get(reverse("cases:team")).content.decode()
    assert "Waiting to be allocated (1)" in page and "Cole family" in page
    assert "Supervision overdue (1)" in page  # the Ashby case, opened in April 2024, never supervised


# Interventions -------------------------------------------------------------------------------------------------


def test_an_intervention_uses_a_service_of_the_same_authority_with_dates_in_order(tenant_a, tenant_b, member,
                                                                                  case):
    theirs = _service(tenant_b, member, "Eastmoor Parenting")
    ours = _service(tenant_a, member, contract_start=D(2024, 4, 1))
    with tenant_context(tenant_a):
        with pytest.raises(ValidationError, match="another local authority"):
            services.intervention_refer(case=case, service=theirs, referred_on=D(2024, 5, 1), by=acting())
        with pytest.raises(ValidationError, match="before the case opened"):
            services.intervention_refer(case=case, service=ours, referred_on=D(2024, 4, 19), by=acting())
        intervention = services.intervention_refer(case=case, service=ours, referred_on=D(2024, 5, 1), by=acting())
        with pytest.raises(ValidationError, match="already referred"):
            services.intervention_refer(case=case, service=ours, referred_on=D(2024, 5, 2), by=acting())
        with pytest.raises(ValidationError, match="before the referral"):
            services.intervention_dates_record(intervention=intervention, started_on=D(2024, 4, 30), by=acting())
        with pytest.raises(ValidationError, match="must have started"):
            services.intervention_dates_record(intervention=intervention, started_on=None, ended_on=D(2024, 6, 1),
                                               by=acting())
        with pytest.raises(ValidationError, match="end before it started"):
            services.intervention_dates_record(intervention=intervention, started_on=D(2024, 5, 20),
                                               ended_on=D(2024, 5, 19), by=acting())
        services.intervention_dates_record(intervention=intervention, started_on=D(2024, 5, 15), by=acting())
    assert AuditEvent.all_tenants.filter(action="intervention.dates_recorded").count() == 1


def test_stats_count_waiting_days_and_cases_with_a_service_put_in_place(tenant_a, member, alice, team, case):
    freedom = _service(tenant_a, member)
    parenting = _service(tenant_a, member, "Incredible Years")
    with tenant_context(tenant_a):
        other = open_case(lead=alice, team=team, kid=child(first="Bo", last="Birtle"))
        open_case(lead=alice, team=team, kid=child(first="Cy", last="Cole"))  # no service
        a = services.intervention_refer(case=case, service=freedom, referred_on=D(2024, 5, 1), by=acting())
        services.intervention_dates_record(intervention=a, started_on=D(2024, 5, 11), by=acting())  # 10 days
        b = services.intervention_refer(case=case, service=parenting, referred_on=D(2024, 5, 1), by=acting())
        services.intervention_dates_record(intervention=b, started_on=D(2024, 6, 30), by=acting())  # 60 days
        c = services.intervention_refer(case=other, service=freedom, referred_on=D(2024, 6, 1), by=acting())
        services.intervention_dates_record(intervention=c, started_on=D(2024, 7, 1), by=acting())  # next quarter
        stats = case_stats(start=D(2024, 4, 1), end=D(2024, 6, 30))
    assert stats.intervention_waiting == WaitingTime(total_days=70, count=2)
    assert stats.waiting_by_service == {"Freedom Programme": WaitingTime(10, 1), "Incredible Years": WaitingTime(60, 1)}
    assert stats.cases_with_service_put_in_place == Rate(1, 3)


# Documents -----------------------------------------------------------------------------------------------------


def test_documents_are_checked_by_content_size_and_type(tenant_a, alice, case):
    with tenant_context(tenant_a):
        def upload(name, data):
            return services.document_upload(case=case, upload=SimpleUploadedFile(name, data), kind="other",
                                            by=acting(alice))

        document = upload("consent form.pdf", PDF)
        assert document.content_type == "application/pdf" and document.file.name.endswith(".pdf")
        assert "consent form" not in document.file.name  # stored under a random name
        assert upload("photo.JPEG", b"\xff\xd8\xff\xe0" + b"0" * 20).content_type == "image/jpeg"
        assert upload("notes.txt", "Café visit".encode()).content_type == "text/plain"
        for name, data, message in [
            ("virus.pdf", b"MZ\x90\x00" + b"0" * 20, "not a PDF"),
            ("page.txt", b"<html><script>alert(1)</script></html>", "not a TXT"),
            ("image.png", PDF, "not a PNG"),
            ("fake.docx", b"PK\x03\x04rubbish", "not a DOCX"),
            ("run.exe", b"MZ", "PDF, DOCX, PNG, JPEG or TXT"),
            ("big.pdf", PDF + b"0" * (10 * 1024 * 1024), "smaller than 10 MB"),
        ]:
            with pytest.raises(ValidationError, match=message):
                upload(name, data)


def test_a_download_checks_access_and_is_audited(tenant_a, tenant_b, member, alice, case, sign_in):
    with tenant_context(tenant_a):
        document = services.document_upload(case=case, upload=SimpleUploadedFile("letter.pdf", PDF), kind="letter",
                                            by=acting(alice))
    url = reverse("cases:document", args=[case.public_id, document.public_id])
    response = sign_in(alice).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment") and response["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.all_tenants.filter(action="document.downloaded", actor=alice).count() == 1
    outsider = member(tenant_b, Role.PRACTITIONER, username="outsider")
    assert sign_in(outsider).get(url).status_code == 404
    bob = member(tenant_a, Role.COMMISSIONER, username="bob")
    assert sign_in(bob).get(url).status_code == 403
    assert AuditEvent.all_tenants.filter(action="document.downloaded").count() == 1


def test_a_document_is_uploaded_through_the_form(alice, case, sign_in):
    client = sign_in(alice)
    response = client.post(reverse("cases:document-upload", args=[case.public_id]), {
        "upload": SimpleUploadedFile("plan.pdf", PDF), "kind": "assessment", "title": "Signed plan"})
    assert response.status_code == 302
    assert "Signed plan" in client.get(reverse("cases:case", args=[case.public_id])).content.decode()


# Reminders -----------------------------------------------------------------------------------------------------


def test_the_task_list_and_the_daily_digest(tenant_a, alice, marcus, team, case, sign_in):
    with tenant_context(tenant_a):
        plan = services.plan_create(case=case, created_on=D(2024, 4, 25), by=acting())
        services.plan_action_add(plan=plan, description="Bedtime routine", owner="Mum", due_on=D(2024, 5, 1),
                                 by=acting())
        kid = child(first="Cy", last="Cole")
        consent(kid.family)
        services.case_open(referral=referral([kid]), team=team, level_of_need=level(2), opened_on=D(2024, 4, 20),
                           by=acting())
        mine = reminders.task_list(membership=alice.memberships.get(), today=D(2024, 7, 1))
        theirs = reminders.task_list(membership=marcus.memberships.get(), today=D(2024, 7, 1))
    assert [c.pk for c in mine.assessments_overdue] == [case.pk] and len(mine.actions_due) == 1
    assert mine.reviews_due and not mine.unallocated and not mine.supervision_due
    assert len(theirs.unallocated) == 1 and [c.pk for c in theirs.supervision_due] == [case.pk]
    assert "Bedtime routine" in sign_in(alice).get(reverse("cases:tasks")).content.decode()

    assert send_daily_digests.delay(tenant_a.pk, "2024-07-01").get() == 2
    to = sorted(m.to[0] for m in mail.outbox)
    assert to == ["alice@example.org", "marcus@example.org"]
    alice_mail = next(m for m in mail.outbox if m.to == ["alice@example.org"])
    assert "Assessments overdue: 1" in alice_mail.body and "Ashby" not in alice_mail.body  # counts, no names
    assert AuditEvent.all_tenants.filter(action="reminders.digest_sent", detail__sent=2).exists()


def test_the_digest_runs_for_every_tenant_in_its_own_context(tenant_a, tenant_b):
    from cases.tasks import send_daily_digests_for_every_tenant

    assert send_daily_digests_for_every_tenant.delay().get() == 2
    assert set(AuditEvent.all_tenants.filter(action="reminders.digest_sent").values_list("tenant", flat=True)) == {
        tenant_a.pk, tenant_b.pk}


def test_every_new_write_is_audited(tenant_a, member, alice, marcus, case):
    service = _service(tenant_a, member)
    with tenant_context(tenant_a):
        services.supervision_record(case=case, held_on=D(2024, 5, 1), discussion="d", decisions="d", by=acting(marcus))
        services.intervention_refer(case=case, service=service, referred_on=D(2024, 5, 1), by=acting(alice))
        services.case_note_record(case=case, occurred_at=timezone.now(), kind="note", narrative="n", by=acting(alice))
        services.information_share_record(case=case, agency="GP", shared_on=D(2024, 5, 1), what_was_shared="x",
                                          lawful_basis="safeguarding", reason="r", by=acting(alice))
    actions = set(AuditEvent.all_tenants.values_list("action", flat=True))
    assert {"consent.given", "case.opened", "supervision.recorded", "intervention.referred", "case_note.recorded",
            "information.shared"} <= actions
    assert Allocation.all_tenants.filter(case=case, kind="opened").exists()
