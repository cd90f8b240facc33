"""The REST API platform for partner systems: API clients and their tokens, authentication that enters the
tenant context, scopes, problem+json errors, throttling, auditing, idempotent creates and cursor pagination.

The apps plug their endpoints in by subclassing :class:`earlyhelp.api.views.TenantAPIView` (or the generic
views and viewsets beside it) and adding routes to ``earlyhelp/api/urls.py``. Importing this package imports
nothing from DRF, so ``earlyhelp.models`` can load the API's tables from ``earlyhelp.api.models``.
"""
