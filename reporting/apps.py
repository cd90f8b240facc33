from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Reporting"

    def ready(self):
        from earlyhelp.home import register_home_panel

        from .home import reports_panel

        register_home_panel(30, reports_panel)
