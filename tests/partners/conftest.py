"""The API fixtures (tokens, bearer clients) for the partner tests too."""

from tests.api.conftest import _fresh_throttle_counters, bearer, make_api_client, session_api  # noqa: F401
