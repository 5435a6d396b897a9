"""The learner's badge, under /<provider>/<activity>/ (namespace "learner_badge")."""

from django.urls import path

from cmeconf.registration import views_badges

app_name = "learner_badge"

urlpatterns = [
    path("my-registration/badge/", views_badges.badge_page, name="page"),
    path("my-registration/badge.pdf", views_badges.badge_pdf, name="pdf"),
]
