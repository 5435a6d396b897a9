"""Attendance endpoints of an activity. Included inside the activity's patterns of
cmeconf.api.urls."""

from django.urls import path

from cmeconf.api.views import attendance as views

urlpatterns = [
    path(
        "sessions/<str:code>/attendance/",
        views.SessionAttendance.as_view(),
        name="session_attendance",
    ),
    path(
        "sessions/<str:code>/attendance/imports/",
        views.ImportList.as_view(),
        name="attendance_imports",
    ),
    path(
        "sessions/<str:code>/attendance/adjustments/",
        views.AdjustmentList.as_view(),
        name="attendance_adjustments",
    ),
    path(
        "attendance/intervals/<int:interval>/void/",
        views.IntervalVoid.as_view(),
        name="attendance_void",
    ),
]
