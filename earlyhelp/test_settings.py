"""Test override: fast hashing, in-memory email, eager Celery, and PostgreSQL whenever one answers.

``DATABASE_URL`` wins when set. Otherwise a PostgreSQL server on 127.0.0.1:5432 is used if it answers, else
SQLite — and tests marked ``postgres`` are then reported as skipped with the reason.
"""

import os
import socket

from .settings import *  # noqa: F403
from .settings import env


def _local_postgres_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return True
    except OSError:
        return False


if "DATABASE_URL" in os.environ:
    DATABASES = {"default": env.db("DATABASE_URL")}
elif os.environ.get("TEST_DATABASE", "auto") != "sqlite" and _local_postgres_answers():
    DATABASES = {"default": env.db_url_config("postgres://postgres@127.0.0.1:5432/earlyhelp")}
else:
    DATABASES = {"default": env.db_url_config("sqlite:///:memory:")}
DATABASES["default"]["CONN_MAX_AGE"] = 0

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_BROKER_URL = ""
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
AXES_ENABLED = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DEBUG = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
