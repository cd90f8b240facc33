from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("team/", views.team_view, name="team"),
    path("referrals/", views.referral_list, name="referrals"),
    path("referrals/new/", views.referral_new, name="referral-new"),
    path("referrals/<uuid:public_id>/", views.referral_detail, name="referral"),
    path("referrals/<uuid:public_id>/decide/", views.referral_decide, name="referral-decide"),
    path("referrals/<uuid:public_id>/open-case/", views.case_open, name="case-open"),
    path("<uuid:public_id>/", views.case_detail, name="case"),
    path("<uuid:public_id>/assessment/", views.assessment_start, name="assessment-start"),
    path("<uuid:public_id>/assessment/<uuid:assessment_id>/complete/", views.assessment_complete,
         name="assessment-complete"),
    path("<uuid:public_id>/plan/", views.plan_create, name="plan-create"),
    path("<uuid:public_id>/plan/<uuid:plan_id>/action/", views.plan_action_add, name="plan-action-add"),
    path("<uuid:public_id>/action/<uuid:action_id>/", views.plan_action_status, name="plan-action-status"),
    path("<uuid:public_id>/review/", views.review_record, name="review"),
    path("<uuid:public_id>/step-change/", views.step_change, name="step-change"),
    path("<uuid:public_id>/panel-decision/", views.panel_decision, name="panel-decision"),
    path("<uuid:public_id>/team-around-the-family/", views.taf_member_add, name="taf-add"),
    path("<uuid:public_id>/close/", views.case_close, name="close"),
    path("<uuid:public_id>/feedback/", views.feedback_record, name="feedback"),
    path("<uuid:public_id>/audit/", views.case_file_audit, name="audit"),
]
