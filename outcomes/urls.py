from django.urls import path

from . import views, views_library, views_programme, views_tools

app_name = "outcomes"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cases/", views.case_list, name="cases"),
    path("cases/<uuid:public_id>/", views.case_outcomes, name="case"),
    path("cases/<uuid:public_id>/reading/", views.reading_new, name="reading-new"),
    path("cases/<uuid:public_id>/family-outcomes/", views.family_outcomes, name="family-outcomes"),
    path("cases/<uuid:public_id>/enrol/", views_programme.enrol, name="enrol"),
    path("supporting-families/", views_programme.programme_list, name="programme"),
    path("supporting-families/claims/", views_programme.claim_list, name="claims"),
    path("supporting-families/claims/<uuid:public_id>/", views_programme.claim_detail, name="claim"),
    path("supporting-families/claims/<uuid:public_id>/submit/", views_programme.claim_submit, name="claim-submit"),
    path("supporting-families/claims/<uuid:public_id>/decide/", views_programme.claim_decide, name="claim-decide"),
    path("supporting-families/<uuid:public_id>/", views_programme.enrolment_detail, name="enrolment"),
    path("supporting-families/<uuid:public_id>/needs/<uuid:need_id>/evidence/", views_programme.evidence_new,
         name="evidence-new"),
    path("supporting-families/<uuid:public_id>/needs/new/", views_programme.need_new, name="need-new"),
    path("supporting-families/<uuid:public_id>/claim/", views_programme.claim_new, name="claim-new"),
    path("library/", views_library.library, name="library"),
    path("library/tags/", views_library.library_tags, name="library-tags"),
    path("library/versions/", views_library.library_version, name="library-version"),
    path("library/switch/", views_library.library_switch, name="library-switch"),
    path("tools/", views_tools.tool_list, name="tools"),
    path("tools/new/", views_tools.tool_new, name="tool-new"),
    path("tools/<uuid:public_id>/", views_tools.tool_detail, name="tool"),
    path("tools/<uuid:public_id>/active/", views_tools.tool_active, name="tool-active"),
]
