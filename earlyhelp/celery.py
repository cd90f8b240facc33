"""The Celery application. Without ``CELERY_BROKER_URL`` tasks run eagerly (the demo and the tests)."""

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "earlyhelp.settings")

app = Celery("earlyhelp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def warm_up_worker_process(**kwargs) -> None:
    """Each pool process warms up as it starts, before it takes a task (``earlyhelp.warmup``, with the apps'
    worker steps such as the first PDF render; ``WARM_UP=off`` skips it). A connection the parent opened is
    dropped in the child by the warm-up's fork handler. Then what the process holds is frozen out of the garbage
    collector's sight, as in a web worker (``freeze_long_lived_objects``)."""
    from earlyhelp.warmup import freeze_long_lived_objects, warm_up_if_enabled

    warm_up_if_enabled(worker=True)
    freeze_long_lived_objects()
