"""Public pages of one activity, under /<provider>/<activity>/ (namespace "public")."""

from django.urls import path

from cmeconf.activities.views import public

app_name = "public"

urlpatterns = [
    path("", public.activity_home, name="activity"),
    path("schedule/", public.schedule_page, name="schedule"),
    path("schedule.ics", public.schedule_ics, name="schedule_ics"),
    path("schedule.xml", public.schedule_xml, name="schedule_xml"),
    path("schedule.json", public.schedule_json, name="schedule_json"),
    path("sessions.csv", public.sessions_csv, name="sessions_csv"),
    path("tracks.css", public.tracks_css, name="tracks_css"),
    path("sessions/<str:code>/", public.session_detail, name="session"),
    path("sessions/<str:code>/session.ics", public.session_ics, name="session_ics"),
    path("sessions/<str:code>/bookmark/", public.bookmark, name="bookmark"),
    path("faculty/", public.faculty_list, name="faculty_list"),
    path("faculty/<int:pk>/", public.faculty_detail, name="faculty"),
    path("search/", public.search, name="search"),
    path("agenda/", public.agenda, name="agenda"),
    path("agenda/ids.json", public.agenda_ids, name="agenda_ids"),
    path("agenda/<str:token>/agenda.ics", public.agenda_ics, name="agenda_ics"),
]
