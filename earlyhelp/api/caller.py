"""Who is calling the API, the same way for a partner system's token and a signed-in member's session."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..permissions import has_capability

if TYPE_CHECKING:
    from ..models import Membership, Tenant
    from .authentication import RememberedClient
    from .models import ApiClient


@dataclass(frozen=True)
class ApiCaller:
    """``request.auth`` of every authenticated API request.

    Exactly one of ``client`` and ``membership`` is set. Services take the caller as ``by`` (the client or the
    membership, earlyhelp.actors) and audit with ``record_event(by=...)``/``record_read(by=...)``.
    """

    tenant: Tenant
    client: ApiClient | None = None
    membership: Membership | None = None
    # The client (and its tenant) came from the worker's memory, not from a lookup in this request: the call's
    # audit row is written only if both are unchanged (earlyhelp.api.authentication.RememberedClient).
    remembered: RememberedClient | None = None

    @property
    def is_client(self) -> bool:
        return self.client is not None

    @property
    def by(self):
        """The actor services take as ``by`` (earlyhelp.actors): the client, or the signed-in membership."""
        return self.client if self.client is not None else self.membership

    @property
    def key(self) -> str:
        """A stable identifier for throttling and idempotency keys: ``client:<id>`` or ``user:<id>``."""
        if self.client is not None:
            return f"client:{self.client.public_id}"
        return f"user:{self.membership.user.public_id}"

    def has_scope(self, scope: str) -> bool:
        from .permissions import SCOPE_CAPABILITIES

        if self.client is not None:
            return scope in self.client.scopes
        return any(has_capability(self.membership, cap) for cap in SCOPE_CAPABILITIES.get(scope, ()))

    @property
    def scopes(self) -> list[str]:
        from .models import Scope

        return [scope for scope in Scope.values if self.has_scope(scope)]
