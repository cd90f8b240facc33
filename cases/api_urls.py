"""``/api/v1/`` routes of the cases app (included by ``earlyhelp.api.urls`` by name)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter(use_regex_path=False)
router.register("referrals", api.ReferralViewSet, basename="referral")
router.register("families", api.FamilyViewSet, basename="family")
router.register("people", api.PersonViewSet, basename="person")
router.register("cases", api.CaseViewSet, basename="case")
router.register("merges", api.PersonMergeViewSet, basename="person-merge")
router.register("unmerges", api.PersonUnmergeViewSet, basename="person-unmerge")

urlpatterns = [
    *router.urls,
    path("duplicates/", api.DuplicateListView.as_view(), name="duplicate-list"),
]
