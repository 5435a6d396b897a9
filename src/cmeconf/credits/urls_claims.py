"""The learner's claim pages, under /<provider>/<activity>/ (namespace "credit")."""

from django.urls import path

from cmeconf.credits import views_claims

app_name = "credit"

urlpatterns = [
    path("credit/", views_claims.claim_page, name="claim"),
    path("credit/<int:pk>/withdraw/", views_claims.withdraw, name="withdraw"),
]
