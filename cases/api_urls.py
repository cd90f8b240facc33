"""``/api/v1/`` routes of the cases app (included by ``earlyhelp.api.urls`` by name)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api
from .api_person_info import PersonInfoQueryView

router = SimpleRouter(use_regex_path=False)
router.register("referrals", api.ReferralViewSet, basename="referral")
router.register("families", api.FamilyViewSet, basename="family")
router.register("people", api.PersonViewSet, basename="person")
router.register("cases", api.CaseViewSet, basename="case")

urlpatterns = [
    *router.urls,
    path("person-info-query/", PersonInfoQueryView.as_view(), name="person-info-query"),
]
