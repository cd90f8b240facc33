"""Ofsted's Annex A list 2 (early help): one row per child per early help assessment open at any time in the
period, as an XLSX workbook (openpyxl).

Columns and codes are list 2's in ``Annex_A_schema.yml`` (SocialFinanceDigitalLabs/liia-tools-pipeline, MIT;
``tests`` read them from ``../shared/standards/ofsted-annex-a``): the child's id, gender and ethnicity as Annex A's
category codes (mapped from the CIN census codes the records hold), date of birth, age in whole years at the end
of the period, the assessment's start and completion dates (date cells shown ``dd/mm/yyyy``) and the team of the
case as the organisation completing the assessment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import Q
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from ..models import Assessment
from .common import age_on, person_ref

SHEET_TITLE = "List 2"
COLUMNS = (
    "Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)", "Assessment start date",
    "Assessment completion date", "Organisation completing assessment",
)
DATE_FORMAT = "dd/mm/yyyy"  # Annex A's "%d/%m/%Y"

# The person's sex (CIN census sextype) as Annex A's gender category.
GENDER = {"M": "a) Male", "F": "b) Female", "U": "c) Not stated/recorded"}
# The person's ethnicity (CIN census ethnicitytype) as Annex A's broad group.
ETHNICITY = {
    **dict.fromkeys(("WBRI", "WIRI", "WIRT", "WOTH", "WROM"), "a) White"),
    **dict.fromkeys(("MWBC", "MWBA", "MWAS", "MOTH"), "b) Mixed"),
    **dict.fromkeys(("AIND", "APKN", "ABAN", "AOTH"), "c) Asian or Asian British"),
    **dict.fromkeys(("BCRB", "BAFR", "BOTH"), "d) Black or black British"),
    **dict.fromkeys(("CHNE", "OOTH"), "e) Other ethnic group"),
    **dict.fromkeys(("REFU", "NOBT"), "f) Not stated"),
}
NOT_STATED_GENDER = GENDER["U"]
NOT_STATED_ETHNICITY = "f) Not stated"


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """Annex A's usual window: the twelve months up to ``today``."""
    try:
        start = today.replace(year=today.year - 1) + dt.timedelta(days=1)
    except ValueError:  # 29 February
        start = dt.date(today.year - 1, 3, 1)
    return start, today


def annex_a_rows(start: dt.date, end: dt.date):
    """The current council's list 2 rows for assessments open at any time from ``start`` to ``end``."""
    assessments = (Assessment.objects.filter(started_on__lte=end, case__children__isnull=False)
                   .filter(Q(completed_on__isnull=True) | Q(completed_on__gte=start))
                   .order_by("started_on", "pk", "case__children__pk")
                   .values_list("started_on", "completed_on", "case__team__name", "case__children__public_id",
                                "case__children__sex", "case__children__ethnicity",
                                "case__children__date_of_birth"))
    for started, completed, team, person_id, sex, ethnicity, born in assessments.iterator(chunk_size=5000):
        yield [person_ref(person_id), GENDER.get(sex, NOT_STATED_GENDER),
               ETHNICITY.get(ethnicity, NOT_STATED_ETHNICITY), born, age_on(born, end), started, completed, team]


def annex_a_write(out, *, start: dt.date, end: dt.date, progress: Callable[[int], None] | None = None) -> int:
    """Write the list 2 workbook to ``out`` (a path or a binary stream); returns the rows written."""
    if start > end:
        raise ValueError("The period must start on or before the day it ends.")
    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET_TITLE)
    sheet.append(list(COLUMNS))
    count = 0
    for row in annex_a_rows(start, end):
        cells = []
        for value in row:
            if isinstance(value, dt.date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = DATE_FORMAT
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
        count += 1
        if progress and count % 5000 == 0:
            progress(min(90, 10 + count // 500))
    book.save(out)
    return count
