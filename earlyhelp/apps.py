from django.apps import AppConfig
from django.db.models.signals import post_migrate


class EarlyHelpConfig(AppConfig):
    name = "earlyhelp"
    verbose_name = "Early Help platform"

    def ready(self):
        from . import checks  # noqa: F401 - registers the system checks
        from .home import register_home_panel
        from .sharing.home import agreements_panel

        register_home_panel(90, agreements_panel)

        post_migrate.connect(_grant_after_migrate, sender=self, dispatch_uid="earlyhelp_grant_app_role")


def _grant_after_migrate(sender, using="default", **kwargs):
    from .rls import grant_app_role

    grant_app_role(using=using)
