"""django-import-export resources of the cases app: the migration import's template (CSV or XLSX)."""

from __future__ import annotations

from import_export import fields, resources

from earlyhelp.spreadsheets import escape_cell, export_dataset

from .services.importing import COLUMNS

# A fictional example row (shown in the downloaded template): a referral from a school that opened a case.
EXAMPLE_ROW = {
    "external_id": "OLD-000123", "family_name": "Example family", "postcode": "NB1 1AA", "first_name": "Sam",
    "last_name": "Example", "date_of_birth": "2015-03-01", "sex": "U", "ethnicity": "NOBT",
    "referral_received": "2024-04-10", "source_code": "2A", "route": "direct", "need_codes": "PARENTING;ATTENDANCE",
    "decision": "case_opened", "decision_date": "2024-04-20", "case_opened": "2024-04-20", "team": "",
    "lead_professional": "", "level": "2", "consent_date": "2024-04-12", "consent_given_by": "Mother",
    "consent_method": "written", "closed_date": "2024-09-01", "closure_reason": "OUTCOMES_MET",
    "judgement": "fully", "closure_summary": "Routines in place; attendance above 95%.",
}


class CaseImportTemplateResource(resources.Resource):
    """The columns of an import file. Text cells are escaped against formula injection on export."""

    class Meta:
        fields = COLUMNS
        export_order = COLUMNS

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for name in COLUMNS:
            self.fields[name] = fields.Field(attribute=name, column_name=name)

    def export_field(self, field, instance, **kwargs):
        return escape_cell(instance.get(field.attribute, ""))


def import_template(file_format: str, *, team_name: str = "") -> bytes:
    """The import template as ``csv`` or ``xlsx`` bytes: the header and one example row."""
    example = {**EXAMPLE_ROW, "team": team_name}
    return export_dataset(CaseImportTemplateResource().export([example]), file_format)
