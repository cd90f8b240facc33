"""The Celery application. Without ``CELERY_BROKER_URL`` tasks run eagerly (the demo and the tests)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "earlyhelp.settings")

app = Celery("earlyhelp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
