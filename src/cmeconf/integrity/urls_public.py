"""The disclosure to learners as files, under /<provider>/<activity>/ (namespace
"learner_disclosure"), beside the activity's public pages."""

from django.urls import path

from cmeconf.integrity import views_public

app_name = "learner_disclosure"

urlpatterns = [
    path("disclosure.pdf", views_public.handout_file, name="handout"),
    path("disclosure-slide.pdf", views_public.slide_file, name="slide"),
    path(
        "sessions/<str:code>/disclosure-slide.pdf",
        views_public.session_slide_file,
        name="session_slide",
    ),
    path("sessions/<str:code>/disclosure.json", views_public.stage_json, name="stage"),
]
