"""The worker warm-up (earlyhelp.warmup): after it, a first request compiles no template and imports no project
module; the database connection it opens is never shared with a forked child. Not timed (bench/ measures it:
bench_dashboard_cold.py, "worker start")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.template import engines
from django.template.base import Template
from django.template.loaders.cached import Loader as CachedLoader
from django.urls import reverse

from earlyhelp import warmup
from earlyhelp.permissions import Role

ROOT = Path(__file__).resolve().parent.parent


def _cached_loaders():
    return [loader for backend in engines.all() for loader in backend.engine.template_loaders
            if isinstance(loader, CachedLoader)]


def test_the_modules_it_imports_are_the_request_code_not_tests_migrations_or_commands():
    names = warmup.project_modules()
    assert "earlyhelp.context_processors" in names
    assert "outcomes.templatetags.outcomes_tags" in names
    assert "reporting.rendering" in names
    for name in names:
        parts = set(name.split(".")[1:])
        assert not parts & {"tests", "migrations", "management"}, name
    assert "earlyhelp.wsgi" not in names


def test_a_fresh_process_warmed_up_holds_every_project_module_and_template():
    """In a new interpreter (as a worker starts), without the database: every request module imported, every
    project template compiled into the cached loader, every resolver's reverse table built."""
    code = """
import json, os, sys
import django
django.setup()
from django.template import engines
from django.template.loaders.cached import Loader
from django.urls import get_resolver, URLResolver
from earlyhelp import warmup
before = len(sys.modules)
report = warmup.warm_up(database=False)
cached = sorted(key for b in engines.all() for l in b.engine.template_loaders if isinstance(l, Loader)
                for key in l.get_template_cache)
def unbuilt(resolver):
    missing = [] if resolver._reverse_dict else [str(resolver.pattern)]
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            missing += unbuilt(p)
    return missing
print(json.dumps({"missing": sorted(set(warmup.project_modules()) - set(sys.modules)), "cached": cached,
                  "steps": sorted(report), "unbuilt": unbuilt(get_resolver()), "imported": len(sys.modules) - before}))
"""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "earlyhelp.test_settings"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, env=env)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["missing"] == []
    assert result["imported"] > 0
    assert "base.html" in result["cached"]
    assert "outcomes/dashboard.html" in result["cached"]
    assert result["unbuilt"] == []
    assert "database" not in result["steps"]
    assert {"project modules", "URL resolvers", "templates", "locale"} <= set(result["steps"])


@pytest.fixture
def compilations(monkeypatch):
    """The names of the templates compiled from now on."""
    names = []
    original = Template.compile_nodelist

    def spy(self):
        names.append(self.origin.template_name if self.origin else self.name)
        return original(self)

    monkeypatch.setattr(Template, "compile_nodelist", spy)
    return names


def test_after_the_warm_up_a_first_page_compiles_no_template(tenant_a, member, sign_in, compilations):
    for loader in _cached_loaders():
        loader.reset()  # as in a new process
    warmup.warm_up(database=False)
    compilations.clear()
    client = sign_in(member(tenant_a, Role.PERFORMANCE_OFFICER))
    assert client.get(reverse("outcomes:dashboard")).status_code == 200
    assert client.get(reverse("home")).status_code == 200
    assert compilations == []


def test_without_the_warm_up_the_first_page_compiles_its_templates(tenant_a, member, sign_in, compilations):
    """The test above can fail: with the cached loaders emptied and no warm-up, the page compiles templates."""
    for loader in _cached_loaders():
        loader.reset()
    client = sign_in(member(tenant_a, Role.PERFORMANCE_OFFICER))
    assert client.get(reverse("outcomes:dashboard")).status_code == 200
    assert "outcomes/dashboard.html" in compilations


def test_the_setting_switches_it_off(settings):
    settings.WARM_UP = False
    assert warmup.warm_up_if_enabled(database=False) == {}


@pytest.mark.django_db(transaction=True)
def test_a_forked_child_drops_the_parents_connection_without_closing_it_for_the_parent():
    """A server that imports the application before forking (gunicorn --preload) must not hand its connection
    to the workers: the child forgets it without a word on the wire, the parent goes on using it."""
    warmup._register_fork_handler()
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        parent_backend = cursor.fetchone()[0]
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report what it inherited, then leave without running the parent's clean-ups
        try:
            os.close(read)
            dropped = connection.connection is None
            os.write(write, json.dumps({"dropped": dropped}).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        child = json.loads(pipe.read())
    os.waitpid(pid, 0)
    assert child == {"dropped": True}
    with connection.cursor() as cursor:  # the parent's session is intact: same backend, still answering
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] == parent_backend


def test_a_celery_pool_process_warms_up_with_the_worker_steps(monkeypatch):
    """earlyhelp.celery warms each pool process up on worker_process_init, with the apps' worker steps (reporting:
    a first PDF rendered). Without the database step here: the test database belongs to the test's transaction."""
    from celery.signals import worker_process_init

    monkeypatch.setattr(warmup, "STEPS", tuple(step for step in warmup.STEPS if step[0] != "database"))
    warmup.last_report.clear()
    worker_process_init.send(sender=None)
    assert warmup.last_report["PDF rendering"][0] > 1000  # bytes of PDF
    assert "templates" in warmup.last_report


def test_a_worker_freezes_what_it_holds_after_the_warm_up():
    """A web worker (earlyhelp.wsgi) and a Celery pool process freeze their long-lived objects after warming up,
    so that a task's full collections do not walk Django's heap (with WARM_UP=off too). In a new interpreter:
    freezing is for the life of the process."""
    code = """
import gc, json, os
os.environ["WARM_UP"] = "off"
import django
django.setup()
from celery.signals import worker_process_init
import earlyhelp.celery
before = gc.get_freeze_count()
worker_process_init.send(sender=None)
after_worker = gc.get_freeze_count()
gc.unfreeze()
import earlyhelp.wsgi
print(json.dumps([before, after_worker, gc.get_freeze_count(), len(gc.get_objects())]))
"""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "earlyhelp.test_settings"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, env=env)
    before, after_worker, after_wsgi, still_tracked = json.loads(out.stdout.strip().splitlines()[-1])
    assert before == 0
    assert after_worker > 50_000
    assert after_wsgi > after_worker / 2
    assert still_tracked < after_wsgi / 10
