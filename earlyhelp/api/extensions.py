"""A hook for an app on a floor above to let API clients be made for one of its organisations (the commissioning
app: a provider's own system, submitting and reading that provider's returns only).

The app registers a module in its ``AppConfig.ready()``; the API client pages call it through ``client_owner()``
and import nothing from above. The module provides ``provider_choices()``, ``PROVIDER_CLIENT_SCOPES``,
``providers_of(clients)`` and ``client_tie(by=, client=, provider_public_id=)`` (see ``commissioning.api_clients``).
"""

from __future__ import annotations

from types import ModuleType

_owner: ModuleType | None = None


def register_client_owner(module: ModuleType) -> None:
    global _owner
    _owner = module


def client_owner() -> ModuleType | None:
    """The registered module, or None when no installed app offers one (the provider choice is then hidden)."""
    return _owner
