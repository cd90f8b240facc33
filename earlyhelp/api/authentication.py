"""Bearer-token authentication of API clients, and resolution of every caller to an :class:`ApiCaller`.

Finding a client by its token happens before the tenant is known, so it is platform code: an unscoped
lookup by the token's non-secret prefix, made visible under row-level security by the read-only policy
``read_by_token_prefix`` (``app.api_token_prefix``). Everything after it runs in the client's tenant context
(see :class:`earlyhelp.api.base.TenantAPIMixin`).
"""

from __future__ import annotations

import hmac
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS

from ..audit import record_event
from ..middleware import active_membership, memberships_of
from ..models import Tenant
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


# ------------------------------------------------------------------------------------ clients remembered for reads
#
# A partner system reads in bursts: looking its client up again for each call costs a round trip and a query of
# its own. A read (GET, HEAD, OPTIONS) may instead take the client from the worker's memory — for
# ``API_CLIENT_MEMORY_SECONDS`` after a lookup — and the read's audit row, the last statement before its answer
# leaves, is then written only if the client and its council are, in that same statement, as remembered: not
# revoked, not expired, the same token, scopes and partner, the council's row unchanged (``RememberedClient``).
# Otherwise nothing is written, the transaction is rolled back and the read is answered again after a fresh lookup
# (earlyhelp.api.base): a revoked client reads nothing from the moment its revocation commits, as before. Writes
# always look the client up.

# Digests of the columns a remembered client is held to, and of its council's whole row (``{c}``/``{t}``: tables).
_CLIENT_DIGEST = ("md5(row({c}.token_hash, {c}.revoked_at, {c}.expires_at, {c}.scopes, {c}.partner_id, "
                  "{c}.tenant_id)::text)")
_TENANT_DIGEST = "md5({t}::text)"


@dataclass(frozen=True)
class RememberedClient:
    """A client taken from memory, and what its read's audit row checks before it is written."""

    digest: str  # the token's SHA-256: the memory's key
    client_id: int
    client_digest: str
    tenant_id: int
    tenant_digest: str

    def condition(self) -> tuple[str, list]:
        """SQL that holds while the client is usable and unchanged, for ``record_read(only_if=…)``."""
        c, t = ApiClient._meta.db_table, Tenant._meta.db_table
        sql = (f"EXISTS (SELECT 1 FROM {c} JOIN {t} ON {t}.id = {c}.tenant_id "  # noqa: S608 (names from models)
               f"WHERE {c}.id = %s AND {c}.revoked_at IS NULL AND {c}.expires_at > statement_timestamp() "
               f"AND {_CLIENT_DIGEST.format(c=c)} = %s AND {t}.id = %s AND {_TENANT_DIGEST.format(t=t)} = %s)")
        return sql, [self.client_id, self.client_digest, self.tenant_id, self.tenant_digest]


_memory: dict[str, tuple[float, ApiClient, RememberedClient]] = {}
_memory_lock = threading.Lock()
_MEMORY_LIMIT = 1000  # clients per worker; the memory is emptied when full


def _remember(digest: str, client: ApiClient) -> None:
    if settings.API_CLIENT_MEMORY_SECONDS <= 0 or not client.is_usable:
        return
    entry = RememberedClient(digest, client.pk, client.eh_client_digest, client.tenant_id, client.eh_tenant_digest)
    with _memory_lock:
        if len(_memory) >= _MEMORY_LIMIT:
            _memory.clear()
        _memory[digest] = (time.monotonic(), client, entry)


def _recall(digest: str) -> tuple[ApiClient, RememberedClient] | None:
    found = _memory.get(digest)
    if found is None:
        return None
    since, client, entry = found
    if time.monotonic() - since > settings.API_CLIENT_MEMORY_SECONDS or client.is_expired:
        forget_client(digest)
        return None
    # The partner organisation is read again for each request (its agreements are, by the sharing check): a
    # partner deactivated since the lookup is refused at once. Its id is held to by the audit row's condition.
    client._state.fields_cache.pop("partner", None)
    return client, entry


def forget_client(digest: str | None = None) -> None:
    """Drop one remembered client (by its token's digest), or all of them."""
    with _memory_lock:
        if digest is None:
            _memory.clear()
        else:
            _memory.pop(digest, None)


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
        c, t = ApiClient._meta.db_table, Tenant._meta.db_table
        candidates = list(ApiClient.all_tenants.select_related("tenant").filter(token_prefix=prefix).annotate(
            eh_client_digest=RawSQL(_CLIENT_DIGEST.format(c=c), ()),  # noqa: S611 (names from the models)
            eh_tenant_digest=RawSQL(_TENANT_DIGEST.format(t=t), ())))  # noqa: S611
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
        django_request = request._request
        if request.method in SAFE_METHODS and not getattr(django_request, "eh_lookup_client", False):
            recalled = _recall(hash_token(token))
            if recalled is not None:
                django_request.eh_remembered_client = recalled[1]
                return ClientPrincipal(recalled[0]), recalled[0]
        client = find_client(token)
        if client is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if request.method in SAFE_METHODS:
            _remember(hash_token(token), client)
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
        return ApiCaller(tenant=request.auth.tenant, client=request.auth,
                         remembered=getattr(request._request, "eh_remembered_client", None))
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
