"""``/api/v1/`` routes of the outcomes app (included by ``earlyhelp.api.urls`` by name)."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter(use_regex_path=False)
router.register("readings", api.ReadingViewSet, basename="reading")

urlpatterns = router.urls
