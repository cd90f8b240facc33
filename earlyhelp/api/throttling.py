"""One request-rate budget per caller: per API client, or per signed-in user (``API_THROTTLE_RATE``)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from .caller import ApiCaller


class CallerRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_rate(self):
        # Read at each request (not at import) so the rate follows the settings, in tests too.
        return settings.API_THROTTLE_RATE

    def get_cache_key(self, request, view):
        caller = getattr(request, "auth", None)
        if not isinstance(caller, ApiCaller):
            return None  # anonymous requests are refused before throttling; the schema is not throttled
        return self.cache_format % {"scope": self.scope, "ident": caller.key}
