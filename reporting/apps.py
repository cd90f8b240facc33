from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Reporting"

    def ready(self):
        from earlyhelp.home import register_home_panel

        from .home import reports_panel

        register_home_panel(30, reports_panel)

        from earlyhelp.warmup import register_worker_step

        from .rendering import warm_up_pdf

        register_worker_step("PDF rendering", warm_up_pdf)
