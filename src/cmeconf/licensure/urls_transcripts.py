"""The learner's transcript, under /transcript/ (namespace "transcript")."""

from django.urls import path

from cmeconf.licensure import views_transcripts as views

app_name = "transcript"

urlpatterns = [
    path("", views.index, name="index"),
    path("transcript.csv", views.transcript_csv, name="csv"),
    path("transcript.pdf", views.transcript_pdf_view, name="pdf"),
    path(
        "credits/<int:pk>/certificate/",
        views.external_certificate,
        name="external_certificate",
    ),
    path(
        "credits/<int:pk>/certificate/upload/",
        views.external_certificate_upload,
        name="external_certificate_upload",
    ),
    path(
        "credits/<int:pk>/certificate/remove/",
        views.external_certificate_remove,
        name="external_certificate_remove",
    ),
]
