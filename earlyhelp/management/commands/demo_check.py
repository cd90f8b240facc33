"""Prove the seeded demo cannot show a 500: every demo user walks the site, and the demo reports render.

Run after ``seed_demo --password …`` (``make demo-check``, CI). As every demo user, signed in through the login
form with the test client (so as the application role, under row-level security, when the embedded database
is used):

1. breadth-first over the links of every page reachable from the user's home page (same origin, at most
   ``--per-route`` pages of one URL pattern and ``--max-pages`` pages per user; a user with two councils walks
   each of them);
2. then every URL pattern of the project the walk did not reach, its parameters filled from the real objects
   the walks found (the same council's where there is one), or a made-up value when none was found (the page
   must then answer 404, not 500);
3. each app's ``demo.check(tenant, sign_in)`` (``reporting.demo.check``: every report run the seed created is
   ``done``; the council's performance officer asks for a run of one Public and one exempt report through the
   report page's form, and each ends ``done`` with a PDF).

Any response of 500 or more fails the command, with the user, the address and the exception.
"""

from __future__ import annotations

import html
import logging
import re
import time
import uuid
from collections import Counter, deque
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from django.core.management.base import BaseCommand, CommandError
from django.test import Client
from django.urls import NoReverseMatch, Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.converters import IntConverter, UUIDConverter

from earlyhelp.demo import DEMO_PEOPLE, DEMO_TENANTS, PLATFORM_ADMIN, ROLE_SHORT, SHARED_USER, app_demo_modules
from earlyhelp.models import Tenant

LINK = re.compile(r"<a\s[^>]*?href=\"([^\"]+)\"", re.IGNORECASE)
MEMBERSHIP_OPTION = re.compile(r"<option value=\"([0-9a-f-]{36})\"[^>]*>([^<(]+)\(")
ORIGIN = "http://testserver"


@dataclass
class Walker:
    """One signed-in demo user and what their walk found."""

    username: str
    tenant: str | None  # the council whose objects fill the user's parameters (None: any)
    client: Client
    routes: Counter = field(default_factory=Counter)  # pages visited per URL pattern
    found: list = field(default_factory=list)  # (route, parameters) of every page walked
    pages: int = 0
    failures: list[str] = field(default_factory=list)

    def get(self, url: str):
        response = self.client.get(url)
        self.pages += 1
        if response.status_code >= 500:
            exc = getattr(response, "exc_info", None)
            reason = f"{exc[0].__name__}: {exc[1]}" if exc else response.content[:200].decode(errors="replace")
            self.failures.append(f"{self.username} GET {url} → {response.status_code} {reason}")
        return response


def _route(path: str) -> tuple[str, dict] | None:
    """(URL pattern, parameters) of a path, or None when no pattern matches."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.route, match.kwargs


def _same_origin(base: str, href: str) -> str | None:
    href = html.unescape(href.strip())
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
        return None
    parts = urlsplit(urljoin(ORIGIN + base, href))
    if f"{parts.scheme}://{parts.netloc}" != ORIGIN:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def url_patterns(resolver=None, prefix="", namespace=""):
    """(route, qualified name, {parameter: converter or None}) of every named URL pattern."""
    resolver = resolver or get_resolver()
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            ns = f"{namespace}{item.namespace}:" if item.namespace else namespace
            yield from url_patterns(item, prefix + str(item.pattern), ns)
        elif isinstance(item, URLPattern) and item.name:
            params = dict(getattr(item.pattern, "converters", {}))
            params.update({name: None for name in item.pattern.regex.groupindex if name not in params})
            parents = getattr(resolver, "pattern", None)
            for name, converter in getattr(parents, "converters", {}).items():
                params.setdefault(name, converter)
            yield prefix + str(item.pattern), namespace + item.name, params


def _made_up(converter):
    if isinstance(converter, UUIDConverter):
        return uuid.UUID(int=1)
    if isinstance(converter, IntConverter):
        return 999999999
    return "demo-check"


class Command(BaseCommand):
    help = "Sign in as every demo user, walk every page they can reach and every URL pattern; render reports."

    def add_arguments(self, parser):
        parser.add_argument("--password", required=True, help="The demo users' password (seed_demo --password).")
        parser.add_argument("--max-pages", type=int, default=400, help="Pages walked by links per user and council.")
        parser.add_argument("--per-route", type=int, default=3, help="Pages of one URL pattern walked per user.")

    def handle(self, *args, password, max_pages, per_route, **options):
        logging.getLogger("django.request").setLevel(logging.CRITICAL)  # 404s and 403s are expected; 500s reported
        self.password = password
        tenants = {t.slug: t for t in Tenant.objects.filter(slug__in=[s.slug for s in DEMO_TENANTS])}
        if len(tenants) != len(DEMO_TENANTS):
            raise CommandError("The demo councils are missing: run `manage.py seed_demo` first.")
        walkers = self.walk_everyone(max_pages, per_route)
        samples = self.samples(walkers)
        patterns = list(url_patterns())
        for walker in walkers:
            self.visit_every_pattern(walker, patterns, samples)
        failures = [failure for walker in walkers for failure in walker.failures]
        failures += self.app_checks(tenants)
        pages = sum(w.pages for w in walkers)
        if failures:
            raise CommandError(f"demo-check: {len(failures)} problems in {pages} pages:\n  " + "\n  ".join(failures))
        self.stdout.write(self.style.SUCCESS(
            f"demo-check: {len(walkers)} walks by {len({w.username for w in walkers})} demo users, {pages} pages, "
            f"{len(patterns)} URL patterns each, no response ≥ 500; every seeded report run done; a Public and an "
            f"exempt report rendered in each of {len(tenants)} councils"))

    # -- signing in and walking ---------------------------------------------------------------------------------

    def sign_in(self, username: str) -> Client:
        client = Client(raise_request_exception=False)
        response = client.post("/accounts/login/", {"username": username, "password": self.password})
        if response.status_code != 302:
            raise CommandError(f"{username} could not sign in with the demo-check password ({response.status_code})")
        return client

    def demo_users(self):
        """(username, council slug or None) of every user seed_demo creates."""
        for spec in DEMO_TENANTS:
            for role, _, _ in DEMO_PEOPLE[spec.prefix]:
                yield f"{spec.prefix}.{ROLE_SHORT[role]}", spec.slug
        yield SHARED_USER, None
        yield PLATFORM_ADMIN, None

    def walk_everyone(self, max_pages: int, per_route: int) -> list[Walker]:
        councils = {spec.name: spec.slug for spec in DEMO_TENANTS}
        walkers = []
        for username, slug in self.demo_users():
            client = self.sign_in(username)
            options = MEMBERSHIP_OPTION.findall(client.get("/").content.decode())  # the council switcher
            if username == SHARED_USER and len(options) < len(DEMO_TENANTS):
                raise CommandError(f"{SHARED_USER} cannot switch between the demo councils")
            for index, (membership, council) in enumerate(options or [(None, "")]):
                if index:  # a session of its own in each of the user's councils
                    client = self.sign_in(username)
                    client.post("/switch-tenant/", {"membership": membership, "next": "/"})
                walker = Walker(username, councils.get(council.strip(), slug), client)
                began = time.monotonic()
                self.walk(walker, max_pages, per_route, home="/platform/" if username == PLATFORM_ADMIN else "/")
                walkers.append(walker)
                self.stdout.write(f"  {username} ({walker.tenant or 'no council'}): {walker.pages} pages by links, "
                                  f"{len(walker.routes)} URL patterns, {time.monotonic() - began:.0f} s")
        return walkers

    def walk(self, walker: Walker, max_pages: int, per_route: int, home: str = "/") -> None:
        queue, seen = deque([home]), {home}
        start = walker.pages
        while queue and walker.pages - start < max_pages:
            url = queue.popleft()
            route = _route(url.split("?")[0])
            key = route[0] if route else url
            if walker.routes[key] >= per_route:
                continue
            walker.routes[key] += 1
            if route:
                walker.found.append(route)
            response = walker.get(url)
            targets = []
            if 300 <= response.status_code < 400 and response.get("Location"):
                targets = [response["Location"]]
            elif response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
                targets = LINK.findall(response.content.decode(errors="replace"))
            for href in targets:
                target = _same_origin(url, href)
                if target and target not in seen:
                    seen.add(target)
                    queue.append(target)

    # -- every URL pattern, with real parameters ----------------------------------------------------------------

    @staticmethod
    def samples(walkers: list[Walker]) -> dict:
        """Parameters seen by the walks: by (council, route), and by (council, parameter name)."""
        samples: dict = {}
        for walker in walkers:
            for route, kwargs in walker.found:
                if kwargs:
                    for council in (walker.tenant, None):
                        samples.setdefault((council, route), kwargs)
                        for name, value in kwargs.items():
                            samples.setdefault((council, "param", name), value)
        return samples

    def visit_every_pattern(self, walker: Walker, patterns, samples: dict) -> None:
        for route, name, params in patterns:
            if walker.routes[route]:
                continue
            kwargs = samples.get((walker.tenant, route)) or samples.get((None, route))
            if kwargs is None:
                kwargs = {param: samples.get((walker.tenant, "param", param), samples.get((None, "param", param)))
                          for param in params}
                kwargs = {param: _made_up(params[param]) if value is None else value for param, value in kwargs.items()}
            try:
                url = reverse(name, kwargs=kwargs)
            except NoReverseMatch:
                continue  # a parameter no real or made-up value fits (a regex-only admin route)
            walker.routes[route] += 1
            walker.get(url)

    # -- each app's own checks (reporting: the report runs) ---------------------------------------------------

    def app_checks(self, tenants: dict[str, Tenant]) -> list[str]:
        failures = []
        for spec in DEMO_TENANTS:
            def sign_in(role, prefix=spec.prefix):
                return self.sign_in(f"{prefix}.{role}")

            for module in app_demo_modules():
                check = getattr(module, "check", None)
                if check is not None:
                    failures += [f"{spec.slug}: {problem}" for problem in check(tenants[spec.slug], sign_in)]
        return failures
