from django.apps import AppConfig


class CommissioningConfig(AppConfig):
    name = "commissioning"
    verbose_name = "Commissioning"

    def ready(self):
        from earlyhelp.home import register_home_panel

        from .home import returns_panel

        register_home_panel(20, returns_panel)
        # API clients can be made for a provider: the API client pages (a floor below) call this app through
        # the hook they offer, without importing it.
        from earlyhelp.api.extensions import register_client_owner

        from . import api_clients

        register_client_owner(api_clients)
