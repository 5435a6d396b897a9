"""Certificate endpoints outside an activity, included at the top of cmeconf.api.urls
(mounted at /api/v1/): the public verification, and a provider's certificate templates."""

from django.urls import path

from cmeconf.api.views import certificates

urlpatterns = [
    path("certificates/verify/", certificates.Verify.as_view(), name="certificate_verify"),
    path(
        "providers/<slug:provider>/certificate-templates/",
        certificates.TemplateList.as_view(),
        name="certificate_templates",
    ),
]
