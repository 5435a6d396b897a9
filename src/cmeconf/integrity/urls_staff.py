"""Staff pages of disclosures. Joined to the "staff" namespace's patterns in cmeconf.urls."""

from django.urls import path

from cmeconf.integrity import views_staff

urlpatterns = [
    path(
        "<slug:provider>/<slug:activity>/disclosures/",
        views_staff.disclosures,
        name="disclosures",
    ),
    path(
        "<slug:provider>/<slug:activity>/disclosures/invite/",
        views_staff.disclosure_invite,
        name="disclosure_invite",
    ),
]
