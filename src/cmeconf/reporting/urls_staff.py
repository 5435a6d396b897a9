"""Staff pages of reporting. Joined to the "staff" namespace's patterns in cmeconf.urls."""

from django.urls import path

from cmeconf.reporting import views_staff

PREFIX = "<slug:provider>/<slug:activity>/reports/"

urlpatterns = [
    path(PREFIX, views_staff.credit_reports, name="credit_reports"),
    path(
        f"{PREFIX}pars-activity.<str:fmt>",
        views_staff.pars_activity_file,
        name="credit_reports_pars_activity",
    ),
    path(
        f"{PREFIX}ja-pars-activity.<str:fmt>",
        views_staff.ja_pars_file,
        name="credit_reports_ja_pars",
    ),
    path(
        f"{PREFIX}pars-learners.<str:fmt>",
        views_staff.pars_learners_file,
        name="credit_reports_pars_learners",
    ),
    path(f"{PREFIX}cpe-monitor.csv", views_staff.cpe_monitor_file, name="credit_reports_cpe"),
    path(f"{PREFIX}ce-broker.csv", views_staff.ce_broker_file, name="credit_reports_ce_broker"),
    path(
        f"{PREFIX}mark-reported/",
        views_staff.mark_reported,
        name="credit_reports_mark_reported",
    ),
]
