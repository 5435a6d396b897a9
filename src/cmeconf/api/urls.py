"""REST API v1 (namespace "api"), mounted at /api/v1/."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from cmeconf.api.views import activities, program, providers, schedule, sessions

app_name = "api"

session_patterns = [
    path("", sessions.SessionDetail.as_view(), name="session"),
    path("move/", sessions.SessionMove.as_view(), name="session_move"),
    path("faculty/", sessions.SessionFacultyView.as_view(), name="session_faculty"),
]

activity_patterns = [
    path("", activities.ActivityDetail.as_view(), name="activity"),
    path(
        "transitions/<str:name>/",
        activities.ActivityTransition.as_view(),
        name="activity_transition",
    ),
    path("planning/", activities.PlanningDetail.as_view(), name="planning"),
    path("rooms/", program.RoomList.as_view(), name="rooms"),
    path("rooms/<int:pk>/", program.RoomDetail.as_view(), name="room"),
    path("tracks/", program.TrackList.as_view(), name="tracks"),
    path("tracks/<int:pk>/", program.TrackDetail.as_view(), name="track"),
    path("sessions/", sessions.SessionList.as_view(), name="sessions"),
    path("sessions/<str:code>/", include(session_patterns)),
    path("faculty/", schedule.FacultyList.as_view(), name="faculty"),
    path("schedule/", schedule.ScheduleView.as_view(), name="schedule"),
    path("warnings/", schedule.WarningList.as_view(), name="warnings"),
]

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("topics/", providers.TopicList.as_view(), name="topics"),
    path("providers/", providers.ProviderList.as_view(), name="providers"),
    path("providers/<slug:provider>/", providers.ProviderDetail.as_view(), name="provider"),
    path(
        "providers/<slug:provider>/activities/",
        activities.ActivityList.as_view(),
        name="activities",
    ),
    path("providers/<slug:provider>/activities/<slug:activity>/", include(activity_patterns)),
]
