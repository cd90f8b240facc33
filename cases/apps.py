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
