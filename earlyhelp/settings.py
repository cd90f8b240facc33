"""Settings for Early Help, read from the environment (django-environ).

With no environment at all the project runs as the one-command demo: a private PostgreSQL server under
``var/pg`` (``earlyhelp.embedded_db``, started by ``make demo``) that the app reaches as the application role,
Celery tasks executed eagerly, DEBUG on. Production sets ``DATABASE_URL`` (PostgreSQL 15+, connecting as the
application role that neither owns the tables nor bypasses row-level security), ``CELERY_BROKER_URL``,
``SECRET_KEY``, ``ALLOWED_HOSTS`` and ``DEBUG=off``. There is no separate production settings file; with DEBUG
off the process refuses to start without a real ``SECRET_KEY``, and HTTPS (redirect, HSTS, secure cookies) is on
unless switched off for a proxy that does it.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from . import embedded_db

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional, never committed

DEBUG = env.bool("DEBUG", default=True)
# The demo's key is published in this file: usable only with DEBUG on.
DEMO_SECRET_KEY = "insecure-demo-key-change-me-" + "x" * 32
SECRET_KEY = env("SECRET_KEY", default=DEMO_SECRET_KEY if DEBUG else "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY == DEMO_SECRET_KEY):
    raise ImproperlyConfigured(
        "SECRET_KEY is missing or is the demo key published in the code: with DEBUG off, set the SECRET_KEY "
        "environment variable to a long random value, for example the output of "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "pgtrigger",
    "earlyhelp",
    "commissioning",
    "cases",
    "outcomes",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "earlyhelp.two_factor.TwoFactorMiddleware",
    "csp.middleware.CSPMiddleware",
    "earlyhelp.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "earlyhelp.middleware.TenantMiddleware",
]

ROOT_URLCONF = "earlyhelp.urls"
WSGI_APPLICATION = "earlyhelp.wsgi.application"
# Each web worker (earlyhelp.wsgi) and Celery pool process (earlyhelp.celery) warms up as it starts: URL reverse
# tables, templates compiled, catalogs, lazy imports, database connection (earlyhelp.warmup). WARM_UP=off skips it.
WARM_UP = env.bool("WARM_UP", default=True)

# Every form binds GOV.UK fields: hint and error ids the control is described by, summary anchors
FORM_RENDERER = "earlyhelp.forms.GovukFormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "earlyhelp.context_processors.tenancy",
            ],
        },
    },
]

# The PostgreSQL role the application connects as. Migrations grant it table rights when it exists; it must be
# neither owner, superuser nor BYPASSRLS, so row-level security applies to it.
DATABASE_APP_ROLE = env("DATABASE_APP_ROLE", default="earlyhelp_app")

# After a bulk load of at least this many rows (case-records import, KPI return) the tables loaded are analysed
# once it commits, as their owner (earlyhelp.planner_statistics); onboarding a council always analyses its lists.
ANALYZE_AFTER_LOAD_MIN_ROWS = env.int("ANALYZE_AFTER_LOAD_MIN_ROWS", default=500)

# PostgreSQL only. DATABASE_URL when set (15+); otherwise the private server of earlyhelp.embedded_db in
# VAR_DIR/pg (its Unix socket; `make demo` starts and stops it), as the application role.
EMBEDDED_DATABASE = not env.str("DATABASE_URL", default="")
if EMBEDDED_DATABASE:
    DATABASES = {"default": embedded_db.database_settings(embedded_db.default_directory(VAR_DIR),
                                                          user=DATABASE_APP_ROLE)}
else:
    DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# PostgreSQL's JIT compiles a query's expressions once its estimated cost passes jit_above_cost: 60–80 ms of
# compiling for page queries that run in 30 ms (a team manager's home page at national size: 120 ms with it, 28 ms
# without). Off for the application's sessions unless DATABASE_JIT=on.
if not env.bool("DATABASE_JIT", default=False):
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
# Statements run on every request (the audit row of a read) are prepared once per database session (PREPARE).
# Off for a connection pooler in transaction mode, which does not keep a session per connection.
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "earlyhelp.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after a period of inactivity: every request pushes the expiry forward.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# HTTPS on by default in production; a TLS-terminating proxy that redirects and sends HSTS itself can switch
# these off (SECURE_SSL_REDIRECT=off, SECURE_HSTS_SECONDS=0).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the container's health check calls plain HTTP from inside
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Login throttling (django-axes): lock a username + address pair after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_VERBOSE = False

# Two-factor sign-in (TOTP, django-otp): required for these roles when enforced — always in production; off by
# default in the DEBUG demo so that its printed passwords are enough to look around.
TWO_FACTOR_ENFORCED = env.bool("TWO_FACTOR_ENFORCED", default=not DEBUG)
TWO_FACTOR_REQUIRED_ROLES = ["tenant_admin", "team_manager", "performance_officer", "commissioner", "auditor"]
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Early Help")

# Content-Security-Policy (django-csp): no inline scripts or styles anywhere; charts are data: images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    },
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))  # outside the web root; never served
MEDIA_URL = "/media/"  # not routed: files are streamed by views that check access
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)

# Shared cache: API throttling counters, the figures cache (earlyhelp.figures_engine) and charts. Set CACHE_URL (e.g.
# redis://host:6379/1) when running more than one web process, or each process counts on its own.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"].endswith("LocMemCache"):
    # The default keeps 300 entries: fewer than one council's dashboards (5 quarters × 4 figures per scope).
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 20_000)

# The REST API for partner systems (earlyhelp.api): bearer tokens of API clients or a signed-in session,
# application/problem+json errors, cursor pagination, one throttle per caller.
API_THROTTLE_RATE = env("API_THROTTLE_RATE", default="600/min")
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)
# A read's API client may be taken from the worker's memory for this long instead of being looked up again; the
# read's audit row is then written only if the client and its council are, in that statement, unchanged (not
# revoked or expired, same scopes): otherwise the read is answered again after a fresh lookup
# (earlyhelp.api.authentication). 0 looks the client up on every request.
API_CLIENT_MEMORY_SECONDS = env.int("API_CLIENT_MEMORY_SECONDS", default=60)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "earlyhelp.api.authentication.ApiClientTokenAuthentication",
        "earlyhelp.two_factor.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["earlyhelp.api.permissions.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["earlyhelp.api.throttling.CallerRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["earlyhelp.api.parsers.StrictJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "earlyhelp.api.pagination.ApiCursorPagination",
    "DEFAULT_FILTER_BACKENDS": ["earlyhelp.api.filtering.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "earlyhelp.api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "earlyhelp.api.problems.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Early Help API",
    "DESCRIPTION": (
        "REST API for partner systems of one local authority. Authenticate with `Authorization: Bearer <token>` "
        "(an API client created by the tenant administrator) or a signed-in browser session. Errors are "
        "`application/problem+json` (RFC 9457)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "earlyhelp.api.schema.add_problem_responses",
    ],
}

EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default=f"django.core.mail.backends.{'console' if DEBUG else 'smtp'}.EmailBackend",
)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="early-help@localhost")
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")  # for links in emails

# The audit log's integrity (earlyhelp.audit, docs/security.md). AUDIT_KEY signs each row and each checkpoint; it
# must not be stored in the database (unset: a key derived from SECRET_KEY). Rotate by moving the old key to
# AUDIT_RETIRED_KEYS. Checkpoints of each tenant's chain head are appended under AUDIT_CHECKPOINT_DIR, which
# should live on another machine's storage (or be copied there) and be append-only (chattr +a).
AUDIT_KEY = env("AUDIT_KEY", default="")
AUDIT_RETIRED_KEYS = env.list("AUDIT_RETIRED_KEYS", default=[])
AUDIT_CHECKPOINT_DIR = Path(env("AUDIT_CHECKPOINT_DIR", default=str(VAR_DIR / "audit-checkpoints")))
AUDIT_CHECKPOINT_MINUTES = env.int("AUDIT_CHECKPOINT_MINUTES", default=5)

# Celery: Redis broker when configured, otherwise tasks run eagerly in the web process (the demo).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Above the slowest task (a full committee report for five years of data), so a late-acked task is not
# redelivered while it is still running.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * 3600)}
# PDF rendering (WeasyPrint, seconds to minutes a report) has its own queue and workers (``worker-reports`` in
# docker-compose.yml), so a burst of committee reports never delays the short tasks (digests, imports).
CELERY_TASK_ROUTES = {"reporting.tasks.*": {"queue": "reports"}}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {
    # Each case worker's task list by email, early each morning (one task per tenant, see cases.tasks).
    "cases-daily-digest": {
        "task": "cases.tasks.send_daily_digests_for_every_tenant",
        "schedule": crontab(hour=env.int("DIGEST_HOUR", default=7), minute=0),
    },
    # Each tenant's retention rule (cases.services.retention): anonymise or delete expired families, at night.
    "cases-retention": {
        "task": "cases.tasks.apply_retention_for_every_tenant",
        "schedule": crontab(hour=env.int("RETENTION_HOUR", default=2), minute=30),
    },
    # Report runs and import jobs whose worker died outright (or whose queue message was lost): queued again,
    # checked every minute (earlyhelp.jobs: a running job is stalled after RUNNING_JOB_STALL_MINUTES without a
    # heartbeat).
    "reporting-requeue-stalled-runs": {
        "task": "reporting.checks.requeue_stalled_report_runs_for_every_tenant",
        "schedule": crontab(minute="*"),
    },
    "commissioning-requeue-stalled-imports": {
        "task": "commissioning.checks.requeue_stalled_import_jobs_for_every_tenant",
        "schedule": crontab(minute="*"),
    },
    "cases-requeue-stalled-imports": {
        "task": "cases.checks.requeue_stalled_import_jobs_for_every_tenant",
        "schedule": crontab(minute="*"),
    },
    # Statutory returns (cases.statutory.jobs): stalled builds queued again, files past STATUTORY_RETURN_DAYS deleted.
    "cases-statutory-returns-housekeeping": {
        "task": "cases.checks.statutory_returns_housekeeping_for_every_tenant",
        "schedule": crontab(minute="*"),
    },
    # The figures engine: the apps' usual figures recounted after a write dates into a closed quarter, so pages
    # open from the stored figures (earlyhelp.figures_engine, register_recount).
    "earlyhelp-figures-recount": {
        "task": "earlyhelp.tasks.figures_recount_for_every_tenant",
        "schedule": crontab(minute="*"),
    },
    # Signed checkpoints of each tenant's audit chain head, outside the database (earlyhelp.audit_checkpoints).
    "earlyhelp-audit-checkpoints": {
        "task": "earlyhelp.tasks.checkpoint_audit_chains_for_every_tenant",
        "schedule": crontab(minute=f"*/{AUDIT_CHECKPOINT_MINUTES}"),
    },
    # The audit log's read rows, written outside the chain without its lock, sealed in batches (earlyhelp.audit_seals).
    "earlyhelp-seal-audit-reads": {
        "task": "earlyhelp.tasks.seal_audit_reads_for_every_tenant",
        "schedule": crontab(minute="*"),
    },
    # Data-sharing agreements (earlyhelp.sharing): administrators told ahead of an agreement's end, lapses
    # recorded, early each morning (what a lapsed agreement covered stops at once; this only tells people).
    "earlyhelp-review-sharing-agreements": {
        "task": "earlyhelp.tasks.review_sharing_agreements_for_every_tenant",
        "schedule": crontab(hour=6, minute=40),
    },
    # Tenant data exports past their expiry (DATA_EXPORT_DAYS): files deleted, every hour.
    "earlyhelp-expire-data-exports": {
        "task": "earlyhelp.tasks.expire_data_exports_for_every_tenant",
        "schedule": crontab(minute=15),
    },
}

# Recount each council's usual figures (the dashboard's default quarters and scopes) in the background after a
# write dates into a closed quarter: they are stored in the database (earlyhelp_figuressummary), so this helps
# every process whatever the cache.
FIGURES_WARM = env.bool("FIGURES_WARM", default=True)
FIGURES_WARM_LOCK_SECONDS = 600

# Stalled background jobs (report runs, return imports; see earlyhelp.jobs). A queued job no worker has started
# for REPORT_RUN_STALL_MINUTES, or a running one that has written no heartbeat for RUNNING_JOB_STALL_MINUTES, is
# taken to be stalled: it can be retried, and the beat checks above queue it again (at most three attempts). A
# running job writes its heartbeat every JOB_HEARTBEAT_SECONDS, so a long job that is alive is never stalled.
REPORT_RUN_STALL_MINUTES = env.int("REPORT_RUN_STALL_MINUTES", default=10)
RUNNING_JOB_STALL_MINUTES = env.int("RUNNING_JOB_STALL_MINUTES", default=2)
JOB_HEARTBEAT_SECONDS = env.int("JOB_HEARTBEAT_SECONDS", default=30)

# Uploads (KPI return files, the cases migration import) larger than this many bytes are imported by a worker,
# with a progress page, instead of inside the web request. 0 sends every upload to the worker.
IMPORT_BACKGROUND_BYTES = env.int("IMPORT_BACKGROUND_BYTES", default=50_000)

# "Check a report" (public, no sign-in): how many checks one address may make (django-ratelimit's rate syntax).
REPORT_CHECK_RATE = env("REPORT_CHECK_RATE", default="30/h")

# How long a tenant's full data export stays downloadable before its file is deleted.
DATA_EXPORT_DAYS = env.int("DATA_EXPORT_DAYS", default=7)

# Statutory returns (cases.statutory): how long a built file stays downloadable; where the published standards
# are (the CIN census XSDs are checked against when present: docs/statutory-exports.md); and whether the CIN census
# carries the provisional 2026/27 Module 5 (pre-proceedings and FGDM) until DfE publishes its XSD.
STATUTORY_RETURN_DAYS = env.int("STATUTORY_RETURN_DAYS", default=7)
STANDARDS_DIR = Path(env("STANDARDS_DIR", default=str(BASE_DIR.parent / "shared" / "standards")))
CIN_CENSUS_MODULE5 = env.bool("CIN_CENSUS_MODULE5", default=False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"},
                "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
