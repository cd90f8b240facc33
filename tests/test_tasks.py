"""Celery plumbing: tasks receive a tenant id and run inside that tenant's context; queued on commit."""

from django.db import transaction

from earlyhelp.models import Locality
from earlyhelp.queueing import enqueue, tenant_task
from earlyhelp.tenancy import current_tenant
from tests.factories import LocalityFactory


@tenant_task
def count_localities(tenant):
    assert current_tenant() == tenant
    return Locality.objects.count()


def test_a_tenant_task_runs_in_its_tenants_context(tenant_a, tenant_b):
    LocalityFactory(tenant=tenant_a)
    LocalityFactory(tenant=tenant_b)
    LocalityFactory(tenant=tenant_b)
    assert count_localities.delay(tenant_a.pk).get() == 1
    assert count_localities.delay(tenant_b.pk).get() == 2
    assert current_tenant() is None


def test_enqueue_waits_for_the_commit(tenant_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        enqueue(count_localities, tenant_a.pk)
    assert len(callbacks) == 1


def test_celery_is_configured_to_survive_a_killed_worker():
    from earlyhelp.celery import app

    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.broker_transport_options["visibility_timeout"] >= 3600
