"""One request-rate budget per caller: per API client, or per signed-in user (``API_THROTTLE_RATE``).

The budget is kept as one number per caller — the generic cell rate algorithm (GCRA), the token bucket's
equivalent without a refill job: ``API_THROTTLE_RATE = "600/min"`` lets a caller make up to 600 requests at once
and then one every 0.1 s as the budget refills: a steady caller gets exactly 600 a minute, and a caller idle
for a minute may spend its whole budget at once (so one 60 s window can hold up to 1,200: the budget and its
refill). DRF's ``SimpleRateThrottle`` keeps instead the list of every request's time in the last
period, read and written whole at each request: at a partner's sustained rate that is thousands of timestamps
pickled twice per call, which cost more than the call's own database work. The stored value here is a float
whatever the rate.
"""

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
        return self.cache_format % {"scope": self.scope, "ident": f"gcra:{caller.key}"}

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        interval = self.duration / self.num_requests  # one request's share of the period
        # The theoretical arrival time: when the caller's budget would be whole again.
        arrival = max(self.cache.get(self.key, self.now), self.now)
        self.allowed_at = arrival + interval - self.duration
        if self.now < self.allowed_at:
            return False
        self.cache.set(self.key, arrival + interval, self.duration)
        return True

    def wait(self):
        """Seconds until the next request would be allowed (``Retry-After``)."""
        return max(self.allowed_at - self.now, 0.0)
