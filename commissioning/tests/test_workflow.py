"""A return moves draft → submitted → accepted, or → queried and back to the provider; who may do what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from commissioning import selectors, services
from commissioning.models import KpiReturn, KpiVersion, ReturnStatus
from commissioning.tests.conftest import Q1, Q2, csv_file, good_rows, membership_of
from earlyhelp.models import AuditEvent
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context


def imported(tenant, by, service, quarter=Q1, rows=None):
    with tenant_context(tenant):
        outcome = services.return_import(by=by, service=service, quarter=quarter,
                                         data=csv_file(rows or good_rows()), filename="r.csv")
    assert outcome.ok, outcome.problems
    return outcome.kpi_return


def act(tenant, fn, **kwargs):
    with tenant_context(tenant):
        return fn(**kwargs)


def test_the_provider_submits_and_the_commissioner_accepts(tenant_a, commissioner, provider_user, steps):
    kpi_return = imported(tenant_a, provider_user, steps)
    assert kpi_return.status == ReturnStatus.DRAFT
    kpi_return = act(tenant_a, services.return_submit, by=provider_user, kpi_return=kpi_return)
    assert kpi_return.status == ReturnStatus.SUBMITTED and kpi_return.submitted_by == provider_user.user
    kpi_return = act(tenant_a, services.return_accept, by=commissioner, kpi_return=kpi_return)
    assert kpi_return.status == ReturnStatus.ACCEPTED
    actions = list(AuditEvent.all_tenants.filter(object_public_id=str(kpi_return.public_id))
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["return.imported", "return.submitted", "return.accepted"]


def test_a_queried_return_goes_back_to_the_provider_editable(tenant_a, commissioner, provider_user, steps):
    kpi_return = imported(tenant_a, provider_user, steps)
    act(tenant_a, services.return_submit, by=provider_user, kpi_return=kpi_return)
    with pytest.raises(ValidationError, match="Say what the provider"):
        act(tenant_a, services.return_query, by=commissioner, kpi_return=kpi_return, comment=" ")
    kpi_return = act(tenant_a, services.return_query, by=commissioner, kpi_return=kpi_return,
                     comment="Feeling safer base looks low")
    assert kpi_return.status == ReturnStatus.QUERIED
    assert kpi_return.commissioner_comment == "Feeling safer base looks low"
    again = imported(tenant_a, provider_user, steps, rows=good_rows(safer=("15", "16")))
    assert again.version == 2 and again.status == ReturnStatus.QUERIED
    assert act(tenant_a, services.return_submit, by=provider_user, kpi_return=again).status == ReturnStatus.SUBMITTED


def test_a_submitted_or_accepted_return_cannot_be_overwritten(tenant_a, commissioner, provider_user, steps):
    kpi_return = imported(tenant_a, provider_user, steps)
    act(tenant_a, services.return_submit, by=provider_user, kpi_return=kpi_return)
    with pytest.raises(services.ReturnWorkflowError, match="is submitted"):
        imported(tenant_a, provider_user, steps)
    act(tenant_a, services.return_accept, by=commissioner, kpi_return=kpi_return)
    with pytest.raises(services.ReturnWorkflowError, match="is accepted"):
        imported(tenant_a, provider_user, steps)
    reopened = act(tenant_a, services.return_reopen, by=commissioner, kpi_return=kpi_return, comment="Fix Q1")
    assert reopened.status == ReturnStatus.DRAFT
    assert imported(tenant_a, provider_user, steps).version == 2


@pytest.mark.parametrize("fn", [services.return_accept, services.return_reopen])
def test_a_provider_cannot_decide_on_its_own_return(tenant_a, provider_user, steps, fn):
    kpi_return = imported(tenant_a, provider_user, steps)
    act(tenant_a, services.return_submit, by=provider_user, kpi_return=kpi_return)
    with pytest.raises(PermissionDenied):
        act(tenant_a, fn, by=provider_user, kpi_return=kpi_return)
    with pytest.raises(PermissionDenied):
        act(tenant_a, services.return_query, by=provider_user, kpi_return=kpi_return, comment="?")


def test_a_provider_user_cannot_submit_for_another_providers_service(
    tenant_a, commissioner, provider_user, other_service
):
    with pytest.raises(PermissionDenied, match="your own organisation"):
        imported(tenant_a, provider_user, other_service, rows=[["Perpetrators programme", "2014/15 Q1", "referrals",
                                                                "", "3", "", "", ""]])
    assert not KpiReturn.all_tenants.exists()


def test_a_performance_officer_can_neither_upload_nor_accept(tenant_a, member, commissioner, steps):
    officer = membership_of(member(tenant_a, Role.PERFORMANCE_OFFICER), tenant_a)
    with pytest.raises(PermissionDenied):
        imported(tenant_a, officer, steps)
    kpi_return = imported(tenant_a, commissioner, steps)
    act(tenant_a, services.return_submit, by=commissioner, kpi_return=kpi_return)
    with pytest.raises(PermissionDenied):
        act(tenant_a, services.return_accept, by=officer, kpi_return=kpi_return)


def test_wrong_transitions_are_refused(tenant_a, commissioner, steps):
    kpi_return = imported(tenant_a, commissioner, steps)
    with pytest.raises(services.ReturnWorkflowError, match="draft return cannot be accepted"):
        act(tenant_a, services.return_accept, by=commissioner, kpi_return=kpi_return)
    with pytest.raises(services.ReturnWorkflowError, match="draft return cannot be queried"):
        act(tenant_a, services.return_query, by=commissioner, kpi_return=kpi_return, comment="why")
    act(tenant_a, services.return_submit, by=commissioner, kpi_return=kpi_return)
    with pytest.raises(services.ReturnWorkflowError, match="submitted return cannot be submitted"):
        act(tenant_a, services.return_submit, by=commissioner, kpi_return=kpi_return)


def test_a_return_not_submitted_by_its_due_date_is_late(tenant_a, commissioner, steps):
    due = steps.due_date(Q1)
    assert due == dt.date(2014, 7, 30)
    assert selectors.return_state(steps, None, Q1, due) == "due"
    assert selectors.return_state(steps, None, Q1, due + dt.timedelta(days=1)) == "late"
    kpi_return = imported(tenant_a, commissioner, steps)
    assert selectors.return_state(steps, kpi_return, Q1, due + dt.timedelta(days=1)) == "late"  # still a draft
    kpi_return = act(tenant_a, services.return_submit, by=commissioner, kpi_return=kpi_return)
    assert selectors.return_state(steps, kpi_return, Q1, due + dt.timedelta(days=9)) == "submitted"


def test_a_relabelled_kpi_leaves_past_returns_on_their_version(tenant_a, commissioner, steps):
    imported(tenant_a, commissioner, steps)
    with tenant_context(tenant_a):
        kpi = steps.kpis.get(code="feeling-safer")
        services.kpi_relabel(by=commissioner, kpi=kpi, valid_from=Q2, label="Feeling safer at home", target=85)
    imported(tenant_a, commissioner, steps, quarter=Q2, rows=good_rows(quarter="2014/15 Q2"))
    labels = dict(KpiReturn.all_tenants.filter(values__kpi__code="feeling-safer")
                  .values_list("quarter_number", "values__kpi_version__label"))
    assert labels == {1: "Feeling safer", 2: "Feeling safer at home"}
    assert KpiVersion.all_tenants.filter(kpi__code="feeling-safer").count() == 2


def test_a_new_version_cannot_start_before_the_current_one(tenant_a, commissioner, steps):
    with tenant_context(tenant_a):
        kpi = steps.kpis.get(code="feeling-safer")
        services.kpi_relabel(by=commissioner, kpi=kpi, valid_from=Q2, label="B")
        with pytest.raises(ValidationError):
            services.kpi_relabel(by=commissioner, kpi=kpi, valid_from=Q1, label="C")
