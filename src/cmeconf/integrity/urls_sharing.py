"""A learner's consent to share details with companies, under /sharing/ (namespace "sharing")."""

from django.urls import path

from cmeconf.integrity import views_sharing

app_name = "sharing"

urlpatterns = [
    path("", views_sharing.sharing, name="list"),
    path("<slug:provider>/<slug:activity>/", views_sharing.sharing_activity, name="activity"),
]
