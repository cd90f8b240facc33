from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = "Outcomes"

    def ready(self):
        # A closure judged "achieved fully" is checked against the distance travelled too (cases cannot import us).
        from cases.services.closing import CLOSURE_EVIDENCE_CHECKS

        from .services.tools import closure_evidence_gaps

        if closure_evidence_gaps not in CLOSURE_EVIDENCE_CHECKS:
            CLOSURE_EVIDENCE_CHECKS.append(closure_evidence_gaps)

        # The distance-travelled readings a partner practitioner may see (cases.partner_access).
        from cases.partner_access import register_partner_section

        from .selectors import partner_readings

        register_partner_section("readings", partner_readings)
