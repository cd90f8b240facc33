"""``/api/v1/`` routes of the cases app (included by ``earlyhelp.api.urls`` by name)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api, api_familyhelp
from .api_person_info import PersonInfoQueryView

router = SimpleRouter(use_regex_path=False)
router.register("referrals", api.ReferralViewSet, basename="referral")
router.register("families", api.FamilyViewSet, basename="family")
router.register("people", api.PersonViewSet, basename="person")
router.register("cases", api.CaseViewSet, basename="case")
router.register("merges", api.PersonMergeViewSet, basename="person-merge")
router.register("unmerges", api.PersonUnmergeViewSet, basename="person-unmerge")
router.register("section17-episodes", api_familyhelp.Section17EpisodeViewSet, basename="section17-episode")
router.register("family-meetings", api_familyhelp.FamilyMeetingViewSet, basename="family-meeting")

urlpatterns = [
    *router.urls,
    path("duplicates/", api.DuplicateListView.as_view(), name="duplicate-list"),
    path("person-info-query/", PersonInfoQueryView.as_view(), name="person-info-query"),
]
