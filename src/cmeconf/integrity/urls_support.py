"""Staff pages of commercial support. Joined to the "staff" namespace's patterns in cmeconf.urls."""

from django.urls import path

from cmeconf.integrity import views_support

PREFIX = "<slug:provider>/<slug:activity>/support/"

urlpatterns = [
    path(PREFIX, views_support.support_index, name="support"),
    path(f"{PREFIX}supporters/new/", views_support.supporter_add, name="support_supporter_add"),
    path(
        f"{PREFIX}agreements/new/",
        views_support.agreement_create,
        name="support_agreement_create",
    ),
    path(
        f"{PREFIX}agreements/<int:agreement>/",
        views_support.agreement_detail,
        name="support_agreement",
    ),
    path(
        f"{PREFIX}agreements/<int:agreement>/edit/",
        views_support.agreement_edit,
        name="support_agreement_edit",
    ),
    path(
        f"{PREFIX}agreements/<int:agreement>/sign/<str:party>/",
        views_support.agreement_sign,
        name="support_agreement_sign",
    ),
    path(f"{PREFIX}ledger/", views_support.ledger, name="support_ledger"),
    path(
        f"{PREFIX}ledger/<int:entry>/void/",
        views_support.entry_void,
        name="support_entry_void",
    ),
    path(f"{PREFIX}report/", views_support.report, name="support_report"),
    path(f"{PREFIX}report.csv", views_support.report_csv, name="support_report_csv"),
]
