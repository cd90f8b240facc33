from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Cases"

    def ready(self):
        from earlyhelp.home import register_home_panel

        from .home import casework_panel, shared_cases_panel

        register_home_panel(10, casework_panel)
        register_home_panel(11, shared_cases_panel)
        from . import signals  # noqa: F401 - connects the receivers

        _register_figures()


def _register_figures():
    """The figures cases counts through the figures engine (earlyhelp.figures_engine; docs/figures-engine.md).
    Its source tables declare their triggers on their models (``figures_triggers`` in ``Meta.triggers``)."""
    from earlyhelp import figures_engine

    from .stats import CaseStats

    # key: (start, end, team pk, locality pk, financial year's first month)
    figures_engine.register_measure("case_stats", CaseStats, app="cases", team_at=2, locality_at=3)
