"""Staff pages of credit claims. Joined to the "staff" namespace's patterns in cmeconf.urls."""

from django.urls import path

from cmeconf.credits import views_claims_staff as views

PREFIX = "<slug:provider>/<slug:activity>/claims/"

urlpatterns = [
    path(PREFIX, views.claim_list, name="claims"),
    path(f"{PREFIX}claims.csv", views.claim_csv, name="claims_csv"),
    path(f"{PREFIX}<int:pk>/", views.claim_detail, name="claim"),
    path(f"{PREFIX}<int:pk>/correct/", views.correct, name="claim_correct"),
    path(f"{PREFIX}<int:pk>/recompute/", views.recompute, name="claim_recompute"),
    path(f"{PREFIX}<int:pk>/withdraw/", views.withdraw, name="claim_withdraw"),
]
