import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "earlyhelp.settings")
application = get_wsgi_application()

# Load the URL conf — and with it every view module and the libraries they import (openpyxl, DRF…) — as the
# worker process starts, not while its first visitor waits (about a second of imports on the first request).
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018

# Everything loaded so far lives as long as the worker: move it out of the garbage collector's sight, so that a
# full collection during a request walks only what requests allocate (not the hundreds of thousands of objects
# of Django, the URL conf and the libraries).
import gc  # noqa: E402

gc.collect()
gc.freeze()
