"""Writes of the API platform: creating and revoking API clients (audited)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from ..actors import require, user_of
from ..audit import record_event
from ..models import Membership
from ..permissions import Capability
from .models import ApiClient, ApiSubmission, Scope
from .tokens import generate_token, hash_token


def api_client_create(
    *, by: Membership, name: str, scopes: Iterable[str], expires_at: datetime
) -> tuple[ApiClient, str]:
    """``by`` (a tenant administrator) creates a partner system's client of their council; returns it with its
    token.

    The token is returned here once and never stored: show it to the administrator, then forget it. Must run
    inside the council's context. Scopes must be known ones (at least one); ``expires_at`` in the future.
    """
    require(by, Capability.ADMINISTER_TENANT)
    tenant = by.tenant
    name = (name or "").strip()
    scopes = sorted(set(scopes))
    errors = {}
    if not name:
        errors["name"] = "Enter a name for the API client."
    unknown = [scope for scope in scopes if scope not in Scope.values]
    if unknown or not scopes:
        errors["scopes"] = f"Unknown scopes: {', '.join(unknown)}" if unknown else "Choose at least one scope."
    if expires_at is None or expires_at <= timezone.now():
        errors["expires_at"] = "The expiry must be in the future."
    if errors:
        raise ValidationError(errors)
    prefix, token = generate_token()
    client = ApiClient(
        tenant=tenant,
        name=name,
        scopes=scopes,
        token_prefix=prefix,
        token_hash=hash_token(token),
        created_by=user_of(by),
        expires_at=expires_at,
    )
    client.save()
    record_event(
        action="api_client.created",
        by=by,
        obj=client,
        tenant=tenant,
        detail={"name": name, "scopes": scopes, "expires_at": expires_at.isoformat()},
    )
    return client, token


def api_client_revoke(*, client: ApiClient, by: Membership) -> ApiClient:
    """``by`` (a tenant administrator) revokes ``client``: its token stops working at once. Revoking twice
    changes nothing."""
    require(by, Capability.ADMINISTER_TENANT)
    if client.revoked_at is not None:
        return client
    client.revoked_at = timezone.now()
    client.save(update_fields=["revoked_at"])
    record_event(action="api_client.revoked", by=by, obj=client, tenant=client.tenant)
    return client


def api_submission_record(*, client: ApiClient | None, obj) -> ApiSubmission | None:
    """Remember that ``client`` created ``obj`` (a tenant-owned row of the client's tenant); the first client
    to send an object keeps it (a return sent again is the same return). No-op for None (a signed-in member:
    the apps record who they are)."""
    if client is None:
        return None
    submission, _ = ApiSubmission.objects.get_or_create(
        object_type=obj._meta.label_lower, object_public_id=obj.public_id, defaults={"client": client}
    )
    return submission


def submitted_public_ids(*, client: ApiClient, model):
    """The public ids of the ``model`` rows ``client`` created: a subquery for ``public_id__in``."""
    return ApiSubmission.objects.filter(client=client, object_type=model._meta.label_lower).values(
        "object_public_id"
    )
