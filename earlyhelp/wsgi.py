import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "earlyhelp.settings")
application = get_wsgi_application()

# Load the URL conf — and with it every view module and the libraries they import (openpyxl, DRF…) — as the
# worker process starts, not while its first visitor waits (about a second of imports on the first request).
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018
