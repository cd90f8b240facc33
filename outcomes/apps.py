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
