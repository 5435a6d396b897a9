"""Staff pages of badges. Joined to the "staff" namespace's patterns in cmeconf.urls."""

from django.urls import path

from cmeconf.registration import views_badges_staff as views

PREFIX = "<slug:provider>/<slug:activity>/registration/badges/"

urlpatterns = [
    path(PREFIX, views.badges_page, name="registration_badges"),
    path(f"{PREFIX}make/", views.batch_start, name="registration_badge_batch_start"),
    path(
        f"{PREFIX}batches/<int:batch>/status/",
        views.batch_status,
        name="registration_badge_batch_status",
    ),
    path(
        f"{PREFIX}batches/<int:batch>/badges.pdf",
        views.batch_download,
        name="registration_badge_batch_download",
    ),
    path(f"{PREFIX}<int:registration>/badge.pdf", views.badge_pdf, name="registration_badge_pdf"),
    path(
        f"{PREFIX}<int:registration>/reissue/",
        views.reissue,
        name="registration_badge_reissue",
    ),
]
