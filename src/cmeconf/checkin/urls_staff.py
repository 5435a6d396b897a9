"""Staff pages of check-in. Joined to the "staff" namespace's patterns in cmeconf.urls."""

from django.urls import path

from cmeconf.checkin import views

PREFIX = "<slug:provider>/<slug:activity>/check-in/"

urlpatterns = [
    path(PREFIX, views.scanner, name="checkin"),
    path(f"{PREFIX}scan/", views.scan, name="checkin_scan"),
    path(f"{PREFIX}search/", views.search, name="checkin_search"),
    path(f"{PREFIX}search/check-in/", views.pick, name="checkin_pick"),
    path(f"{PREFIX}kiosk/", views.kiosk, name="checkin_kiosk"),
    path(f"{PREFIX}kiosk/scan/", views.kiosk_scan, name="checkin_kiosk_scan"),
    path(f"{PREFIX}dashboard/", views.dashboard, name="checkin_dashboard"),
    path(f"{PREFIX}dashboard/live/", views.dashboard_live, name="checkin_dashboard_live"),
]
