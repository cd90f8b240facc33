"""The forms of the statutory returns page: what each return asks for. The rules are checked again by
``cases.statutory.jobs``."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.utils import timezone

from earlyhelp.forms import GovukForm

from ..forms import date_field
from .annex_a import default_period


def _this_census_year() -> int:
    """The census year DfE collects next: the one that ended last 31 March, or ends next 31 March."""
    today = timezone.localdate()
    return today.year if today.month <= 9 else today.year + 1


class CinCensusForm(GovukForm):
    year = forms.IntegerField(
        label="Census year", min_value=2000, max_value=2100,
        help_text="The year of the 31 March the census ends on: 2026 is 1 April 2025 to 31 March 2026.")
    la_number = forms.RegexField(
        label="Local authority number", regex=r"^\d{3}$", max_length=3,
        help_text="The council's three-digit DfE LA number, for example 926.",
        error_messages={"invalid": "Enter the council's three-digit LA number, for example 926"})
    module5 = forms.BooleanField(
        label="Add Module 5 (pre-proceedings and family group decision making), from the 2026/27 census",
        required=False,
        help_text="Provisional: DfE has not published the 2026/27 XSD yet. Element names follow the draft rules.")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"year": _this_census_year(), "module5": settings.CIN_CENSUS_MODULE5})
        super().__init__(*args, **kwargs)


class AnnexAForm(GovukForm):
    start = date_field("First day of the period")
    end = date_field("Last day of the period", help_text="Ofsted asks for the twelve months before the inspection.")

    def __init__(self, *args, **kwargs):
        start, end = default_period(timezone.localdate())
        kwargs.setdefault("initial", {"start": start, "end": end})
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and start > end:
            self.add_error("end", "The last day must be on or after the first day")
        return data


class SsdForm(GovukForm):
    """The Standard Safeguarding Dataset tables hold every episode: nothing to choose."""
