"""Staff pages of attendance. Joined to the "staff" namespace's patterns in cmeconf.urls."""

from django.urls import path

from cmeconf.attendance import views_staff

PREFIX = "<slug:provider>/<slug:activity>/attendance/"

urlpatterns = [
    path(PREFIX, views_staff.overview, name="attendance"),
    path(f"{PREFIX}<str:session>/", views_staff.session_page, name="attendance_session"),
    path(
        f"{PREFIX}<str:session>/attendance.csv",
        views_staff.session_csv,
        name="attendance_session_csv",
    ),
    path(f"{PREFIX}<str:session>/import/", views_staff.import_report, name="attendance_import_add"),
    path(
        f"{PREFIX}<str:session>/imports/<int:pk>/",
        views_staff.import_detail,
        name="attendance_import",
    ),
    path(f"{PREFIX}<str:session>/adjust/", views_staff.adjust, name="attendance_adjust"),
    path(
        f"{PREFIX}<str:session>/intervals/<int:pk>/remove/",
        views_staff.void,
        name="attendance_void",
    ),
]
