from django.urls import path

from .views import library, programme, readings, tools

app_name = "outcomes"

urlpatterns = [
    path("", readings.dashboard, name="dashboard"),
    path("cases/", readings.case_list, name="cases"),
    path("cases/<uuid:public_id>/", readings.case_outcomes, name="case"),
    path("cases/<uuid:public_id>/reading/", readings.reading_new, name="reading-new"),
    path("cases/<uuid:public_id>/family-outcomes/", readings.family_outcomes, name="family-outcomes"),
    path("cases/<uuid:public_id>/enrol/", programme.enrol, name="enrol"),
    path("supporting-families/", programme.programme_list, name="programme"),
    path("supporting-families/claims/", programme.claim_list, name="claims"),
    path("supporting-families/claims/<uuid:public_id>/", programme.claim_detail, name="claim"),
    path("supporting-families/claims/<uuid:public_id>/submit/", programme.claim_submit, name="claim-submit"),
    path("supporting-families/claims/<uuid:public_id>/decide/", programme.claim_decide, name="claim-decide"),
    path("supporting-families/<uuid:public_id>/", programme.enrolment_detail, name="enrolment"),
    path("supporting-families/<uuid:public_id>/needs/<uuid:need_id>/evidence/", programme.evidence_new,
         name="evidence-new"),
    path("supporting-families/<uuid:public_id>/needs/new/", programme.need_new, name="need-new"),
    path("supporting-families/<uuid:public_id>/claim/", programme.claim_new, name="claim-new"),
    path("library/", library.library, name="library"),
    path("library/tags/", library.library_tags, name="library-tags"),
    path("library/versions/", library.library_version, name="library-version"),
    path("library/switch/", library.library_switch, name="library-switch"),
    path("tools/", tools.tool_list, name="tools"),
    path("tools/new/", tools.tool_new, name="tool-new"),
    path("tools/<uuid:public_id>/", tools.tool_detail, name="tool"),
    path("tools/<uuid:public_id>/active/", tools.tool_active, name="tool-active"),
]
