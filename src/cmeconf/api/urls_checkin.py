"""Check-in for scanner devices, inside an activity's URLs (namespace "api")."""

from django.urls import path

from cmeconf.api.views import checkin

urlpatterns = [
    path("scans/", checkin.ScanList.as_view(), name="scans"),
    path("scans/batch/", checkin.ScanBatch.as_view(), name="scans_batch"),
    path("checkin/counts/", checkin.CheckinCountsView.as_view(), name="checkin_counts"),
    path("checkin/search/", checkin.RegistrantSearch.as_view(), name="checkin_search"),
]
