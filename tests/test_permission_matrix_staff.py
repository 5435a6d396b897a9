"""Who may open which staff page: one table of (who, method, URL, expected status).

Two providers with look-alike data (the same activity slug, rooms, sessions and
teams at both) so that a page scoped by the wrong provider or activity shows up
as a 200 where a 404 belongs. Outsiders get 404 (staff areas do not reveal what
exists), team members without the page's permission 403.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cmeconf.activities.choices import ActivityState
from cmeconf.activities.models import PlanningRole
from cmeconf.activities.services import planning_review
from cmeconf.credits import certificates
from cmeconf.credits import designation as designation_svc
from cmeconf.credits.models import BatchStatus, CertificateBatch, CertificateTemplate
from cmeconf.evaluations import builder as evaluation_builder
from cmeconf.integrity import review, services, support
from cmeconf.providers.permissions import ALL_PERMISSIONS, Permission
from cmeconf.registration import badge_services
from cmeconf.registration import services as reg_services
from tests.credits.certificate_fixtures import make_claim
from tests.credits.designation_fixtures import AMA, accredit, switch_on
from tests.factories import (
    ActivityFactory,
    IneligibleCompanyFactory,
    ProviderFactory,
    RoomFactory,
    SessionFactory,
    SessionFacultyFactory,
    TeamFactory,
    TrackFactory,
    UserFactory,
)
from tests.registration.factories import (
    PriceTierFactory,
    PromoCodeFactory,
    QuestionFactory,
    RegistrationSetupFactory,
    RegistrationTypeFactory,
)

MEMBER = None  # any member of a team covering the activity (or, for provider pages, the provider)
SUPPORT_VIEW = ("program", "review", "reports")
ATTENDANCE_VIEW = ("registration", "credit", "reports")
# Credit: credit or reports staff read claims, certificates and reports; credit staff change.
CREDIT_VIEW = ("credit", "reports")
# Evaluations: credit or program staff build the forms, credit or reports staff read results.
EVALUATION_BUILD = ("credit", "program")
EVALUATION_READ = ("credit", "reports")
EVALUATION_ANY = ("credit", "program", "reports")

# (method, url name, scope, permission needed, arguments after the slugs, POST data, success)
# scope "provider": /staff/<provider>/...; "activity": /staff/<provider>/<activity>/...
# Arguments name objects of the world below; so does a POST value written "@name".
URLS = [
    ("get", "provider", "provider", MEMBER, (), None, 200),
    ("get", "activity_create", "provider", "program", (), None, 200),
    ("get", "provider_settings", "provider", "teams", (), None, 200),
    ("get", "teams", "provider", "teams", (), None, 200),
    ("get", "team_create", "provider", "teams", (), None, 200),
    ("get", "team", "provider", "teams", ("team",), None, 200),
    ("post", "team_member_add", "provider", "teams", ("team",), {"email": "learner@x.org"}, 302),
    ("post", "team_member_remove", "provider", "teams", ("team", "team_member"), {}, 302),
    ("get", "activity", "activity", MEMBER, (), None, 200),
    ("get", "activity_edit", "activity", "program", (), None, 200),
    ("get", "planning", "activity", MEMBER, (), None, 200),
    ("post", "planning", "activity", "program", (), {"practice_gap": "Gap"}, 302),
    ("post", "activity_transition", "activity", "program", ("start_planning",), {}, 302),
    ("get", "sessions", "activity", MEMBER, (), None, 200),
    ("get", "session_create", "activity", "program", (), None, 200),
    ("get", "session_edit", "activity", "program", ("session",), None, 200),
    ("post", "session_delete", "activity", "program", ("session",), {}, 302),
    (
        "post",
        "session_faculty_add",
        "activity",
        "program",
        ("session",),
        {"email": "learner@x.org", "role": "speaker"},
        302,
    ),
    ("post", "session_faculty_remove", "activity", "program", ("session", "faculty"), {}, 302),
    ("get", "rooms", "activity", "program", (), None, 200),
    ("get", "room_edit", "activity", "program", ("room",), None, 200),
    ("post", "room_delete", "activity", "program", ("room",), {}, 302),
    ("get", "tracks", "activity", "program", (), None, 200),
    ("get", "track_edit", "activity", "program", ("track",), None, 200),
    ("post", "track_delete", "activity", "program", ("track",), {}, 302),
    ("get", "planners", "activity", "program", (), None, 200),
    ("post", "planner_remove", "activity", "program", ("planner",), {}, 302),
    ("get", "grid", "activity", "program", (), None, 200),
    ("json", "grid_move", "activity", "program", (), "move", 200),
    ("get", "grid_move_form", "activity", "program", ("session",), None, 200),
    ("get", "audit", "activity", "reports", (), None, 200),
    # Review comments on the planning record: planners and reviewers.
    (
        "post",
        "planning_comment_add",
        "activity",
        ("review", "program"),
        (),
        {"body": "Name the gap's sources."},
        302,
    ),
    ("post", "planning_comment_resolve", "activity", ("review", "program"), ("comment",), {}, 302),
    # The activity file for the accreditor: reports or review staff.
    ("get", "activity_file_zip", "activity", ("reports", "review"), (), None, 200),
    ("get", "activity_file_pdf", "activity", ("reports", "review"), (), None, 200),
    # Disclosure review or program: either permission opens the page.
    ("get", "disclosures", "activity", ("review", "program"), (), None, 200),
    ("post", "disclosure_invite", "activity", ("review", "program"), (), {}, 302),
    # Conflict-of-interest review: reviewers only.
    ("get", "coi_review", "activity", "review", (), None, 200),
    (
        "post",
        "coi_decide",
        "activity",
        "review",
        ("relationship",),
        {"relevant": "no", "reason": "Unrelated"},
        302,
    ),
    ("post", "coi_mitigate", "activity", "review", ("relationship",), {"method": "divest"}, 302),
    (
        "post",
        "coi_exception",
        "activity",
        "review",
        ("owner_relationship",),
        {"exception": "unrelated", "reason": "Unrelated"},
        302,
    ),
    # Commercial support: program, review or reports see it; program changes it.
    ("get", "support", "activity", SUPPORT_VIEW, (), None, 200),
    ("get", "support_supporter_add", "activity", "program", (), None, 200),
    (
        "post",
        "support_supporter_add",
        "activity",
        "program",
        (),
        {"company": "Matrix Devices"},
        302,
    ),
    ("get", "support_agreement_create", "activity", "program", (), None, 200),
    ("get", "support_agreement", "activity", SUPPORT_VIEW, ("agreement",), None, 200),
    ("get", "support_agreement_edit", "activity", "program", ("agreement",), None, 200),
    (
        "post",
        "support_agreement_sign",
        "activity",
        "program",
        ("agreement", "provider_party"),
        {"provider-signatory": "Pat Provider", "provider-signed_on": "2020-01-02"},
        302,
    ),
    ("get", "support_ledger", "activity", SUPPORT_VIEW, (), None, 200),
    (
        "post",
        "support_ledger",
        "activity",
        "program",
        (),
        {"kind": "expense", "date": "2020-01-02", "amount": "10", "category": "venue"},
        302,
    ),
    ("post", "support_entry_void", "activity", "program", ("entry",), {"reason": "Wrong"}, 302),
    ("get", "support_report", "activity", SUPPORT_VIEW, (), None, 200),
    ("get", "support_report_csv", "activity", SUPPORT_VIEW, (), None, 200),
    # Registration: the registration team only.
    ("get", "registration", "activity", "registration", (), None, 200),
    ("get", "registration_csv", "activity", "registration", (), None, 200),
    ("get", "registration_registrant", "activity", "registration", ("registration",), None, 200),
    (
        "post",
        "registration_paid",
        "activity",
        "registration",
        ("registration",),
        {"paid-method": "invoice", "paid-amount": "400"},
        302,
    ),
    (
        "post",
        "registration_cancel",
        "activity",
        "registration",
        ("registration",),
        {"cancel-reason": "Asked to"},
        302,
    ),
    ("get", "registration_setup", "activity", "registration", (), None, 200),
    (
        "post",
        "registration_setup",
        "activity",
        "registration",
        (),
        {"currency": "EUR", "refund_percent": "50", "offer_hours": "24", "reminder_days": "3"},
        302,
    ),
    ("get", "registration_types", "activity", "registration", (), None, 200),
    (
        "post",
        "registration_types",
        "activity",
        "registration",
        (),
        {"type-name": "Nurse", "type-code": "nurse", "type-mode": "in_person"},
        302,
    ),
    ("get", "registration_type", "activity", "registration", ("reg_type",), None, 200),
    (
        "post",
        "registration_tier_add",
        "activity",
        "registration",
        ("reg_type",),
        {
            "tier-label": "Early bird",
            "tier-amount": "300",
            "tier-available_until": "2027-03-01T00:00",
        },
        302,
    ),
    ("post", "registration_tier_remove", "activity", "registration", ("tier",), {}, 302),
    ("get", "registration_promos", "activity", "registration", (), None, 200),
    (
        "post",
        "registration_promos",
        "activity",
        "registration",
        (),
        {"promo-code": "early10", "promo-percent_off": "10"},
        302,
    ),
    ("get", "registration_promo", "activity", "registration", ("promo",), None, 200),
    ("get", "registration_questions", "activity", "registration", (), None, 200),
    (
        "post",
        "registration_questions",
        "activity",
        "registration",
        (),
        {"question-label": "Diet?", "question-kind": "text", "question-purpose": "dietary"},
        302,
    ),
    ("post", "registration_question_remove", "activity", "registration", ("question",), {}, 302),
    # licensure: the audience's open topic mandates, counts only
    ("get", "licensure_needs", "activity", ("registration", "reports"), (), None, 200),
    # attendance
    # Registration and check-in, credit or reports read attendance; registration changes it.
    ("get", "attendance", "activity", ATTENDANCE_VIEW, (), None, 200),
    ("get", "attendance_session", "activity", ATTENDANCE_VIEW, ("attended_session",), None, 200),
    (
        "get",
        "attendance_session_csv",
        "activity",
        ATTENDANCE_VIEW,
        ("attended_session",),
        None,
        200,
    ),
    (
        "get",
        "attendance_import",
        "activity",
        ATTENDANCE_VIEW,
        ("attended_session", "attendance_import"),
        None,
        200,
    ),
    # Without a file the form is refused (400): the permission check came first.
    (
        "post",
        "attendance_import_add",
        "activity",
        "registration",
        ("attended_session",),
        {"source": "zoom"},
        400,
    ),
    (
        "post",
        "attendance_adjust",
        "activity",
        "registration",
        ("attended_session",),
        {
            "email": "learner@x.org",
            "start": "2027-04-14T09:00",
            "end": "2027-04-14T09:30",
            "reason": "Scanner down",
        },
        302,
    ),
    (
        "get",
        "attendance_void",
        "activity",
        "registration",
        ("attended_session", "attendance_interval"),
        None,
        200,
    ),
    (
        "post",
        "attendance_void",
        "activity",
        "registration",
        ("attended_session", "attendance_interval"),
        {"reason": "Someone else's badge"},
        302,
    ),
    # check-in
    ("get", "checkin", "activity", "registration", (), None, 200),
    # Without a station the search is refused (400): the permission check came first.
    ("get", "checkin_search", "activity", "registration", (), None, 400),
    (
        "post",
        "checkin_scan",
        "activity",
        "registration",
        (),
        {"station": "entry", "token": "x"},
        200,
    ),
    ("post", "checkin_pick", "activity", "registration", (), {"station": "NOPE"}, 400),
    ("get", "checkin_kiosk", "activity", "registration", (), None, 200),
    (
        "post",
        "checkin_kiosk",
        "activity",
        "registration",
        (),
        {"email": "learner@x.org", "code": "ABCDEF"},
        200,
    ),
    ("post", "checkin_kiosk_scan", "activity", "registration", (), {"token": "x"}, 200),
    ("get", "checkin_dashboard", "activity", "registration", (), None, 200),
    ("get", "checkin_dashboard_live", "activity", "registration", (), None, 200),
    # badges
    ("get", "registration_badges", "activity", "registration", (), None, 200),
    ("post", "registration_badge_batch_start", "activity", "registration", (), {}, 302),
    (
        "get",
        "registration_badge_batch_status",
        "activity",
        "registration",
        ("badge_batch",),
        None,
        200,
    ),
    # The world's batch is still queued: not ready (404) once the permission check passed.
    (
        "get",
        "registration_badge_batch_download",
        "activity",
        "registration",
        ("badge_batch",),
        None,
        404,
    ),
    ("get", "registration_badge_pdf", "activity", "registration", ("registration",), None, 200),
    ("get", "registration_badge_reissue", "activity", "registration", ("registration",), None, 200),
    ("post", "registration_badge_reissue", "activity", "registration", ("registration",), {}, 302),
    # payments
    ("get", "registration_refund", "activity", "registration", ("paid_registration",), None, 200),
    (
        "post",
        "registration_refund",
        "activity",
        "registration",
        ("paid_registration",),
        {"amount": "10", "reason": "Goodwill"},
        302,
    ),
    (
        "post",
        "registration_refund_complete",
        "activity",
        "registration",
        ("refunded_registration", "refund"),
        {},
        302,
    ),
    ("get", "registration_invoice_pdf", "activity", "registration", ("registration",), None, 200),
    (
        "get",
        "registration_receipt_pdf",
        "activity",
        "registration",
        ("paid_registration",),
        None,
        200,
    ),
    # credit types and designation: the provider's types need credit for all activities.
    ("get", "provider_credit_types", "provider", "credit", (), None, 200),
    (
        "post",
        "provider_credit_types",
        "provider",
        "credit",
        (),
        {"credit_type": "AMA_PRA_1", "AMA_PRA_1-enabled": "on"},
        302,
    ),
    ("get", "credit", "activity", CREDIT_VIEW, (), None, 200),
    (
        "post",
        "credit_designate",
        "activity",
        "credit",
        ("ama",),
        {"AMA_PRA_1-new-maximum": "", "AMA_PRA_1-new-lowered_reason": ""},
        302,
    ),
    # Without a reason the form is refused (400): the permission check came first.
    ("post", "credit_withdraw", "activity", "credit", ("designation",), {}, 400),
    ("post", "credit_recompute", "activity", "credit", (), {}, 302),
    ("post", "credit_window", "activity", "credit", (), {"evaluation_required": "on"}, 302),
    # claims
    ("get", "claims", "activity", CREDIT_VIEW, (), None, 200),
    ("get", "claims_csv", "activity", CREDIT_VIEW, (), None, 200),
    ("get", "claim", "activity", CREDIT_VIEW, ("claim",), None, 200),
    (
        "post",
        "claim_correct",
        "activity",
        "credit",
        ("claim",),
        {"amount": "0.25", "reason": "Left early"},
        302,
    ),
    (
        "post",
        "claim_recompute",
        "activity",
        "credit",
        ("claim",),
        {"reason": "Attendance corrected"},
        302,
    ),
    ("post", "claim_withdraw", "activity", "credit", ("claim",), {"reason": "Duplicate"}, 302),
    # certificates
    ("get", "certificates", "activity", CREDIT_VIEW, (), None, 200),
    # The world's batch is still queued: refused with a message, back to the page.
    ("post", "certificates_batch_start", "activity", "credit", (), {}, 302),
    (
        "get",
        "certificates_batch_status",
        "activity",
        CREDIT_VIEW,
        ("certificate_batch",),
        None,
        200,
    ),
    (
        "post",
        "certificates_template",
        "activity",
        "credit",
        (),
        {"template": "@certificate_template"},
        302,
    ),
    ("get", "certificate_revoke", "activity", "credit", ("certificate",), None, 200),
    (
        "post",
        "certificate_revoke",
        "activity",
        "credit",
        ("certificate",),
        {"reason": "Not attended"},
        302,
    ),
    ("post", "certificate_reissue", "activity", "credit", ("certificate",), {}, 302),
    # certificate templates: the provider's, credit for all activities.
    ("get", "certificate_templates", "provider", "credit", (), None, 200),
    ("get", "certificate_template_new", "provider", "credit", (), None, 200),
    ("post", "certificate_template_new", "provider", "credit", (), {"name": "Workshops"}, 302),
    ("get", "certificate_template", "provider", "credit", ("certificate_template",), None, 200),
    (
        "get",
        "certificate_template_preview",
        "provider",
        "credit",
        ("certificate_template",),
        None,
        200,
    ),
    # evaluations
    ("get", "evaluations", "activity", EVALUATION_ANY, (), None, 200),
    (
        "post",
        "evaluation_add_session",
        "activity",
        EVALUATION_BUILD,
        (),
        {"session": "@attended_session"},
        302,
    ),
    (
        "post",
        "evaluation_add_follow_up",
        "activity",
        EVALUATION_BUILD,
        (),
        {"send_after_days": "30"},
        302,
    ),
    ("get", "evaluation_form", "activity", EVALUATION_BUILD, ("evaluation_form",), None, 200),
    (
        "post",
        "evaluation_settings",
        "activity",
        EVALUATION_BUILD,
        ("evaluation_form",),
        {"title": "How was the session?", "is_open": "on"},
        302,
    ),
    ("post", "evaluation_delete", "activity", EVALUATION_BUILD, ("evaluation_form",), {}, 302),
    (
        "post",
        "evaluation_question_add",
        "activity",
        EVALUATION_BUILD,
        ("evaluation_form",),
        {"kind": "text", "text": "What will you change?", "scale_min": "1", "scale_max": "5"},
        302,
    ),
    (
        "get",
        "evaluation_question",
        "activity",
        EVALUATION_BUILD,
        ("evaluation_form", "evaluation_question"),
        None,
        200,
    ),
    (
        "post",
        "evaluation_question",
        "activity",
        EVALUATION_BUILD,
        ("evaluation_form", "evaluation_question"),
        {"kind": "text", "text": "What will you change first?", "scale_min": "1", "scale_max": "5"},
        302,
    ),
    (
        "post",
        "evaluation_question_delete",
        "activity",
        EVALUATION_BUILD,
        ("evaluation_form", "evaluation_question"),
        {},
        302,
    ),
    (
        "post",
        "evaluation_question_move",
        "activity",
        EVALUATION_BUILD,
        ("evaluation_form", "evaluation_question"),
        {"direction": "up"},
        302,
    ),
    ("get", "evaluation_results", "activity", EVALUATION_READ, ("evaluation_form",), None, 200),
    (
        "get",
        "evaluation_answers_csv",
        "activity",
        EVALUATION_READ,
        ("evaluation_form",),
        None,
        200,
    ),
    (
        "get",
        "evaluation_summary_csv",
        "activity",
        EVALUATION_READ,
        ("evaluation_form",),
        None,
        200,
    ),
    # reports for accreditors and boards: credit or reports staff.
    ("get", "credit_reports", "activity", CREDIT_VIEW, (), None, 200),
    ("get", "credit_reports_pars_activity", "activity", CREDIT_VIEW, ("json",), None, 200),
    # The world lacks what these files need (a joint accreditation, the ACCME activity ID,
    # pharmacy or state-board credit): refused, back to the reports page with the problems
    # listed (302), once the permission check passed.
    ("get", "credit_reports_ja_pars", "activity", CREDIT_VIEW, ("xml",), None, 302),
    ("get", "credit_reports_pars_learners", "activity", CREDIT_VIEW, ("json",), None, 302),
    ("get", "credit_reports_cpe", "activity", CREDIT_VIEW, (), None, 302),
    ("get", "credit_reports_ce_broker", "activity", CREDIT_VIEW, (), None, 302),
    (
        "post",
        "credit_reports_mark_reported",
        "activity",
        CREDIT_VIEW,
        (),
        {"claim": "@claim"},
        302,
    ),
]

PEOPLE = ["anonymous", "learner", "other_admin", "limited", *sorted(ALL_PERMISSIONS)]


def expected(who: str, scope: str, permission: str | None, success: int) -> int:
    if who == "anonymous":
        return 302  # to the login page
    if who in ("learner", "other_admin"):
        return 404
    if who == "limited":
        # A team for another activity of the same provider: a provider member, but
        # this activity does not exist for them, and provider-wide permissions are none.
        if scope == "activity":
            return 404
        return success if permission is MEMBER else 403
    if isinstance(permission, tuple):  # any one of them will do
        return success if who in permission else 403
    return success if permission in (MEMBER, who) else 403


TABLE = [
    pytest.param(
        who,
        method,
        name,
        args,
        data,
        expected(who, scope, perm, ok),
        scope,
        id=f"{who}-{method}-{name}",
    )
    for (method, name, scope, perm, args, data, ok) in URLS
    for who in PEOPLE
]

# Objects of the other provider, reached through this provider's URLs by its own admin:
# each must be 404, never the other provider's data.
LEAKS = [
    ("get", "team", "provider", ("other_team",)),
    ("post", "team_member_remove", "provider", ("other_team", "other_member")),
    ("get", "session_edit", "activity", ("other_session",)),
    ("get", "grid_move_form", "activity", ("other_session",)),
    ("post", "session_delete", "activity", ("other_session",)),
    ("get", "room_edit", "activity", ("other_room",)),
    ("get", "track_edit", "activity", ("other_track",)),
    ("post", "planner_remove", "activity", ("other_planner",)),
    ("post", "session_faculty_remove", "activity", ("session", "other_faculty")),
    ("json", "grid_move", "activity", "other_move"),
    # A relationship of the other provider's faculty, through this activity's review.
    ("post", "coi_decide", "activity", ("other_relationship",)),
    ("post", "coi_mitigate", "activity", ("other_relationship",)),
    ("post", "coi_exception", "activity", ("other_relationship",)),
    ("post", "planning_comment_resolve", "activity", ("other_comment",)),
    # The other provider's support agreement and ledger entry, through this activity.
    ("get", "support_agreement", "activity", ("other_agreement",)),
    ("get", "support_agreement_edit", "activity", ("other_agreement",)),
    ("post", "support_agreement_sign", "activity", ("other_agreement", "provider_party")),
    ("post", "support_entry_void", "activity", ("other_entry",)),
    # The other provider's registration set-up and registrants, through this activity.
    ("get", "registration_registrant", "activity", ("other_registration",)),
    ("post", "registration_paid", "activity", ("other_registration",)),
    ("post", "registration_cancel", "activity", ("other_registration",)),
    ("get", "registration_type", "activity", ("other_reg_type",)),
    ("post", "registration_tier_add", "activity", ("other_reg_type",)),
    ("post", "registration_tier_remove", "activity", ("other_tier",)),
    ("get", "registration_promo", "activity", ("other_promo",)),
    ("post", "registration_question_remove", "activity", ("other_question",)),
    # The other provider's session, import and attendance, through this activity.
    ("get", "attendance_session", "activity", ("other_attended_session",)),
    ("get", "attendance_session_csv", "activity", ("other_attended_session",)),
    ("post", "attendance_import_add", "activity", ("other_attended_session",)),
    ("post", "attendance_adjust", "activity", ("other_attended_session",)),
    ("get", "attendance_import", "activity", ("attended_session", "other_attendance_import")),
    ("get", "attendance_void", "activity", ("attended_session", "other_attendance_interval")),
    ("post", "attendance_void", "activity", ("attended_session", "other_attendance_interval")),
    # The other provider's registrants and batch of badges, through this activity.
    ("get", "registration_badge_pdf", "activity", ("other_registration",)),
    ("get", "registration_badge_reissue", "activity", ("other_registration",)),
    ("post", "registration_badge_reissue", "activity", ("other_registration",)),
    ("get", "registration_badge_batch_status", "activity", ("other_badge_batch",)),
    ("get", "registration_badge_batch_download", "activity", ("other_badge_batch",)),
    # The other provider's registrants and refunds, through this activity's payment pages.
    ("get", "registration_refund", "activity", ("other_registration",)),
    ("post", "registration_refund", "activity", ("other_registration",)),
    ("get", "registration_invoice_pdf", "activity", ("other_registration",)),
    ("get", "registration_receipt_pdf", "activity", ("other_registration",)),
    ("post", "registration_refund_complete", "activity", ("other_refunded", "other_refund")),
    ("post", "registration_refund_complete", "activity", ("refunded_registration", "other_refund")),
    # The other provider's designation, claims, certificates, batch and template.
    ("post", "credit_withdraw", "activity", ("other_designation",)),
    ("get", "claim", "activity", ("other_claim",)),
    ("post", "claim_correct", "activity", ("other_claim",)),
    ("post", "claim_recompute", "activity", ("other_claim",)),
    ("post", "claim_withdraw", "activity", ("other_claim",)),
    ("get", "certificate_revoke", "activity", ("other_certificate",)),
    ("post", "certificate_revoke", "activity", ("other_certificate",)),
    ("post", "certificate_reissue", "activity", ("other_certificate",)),
    ("get", "certificates_batch_status", "activity", ("other_certificate_batch",)),
    ("get", "certificate_template", "provider", ("other_certificate_template",)),
    ("post", "certificate_template", "provider", ("other_certificate_template",)),
    ("get", "certificate_template_preview", "provider", ("other_certificate_template",)),
    # The other provider's evaluation form and question, through this activity.
    ("get", "evaluation_form", "activity", ("other_evaluation_form",)),
    ("post", "evaluation_settings", "activity", ("other_evaluation_form",)),
    ("post", "evaluation_delete", "activity", ("other_evaluation_form",)),
    ("post", "evaluation_question_add", "activity", ("other_evaluation_form",)),
    ("get", "evaluation_results", "activity", ("other_evaluation_form",)),
    ("get", "evaluation_answers_csv", "activity", ("other_evaluation_form",)),
    ("get", "evaluation_summary_csv", "activity", ("other_evaluation_form",)),
    (
        "get",
        "evaluation_question",
        "activity",
        ("evaluation_form", "other_evaluation_question"),
    ),
    (
        "post",
        "evaluation_question_delete",
        "activity",
        ("evaluation_form", "other_evaluation_question"),
    ),
    (
        "post",
        "evaluation_question_move",
        "activity",
        ("evaluation_form", "other_evaluation_question"),
    ),
]
for method, name, scope, args in LEAKS:
    data = args if method == "json" else ({} if method == "post" else None)
    TABLE.append(
        pytest.param(
            "admin",
            method,
            name,
            () if method == "json" else args,
            data,
            404,
            scope,
            id=f"leak-{method}-{name}",
        )
    )


@pytest.fixture
def world(db, settings, tmp_path):
    # Certificates are drawn to files: into this test's own folder.
    settings.MEDIA_ROOT = tmp_path / "media"
    acp = ProviderFactory(slug="acp")
    other = ProviderFactory(slug="other")
    # In planning: comments are open then, and no change is yet an amendment.
    activity = ActivityFactory(provider=acp, slug="annual-2027", state=ActivityState.PLANNING)
    sibling = ActivityFactory(provider=acp, slug="winter-2027")
    # The other provider uses the same activity slug: a lookup by slug alone would leak.
    twin = ActivityFactory(provider=other, slug="annual-2027", state=ActivityState.PLANNING)
    people = {"learner": UserFactory(email="learner@x.org")}

    def team(provider, name, perms, members, activities=None):
        return TeamFactory(
            provider=provider,
            name=name,
            permissions=sorted(perms),
            all_activities=activities is None,
            activities=activities or [],
            members=members,
        )

    people["other_admin"] = UserFactory()
    other_team = team(other, "Other office", ALL_PERMISSIONS, [people["other_admin"]])
    people["limited"] = UserFactory()
    team(acp, "Winter only", ALL_PERMISSIONS, [people["limited"]], activities=[sibling])
    for perm in ALL_PERMISSIONS:
        people[perm] = UserFactory()
        team(acp, f"Only {perm}", [perm], [people[perm]])
    people["admin"] = UserFactory()
    acp_team = team(acp, "CME office", ALL_PERMISSIONS, [people["admin"]])

    def program(act):
        room = RoomFactory(activity=act)
        session = SessionFactory(activity=act, room=room)
        faculty = SessionFacultyFactory(session=session)
        planner = PlanningRole.objects.create(activity=act, person=UserFactory(), role="planner")
        return room, session, faculty, TrackFactory(activity=act), planner

    room, session, faculty, track, planner = program(activity)
    o_room, o_session, o_faculty, o_track, o_planner = program(twin)

    def disclose(person, *natures):
        d = services.submit_disclosure(
            person,
            by=person,
            attested=True,
            relationships=[
                {
                    "company": IneligibleCompanyFactory(),
                    "nature": nature,
                    "start_date": dt.date(2024, 1, 1),
                    "end_date": None,
                }
                for nature in natures
            ],
        )
        return list(d.relationships.order_by("id"))

    relationship, owner_relationship = disclose(faculty.person, "consultant", "employee")
    # Relevant already, so that a mitigation can follow.
    review.decide_relevance(
        activity, relationship, reviewer=people["admin"], relevant=True, reason="Related"
    )
    (o_relationship,) = disclose(o_faculty.person, "consultant")
    comment = planning_review.add_comment(activity, by=people["admin"], body="Sources?")
    o_comment = planning_review.add_comment(twin, by=people["other_admin"], body="Sources?")

    # One company of the registry supports both providers' look-alike activities.
    company = IneligibleCompanyFactory(name="Matrix Devices")

    def supported(provider, act, by):
        supporter = support.add_supporter(provider, company=company, by=by)
        agreement = support.create_agreement(
            act, by=by, supporter=supporter, kind="cash", purpose="Grant", terms="T", amount="900"
        )
        entry = support.record_entry(
            act, by=by, kind="receipt", date=dt.date(2020, 1, 1), amount="90", agreement=agreement
        )
        return agreement, entry

    agreement, entry = supported(acp, activity, people["admin"])
    o_agreement, o_entry = supported(other, twin, people["other_admin"])

    def registration(act):
        RegistrationSetupFactory(activity=act)
        reg_type = RegistrationTypeFactory(activity=act, code="physician")
        tier = PriceTierFactory(registration_type=reg_type, amount=Decimal("400.00"))
        learner = UserFactory()
        registered = reg_services.register(act, learner, registration_type=reg_type, by=learner)
        promo = PromoCodeFactory(activity=act, percent_off=10)
        return registered, reg_type, tier, promo, QuestionFactory(activity=act)

    registered, reg_type, tier, promo, question = registration(activity)
    o_registered, o_reg_type, o_tier, o_promo, o_question = registration(twin)
    # Queued, never run: the test's transaction never commits.
    badge_batch = badge_services.start_badge_batch(activity, by=people["admin"])
    o_badge_batch = badge_services.start_badge_batch(twin, by=people["other_admin"])

    def attendance(sess, by):
        from cmeconf.attendance.models import AttendanceImport, AttendanceInterval

        record = AttendanceImport.objects.create(
            activity=sess.activity,
            session=sess,
            source="zoom",
            filename="participants.csv",
            sha256="0" * 64,
            imported_by=by,
            imported_at=sess.start,
        )
        interval = AttendanceInterval.objects.create(
            session=sess,
            person=people["learner"],
            start=sess.start,
            end=sess.end,
            source="scan",
            recorded_at=sess.end,
        )
        return record, interval

    # Sessions of their own: a session with attendance cannot be deleted, and the
    # session_delete row deletes "session".
    attended = SessionFactory(activity=activity, room=room)
    o_attended = SessionFactory(activity=twin, room=o_room)
    attendance_import, attendance_interval = attendance(attended, people["admin"])
    o_attendance_import, o_attendance_interval = attendance(o_attended, people["other_admin"])

    def paid(act, kind, by):
        person = UserFactory()
        reg = reg_services.register(act, person, registration_type=kind, by=person)
        reg_services.confirm_payment(reg, by=by, method="invoice", amount=Decimal("400"))
        return reg

    def refunded(act, kind, by):
        # Cancelled by the learner: the policy refund waits for the team to pay it back.
        reg = paid(act, kind, by)
        reg_services.cancel(reg, by=reg.person)
        return reg, reg.payments.get(refund_of__isnull=False)

    paid_registration = paid(activity, reg_type, people["admin"])
    refunded_registration, refund = refunded(activity, reg_type, people["admin"])
    o_refunded, o_refund = refunded(twin, o_reg_type, people["other_admin"])

    def credit(provider, act, sess, attended_sess, by):
        """AMA switched on and designated, a claim with its certificate, a queued batch, a
        template, and a session's evaluation form with one question."""
        from cmeconf.attendance.models import AttendanceInterval

        accredit(provider)
        switch_on(provider)
        designation = designation_svc.designate(act, AMA, by=by)
        claim = make_claim(designation, amount="0.50")
        # An hour of attendance: a correction or a recount has something to go by.
        AttendanceInterval.objects.create(
            session=attended_sess,
            person=claim.person,
            start=attended_sess.start,
            end=attended_sess.end,
            source="scan",
            recorded_at=attended_sess.end,
        )
        certificate = certificates.issue_certificate(claim)
        batch = CertificateBatch.objects.create(
            activity=act,
            requested_by=by,
            created=timezone.now(),
            status=BatchStatus.QUEUED,
            total=1,
        )
        template = CertificateTemplate.objects.create(provider=provider, name="Annual meeting")
        form = evaluation_builder.create_session_form(sess, by=by)
        question = evaluation_builder.add_question(
            form, by=by, kind="text", text="What will you change?", required=False
        )
        return designation, claim, certificate, batch, template, form, question

    designation, claim, certificate, certificate_batch, template, ev_form, ev_question = credit(
        acp, activity, session, attended, people["admin"]
    )
    o_designation, o_claim, o_certificate, o_batch, o_template, o_ev_form, o_ev_question = credit(
        other, twin, o_session, o_attended, people["other_admin"]
    )
    objects = {
        "team": acp_team.pk,
        "team_member": people["admin"].pk,
        "session": session.code,
        "faculty": faculty.pk,
        "room": room.pk,
        "track": track.pk,
        "planner": planner.pk,
        "start_planning": "start_planning",
        "other_team": other_team.pk,
        "other_member": people["other_admin"].pk,
        "other_session": o_session.code,
        "other_faculty": o_faculty.pk,
        "other_room": o_room.pk,
        "other_track": o_track.pk,
        "other_planner": o_planner.pk,
        "relationship": relationship.pk,
        "owner_relationship": owner_relationship.pk,
        "other_relationship": o_relationship.pk,
        "comment": comment.pk,
        "other_comment": o_comment.pk,
        "agreement": agreement.pk,
        "entry": entry.pk,
        "provider_party": "provider",
        "other_agreement": o_agreement.pk,
        "other_entry": o_entry.pk,
        "registration": registered.pk,
        "reg_type": reg_type.pk,
        "tier": tier.pk,
        "promo": promo.pk,
        "question": question.pk,
        "other_registration": o_registered.pk,
        "other_reg_type": o_reg_type.pk,
        "other_tier": o_tier.pk,
        "other_promo": o_promo.pk,
        "other_question": o_question.pk,
        "badge_batch": badge_batch.pk,
        "other_badge_batch": o_badge_batch.pk,
        "attended_session": attended.code,
        "other_attended_session": o_attended.code,
        "attendance_import": attendance_import.pk,
        "attendance_interval": attendance_interval.pk,
        "other_attendance_import": o_attendance_import.pk,
        "other_attendance_interval": o_attendance_interval.pk,
        "paid_registration": paid_registration.pk,
        "refunded_registration": refunded_registration.pk,
        "refund": refund.pk,
        "other_refunded": o_refunded.pk,
        "other_refund": o_refund.pk,
        "ama": AMA,
        "designation": designation.pk,
        "claim": claim.pk,
        "certificate": certificate.pk,
        "certificate_batch": certificate_batch.pk,
        "certificate_template": template.pk,
        "evaluation_form": ev_form.pk,
        "evaluation_question": ev_question.pk,
        "other_designation": o_designation.pk,
        "other_claim": o_claim.pk,
        "other_certificate": o_certificate.pk,
        "other_certificate_batch": o_batch.pk,
        "other_certificate_template": o_template.pk,
        "other_evaluation_form": o_ev_form.pk,
        "other_evaluation_question": o_ev_question.pk,
        "json": "json",
        "xml": "xml",
        "move": {"session": session.code, "day": "2027-04-14", "time": "11:00", "room": room.pk},
        # The other provider's session, through this provider's grid.
        "other_move": {
            "session": o_session.code,
            "day": "2027-04-14",
            "time": "11:00",
            "room": room.pk,
        },
    }
    return {"people": people, "objects": objects, "acp": acp, "activity": activity}


@pytest.mark.parametrize(("who", "method", "name", "args", "data", "status", "scope"), TABLE)
def test_staff_permission_matrix(client, world, who, method, name, args, data, status, scope):
    objects = world["objects"]
    slugs = [world["acp"].slug] + ([world["activity"].slug] if scope == "activity" else [])
    address = reverse(f"staff:{name}", args=[*slugs, *(objects[a] for a in args)])
    if who != "anonymous":
        client.force_login(world["people"][who])
    if method == "get":
        response = client.get(address)
    elif method == "json":
        response = client.post(address, json.dumps(objects[data]), content_type="application/json")
    else:
        data = {
            k: objects[v[1:]] if isinstance(v, str) and v.startswith("@") else v
            for k, v in data.items()
        }
        response = client.post(address, data)
    assert response.status_code == status, response.content[:300]
    if status == 302 and who == "anonymous":
        assert response["Location"].startswith(reverse("accounts:login"))
    if status in (403, 404):
        # Nothing of either provider's program may appear on a refusal.
        assert b"Update in Cardiology" not in response.content


def test_matrix_covers_every_staff_url():
    """A staff URL added later must join the table."""
    from cmeconf.activities import urls_staff
    from cmeconf.attendance import urls_staff as attendance_urls
    from cmeconf.checkin import urls_staff as checkin_urls
    from cmeconf.credits import (
        urls_certificates_staff,
        urls_claims_staff,
        urls_designation_staff,
    )
    from cmeconf.evaluations import urls_staff as evaluation_urls
    from cmeconf.integrity import urls_audit_file, urls_support
    from cmeconf.integrity import urls_staff as integrity_urls
    from cmeconf.licensure import urls_staff as licensure_urls
    from cmeconf.providers import urls as provider_urls
    from cmeconf.registration import urls_badges_staff as badge_urls
    from cmeconf.registration import urls_payments_staff as payment_urls
    from cmeconf.registration import urls_staff as registration_urls
    from cmeconf.reporting import urls_staff as reporting_urls

    def names(patterns):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                yield from names(p.url_patterns)
            else:
                yield p.name

    all_names = (
        set(names(urls_staff.urlpatterns))
        | set(names(provider_urls.urlpatterns))
        | set(names(integrity_urls.urlpatterns))
        | set(names(urls_support.urlpatterns))
        | set(names(urls_audit_file.urlpatterns))
        | set(names(registration_urls.urlpatterns))
        | set(names(badge_urls.urlpatterns))
        | set(names(attendance_urls.urlpatterns))
        | set(names(checkin_urls.urlpatterns))
        | set(names(payment_urls.urlpatterns))
        | set(names(licensure_urls.urlpatterns))
        | set(names(urls_designation_staff.urlpatterns))
        | set(names(urls_claims_staff.urlpatterns))
        | set(names(urls_certificates_staff.urlpatterns))
        | set(names(evaluation_urls.urlpatterns))
        | set(names(reporting_urls.urlpatterns))
    )
    assert all_names - {"index"} == {row[1] for row in URLS}
    assert set(PEOPLE) >= {p.value for p in Permission}
