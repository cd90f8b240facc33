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
        _register_figures()


def _register_figures():
    """The figures outcomes counts through the figures engine (earlyhelp.figures_engine; docs/figures-engine.md),
    and its background recount (the dashboard's default quarters for the council, each locality and each team).
    Its source tables (readings, scores, family outcomes, the programme's; cases' plans and plan goals for the
    National Framework counts) declare their triggers on their models."""
    from earlyhelp import figures_engine

    from .stats.family import FamilyOutcomeStats
    from .stats.national_framework import NationalFrameworkStats
    from .stats.programme import ProgrammeStats
    from .stats.readings import ReadingStats

    # keys: (start, end, tool pk, subject, team pk, locality pk, threshold) and (start, end, team pk, locality pk)
    figures_engine.register_measure("reading_stats", ReadingStats, app="outcomes", team_at=4, locality_at=5)
    figures_engine.register_measure("family_outcome_stats", FamilyOutcomeStats, app="outcomes", team_at=2,
                                    locality_at=3)
    figures_engine.register_measure("programme_stats", ProgrammeStats, app="outcomes", team_at=2, locality_at=3)
    figures_engine.register_measure("national_framework_stats", NationalFrameworkStats, app="outcomes", team_at=2,
                                    locality_at=3)
    figures_engine.register_recount("outcomes.dashboard", _recount_dashboard)


def _recount_dashboard(tenant):
    from .dashboard import recount_dashboard

    recount_dashboard(tenant)
