"""The case file as a PDF (WeasyPrint): the case, the family's people with their identifiers, the family's
genogram drawn as on the family page (the same SVG) with its relationships in words, the plans, reviews and the
chronology. Printed from the case page; every print is audited (``case.printed``)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from earlyhelp.pdf import write_pdf

from .models import Case
from .selectors import case_page, family_map, relationship_sentences


def case_file_context(*, case: Case) -> dict:
    family = case.family
    picture = family_map(family=family)
    return {"case": case, "family": family, "map": picture, "relationships": relationship_sentences(picture),
            "addresses": list(family.addresses.all()), "generated_at": timezone.localtime(), **case_page(case=case)}


def case_file_pdf(*, case: Case) -> bytes:
    return write_pdf(render_to_string("cases/pdf/case_file.html", case_file_context(case=case)))
