"""The product's settings with the benchmark's URL conf (which adds the bare view to the product's URLs)."""

from earlyhelp.settings import *  # noqa: F403

ROOT_URLCONF = "bench.api_site.urls"
