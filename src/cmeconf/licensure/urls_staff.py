"""Staff pages of licensure. Joined to the "staff" namespace's patterns in cmeconf.urls."""

from django.urls import path

from cmeconf.licensure import views_staff

urlpatterns = [
    path(
        "<slug:provider>/<slug:activity>/licensure-needs/",
        views_staff.needs_page,
        name="licensure_needs",
    ),
]
