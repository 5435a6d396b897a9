"""Staff pages of evaluations. Joined to the "staff" namespace's patterns in cmeconf.urls."""

from django.urls import path

from cmeconf.evaluations import views_staff

P = "<slug:provider>/<slug:activity>/evaluations/"

urlpatterns = [
    path(P, views_staff.overview, name="evaluations"),
    path(P + "add-session-form/", views_staff.add_session_form, name="evaluation_add_session"),
    path(P + "add-follow-up/", views_staff.add_follow_up, name="evaluation_add_follow_up"),
    path(P + "<int:pk>/", views_staff.form_page, name="evaluation_form"),
    path(P + "<int:pk>/settings/", views_staff.form_settings, name="evaluation_settings"),
    path(P + "<int:pk>/delete/", views_staff.form_delete, name="evaluation_delete"),
    path(P + "<int:pk>/questions/", views_staff.question_add, name="evaluation_question_add"),
    path(
        P + "<int:pk>/questions/<int:question>/",
        views_staff.question_edit,
        name="evaluation_question",
    ),
    path(
        P + "<int:pk>/questions/<int:question>/delete/",
        views_staff.question_delete,
        name="evaluation_question_delete",
    ),
    path(
        P + "<int:pk>/questions/<int:question>/move/",
        views_staff.question_move,
        name="evaluation_question_move",
    ),
    path(P + "<int:pk>/results/", views_staff.results_page, name="evaluation_results"),
    path(P + "<int:pk>/answers.csv", views_staff.answers_csv, name="evaluation_answers_csv"),
    path(P + "<int:pk>/summary.csv", views_staff.summary_csv, name="evaluation_summary_csv"),
]
