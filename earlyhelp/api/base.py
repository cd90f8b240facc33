"""The base of every API view: authenticate, enter the caller's tenant, run the handler, audit the call.

``TenantAPIMixin.dispatch`` replaces DRF's so that everything after authentication — permission and throttle
checks, the handler, queryset evaluation, serialization *and rendering* — runs inside
``tenant_context(caller.tenant)``; the context is left only when the response body exists. The handler of a
write (POST, PUT, PATCH, DELETE) runs in a savepoint that is rolled back when it fails (an exception or a
4xx/5xx response), so a refused request writes nothing, while the audit row of the call is still committed.
A read's handler runs without one (``run_read``). The audit row is the last statement of the request's
transaction, so the lock on the tenant's audit chain is held from that insert to the commit only.
"""

from __future__ import annotations

import logging
from contextlib import ExitStack

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from rest_framework import generics, mixins, viewsets
from rest_framework.exceptions import ParseError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.views import APIView

from ..audit import ReadRefused, record_event, record_read
from ..tenancy import tenant_context
from .authentication import caller_for, forget_client, touch_client
from .caller import ApiCaller
from .problems import NoSharingAgreement, PayloadTooLarge

logger = logging.getLogger(__name__)


def check_sharing_agreement(client) -> None:
    """Refuse a partner's system (403 problem naming why) when no agreement in force covers its purposes, and
    a council's own system holding a partner-only scope. Costs nothing for a council's own systems."""
    from ..sharing.services import client_refusal

    refusal = client_refusal(client)
    if refusal is not None:
        raise NoSharingAgreement(refusal.detail, code=refusal.code)


class TenantAPIMixin:
    """Mix into any DRF view. Views declare ``required_scopes`` (see ``earlyhelp.api.permissions``)."""

    required_scopes: dict = {}

    def dispatch(self, request, *args, **kwargs):
        try:
            return self._dispatch(request, *args, **kwargs)
        except ReadRefused:
            # The client was taken from memory and changed since (revoked, expired, new scopes, the council's
            # settings): everything this attempt did is rolled back and nothing was sent. Answer again after a
            # fresh lookup of the client (earlyhelp.api.authentication).
            remembered = request.eh_remembered_client
            forget_client(remembered.digest)
            del request.eh_remembered_client
            request.eh_lookup_client = True
            return self._dispatch(request, *args, **kwargs)

    def _dispatch(self, request, *args, **kwargs):
        self.args, self.kwargs = args, kwargs
        request = self.initialize_request(request, *args, **kwargs)
        self.request = request
        self.headers = self.default_response_headers
        self.audited_object_ids: list[str] = []
        with ExitStack() as stack:
            stack.enter_context(transaction.atomic())
            self._tenant_stack = stack
            try:
                self.initial(request, *args, **kwargs)
                handler = getattr(self, request.method.lower(), None)
                if request.method.lower() not in self.http_method_names or handler is None:
                    handler = self.http_method_not_allowed
                if request.method in SAFE_METHODS:
                    response = self.run_read(handler, request, *args, **kwargs)
                else:
                    with transaction.atomic():
                        response = handler(request, *args, **kwargs)
                        if response.status_code >= 400:
                            transaction.set_rollback(True)
            except Exception as exc:
                response = self.handle_exception(exc)
            self.response = self.finalize_response(request, response, *args, **kwargs)
            if hasattr(self.response, "render"):  # a file download (FileResponse) has nothing to render
                self.response.render()  # inside the tenant context: nothing lazy is evaluated outside it
            self.audit_call(request, self.response)
            return self.response

    def run_read(self, handler, request, *args, **kwargs):
        """A GET, HEAD or OPTIONS handler, without the savepoint of writes (two round trips of every read).

        Reads write nothing but audit events of what they read, which stay even when the response is an error.
        A database error leaves the transaction unusable: it is rolled back, and the error is a 500, as any
        database error of a write's handler is.
        """
        try:
            return handler(request, *args, **kwargs)
        except DatabaseError as exc:
            transaction.set_rollback(True)
            if isinstance(exc, IntegrityError):  # not the 409 of a write's clash: nothing was rolled back to
                raise DatabaseError(str(exc)) from exc
            raise

    def perform_authentication(self, request):
        """Authenticate, then enter the caller's tenant for the rest of the request."""
        caller = caller_for(request)
        if caller is None:
            return
        request.auth = caller
        # No savepoint and no restore on leaving: the request's transaction is the enclosing one, and it only
        # commits after the block (dispatch above). The tenant's setting goes with the block's first statement.
        self._tenant_stack.enter_context(tenant_context(caller.tenant, savepoint=False, restore=False, lazy=True))
        django_request = request._request
        django_request.tenant = caller.tenant
        django_request.membership = caller.membership
        if caller.client is not None:
            touch_client(caller.client)
            check_sharing_agreement(caller.client)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.check_request_shape(request)

    def check_request_shape(self, request) -> None:
        """Refuse, before parsing, bodies over the limit and query strings with NUL characters."""
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise ParseError("Content-Length is not a number.") from None
        if length > settings.API_MAX_BODY_BYTES:
            raise PayloadTooLarge(f"The request body is larger than {settings.API_MAX_BODY_BYTES} bytes.")
        for key, values in request.query_params.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                raise ParseError("Query parameters must not contain NUL characters.")

    def audit_objects(self, *objects) -> None:
        """Name the tenant objects this call read or wrote, for its audit row (instances, or ``values()`` rows
        with ``public_id``)."""
        self.audited_object_ids.extend(
            str(obj["public_id"] if isinstance(obj, dict) else getattr(obj, "public_id", obj)) for obj in objects)

    def audit_call(self, request, response) -> None:
        caller = getattr(request, "auth", None)
        match = request.resolver_match
        detail = {
            "endpoint": match.route if match else request.path,
            "view": match.view_name if match else "",
            "method": request.method,
            "status": response.status_code,
        }
        if not isinstance(caller, ApiCaller):
            logger.info("API call without a tenant: %s", detail)
            return
        if caller.client is not None:
            detail["client"] = str(caller.client.public_id)
        if self.audited_object_ids:
            detail["object_ids"] = self.audited_object_ids
        single = self.audited_object_ids[0] if len(self.audited_object_ids) == 1 else ""
        # A read is recorded outside the chain, without its lock (earlyhelp.audit.record_read): a council's reads
        # never wait for each other; a write is chained as before.
        record = record_read if request.method in SAFE_METHODS else record_event
        extra = {}
        if caller.remembered is not None and record is record_read:
            extra["only_if"] = caller.remembered.condition()  # the client and council still as remembered
        record(
            action="api.request",
            by=caller.by,
            object_type=self._audit_object_type() if single else "",
            object_public_id=single,
            detail=detail,
            **extra,
        )

    def _audit_object_type(self) -> str:
        queryset = getattr(self, "queryset", None)
        return queryset.model._meta.label_lower if queryset is not None else ""


class TenantGenericMixin(TenantAPIMixin):
    """For generic views and viewsets: the objects fetched or listed are named in the audit row.
    ``lookup_field`` defaults to ``public_id``: sequential ids never appear in the API."""

    lookup_field = "public_id"

    def get_object(self):
        obj = super().get_object()
        self.audit_objects(obj)
        return obj

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            self.audit_objects(*page)
        return page


class TenantAPIView(TenantAPIMixin, APIView):
    pass


class TenantGenericAPIView(TenantGenericMixin, generics.GenericAPIView):
    pass


class TenantReadOnlyViewSet(TenantGenericMixin, viewsets.ReadOnlyModelViewSet):
    pass


class TenantViewSet(TenantGenericMixin, viewsets.GenericViewSet):
    """Compose with DRF's mixins (and ``IdempotentCreateMixin``) for the actions an endpoint offers."""


__all__ = [
    "TenantAPIMixin",
    "TenantGenericMixin",
    "TenantAPIView",
    "TenantGenericAPIView",
    "TenantReadOnlyViewSet",
    "TenantViewSet",
    "mixins",
]


class AuditedReadMixin:
    """Records ``<model>.viewed`` for each object read by its id, as the browser's case pages do."""

    viewed_action = ""

    def get_object(self):
        obj = super().get_object()
        caller = self.request.auth
        record_read(action=self.viewed_action, by=caller.by, obj=obj, detail={"via": "api"})
        return obj
