"""Providers' API clients, for the tenant administrator's API client pages (``earlyhelp.api.pages``).

Those pages live on the floor below and import nothing from this app: ``CommissioningConfig.ready()`` registers
this module with ``earlyhelp.api.extensions.register_client_owner``. Runs in the tenant's context.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.shortcuts import get_object_or_404

from earlyhelp.api.models import ApiClient

from . import services
from .models import Provider, ProviderApiClient
from .services import PROVIDER_CLIENT_SCOPES

__all__ = ["PROVIDER_CLIENT_SCOPES", "provider_choices", "providers_of", "client_tie"]


def provider_choices() -> list[tuple[str, str]]:
    """(public id, name) of the tenant's providers, by name."""
    return [(str(public_id), name) for public_id, name in Provider.objects.order_by("name")
            .values_list("public_id", "name")]


def providers_of(clients: Iterable[ApiClient]) -> dict[int, Provider]:
    """The provider each of ``clients`` is tied to, by client pk (untied clients are absent)."""
    links = ProviderApiClient.objects.filter(client__in=list(clients)).select_related("provider")
    return {link.client_id: link.provider for link in links}


def client_tie(*, by, client: ApiClient, provider_public_id: str) -> ProviderApiClient:
    """Tie ``client`` to the provider with this public id (404 for another tenant's or an unknown one)."""
    provider = get_object_or_404(Provider.objects.all(), public_id=provider_public_id)
    return services.provider_api_client_tie(by=by, client=client, provider=provider)
