"""Licensure endpoints, included at the top of cmeconf.api.urls (mounted at /api/v1/)."""

from django.urls import path

from cmeconf.api.views import licensure as views

urlpatterns = [
    path("requirement-sets/", views.RequirementSetList.as_view(), name="requirement_sets"),
    path(
        "requirement-sets/<str:set_id>/",
        views.RequirementSetDetail.as_view(),
        name="requirement_set",
    ),
    path("me/licences/", views.MyLicenceList.as_view(), name="my_licences"),
    path("me/licences/<int:pk>/", views.MyLicenceDetail.as_view(), name="my_licence"),
    path(
        "me/board-certifications/",
        views.MyBoardCertificationList.as_view(),
        name="my_board_certifications",
    ),
    path(
        "me/board-certifications/<int:pk>/",
        views.MyBoardCertificationDetail.as_view(),
        name="my_board_certification",
    ),
    path("me/credits/", views.MyCreditList.as_view(), name="my_credits"),
    path("me/credits/import/", views.MyCreditImport.as_view(), name="my_credits_import"),
    path("me/credits/<int:pk>/", views.MyCreditDetail.as_view(), name="my_credit"),
    path("me/compliance/", views.MyCompliance.as_view(), name="my_compliance"),
    path(
        "providers/<slug:provider>/activities/<slug:activity>/licensure-needs/",
        views.AudienceNeeds.as_view(),
        name="licensure_needs",
    ),
]
