"""Staff pages of activities. Mounted under /staff/ in the "staff" namespace."""

from django.urls import include, path

from cmeconf.activities.views import staff, staff_grid, staff_program, staff_review

# Everything under /staff/<provider>/<activity>/.
activity_patterns = [
    path("", staff.dashboard, name="activity"),
    path("edit/", staff.activity_edit, name="activity_edit"),
    path("planning/", staff.planning, name="planning"),
    path("transition/<str:name>/", staff.activity_transition, name="activity_transition"),
    path("audit/", staff.audit, name="audit"),
    path("sessions/", staff_program.sessions, name="sessions"),
    path("sessions/new/", staff_program.session_create, name="session_create"),
    path("sessions/<str:code>/", staff_program.session_edit, name="session_edit"),
    path("sessions/<str:code>/delete/", staff_program.session_delete, name="session_delete"),
    path("sessions/<str:code>/faculty/add/", staff_program.faculty_add, name="session_faculty_add"),
    path(
        "sessions/<str:code>/faculty/<int:pk>/remove/",
        staff_program.faculty_remove,
        name="session_faculty_remove",
    ),
    path("rooms/", staff_program.rooms, name="rooms"),
    path("rooms/<int:pk>/", staff_program.room_edit, name="room_edit"),
    path("rooms/<int:pk>/delete/", staff_program.room_delete, name="room_delete"),
    path("tracks/", staff_program.tracks, name="tracks"),
    path("tracks/<int:pk>/", staff_program.track_edit, name="track_edit"),
    path("tracks/<int:pk>/delete/", staff_program.track_delete, name="track_delete"),
    path("planners/", staff_program.planners, name="planners"),
    path("planners/<int:pk>/remove/", staff_program.planner_remove, name="planner_remove"),
    path("grid/", staff_grid.grid, name="grid"),
    path("grid/move/", staff_grid.grid_move, name="grid_move"),
    path("grid/<str:code>/move/", staff_grid.grid_move_form, name="grid_move_form"),
    path("planning/comments/", staff_review.comment_add, name="planning_comment_add"),
    path(
        "planning/comments/<int:pk>/resolve/",
        staff_review.comment_resolve,
        name="planning_comment_resolve",
    ),
]

urlpatterns = [
    path("", staff.index, name="index"),
    path("<slug:provider>/", staff.provider_home, name="provider"),
    path("<slug:provider>/activities/new/", staff.activity_create, name="activity_create"),
    path("<slug:provider>/<slug:activity>/", include(activity_patterns)),
]
