"""Test override: fast hashing, in-memory email, eager Celery.

The database is ``DATABASE_URL``'s server when set. Otherwise ``conftest.py`` starts a throwaway embedded
PostgreSQL cluster for the run (``earlyhelp.embedded_db.throwaway_server``) and points this entry at it as the
owner, who creates and migrates the test database; tests that need row-level security switch to the
application role (the ``app_role`` fixture).
"""

from .settings import *  # noqa: F403
from .settings import DATABASES

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
SECURE_SSL_REDIRECT = False  # the test client speaks plain HTTP
