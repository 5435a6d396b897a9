"""Credit endpoints of an activity. Included inside the activity's patterns of
cmeconf.api.urls: designation and claim window, the learner's claim, staff claims."""

from django.urls import path

from cmeconf.api.views import credits as views

urlpatterns = [
    path("credit/", views.ActivityCredit.as_view(), name="credit"),
    path("credit/window/", views.ClaimWindow.as_view(), name="credit_window"),
    path("designations/", views.DesignationList.as_view(), name="designations"),
    path(
        "designations/recompute/",
        views.DesignationRecompute.as_view(),
        name="designations_recompute",
    ),
    path(
        "designations/<int:designation>/",
        views.DesignationDetail.as_view(),
        name="designation",
    ),
    path("me/claim/", views.MyClaim.as_view(), name="my_claim"),
    path(
        "me/claims/<int:claim>/withdraw/",
        views.MyClaimWithdraw.as_view(),
        name="my_claim_withdraw",
    ),
    path("claims/", views.ClaimList.as_view(), name="claims"),
    path("claims/<int:claim>/", views.ClaimDetail.as_view(), name="claim"),
    path("claims/<int:claim>/correct/", views.ClaimCorrect.as_view(), name="claim_correct"),
    path("claims/<int:claim>/recompute/", views.ClaimRecompute.as_view(), name="claim_recompute"),
    path("claims/<int:claim>/withdraw/", views.ClaimWithdraw.as_view(), name="claim_withdraw"),
]
