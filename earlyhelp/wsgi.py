import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "earlyhelp.settings")
application = get_wsgi_application()

# A WSGI server imports this module in each worker before the worker accepts a request: the URL conf — and with it
# every view module and the libraries they import (openpyxl, DRF…) — is loaded here, and earlyhelp.warmup does the
# rest of what the worker's first request would otherwise pay (URL reverse tables, templates compiled, translation
# catalogs, lazy project imports, the database connection). WARM_UP=off skips the warm-up, not the URL conf.
from django.urls import get_resolver  # noqa: E402

from earlyhelp.warmup import freeze_long_lived_objects, warm_up_if_enabled  # noqa: E402

get_resolver().url_patterns  # noqa: B018
warm_up_if_enabled()
# Everything loaded so far lives as long as the worker: out of the garbage collector's sight.
freeze_long_lived_objects()
