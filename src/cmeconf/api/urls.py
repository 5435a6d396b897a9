"""REST API v1 (namespace "api"), mounted at /api/v1/."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from cmeconf.api.views import (
    activities,
    integrity,
    integrity_planning,
    integrity_support,
    program,
    providers,
    schedule,
    sessions,
)

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
    # Standards for Integrity and Independence: disclosures and their review.
    path("disclosures/", integrity.RosterView.as_view(), name="disclosures"),
    path(
        "disclosures/invitations/",
        integrity.InvitationView.as_view(),
        name="disclosure_invitations",
    ),
    path("review/", integrity.ReviewSummary.as_view(), name="review"),
    path(
        "review/relationships/<int:relationship>/decision/",
        integrity.RelevanceDecisionView.as_view(),
        name="relevance_decision",
    ),
    path(
        "review/relationships/<int:relationship>/mitigations/",
        integrity.MitigationView.as_view(),
        name="mitigations",
    ),
    path(
        "review/relationships/<int:relationship>/exception/",
        integrity.ExceptionView.as_view(),
        name="owner_exception",
    ),
    path(
        "learner-disclosure/",
        integrity_planning.LearnerDisclosureView.as_view(),
        name="learner_disclosure",
    ),
    # Commercial support (Standard 4).
    path("agreements/", integrity_support.AgreementList.as_view(), name="agreements"),
    path(
        "agreements/<int:agreement>/",
        integrity_support.AgreementDetail.as_view(),
        name="agreement",
    ),
    path(
        "agreements/<int:agreement>/sign/",
        integrity_support.AgreementSign.as_view(),
        name="agreement_sign",
    ),
    path("ledger/", integrity_support.LedgerList.as_view(), name="ledger"),
    path("ledger/<int:entry>/void/", integrity_support.LedgerVoid.as_view(), name="ledger_void"),
    path("support-report/", integrity_support.SupportReport.as_view(), name="support_report"),
    # The planning file.
    path("checklist/", integrity_planning.ChecklistView.as_view(), name="checklist"),
    path("comments/", integrity_planning.CommentList.as_view(), name="comments"),
    path(
        "comments/<int:comment>/resolve/",
        integrity_planning.CommentResolve.as_view(),
        name="comment_resolve",
    ),
    path("amendments/", integrity_planning.AmendmentList.as_view(), name="amendments"),
    path("activity-file/", integrity_planning.ActivityFileView.as_view(), name="activity_file"),
    # Registration, payments, check-in and attendance.
    path("", include("cmeconf.api.urls_registration")),
    path("", include("cmeconf.api.urls_checkin")),
    path("", include("cmeconf.api.urls_attendance")),
    # Credit: designation, claims, certificates, reports; and evaluations.
    path("", include("cmeconf.api.urls_credits_activity")),
    path("", include("cmeconf.api.urls_evaluations_activity")),
]

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("", include("cmeconf.api.urls_licensure")),
    path("", include("cmeconf.api.urls_credits")),
    path("", include("cmeconf.api.urls_evaluations")),
    path("topics/", providers.TopicList.as_view(), name="topics"),
    path("companies/", integrity.CompanyList.as_view(), name="companies"),
    path("companies/import/", integrity.CompanyImport.as_view(), name="companies_import"),
    path("me/disclosure/", integrity.MyDisclosure.as_view(), name="my_disclosure"),
    path(
        "me/disclosure/refuse/",
        integrity.MyDisclosureRefusal.as_view(),
        name="my_disclosure_refuse",
    ),
    path("me/consents/", integrity.MyConsentList.as_view(), name="my_consents"),
    path(
        "me/consents/<slug:provider>/<slug:activity>/",
        integrity.MyConsent.as_view(),
        name="my_consent",
    ),
    path("providers/", providers.ProviderList.as_view(), name="providers"),
    path("providers/<slug:provider>/", providers.ProviderDetail.as_view(), name="provider"),
    path(
        "providers/<slug:provider>/supporters/",
        integrity_support.SupporterList.as_view(),
        name="supporters",
    ),
    path(
        "providers/<slug:provider>/activities/",
        activities.ActivityList.as_view(),
        name="activities",
    ),
    path("providers/<slug:provider>/activities/<slug:activity>/", include(activity_patterns)),
]
