"""Staff pages of credit designation. Joined to the "staff" namespace's patterns in cmeconf.urls.

The provider's page sits under settings/: /staff/<provider>/<slug>/ is an activity's
dashboard, and "settings" is a slug no activity may take.
"""

from django.urls import path

from cmeconf.credits import views_designation as views

urlpatterns = [
    path(
        "<slug:provider>/settings/credit-types/",
        views.provider_credit_types,
        name="provider_credit_types",
    ),
    path("<slug:provider>/<slug:activity>/credit/", views.credit, name="credit"),
    path(
        "<slug:provider>/<slug:activity>/credit/designate/<str:code>/",
        views.designate,
        name="credit_designate",
    ),
    path(
        "<slug:provider>/<slug:activity>/credit/designations/<int:pk>/withdraw/",
        views.withdraw,
        name="credit_withdraw",
    ),
    path(
        "<slug:provider>/<slug:activity>/credit/recompute/",
        views.recompute,
        name="credit_recompute",
    ),
    path(
        "<slug:provider>/<slug:activity>/credit/window/",
        views.claim_window,
        name="credit_window",
    ),
]
