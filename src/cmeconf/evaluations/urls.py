"""The learner's evaluation pages, under /<provider>/<activity>/ (namespace "evaluations")."""

from django.urls import path

from cmeconf.evaluations import views

app_name = "evaluations"

urlpatterns = [
    path("evaluation/", views.activity_form, name="activity_form"),
    path("evaluation/session/<str:session>/", views.session_form, name="session_form"),
    path("evaluation/follow-up/", views.follow_up, name="follow_up"),
    path("evaluation/done/", views.done, name="done"),
]
