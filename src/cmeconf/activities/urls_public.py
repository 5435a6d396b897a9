"""Public pages of one activity, under /<provider>/<activity>/ (namespace "public")."""

from django.urls import path

from cmeconf.activities.views import public

app_name = "public"

urlpatterns = [
    path("", public.activity_home, name="activity"),
    path("sessions/<str:code>/", public.session_detail, name="session"),
]
