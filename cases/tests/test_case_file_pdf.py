"""The case file PDF: the case, the family's people with their NHS numbers, the genogram of the family page (the
same SVG, drawn by WeasyPrint) and its relationships in words; audited; read back with pdfplumber."""

from __future__ import annotations

import io

import pdfplumber
from django.urls import reverse

from cases import services
from earlyhelp.models import AuditEvent, Membership
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from tests.factories import acting

from .helpers import D, child, open_case, team_for


def test_the_case_file_pdf_draws_the_familys_genogram_and_names_the_relationships(tenant_a, member, sign_in):
    lead = member(tenant_a, Role.PRACTITIONER, username="lena")
    team = team_for(tenant_a, lead)
    with tenant_context(tenant_a):
        by = Membership.all_tenants.get(user=lead)
        rory = child(first="Rory", last="Rowe", dob=D(2016, 2, 2))
        ruby = child(family=rory.family, first="Ruby", last="Rowe", dob=D(2019, 8, 8))
        rhea = services.person_create(family=rory.family, first_name="Rhea", last_name="Rowe", kind="adult",
                                      date_of_birth=D(1989, 1, 1), by=acting())
        ron = services.person_create(family=rory.family, first_name="Ron", last_name="Rigby", kind="adult",
                                     in_household=False, by=acting())
        services.relationship_add(person=rhea, relative=rory, kind="mother", parental_responsibility=True, by=by)
        services.relationship_add(person=rhea, relative=ruby, kind="mother", by=by)
        services.relationship_add(person=ruby, relative=rory, kind="half_sibling", by=by)
        services.relationship_add(person=ron, relative=rory, kind="kinship_carer", by=by)
        case = open_case(lead=lead, team=team, kid=rory)

    client = sign_in(lead)
    assert b"Print the case file (PDF)" in client.get(reverse("cases:case", args=[case.public_id])).content
    response = client.get(reverse("cases:case-file-pdf", args=[case.public_id]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    with pdfplumber.open(io.BytesIO(response.content)) as pdf:
        text = " ".join(" ".join((page.extract_text() or "").split()) for page in pdf.pages)
        shapes = sum(len(page.curves) + len(page.rects) for page in pdf.pages)
    assert "Case file: Rowe family" in text
    for sentence in ("Rhea Rowe is Rory Rowe's mother (parental responsibility); Rory Rowe is Rhea Rowe's child.",
                     "Ruby Rowe is Rory Rowe's half-sibling; Rory Rowe is Ruby Rowe's half-sibling.",
                     "Ron Rigby is Rory Rowe's kinship carer; Rory Rowe is Ron Rigby's child in their kinship care."):
        assert sentence in text, sentence
    drawn = text.split("The same relationships follow in words.", 1)[1].split("Rhea Rowe is Rory", 1)[0]
    for name in ("Rhea Rowe", "Ron Rigby", "Rory Rowe", "Ruby Rowe"):  # the genogram's own labels
        assert name in drawn, name
    assert shapes >= 4  # a shape per person at least
    with tenant_context(tenant_a):
        assert AuditEvent.objects.filter(action="case.printed", actor=lead).count() == 1
