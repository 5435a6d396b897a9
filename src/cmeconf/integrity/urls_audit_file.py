"""The activity file downloads. Joined to the "staff" namespace's patterns in cmeconf.urls."""

from django.urls import path

from cmeconf.integrity import views_audit_file

urlpatterns = [
    path(
        "<slug:provider>/<slug:activity>/activity-file.zip",
        views_audit_file.activity_file_zip,
        name="activity_file_zip",
    ),
    path(
        "<slug:provider>/<slug:activity>/activity-file.pdf",
        views_audit_file.activity_file_pdf,
        name="activity_file_pdf",
    ),
]
