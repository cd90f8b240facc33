"""The API benchmark's bare views (``bench/api_site``, never in the product's URLs) answer exactly what the API's
cases list answers, under row-level security as the application role, so that ``bench/bench_api.py`` compares
the same work on both sides. (No timing here: the benchmark measures, tests only check what it compares.)"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from tests.api import makers


@pytest.fixture
def bench_site(monkeypatch, tenant_a):
    from bench.api_site import urls

    monkeypatch.setenv("BENCH_TENANT_ID", str(tenant_a.pk))
    urls._tenant.cache_clear()
    with override_settings(ROOT_URLCONF="bench.api_site.urls"):
        yield
    urls._tenant.cache_clear()


def test_the_bare_views_answer_the_api_lists_cases_under_row_level_security(bench_site, tenant_a, tenant_b,
                                                                             make_api_client, bearer, app_role,
                                                                             client):
    from tests.api.test_matrix_row_level_security import AppRole

    mine = [makers.case(tenant_a, opened_on=dt.date(2024, 5, day)) for day in (1, 3, 2)]
    makers.case(tenant_b, opened_on=dt.date(2024, 5, 4))
    _, token = make_api_client(tenant_a)
    with AppRole(app_role):
        api = bearer(token).get("/api/v1/cases/").json()["results"]
        split = client.get("/api/bench/bare-cases-split/").json()["results"]
        bare = client.get("/api/bench/bare-cases/").json()["results"]
    newest_first = [str(case.public_id) for case in sorted(mine, key=lambda c: c.opened_on, reverse=True)]
    assert [row["id"] for row in api] == newest_first
    assert split == api  # the same dictionaries: the framework is the only difference
    assert [row["public_id"] for row in bare] == newest_first
    assert bare[0]["team__name"] and bare[0]["children"]


def test_the_bare_views_are_not_in_the_products_urls(client):
    assert client.get("/api/bench/bare-cases-split/").status_code == 404
