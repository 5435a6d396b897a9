"""Staff pages of disclosures. Joined to the "staff" namespace's patterns in cmeconf.urls."""

from django.urls import path

from cmeconf.integrity import views_review, views_staff

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
    path("<slug:provider>/<slug:activity>/review/", views_review.coi_review, name="coi_review"),
    path(
        "<slug:provider>/<slug:activity>/review/<int:relationship>/decide/",
        views_review.coi_decide,
        name="coi_decide",
    ),
    path(
        "<slug:provider>/<slug:activity>/review/<int:relationship>/mitigate/",
        views_review.coi_mitigate,
        name="coi_mitigate",
    ),
    path(
        "<slug:provider>/<slug:activity>/review/<int:relationship>/exception/",
        views_review.coi_exception,
        name="coi_exception",
    ),
]
