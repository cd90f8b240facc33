"""manage.py demo_check: the walk reports every response of 500 or more, and knows every URL pattern."""

import pytest
from django.test import Client
from django.urls.converters import UUIDConverter

from earlyhelp.management.commands.demo_check import Command, Walker, url_patterns


@pytest.mark.urls("tests.demo_check_urls")
def test_the_walk_follows_same_origin_links_and_reports_a_page_that_fails(tenant_a, member):
    client = Client(raise_request_exception=False)
    client.force_login(member(tenant_a))
    walker = Walker("nb.officer", "northbridge", client)
    Command().walk(walker, max_pages=10, per_route=3)
    assert walker.pages == 3  # home, fine, boom: never the other site
    assert walker.failures == ["nb.officer GET /boom/ → 500 RuntimeError: the demo page broke"]
    assert dict(walker.routes) == {"": 1, "fine/": 1, "boom/": 1}


def test_every_url_pattern_is_known_with_its_parameters():
    patterns = {name: params for _, name, params in url_patterns()}
    assert isinstance(patterns["reporting:report-detail"]["public_id"], UUIDConverter)
    assert {"home", "logout", "api-clients", "reporting:run-download"} <= set(patterns)
