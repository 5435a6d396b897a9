"""Public certificate pages, under /certificates/ (namespace "certificates")."""

from django.urls import path

from cmeconf.credits import views_certificates

app_name = "certificates"

urlpatterns = [
    path("<slug:number>.pdf", views_certificates.download, name="pdf"),
    path("<str:token>/", views_certificates.verify, name="verify"),
]
