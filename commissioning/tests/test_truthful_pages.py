"""Commissioning that tells the truth (issue #19): late only when a contract covers the quarter and its deadline
has passed; the service page opens on the current quarter; money as £95,000; ``*`` only on small bases, as the
legend says; RAG badge text readable on its colour (≥ 4.5:1)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from commissioning import selectors, services
from commissioning.tests.conftest import Q1, csv_file, good_rows
from earlyhelp.figures import money
from earlyhelp.periods import Quarter
from earlyhelp.tenancy import tenant_context


def test_a_return_outside_the_contract_is_never_late(tenant_a, commissioner, steps):
    with tenant_context(tenant_a):
        services.service_update(by=commissioner, service=steps, contract_start=dt.date(2014, 4, 1),
                                contract_end=dt.date(2017, 3, 31))
    steps.refresh_from_db()
    long_after = dt.date(2025, 1, 1)
    assert selectors.return_state(steps, None, Quarter(2024, 2), long_after) == "not_contracted"
    assert selectors.return_state(steps, None, Quarter(2013, 4), long_after) == "not_contracted"
    assert selectors.return_state(steps, None, Quarter(2016, 4), long_after) == "late"  # the contract's last quarter
    assert selectors.return_state(steps, None, Quarter(2016, 4), dt.date(2017, 4, 2)) == "due"


def test_the_dashboard_does_not_call_an_ended_contract_late(tenant_a, commissioner, steps, sign_in, monkeypatch):
    with tenant_context(tenant_a):
        services.service_update(by=commissioner, service=steps, contract_end=dt.date(2017, 3, 31))
    monkeypatch.setattr("commissioning.views._today", lambda: dt.date(2025, 1, 20))
    text = sign_in(commissioner.user).get(reverse("commissioning:dashboard")).content.decode()
    assert "Returns for 2024/25 Q3" in text
    assert "Late" not in text and "No contract this quarter" in text


@pytest.fixture
def accepted_q1(tenant_a, commissioner, steps):
    with tenant_context(tenant_a):
        outcome = services.return_import(by=commissioner, service=steps, quarter=Q1, filename="r.csv",
                                         data=csv_file(good_rows(safer=("2", "3"))))
        kpi_return = services.return_submit(by=commissioner, kpi_return=outcome.kpi_return)
        services.return_accept(by=commissioner, kpi_return=kpi_return)
    return kpi_return


def test_the_service_page_opens_on_the_current_quarter(steps, accepted_q1, commissioner, sign_in, monkeypatch):
    monkeypatch.setattr("commissioning.views._today", lambda: dt.date(2025, 1, 20))
    client = sign_in(commissioner.user)
    url = reverse("commissioning:service", args=[steps.public_id])
    text = client.get(url).content.decode()
    assert "2023/24 Q2 to 2024/25 Q3" in text
    assert ">2014/15 Q1</th>" not in text and "No returns for these quarters" in text
    assert "Latest quarters with returns (to 2014/15 Q1)" in text
    old = client.get(url, {"to": "2014/15 Q1"}).content.decode()
    assert ">2014/15 Q1</th>" in old and "93%" not in old and "67%" in old  # 2 of 3


def test_money_is_written_with_separators(tenant_a, commissioner, steps, sign_in):
    assert money(95000) == "£95,000" and money("1234.5") == "£1,234.50" and money(-3) == "-£3"
    with tenant_context(tenant_a):
        services.service_update(by=commissioner, service=steps, annual_value=95000)
    text = sign_in(commissioner.user).get(reverse("commissioning:service", args=[steps.public_id])).content.decode()
    assert "£95,000<" in text and "95000.00" not in text


def test_the_star_marks_only_small_bases(tenant_a, commissioner, steps, sign_in, monkeypatch):
    monkeypatch.setattr("commissioning.views._today", lambda: dt.date(2014, 10, 20))  # collecting 2014/15 Q2
    with tenant_context(tenant_a):
        for quarter, safer in ((Q1, ("14", "15")), (Quarter(2014, 2), ("2", "3"))):  # base 15, then base 3
            services.return_import(by=commissioner, service=steps, quarter=quarter, filename="r.csv",
                                   data=csv_file(good_rows(quarter=str(quarter), safer=safer)))
    text = sign_in(commissioner.user).get(reverse("commissioning:service", args=[steps.public_id])).content.decode()
    assert "marks a base below 5" in text
    stars = re.findall(r'class="eh-small">\*', text)
    assert len(stars) == 2  # the legend and the one small base (3), not the base of 15
    assert "(14 of 15)</span> <strong" not in text and "(2 of 3)</span> <strong" in text
    notes = re.findall(r'href="#note-(\d+)"', text)
    assert notes and all(f'id="note-{n}"' in text for n in notes)  # each note marker leads to its note


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("colour", ["green", "amber", "red"])
def test_rag_badge_text_meets_contrast(colour):
    css = (Path(settings.BASE_DIR) / "static/css/commissioning.css").read_text()
    rule = re.search(rf"\.eh-rag--{colour} \{{([^}}]*)\}}", css).group(1)
    background = re.search(r"background: (#[0-9a-f]{6})", rule).group(1)
    text = re.search(r"(?<!-)color: (#[0-9a-f]{6})", rule).group(1)
    assert contrast(background, text) >= 4.5, (colour, background, text, contrast(background, text))
