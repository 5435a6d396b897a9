"""Open Badges 3.0 credentials, mounted under /certificates/ (namespace `open_badges`)."""

from django.urls import path

from cmeconf.credits import views_open_badges as views

app_name = "open_badges"

urlpatterns = [
    path("issuers/<slug:provider>/", views.issuer_profile, name="issuer_profile"),
    path("issuers/<slug:provider>/jwks.json", views.issuer_jwks, name="issuer_jwks"),
    path("issuers/<slug:provider>/keys/<str:kid>", views.issuer_key, name="issuer_key"),
    path("issuers/<slug:provider>/status/<int:number>", views.status_list, name="status_list"),
    path("credentials/verify", views.verify, name="verify"),
    path(
        "credentials/<str:number>/<uuid:credential>/status",
        views.credential_status,
        name="credential_status",
    ),
    path("<str:number>/credential.jwt", views.credential_jwt, name="credential_jwt"),
    path("<str:number>/credential.json", views.credential_json, name="credential_json"),
]
