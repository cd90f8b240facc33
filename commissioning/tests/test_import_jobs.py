"""Return imports queued for a worker: done once, however often the task is delivered."""

from commissioning.import_jobs import return_import_job_execute, return_import_request
from commissioning.models import KpiReturn, ReturnImportJob
from earlyhelp.models import AuditEvent, Membership
from earlyhelp.periods import Quarter
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from tests.api import makers


def test_a_delivered_twice_import_job_imports_once(tenant_a, member):
    """Without a broker: the same job executed twice (a redelivery after success) changes nothing the second time."""
    service = makers.service(tenant_a)
    with tenant_context(tenant_a):
        user = member(tenant_a, role=Role.COMMISSIONER)
        job = ReturnImportJob.objects.create(
            service=service, fy_start_year=2014, quarter_number=1, filename="q1.csv", requested_by=user,
            data=(f"service,quarter,kpi_code,value,numerator,base\n{service.name},2014/15 Q1,referrals,3,,\n").encode())
    first = return_import_job_execute(tenant=tenant_a, job_id=job.pk)
    again = return_import_job_execute(tenant=tenant_a, job_id=job.pk)
    assert first.status == again.status == ReturnImportJob.Status.DONE and again.attempts == 1
    with tenant_context(tenant_a):
        assert KpiReturn.objects.get().version == 1


def test_a_queued_import_runs_through_the_task_and_a_bad_file_is_rejected_with_its_problems(
        tenant_a, django_capture_on_commit_callbacks):
    service = makers.service(tenant_a)
    with tenant_context(tenant_a), django_capture_on_commit_callbacks(execute=True):
        commissioner = Membership.objects.filter(role=Role.COMMISSIONER).first()
        good = return_import_request(by=commissioner, service=service, quarter=Quarter(2014, 1), filename="q1.csv",
                                     data=f"service,quarter,kpi_code,value,numerator,base\n{service.name},"
                                          "2014/15 Q1,referrals,3,,\n".encode())
    with tenant_context(tenant_a):  # eager in tests: the task ran when the request committed
        good.refresh_from_db()
        assert good.status == ReturnImportJob.Status.DONE and bytes(good.data) == b""
    with tenant_context(tenant_a), django_capture_on_commit_callbacks(execute=True):
        bad = return_import_request(by=commissioner, service=service, quarter=Quarter(2014, 2), filename="q2.csv",
                                    data=b"not,a,return\n")
    with tenant_context(tenant_a):
        bad.refresh_from_db()
        assert bad.status == ReturnImportJob.Status.REJECTED
        assert "Missing column(s)" in bad.problems[0]["message"] and bad.problems[0]["row"] == 1
        assert AuditEvent.objects.filter(action="return_import.rejected").count() == 1
