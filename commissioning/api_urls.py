"""``/api/v1/`` routes of the commissioning app (included by ``earlyhelp.api.urls`` by name)."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter(use_regex_path=False)
router.register("returns", api.KpiReturnViewSet, basename="return")

urlpatterns = router.urls
