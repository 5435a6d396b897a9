"""Credit endpoints at the top of cmeconf.api.urls (mounted at /api/v1/): the provider's
credit types and the learner's transcript and certificates."""

from django.urls import path

from cmeconf.api.views import credits as views

urlpatterns = [
    path(
        "providers/<slug:provider>/credit-types/",
        views.ProviderCreditTypeList.as_view(),
        name="credit_types",
    ),
    path(
        "providers/<slug:provider>/credit-types/<str:code>/",
        views.ProviderCreditTypeDetail.as_view(),
        name="credit_type",
    ),
    path("me/transcript/", views.MyTranscript.as_view(), name="my_transcript"),
    path("me/certificates/", views.MyCertificateList.as_view(), name="my_certificates"),
]
