"""Bearer-token authentication of API clients, and resolution of every caller to an :class:`ApiCaller`.

Finding a client by its token happens before the tenant is known, so it is platform code: an unscoped
lookup by the token's non-secret prefix, made visible under row-level security by the read-only policy
``read_by_token_prefix`` (``app.api_token_prefix``). Everything after it runs in the client's tenant context
(see :class:`earlyhelp.api.base.TenantAPIMixin`).
"""

from __future__ import annotations

import hmac
from contextlib import ExitStack
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from ..audit import record_event
from ..middleware import active_membership, memberships_of
from ..tenancy import set_database_user, tenant_context
from .caller import ApiCaller
from .models import ApiClient
from .tokens import hash_token, parse_prefix

TOKEN_PREFIX_SETTING = "app.api_token_prefix"
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ClientPrincipal:
    """``request.user`` for an API client: authenticated, but not a person (no pk; never an audit actor)."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = id = None

    def __init__(self, client: ApiClient):
        self.client = client
        self.username = f"api-client:{client.public_id}"

    def __str__(self) -> str:
        return f"API client {self.client.name}"


def _set_lookup_prefix(value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [TOKEN_PREFIX_SETTING, value])


def find_client(token: str) -> ApiClient | None:
    """The client whose token this is (revoked and expired ones included), or None.

    One round trip and no savepoint: the prefix setting is sent with the lookup, as two statements
    of one query (the second sees the first's setting). When a client is found inside an enclosing transaction
    (the API's request transaction), the prefix stays set until the caller enters the client's tenant context,
    which clears it in the statement that sets the tenant (``earlyhelp.tenancy.LOOKUP_SETTINGS``); otherwise it
    is cleared here, or ends with this transaction.
    """
    prefix = parse_prefix(token)
    if prefix is None:
        return None
    enclosed = connection.in_atomic_block

    def with_prefix(execute, sql, params, many, context):
        return execute(f"SELECT set_config(%s, %s, true); {sql}", (TOKEN_PREFIX_SETTING, prefix, *params), many,
                       context)

    with transaction.atomic(savepoint=False), ExitStack() as stack:
        stack.enter_context(connection.execute_wrapper(with_prefix))
        candidates = list(ApiClient.all_tenants.select_related("tenant").filter(token_prefix=prefix))
        stack.close()
        digest = hash_token(token)
        matches = [client for client in candidates if hmac.compare_digest(client.token_hash, digest)]
        if enclosed and not matches:
            _set_lookup_prefix("")
    return matches[0] if matches else None


def _refuse(client: ApiClient, reason: str) -> exceptions.AuthenticationFailed:
    with tenant_context(client.tenant):
        record_event(action="api.authentication_refused", actor_label=f"API client {client.name}",
                     obj=client, detail={"reason": reason})
    return exceptions.AuthenticationFailed(f"This token has {reason}.")


class ApiClientTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer eh_…``. Wrong, expired and revoked tokens get 401."""

    keyword = b"bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("The Authorization header must be 'Bearer <token>'.")
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        client = find_client(token)
        if client is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if client.is_revoked:
            raise _refuse(client, "been revoked")
        if client.is_expired:
            raise _refuse(client, "expired")
        return ClientPrincipal(client), client

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


def caller_for(request) -> ApiCaller | None:
    """The authenticated caller of a DRF ``request``; None for an anonymous one.

    Must run inside a transaction (the membership lookup sets ``app.user_id`` transaction-locally). A signed-in
    user without an active membership is refused (403), as on the tenant pages.
    """
    user = request.user
    if not user or not user.is_authenticated:
        return None
    if isinstance(request.auth, ApiClient):
        return ApiCaller(tenant=request.auth.tenant, client=request.auth)
    set_database_user(user.pk)
    membership = active_membership(request._request, memberships_of(user))
    if membership is None:
        raise exceptions.PermissionDenied("You do not have access to a local authority.")
    return ApiCaller(tenant=membership.tenant, membership=membership)


def touch_client(client: ApiClient) -> None:
    """Record that the client was used: at most one UPDATE a minute per client. Inside its tenant context."""
    now = timezone.now()
    if client.last_used_at is not None and now - client.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
    client.last_used_at = now
