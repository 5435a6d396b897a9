"""Check-in pages: the scanner's JSON endpoint, the search fallback, the kiosk and the dashboard."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cmeconf.checkin import views
from cmeconf.checkin.choices import ScanKind, ScanResult
from cmeconf.checkin.forms import KIOSK_MAX_FAILURES
from cmeconf.checkin.models import Scan
from cmeconf.registration import services as registration_services
from cmeconf.registration.badge_tokens import badge_code, badge_token
from cmeconf.registration.choices import AttendanceMode, RegistrationStatus
from cmeconf.registration.models import Registration, WorkshopSignup
from tests.factories import (
    ActivityFactory,
    ProviderFactory,
    RoomFactory,
    SessionFactory,
    TeamFactory,
    UserFactory,
)
from tests.registration.factories import (
    PriceTierFactory,
    RegistrationSetupFactory,
    RegistrationTypeFactory,
)


def midday_zone() -> str:
    """A fixed-offset zone where it is now between 10:00 and 14:00.

    The desk's sessions run from a few minutes ago to a couple of hours ahead; in a zone
    where it is around noon they all fall on the conference's today, whatever hour the
    suite runs at (in UTC a run after 22:00 put the closing plenary on tomorrow).
    """
    hours_to_noon = 12 - timezone.now().astimezone(dt.UTC).hour
    offset = max(-12, min(14, hours_to_noon))
    # The Etc/GMT names have the sign inverted: Etc/GMT-3 is three hours ahead of UTC.
    return "UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"


class Desk:
    """A conference that runs today, with a few registrants in every state the desk meets."""

    def __init__(self, provider):
        self.provider = provider
        zone = midday_zone()
        today = timezone.localdate(timezone=zoneinfo.ZoneInfo(zone))
        self.activity = ActivityFactory(
            provider=provider,
            slug="annual-2027",
            start_date=today - dt.timedelta(days=1),
            end_date=today + dt.timedelta(days=1),
            time_zone=zone,
        )
        RegistrationSetupFactory(activity=self.activity)
        self.free = RegistrationTypeFactory(activity=self.activity, name="Member physician")
        self.paying = RegistrationTypeFactory(activity=self.activity, name="Non-member")
        PriceTierFactory(registration_type=self.paying, amount=Decimal("400.00"))
        self.virtual = RegistrationTypeFactory(
            activity=self.activity, name="Online", mode=AttendanceMode.VIRTUAL
        )
        self.jane = self.register("Jane", "Doe", "jane@hospital.example")
        self.paul = self.register("Paul", "Payne", "paul@clinic.example", self.paying)
        self.carl = self.register("Carl", "Cancel", "carl@clinic.example")
        registration_services.cancel(self.carl, by=self.carl.person, reason="Cannot come")
        self.wendy = self.register("Wendy", "Waits", "wendy@clinic.example")
        Registration.objects.filter(pk=self.wendy.pk).update(status=RegistrationStatus.WAITLISTED)
        self.vic = self.register("Vic", "Virtual", "vic@home.example", self.virtual)
        room = RoomFactory(activity=self.activity, name="Hall A", capacity=150)
        self.lecture = SessionFactory(
            activity=self.activity,
            title="Heart failure update",
            room=room,
            start=timezone.now() - dt.timedelta(minutes=10),
            end=timezone.now() + dt.timedelta(minutes=50),
        )
        self.workshop = SessionFactory(
            activity=self.activity,
            title="Echo workshop",
            format="workshop",
            capacity=12,
            start=timezone.now() - dt.timedelta(minutes=5),
            end=timezone.now() + dt.timedelta(minutes=55),
        )

    def register(self, first, last, email, reg_type=None):
        person = UserFactory(first_name=first, last_name=last, email=email)
        return registration_services.register(
            self.activity, person, registration_type=reg_type or self.free, by=person
        )

    def url(self, name, *args):
        return reverse(f"staff:{name}", args=[self.provider.slug, self.activity.slug, *args])


@pytest.fixture
def desk(provider):
    return Desk(provider)


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


def post_scan(client, desk, key="k-1", **body):
    body.setdefault("station", "entry")
    return client.post(
        desk.url("checkin_scan"),
        json.dumps(body),
        content_type="application/json",
        headers={"Idempotency-Key": key} if key else {},
    )


# -- the scanner's JSON endpoint ------------------------------------------------------------


def test_scan_welcomes_a_confirmed_badge(staff, desk, admin_user):
    scanned = timezone.now() - dt.timedelta(seconds=20)
    response = post_scan(
        staff,
        desk,
        token=badge_token(desk.jane),
        scanned_at=scanned.isoformat(),
        device="scanner-ab12",
    )
    assert response.status_code == 200
    data = response.json()
    assert data["tone"] == "ok"
    assert data["admitted"] is True
    assert data["headline"] == "Welcome, Jane Doe"
    assert data["amount_due"] is None
    assert data["replayed"] is False
    scan = Scan.objects.get()
    assert (scan.kind, scan.result, scan.method) == ("entry", ScanResult.OK, "badge")
    assert scan.device == "scanner-ab12"
    assert scan.recorded_by == admin_user
    assert scan.scanned_at == scanned
    desk.jane.refresh_from_db()
    assert desk.jane.checked_in_at == scanned


def test_a_resent_scan_answers_the_first_answer_and_records_nothing(staff, desk):
    token = badge_token(desk.jane)
    first = post_scan(staff, desk, key="same-key", token=token).json()
    again = post_scan(staff, desk, key="same-key", token=token).json()
    assert again["replayed"] is True
    assert again["headline"] == first["headline"] == "Welcome, Jane Doe"
    assert Scan.objects.count() == 1
    # A new scan of the same badge is a repeat: calm, admitted, counted once.
    repeat = post_scan(staff, desk, key="other-key", token=token).json()
    assert (repeat["tone"], repeat["headline"], repeat["name"]) == (
        "repeat",
        "Already checked in",
        "Jane Doe",
    )
    assert Scan.objects.count() == 2


def test_the_key_may_come_in_the_body(staff, desk):
    token = badge_token(desk.jane)
    post_scan(staff, desk, key=None, token=token, idempotency_key="body-key")
    post_scan(staff, desk, key=None, token=token, idempotency_key="body-key")
    assert list(Scan.objects.values_list("idempotency_key", flat=True)) == ["body-key"]


def test_pending_payment_is_admitted_with_the_amount_due(staff, desk):
    data = post_scan(staff, desk, token=badge_token(desk.paul)).json()
    assert data["tone"] == "ok"
    assert data["headline"] == "Welcome, Paul Payne"
    assert data["amount_due"] == "400.00"
    assert data["detail"] == "Payment pending: USD 400.00 due"
    assert data["warn"] is True


@pytest.mark.parametrize(
    ("who", "result", "headline"),
    [
        ("carl", ScanResult.CANCELLED, "Registration cancelled"),
        ("wendy", ScanResult.NOT_REGISTERED, "Not registered: on the waiting list"),
        ("vic", ScanResult.VIRTUAL_ONLY, "Registered to attend online only"),
    ],
)
def test_refusals_are_red_and_name_the_person(staff, desk, who, result, headline):
    reg = getattr(desk, who)
    data = post_scan(staff, desk, token=badge_token(reg)).json()
    assert (data["tone"], data["result"], data["headline"]) == ("refused", result, headline)
    assert data["admitted"] is False
    assert data["name"] == reg.person.get_full_name()
    assert Scan.objects.get().result == result
    reg.refresh_from_db()
    assert reg.checked_in_at is None


def test_an_unknown_badge_is_refused_and_kept(staff, desk):
    data = post_scan(staff, desk, token="not-a-badge").json()
    assert (data["tone"], data["result"], data["headline"], data["name"]) == (
        "refused",
        ScanResult.UNKNOWN,
        "Unknown badge",
        "",
    )
    assert Scan.objects.get().registration is None


def test_a_workshop_door_refuses_who_did_not_sign_up(staff, desk):
    body = {"station": desk.workshop.code, "direction": "in", "token": badge_token(desk.jane)}
    data = post_scan(staff, desk, **body).json()
    assert data["headline"] == "Not signed up for this workshop"
    assert data["tone"] == "refused"
    registration_services.sign_up(desk.jane, desk.workshop, by=desk.jane.person)
    assert WorkshopSignup.objects.filter(registration=desk.jane).exists()
    data = post_scan(staff, desk, key="k-2", **body).json()
    assert (data["tone"], data["headline"], data["name"]) == ("ok", "Checked in", "Jane Doe")


def test_session_doors_check_in_and_out(staff, desk):
    token = badge_token(desk.jane)
    into = post_scan(staff, desk, station=desk.lecture.code, direction="in", token=token)
    out = post_scan(staff, desk, key="k-2", station=desk.lecture.code, direction="out", token=token)
    assert into.json()["headline"] == "Checked in"
    assert out.json()["headline"] == "Checked out"
    assert list(Scan.objects.values_list("kind", "session", "result")) == [
        (ScanKind.IN, desk.lecture.pk, ScanResult.OK),
        (ScanKind.OUT, desk.lecture.pk, ScanResult.OK),
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"station": "NOPE", "direction": "in"}, "not on this conference's schedule"),
        ({"station": ""}, "Choose a station"),
        ({"station": "entry", "scanned_at": "yesterday-ish"}, "ISO 8601"),
        ({"station": "entry", "scanned_at": "2031-01-01T10:00:00+00:00"}, "in the future"),
        ({"station": "entry", "scanned_at": "2020-01-01T10:00:00+00:00"}, "before the conf"),
        ({"station": "entry", "scanned_at": "2026-01-01T10:00:00"}, "time zone"),
        ({"station": "entry", "token": None}, "Scan a badge or pick a person"),
    ],
)
def test_bad_scans_are_refused_with_a_reason_and_nothing_saved(staff, desk, body, message):
    body = {"token": "x", **body}
    if body["token"] is None:
        del body["token"]
    response = post_scan(staff, desk, **body)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not Scan.objects.exists()


def test_a_session_direction_must_be_in_or_out(staff, desk):
    response = post_scan(staff, desk, station=desk.lecture.code, direction="sideways", token="x")
    assert response.status_code == 400
    assert "in or out" in response.json()["error"]


def test_malformed_json_is_refused(staff, desk):
    response = staff.post(desk.url("checkin_scan"), "{nope", content_type="application/json")
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["error"]
    response = staff.post(desk.url("checkin_scan"), "[1]", content_type="application/json")
    assert response.status_code == 400


def test_a_session_of_another_activity_is_not_a_station(staff, desk, provider):
    other = SessionFactory(activity=ActivityFactory(provider=provider))
    response = post_scan(staff, desk, station=other.code, direction="in", token="x")
    assert response.status_code == 400
    assert not Scan.objects.exists()


def test_a_pick_of_another_activitys_registration_is_not_found(staff, desk, provider):
    stranger = registration_elsewhere(provider)
    response = post_scan(staff, desk, registration=stranger.pk)
    assert response.status_code == 404
    assert not Scan.objects.exists()


def test_a_badge_of_another_conference_is_refused(staff, desk, provider):
    stranger = registration_elsewhere(provider)
    data = post_scan(staff, desk, token=badge_token(stranger)).json()
    assert (data["tone"], data["result"]) == ("refused", ScanResult.WRONG_ACTIVITY)
    assert data["name"] == ""


def registration_elsewhere(provider) -> Registration:
    elsewhere = ActivityFactory(provider=provider, slug="winter")
    RegistrationSetupFactory(activity=elsewhere)
    reg_type = RegistrationTypeFactory(activity=elsewhere)
    learner = UserFactory()
    return registration_services.register(
        elsewhere, learner, registration_type=reg_type, by=learner
    )


# -- the scanner page and the search fallback -----------------------------------------------


def test_scanner_asks_for_the_station_first(staff, desk):
    response = staff.get(desk.url("checkin"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Where is this scanner?" in html
    assert "Entry to the conference" in html
    assert "Heart failure update" in html
    assert "Sessions today" in html
    assert 'id="checkin-scanner"' not in html


def test_scanner_page_for_a_station(staff, desk):
    response = staff.get(desk.url("checkin"), {"station": desk.lecture.code, "direction": "out"})
    html = response.content.decode()
    assert "Leaving: Heart failure update" in html
    assert f'data-station="{desk.lecture.code}"' in html
    assert 'data-direction="out"' in html
    assert "vendor/jsqr/jsQR.js" in html
    assert "<script>" not in html


def test_an_unknown_station_shows_the_choice_again(staff, desk):
    response = staff.get(desk.url("checkin"), {"station": "NOPE"})
    assert response.status_code == 200
    assert "Where is this scanner?" in response.content.decode()


def test_search_without_javascript_finds_and_marks_status(staff, desk):
    response = staff.get(desk.url("checkin"), {"station": "entry", "q": "clinic.example"})
    html = response.content.decode()
    assert "Payne, Paul" in html
    assert "Cancel, Carl" in html
    assert "Cancelled: may not come in" in html
    assert "Waiting list: no seat" in html
    assert "Doe, Jane" not in html
    assert html.count('class="inline-form js-pick"') == 3


def test_check_in_by_search_without_javascript(staff, desk):
    page = staff.get(desk.url("checkin"), {"station": "entry", "q": "jane"})
    key = page.context["rows"][0]["key"]
    form = {"registration": desk.jane.pk, "station": "entry", "direction": "entry"}
    response = staff.post(desk.url("checkin_pick"), {**form, "idempotency_key": key})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Welcome, Jane Doe" in html
    assert "checkin-answer--ok" in html
    scan = Scan.objects.get()
    assert (scan.method, scan.registration_id, scan.result) == ("search", desk.jane.pk, "ok")
    # The browser resends the form: the same answer, no second scan.
    again = staff.post(desk.url("checkin_pick"), {**form, "idempotency_key": key})
    assert "Welcome, Jane Doe" in again.content.decode()
    assert Scan.objects.count() == 1


def test_check_in_by_search_of_a_cancelled_registration_is_refused(staff, desk):
    response = staff.post(
        desk.url("checkin_pick"),
        {"registration": desk.carl.pk, "station": "entry", "idempotency_key": "x1"},
    )
    html = response.content.decode()
    assert "Registration cancelled" in html
    assert "checkin-answer--refused" in html
    assert Scan.objects.get().result == ScanResult.CANCELLED


def test_check_out_by_search_at_a_session(staff, desk):
    form = {"registration": desk.jane.pk, "station": desk.lecture.code}
    staff.post(desk.url("checkin_pick"), {**form, "direction": "in", "idempotency_key": "a"})
    response = staff.post(
        desk.url("checkin_pick"), {**form, "direction": "out", "idempotency_key": "b"}
    )
    assert "Checked out" in response.content.decode()
    assert list(Scan.objects.values_list("kind", flat=True)) == ["in", "out"]


def test_pick_with_a_bad_station_says_why(staff, desk):
    response = staff.post(
        desk.url("checkin_pick"), {"registration": desk.jane.pk, "station": "NOPE"}
    )
    assert response.status_code == 400
    assert "That session is not on this conference&#x27;s schedule." in response.content.decode()
    assert not Scan.objects.exists()


def test_search_fragment_for_the_page_without_reload(staff, desk):
    response = staff.get(
        desk.url("checkin_search"), {"station": desk.lecture.code, "direction": "in", "q": "Doe"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "Doe, Jane" in html
    assert "Check in" in html
    assert f'name="station" value="{desk.lecture.code}"' in html
    nobody = staff.get(desk.url("checkin_search"), {"station": "entry", "q": "zzz"})
    assert "Nobody matches this search." in nobody.content.decode()
    no_station = staff.get(desk.url("checkin_search"), {"q": "Doe"})
    assert no_station.status_code == 400


# -- kiosk ----------------------------------------------------------------------------------


def post_kiosk(client, desk, key="kiosk-1", **body):
    return client.post(
        desk.url("checkin_kiosk_scan"),
        json.dumps(body),
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )


def test_kiosk_page_has_no_way_out(staff, desk):
    response = staff.get(desk.url("checkin_kiosk"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Hold your badge QR code up to the camera" in html
    assert "6-letter code under the QR code" in html
    assert "<a " not in html
    assert "<nav" not in html
    assert "<script>" not in html


def test_kiosk_checks_in_by_email_and_code_showing_the_first_name_only(staff, desk):
    code = badge_code(desk.jane)
    response = post_kiosk(staff, desk, email="JANE@hospital.example", code=code.lower())
    data = response.json()
    assert data == {
        "tone": "ok",
        "headline": "Welcome, Jane",
        "detail": "You are checked in. Enjoy the conference!",
        "warn": False,
    }
    assert "Doe" not in response.content.decode()
    scan = Scan.objects.get()
    assert (scan.method, scan.device, scan.registration_id) == ("kiosk", "kiosk", desk.jane.pk)
    again = post_kiosk(staff, desk, key="kiosk-2", email="jane@hospital.example", code=code)
    assert again.json()["headline"] == "Welcome back, Jane"


def test_kiosk_refuses_a_wrong_code_without_telling_anything(staff, desk):
    badge_code(desk.jane)
    response = post_kiosk(staff, desk, email="jane@hospital.example", code="ZZZZZZ")
    data = response.json()
    assert data["headline"] == "Badge not found"
    assert data["tone"] == "refused"
    text = response.content.decode()
    assert "Jane" not in text and "Doe" not in text
    # Someone else's e-mail with a real code: the same answer, the same nothing.
    other = post_kiosk(
        staff, desk, key="k2", email="paul@clinic.example", code=badge_code(desk.jane)
    )
    assert other.json() == data
    scans = list(Scan.objects.values_list("result", "registration", "method"))
    assert scans == [(ScanResult.UNKNOWN, None, "kiosk")] * 2
    desk.jane.refresh_from_db()
    assert desk.jane.checked_in_at is None


def test_kiosk_stops_after_too_many_wrong_codes(staff, desk):
    code = badge_code(desk.jane)
    for n in range(KIOSK_MAX_FAILURES):
        post_kiosk(staff, desk, key=f"bad-{n}", email="jane@hospital.example", code="ZZZZZZ")
    blocked = post_kiosk(staff, desk, key="good", email="jane@hospital.example", code=code)
    assert blocked.json()["headline"] == "Too many tries"
    assert Scan.objects.count() == KIOSK_MAX_FAILURES
    desk.jane.refresh_from_db()
    assert desk.jane.checked_in_at is None


def test_kiosk_by_qr_code(staff, desk):
    data = post_kiosk(staff, desk, token=badge_token(desk.paul)).json()
    assert data["headline"] == "Welcome, Paul"
    assert "registration desk" in data["detail"]
    assert data["warn"] is True
    assert "400" not in json.dumps(data)
    refused = post_kiosk(staff, desk, key="k2", token=badge_token(desk.carl)).json()
    assert refused == {
        "tone": "refused",
        "headline": "Registration cancelled",
        "detail": "Please see the registration desk.",
        "warn": False,
    }
    assert list(Scan.objects.values_list("method", "device")) == [("badge", "kiosk")] * 2


def test_kiosk_form_errors(staff, desk):
    response = post_kiosk(staff, desk, email="not-an-email", code="ABC")
    assert response.status_code == 400
    assert "e-mail" in response.json()["error"].lower() or "email" in response.json()["error"]
    assert not Scan.objects.exists()


def test_kiosk_without_javascript(staff, desk):
    response = staff.post(
        desk.url("checkin_kiosk"),
        {"email": "jane@hospital.example", "code": badge_code(desk.jane), "idempotency_key": "n1"},
    )
    html = response.content.decode()
    assert "Welcome, Jane" in html
    assert 'http-equiv="refresh"' in html
    assert "Doe" not in html
    assert Scan.objects.get().method == "kiosk"


# -- dashboard ------------------------------------------------------------------------------


def test_dashboard_counts(desk, admin_user):
    from cmeconf.checkin import services

    now = timezone.now()
    services.record_scan(desk.activity, by=admin_user, kind="entry", registration=desk.jane)
    services.record_scan(
        desk.activity, by=admin_user, kind="in", session=desk.lecture, registration=desk.jane
    )
    services.record_scan(desk.activity, by=admin_user, kind="entry", token="bogus")
    later = SessionFactory(
        activity=desk.activity,
        title="Closing plenary",
        start=now + dt.timedelta(hours=1),
        end=now + dt.timedelta(hours=2),
    )
    data = views.dashboard_data(desk.activity, now=now)
    # Jane and Paul (awaiting payment); not Carl (cancelled), Wendy (waiting list), Vic (online).
    assert (data["expected"], data["checked_in"], data["waiting"], data["percent"]) == (2, 1, 1, 50)
    running = {r["session"].title: r for r in data["running"]}
    assert running["Heart failure update"]["present"] == 1
    assert running["Heart failure update"]["checked_in"] == 1
    assert running["Heart failure update"]["capacity"] == 150
    assert running["Echo workshop"]["capacity"] == 12
    assert [r["session"] for r in data["later"]] == [later]
    assert [s.result for s in data["refused"]] == [ScanResult.UNKNOWN]


def test_dashboard_page_and_live_fragment(staff, desk, admin_user):
    from cmeconf.checkin import services

    services.record_scan(desk.activity, by=admin_user, kind="entry", registration=desk.jane)
    for n in range(25):
        services.record_scan(desk.activity, by=admin_user, kind="entry", token=f"bogus-{n}")
    services.record_scan(desk.activity, by=admin_user, kind="entry", registration=desk.carl)
    page = staff.get(desk.url("checkin_dashboard"))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-live-url="' in html
    assert "50% arrived" in html
    live = staff.get(desk.url("checkin_dashboard_live"))
    fragment = live.content.decode()
    assert live["Cache-Control"] == "no-store"
    assert "<html" not in fragment
    assert '<dd id="checkin-expected">2</dd>' in fragment
    assert '<dd id="checkin-arrived">1</dd>' in fragment
    assert 'value="1"' in fragment
    assert "Heart failure update" in fragment
    # The last 20 refusals, newest first: Carl's cancellation leads.
    refused = fragment.split('id="checkin-refused"')[1]
    assert refused.count("<tr>") == 21  # header row and 20 scans
    assert refused.index("Carl Cancel") < refused.index("Unknown badge")


# -- permissions ----------------------------------------------------------------------------

PAGES = [
    ("get", "checkin", {}),
    ("get", "checkin_search", {"station": "entry", "q": "jane"}),
    ("post", "checkin_scan", {"station": "entry", "token": "x"}),
    ("post", "checkin_pick", {"station": "entry", "registration": "0"}),
    ("get", "checkin_kiosk", {}),
    ("post", "checkin_kiosk", {"email": "jane@hospital.example", "code": "ABCDEF"}),
    ("post", "checkin_kiosk_scan", {"token": "x"}),
    ("get", "checkin_dashboard", {}),
    ("get", "checkin_dashboard_live", {}),
]


def _call(client, desk, method, name, data):
    if method == "get":
        return client.get(desk.url(name), data)
    return client.post(desk.url(name), data)


@pytest.mark.parametrize(("method", "name", "data"), PAGES)
def test_outsiders_get_404_and_members_without_the_permission_403(client, desk, method, name, data):
    other = ProviderFactory(slug="other")
    outsider = UserFactory()
    TeamFactory(provider=other, members=[outsider])
    program = UserFactory()
    TeamFactory(provider=desk.provider, members=[program], permissions=["program", "reports"])
    client.force_login(outsider)
    assert _call(client, desk, method, name, data).status_code == 404
    client.force_login(program)
    assert _call(client, desk, method, name, data).status_code == 403
    learner = desk.jane.person
    client.force_login(learner)
    assert _call(client, desk, method, name, data).status_code == 404
    client.logout()
    response = _call(client, desk, method, name, data)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not Scan.objects.exists()


def test_desk_staff_with_only_the_registration_permission_may_scan(client, desk):
    person = UserFactory()
    TeamFactory(provider=desk.provider, members=[person], permissions=["registration"])
    client.force_login(person)
    data = post_scan(client, desk, token=badge_token(desk.jane)).json()
    assert data["headline"] == "Welcome, Jane Doe"


def test_a_team_for_another_activity_cannot_scan_here(client, desk):
    sibling = ActivityFactory(provider=desk.provider, slug="winter")
    person = UserFactory()
    TeamFactory(
        provider=desk.provider,
        members=[person],
        permissions=["registration"],
        all_activities=False,
        activities=[sibling],
    )
    client.force_login(person)
    assert post_scan(client, desk, token=badge_token(desk.jane)).status_code == 404
    assert not Scan.objects.exists()


def test_entry_search_without_javascript_keeps_the_station(staff, desk):
    # The station form sends a direction even for the entrance; it must not spoil the search.
    response = staff.get(
        desk.url("checkin"), {"station": "entry", "direction": "entry", "q": "jane"}
    )
    assert "Doe, Jane" in response.content.decode()
    fragment = staff.get(
        desk.url("checkin_search"), {"station": "entry", "direction": "entry", "q": "jane"}
    )
    assert fragment.status_code == 200
    assert "Doe, Jane" in fragment.content.decode()


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_dashboard_and_search_queries_do_not_grow_with_rows(staff, desk, admin_user):
    from cmeconf.checkin import services

    def refuse(reg):
        services.record_scan(desk.activity, by=admin_user, kind="entry", registration=reg)

    refuse(desk.carl)
    one = _queries(staff, desk.url("checkin_dashboard_live"))
    refuse(desk.wendy)
    refuse(desk.vic)
    services.record_scan(desk.activity, by=admin_user, kind="entry", token="smudged")
    assert _queries(staff, desk.url("checkin_dashboard_live")) == one

    search = desk.url("checkin_search") + "?station=entry&q="
    one = _queries(staff, search + "hospital")
    assert _queries(staff, search + "clinic") == one  # three people found


def test_dashboard_shows_a_session_running_across_midnight(desk):
    now = timezone.now()
    midnight = dt.datetime.combine(
        timezone.localdate(now, desk.activity.tz), dt.time.min, tzinfo=desk.activity.tz
    )
    night = SessionFactory(
        activity=desk.activity,
        title="Night shift simulation",
        start=midnight - dt.timedelta(minutes=30),
        end=now + dt.timedelta(minutes=30),
    )
    SessionFactory(
        activity=desk.activity,
        title="Yesterday's dinner symposium",
        start=midnight - dt.timedelta(hours=5),
        end=midnight - dt.timedelta(hours=3),
    )
    data = views.dashboard_data(desk.activity, now=now)
    assert night in [r["session"] for r in data["running"]]
    assert "Yesterday's dinner symposium" not in [r["session"].title for r in data["running"]]
