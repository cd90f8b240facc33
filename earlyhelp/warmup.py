"""Worker warm-up: what every process would otherwise pay once, inside its first request, done as it starts.

A fresh worker's first page cost three times a warm one's (issue 21: 164–189 ms against 54–68 ms for the same
outcomes dashboard with the cache emptied). Profiling a fresh first request against the second showed where the
difference goes, largest first:

* the URL resolvers' reverse tables, built on the first ``{% url %}``/``reverse()`` of each namespace (regular
  expressions compiled and normalised for every pattern): most of it;
* the template engines created (every installed app's template tag libraries imported) and each template read
  and compiled into the cached loader, the form renderer's engine and templates likewise;
* the translation catalogs, the locale's format modules and the time zone;
* project modules imported lazily inside functions (context processors, template tags, codecs…);
* the database connection opened and checked, the shared cache's client created.

:func:`warm_up` does all of it before the worker accepts a request; ``earlyhelp.wsgi`` calls it (a WSGI server
imports that module in each worker) and ``earlyhelp.celery`` in each Celery pool process. ``WARM_UP=off`` in the
environment (settings ``WARM_UP``) skips it. It is general: nothing in it names a view.

The database connection is opened in the process that warms up. A server that imports the application before
forking its workers (gunicorn ``--preload``, uWSGI without ``lazy-apps``) must not hand that connection to the
children, where two processes would speak over one socket: a fork handler makes each child drop what it inherited
without a word on the wire (the parent keeps it), and the child connects on first use.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import pkgutil
import time
from collections.abc import Callable
from pathlib import Path

logger = logging.getLogger(__name__)

#: module names never imported by a request: tests, schema history, commands, entry points, demo seeding
NOT_REQUEST_MODULES = frozenset({"tests", "migrations", "management", "wsgi", "asgi", "test_settings", "demo",
                                 "conftest"})


def project_packages() -> list[str]:
    """The installed apps that are the project's own (their code under ``BASE_DIR``, not an installed library);
    found, not named: the platform floor names no app above it."""
    from django.apps import apps
    from django.conf import settings

    base = Path(settings.BASE_DIR).resolve()
    return [config.name for config in apps.get_app_configs()
            if Path(config.path).resolve().is_relative_to(base) and "site-packages" not in Path(config.path).parts]


def project_modules() -> list[str]:
    """Every module of the project's packages that a request may import, by name. Only the packages themselves
    are imported to list them (``pkgutil.walk_packages`` would import the skipped ones too)."""
    names = []

    def walk(package_name: str) -> None:
        names.append(package_name)
        package = importlib.import_module(package_name)
        for info in pkgutil.iter_modules(package.__path__):
            if info.name in NOT_REQUEST_MODULES:
                continue
            if info.ispkg:
                walk(f"{package_name}.{info.name}")
            else:
                names.append(f"{package_name}.{info.name}")

    for package_name in project_packages():
        walk(package_name)
    return names


def _import_project_modules() -> int:
    """Import what requests would otherwise import lazily, inside a function."""
    names = project_modules()
    for name in names:
        importlib.import_module(name)
    return len(names)


def _project_template_dirs(loader) -> list[Path]:
    """The directories ``loader`` reads that belong to the project (not to an installed library)."""
    from django.conf import settings

    base = Path(settings.BASE_DIR).resolve()
    dirs = []
    for directory in loader.get_dirs():
        path = Path(directory).resolve()
        if path.is_dir() and path.is_relative_to(base) and "site-packages" not in path.parts:
            dirs.append(path)
    return dirs


def _template_names(directory: Path) -> list[str]:
    return sorted(path.relative_to(directory).as_posix() for path in directory.rglob("*")
                  if path.is_file() and not path.name.startswith("."))


def _compile_templates(engine, *, project: bool = True, also: tuple[str, ...] = ()) -> int:
    """Compile into ``engine``'s cached loader every template of the project's directories it reads (the first
    directory wins, as when a view asks for it) unless not ``project``, and the templates under the prefixes
    ``also`` in any of its directories."""
    from django.template import TemplateDoesNotExist, TemplateSyntaxError
    from django.template.loaders.cached import Loader as CachedLoader

    names: set[str] = set()
    for loader in engine.template_loaders:
        inner = loader.loaders if isinstance(loader, CachedLoader) else [loader]
        for each in inner:
            for directory in _project_template_dirs(each) if project else ():
                names.update(_template_names(directory))
            for prefix in also:
                for directory in each.get_dirs():
                    root = Path(directory) / prefix
                    if root.is_dir():
                        names.update(f"{prefix}/{name}" for name in _template_names(root))
    compiled = 0
    for name in sorted(names):
        try:
            engine.get_template(name)
        except TemplateSyntaxError as error:  # reported, and raised again by the request that uses it
            logger.warning("warm-up: template %s does not compile: %s", name, error)
        except (TemplateDoesNotExist, UnicodeDecodeError):  # not a template (an image, a binary)
            continue
        else:
            compiled += 1
    return compiled


def _compile_all_templates() -> int:
    from django.forms.renderers import get_default_renderer
    from django.template import engines
    from django.template.backends.django import DjangoTemplates

    compiled = 0
    for backend in engines.all():
        if isinstance(backend, DjangoTemplates):
            compiled += _compile_templates(backend.engine)
            backend.engine.template_context_processors  # noqa: B018 — imported on the first render
    # The forms' own engine renders only form and widget templates (the project overrides none and names no other
    # template for a form): Django's, and any the project adds under the same prefix.
    renderer = get_default_renderer()
    engine = getattr(getattr(renderer, "engine", None), "engine", None)
    if engine is not None:
        compiled += _compile_templates(engine, project=False, also=("django/forms",))
    return compiled


def _populate_urls() -> int:
    """Build every resolver's reverse table and compile every pattern, as the first ``reverse()`` of each
    namespace and the first ``resolve()`` would. Reversing a name that does not exist inside a namespace builds
    that namespace's resolver (``get_ns_resolver``) the way a real name does."""
    from django.urls import NoReverseMatch, URLResolver, get_resolver, reverse

    count = 0

    def walk(resolver: URLResolver, namespace: str) -> None:
        nonlocal count
        resolver.reverse_dict  # noqa: B018 — built per language on first use
        for pattern in resolver.url_patterns:
            pattern.pattern.regex  # noqa: B018 — compiled on first use
            count += 1
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else (
                    pattern.namespace or namespace)
                if pattern.namespace:
                    with contextlib.suppress(NoReverseMatch):
                        reverse(f"{inner}:earlyhelp-warm-up-no-such-name")
                walk(pattern, inner)

    walk(get_resolver(), "")
    return count


def _load_locale() -> int:
    """The translation catalogs, the locale's format modules and the time zone."""
    from django.conf import settings
    from django.utils import formats, timezone, translation

    with translation.override(settings.LANGUAGE_CODE):
        translation.gettext("Early Help")
        translation.check_for_language(settings.LANGUAGE_CODE)
        for name in formats.FORMAT_SETTINGS:
            formats.get_format(name)
        now = timezone.localtime()
        formats.date_format(now, "DATETIME_FORMAT")
        formats.localize(1234.5)
        formats.localize(now.date())
    translation.check_for_language(translation.get_language())
    return len(formats.FORMAT_SETTINGS)


def _model_options() -> int:
    """Each model's field maps, built on first use."""
    from django.apps import apps

    models = apps.get_models()
    for model in models:
        meta = model._meta
        meta.get_fields()
        meta.fields_map  # noqa: B018
        meta._forward_fields_map  # noqa: B018
        meta._property_names  # noqa: B018
    return len(models)


def _compile_queries() -> int:
    """Compile (without running) a query of every model: the fields' column expressions and lookups, cached per
    field on first use."""
    from django.apps import apps
    from django.db import DatabaseError

    compiled = 0
    for model in apps.get_models():
        try:
            model._base_manager.all().query.sql_with_params()
        except DatabaseError:  # pragma: no cover — compiling touches no table
            continue
        compiled += 1
    return compiled


def _figures_codec() -> int:
    """The type hints the figures codec reads stored figures back by (``earlyhelp.figures_codec``)."""
    from earlyhelp import figures_codec, figures_engine

    registered = figures_engine.measures()
    for measure in registered.values():
        figures_codec.prepare(measure.value_type)
    return len(registered)


def _request_helpers() -> int:
    """What the middleware imports on the first request: the message storage, the session serializer."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    paths = [settings.MESSAGE_STORAGE, settings.SESSION_SERIALIZER]
    for path in paths:
        import_string(path)
    importlib.import_module(settings.SESSION_ENGINE)
    return len(paths) + 1


def _touch_caches() -> int:
    from django.core.cache import caches

    for cache in caches.all():
        cache.get("earlyhelp:warm-up")
    return len(caches.all())


def _static_files() -> int:
    """The static files storage (with the manifest storage of production: its manifest read)."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    staticfiles_storage.base_location  # noqa: B018 — sets the lazy storage up
    return 1


def _open_databases() -> int:
    """Open and check this process's connections. With ``CONN_MAX_AGE = 0`` a request closes its connection at
    the end anyway (and Django at the start): the check is kept, the connection closed."""
    from django.db import connections

    opened = 0
    for connection in connections.all():
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        connection.health_check_done = True
        if connection.settings_dict.get("CONN_MAX_AGE") == 0:
            connection.close()
        opened += 1
    return opened


def _drop_inherited_connections() -> None:
    """In a child just forked: forget the parent's database connections without closing them on the wire.

    The socket's descriptor is pointed at /dev/null first, so that the driver's goodbye on closing goes nowhere
    and the server keeps the parent's session; the child opens its own connection when it first needs one."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        raw = connection.connection
        if raw is None:
            continue
        try:
            descriptor = raw.fileno()
            null = os.open(os.devnull, os.O_RDWR)
            try:
                os.dup2(null, descriptor)
            finally:
                os.close(null)
        except (OSError, AttributeError, ValueError):
            pass
        connection.connection = None
        connection.close_at = None
        connection.health_check_done = False
        with contextlib.suppress(Exception):  # dropped either way; the driver's goodbye goes to /dev/null
            raw.close()


_fork_handler_registered = False


def _register_fork_handler() -> None:
    global _fork_handler_registered
    if not _fork_handler_registered and hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_drop_inherited_connections)
        _fork_handler_registered = True


#: the steps, in order: each returns how many things it warmed
STEPS: tuple[tuple[str, Callable[[], int]], ...] = (
    ("project modules", _import_project_modules),
    ("URL resolvers", _populate_urls),
    ("templates", _compile_all_templates),
    ("locale", _load_locale),
    ("models", _model_options),
    ("queries", _compile_queries),
    ("figures codec", _figures_codec),
    ("request helpers", _request_helpers),
    ("static files", _static_files),
    ("caches", _touch_caches),
    ("database", _open_databases),
)

#: steps an app adds for the Celery worker processes only (``register_worker_step``): what a task, not a page,
#: pays on first use — e.g. reporting's first PDF render (WeasyPrint's imports, fonts, PDF writer)
_worker_steps: dict[str, Callable[[], int]] = {}


def register_worker_step(name: str, step: Callable[[], int]) -> None:
    """Add ``step`` (returning how many things it warmed) to the warm-up of Celery worker processes. Called from
    an app's ``ready()``: the platform floor names no app above it."""
    _worker_steps[name] = step


#: what the last warm-up of this process did: step → (count, seconds); empty before
last_report: dict[str, tuple[int, float]] = {}


def warm_up(*, database: bool = True, worker: bool = False) -> dict[str, tuple[int, float]]:
    """Do in this process, now, what its first request would otherwise do; return step → (count, seconds).

    ``worker=True`` (a Celery pool process) adds the apps' worker steps. ``database=False`` leaves the
    connections closed."""
    _register_fork_handler()
    report: dict[str, tuple[int, float]] = {}
    steps = list(STEPS)
    if worker:
        steps[-1:-1] = list(_worker_steps.items())  # before the database, the last step
    for name, step in steps:
        if name == "database" and not database:
            continue
        start = time.perf_counter()
        count = step()
        report[name] = (count, time.perf_counter() - start)
    last_report.clear()
    last_report.update(report)
    logger.info("warm-up in %.0f ms: %s", sum(seconds for _, seconds in report.values()) * 1000,
                ", ".join(f"{name} {count} ({seconds * 1000:.0f} ms)" for name, (count, seconds) in report.items()))
    return report


def freeze_long_lived_objects() -> int:
    """Move everything this process holds now out of the garbage collector's sight (``gc.freeze``) after a
    full collection; returns how many objects are frozen. For a worker that has loaded and warmed up: a full
    collection during a request or task then walks only what that request allocates, not the hundreds of
    thousands of objects of Django, the URL conf and the libraries (a report's PDF render triggers several: they
    took 0.6–0.8 s of a 3.8–5.9 s report in a process not frozen, 0.23–0.26 s frozen). Done after the warm-up
    or without it (``WARM_UP=off``): it costs one collection at start."""
    import gc

    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def warm_up_if_enabled(**kwargs) -> dict[str, tuple[int, float]]:
    """:func:`warm_up` unless ``settings.WARM_UP`` is off."""
    from django.conf import settings

    if not getattr(settings, "WARM_UP", True):
        return {}
    return warm_up(**kwargs)
