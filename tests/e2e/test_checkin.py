"""The registration desk checks people in: search, badge scans, offline queue, kiosk, dashboard.

Chromium runs with a fake camera (a generated test picture), so the camera loop
and the QR decoder run for real; the badge scans themselves go through the
page's entry point `window.cmeconfScanner.submitToken`, which the camera loop calls.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cmeconf.checkin import services as checkin_services
from cmeconf.checkin.models import Scan
from cmeconf.registration import services
from cmeconf.registration.badge_tokens import badge_code, badge_token
from tests.e2e.conftest import CHROMIUM
from tests.factories import ActivityFactory, SessionFactory, UserFactory
from tests.registration.factories import (
    PriceTierFactory,
    RegistrationSetupFactory,
    RegistrationTypeFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser():
    """Chromium with a fake camera that needs no permission prompt."""
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.grant_permissions(["camera"])
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and "Failed to load resource" not in msg.text
            else None
        ),
    )
    page.errors = errors
    yield page
    context.close()


@pytest.fixture
def conference(provider):
    today = timezone.localdate(timezone=dt.UTC)
    activity = ActivityFactory(
        provider=provider,
        slug="annual-2027",
        title="Annual Meeting 2027",
        start_date=today,
        end_date=today + dt.timedelta(days=2),
        time_zone="UTC",
    )
    RegistrationSetupFactory(activity=activity)
    member = RegistrationTypeFactory(activity=activity, name="Member physician")
    paying = RegistrationTypeFactory(activity=activity, name="Non-member physician")
    PriceTierFactory(registration_type=paying, amount="400.00")
    people = {}
    for first, last, email, reg_type in [
        ("Jane", "Doe", "jane.doe@stmarys.example", member),
        ("John", "Doherty", "jdoherty@clinic.example", paying),
        ("Carla", "Dobbs", "carla@clinic.example", member),
    ]:
        person = UserFactory(first_name=first, last_name=last, email=email)
        people[first] = services.register(activity, person, registration_type=reg_type, by=person)
    services.cancel(people["Carla"], by=people["Carla"].person, reason="Cannot travel")
    now = timezone.now()
    SessionFactory(
        activity=activity,
        title="Heart failure update",
        start=now - dt.timedelta(minutes=15),
        end=now + dt.timedelta(minutes=45),
    )
    return activity, people


def qr_video(path, text: str, width: int = 640, height: int = 480) -> str:
    """A Y4M video of `text` as a black-on-white QR code, for Chromium's fake camera."""
    import segno

    matrix = segno.make_qr(text, error="m").matrix
    scale = min(width, height) * 3 // 4 // (len(matrix) + 8)
    size = len(matrix) * scale
    left, top = (width - size) // 2, (height - size) // 2
    luma = bytearray(b"\xff" * (width * height))
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                for y in range(top + r * scale, top + (r + 1) * scale):
                    start = y * width + left + c * scale
                    luma[start : start + scale] = b"\x00" * scale
    chroma = b"\x80" * (width // 2 * height // 2 * 2)
    frame = b"FRAME\n" + bytes(luma) + chroma
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        out.write(frame * 10)
    return str(path)


def scanner_url(live_server, activity, query="station=entry&direction=entry"):
    return f"{live_server.url}/staff/{activity.provider.slug}/{activity.slug}/check-in/?{query}"


def test_desk_checks_in_with_the_search_fallback(
    page, live_server, login, screenshot, admin_user, conference
):
    activity, people = conference
    login(page, admin_user)
    page.goto(f"{live_server.url}/staff/{activity.provider.slug}/{activity.slug}/check-in/")
    expect(page.get_by_role("heading", name="Where is this scanner?")).to_be_visible()
    page.get_by_label("Station").select_option(label="Entry to the conference")
    page.get_by_role("button", name="Start scanning").click()
    expect(page.locator("#checkin-station")).to_have_text("Entry to the conference")
    # The fake camera runs and the decoder loop reads its frames.
    expect(page.locator("#checkin-camera-status")).to_contain_text("Camera on")

    page.get_by_label("Name or e-mail").fill("do")
    page.get_by_role("button", name="Search").click()
    results = page.locator("#checkin-results-table")
    expect(results.locator("tbody tr")).to_have_count(3)
    expect(results).to_contain_text("Cancelled: may not come in")
    expect(results).to_contain_text("Awaiting payment")
    screenshot(page, "checkin_search")

    page.get_by_role("button", name="Check in Jane Doe").click()
    answer = page.locator("#checkin-answer")
    expect(answer).to_be_visible()
    expect(answer).to_have_class("checkin-answer checkin-answer--ok")
    expect(page.locator("#checkin-answer-headline")).to_have_text("Welcome, Jane Doe")
    screenshot(page, "checkin_welcome")
    scan = Scan.objects.get()
    assert (scan.method, scan.result, scan.registration_id) == ("search", "ok", people["Jane"].pk)
    # The answer steps aside by itself and the search is ready for the next person.
    expect(answer).to_be_hidden(timeout=6000)
    expect(page.get_by_label("Name or e-mail")).to_be_focused()
    expect(page.locator("#checkin-log")).to_contain_text("Welcome, Jane Doe")

    # John still owes: admitted, with the amount due in the answer.
    page.get_by_label("Name or e-mail").fill("Doherty")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name="Check in John Doherty").click()
    expect(page.locator("#checkin-answer-detail")).to_have_text("Payment pending: USD 400.00 due")
    screenshot(page, "checkin_payment_due")
    assert page.errors == []


def test_an_unknown_badge_shows_in_big_red_words(
    page, live_server, login, screenshot, admin_user, conference
):
    activity, people = conference
    login(page, admin_user)
    page.goto(scanner_url(live_server, activity))
    expect(page.locator("#checkin-camera-status")).to_contain_text("Camera on")
    page.evaluate("window.cmeconfScanner.submitToken('not-one-of-our-badges')")
    expect(page.locator("#checkin-answer")).to_have_class("checkin-answer checkin-answer--refused")
    expect(page.locator("#checkin-answer-headline")).to_have_text(
        "UNKNOWN BADGE", use_inner_text=True
    )
    screenshot(page, "checkin_unknown_badge")
    # The same code held in front of the camera is sent once, not on every frame.
    page.evaluate("window.cmeconfScanner.submitToken('not-one-of-our-badges')")
    page.evaluate("window.cmeconfScanner.flush()")
    assert Scan.objects.filter(result="unknown").count() == 1

    page.evaluate(f"window.cmeconfScanner.submitToken('{badge_token(people['Carla'])}')")
    expect(page.locator("#checkin-answer-headline")).to_have_text(
        "REGISTRATION CANCELLED", use_inner_text=True
    )
    expect(page.locator("#checkin-answer-name")).to_have_text("Carla Dobbs")
    page.evaluate(f"window.cmeconfScanner.submitToken('{badge_token(people['Jane'])}')")
    expect(page.locator("#checkin-answer-headline")).to_have_text("Welcome, Jane Doe")
    assert page.errors == []


def test_offline_scans_wait_and_go_once_back_online(
    page, live_server, login, screenshot, admin_user, conference
):
    activity, people = conference
    login(page, admin_user)
    page.goto(scanner_url(live_server, activity))
    expect(page.locator("#checkin-camera-status")).to_contain_text("Camera on")
    page.context.set_offline(True)
    page.evaluate(f"window.cmeconfScanner.submitToken('{badge_token(people['Jane'])}')")
    expect(page.locator("#checkin-answer-headline")).to_have_text("Queued")
    expect(page.locator("#checkin-queue")).to_have_text("Offline — 1 scan waiting")
    page.evaluate(f"window.cmeconfScanner.submitToken('{badge_token(people['John'])}')")
    expect(page.locator("#checkin-queue")).to_have_text("Offline — 2 scans waiting")
    screenshot(page, "checkin_offline")
    assert not Scan.objects.exists()
    offline_at = timezone.now()

    # A reload does not lose the queue (it lives in the browser's storage): reload while
    # the scan endpoint alone stays out of reach, so that the page itself can load.
    scan_url = f"**/staff/{activity.provider.slug}/{activity.slug}/check-in/scan/"
    page.route(scan_url, lambda route: route.abort("internetdisconnected"))
    page.context.set_offline(False)
    page.reload()
    expect(page.locator("#checkin-queue")).to_contain_text("2 scans waiting")
    assert not Scan.objects.exists()

    page.unroute(scan_url)
    # Going offline and back online again: the browser's "online" event sends the queue.
    page.context.set_offline(True)
    page.context.set_offline(False)
    expect(page.locator("#checkin-queue")).to_be_hidden(timeout=15_000)
    assert page.evaluate("window.cmeconfScanner.queueLength()") == 0
    scans = list(Scan.objects.order_by("id"))
    assert [(s.registration_id, s.result) for s in scans] == [
        (people["Jane"].pk, "ok"),
        (people["John"].pk, "ok"),
    ]
    # The time of the scan is when the badge was read, not when the network came back.
    assert all(s.scanned_at <= offline_at < s.received_at for s in scans)
    # Sending the queue again changes nothing: the server answers the first answers.
    page.evaluate("window.cmeconfScanner.flush()")
    assert Scan.objects.count() == 2
    expect(page.locator("#checkin-log")).to_contain_text("Welcome, John Doherty")
    screenshot(page, "checkin_back_online")


def test_kiosk_self_check_in(page, live_server, login, screenshot, admin_user, conference):
    activity, people = conference
    code = badge_code(people["Jane"])
    login(page, admin_user)
    page.goto(f"{live_server.url}/staff/{activity.provider.slug}/{activity.slug}/check-in/kiosk/")
    expect(
        page.get_by_role("heading", name="Hold your badge QR code up to the camera")
    ).to_be_visible()
    expect(page.locator("#checkin-camera-status")).to_have_text("Camera on")
    assert page.locator("a").count() == 0
    screenshot(page, "checkin_kiosk")

    page.get_by_label("Your e-mail address").fill("jane.doe@stmarys.example")
    page.get_by_label("The 6-letter code under the QR code", exact=True).fill("WRONG1")
    page.get_by_role("button", name="Check in").click()
    expect(page.locator("#checkin-answer-headline")).to_have_text(
        "BADGE NOT FOUND", use_inner_text=True
    )
    expect(page.locator("#checkin-answer")).not_to_contain_text("Jane")
    expect(page.locator("#checkin-answer")).to_be_hidden(timeout=8000)

    page.get_by_label("Your e-mail address").fill("jane.doe@stmarys.example")
    page.get_by_label("The 6-letter code under the QR code", exact=True).fill(code.lower())
    page.get_by_role("button", name="Check in").click()
    expect(page.locator("#checkin-answer-headline")).to_have_text("Welcome, Jane")
    expect(page.locator("#checkin-answer")).not_to_contain_text("Doe")
    screenshot(page, "checkin_kiosk_welcome")
    # Back to the empty kiosk for the next person.
    expect(page.locator("#checkin-answer")).to_be_hidden(timeout=8000)
    expect(page.get_by_label("Your e-mail address")).to_have_value("")
    people["Jane"].refresh_from_db()
    assert people["Jane"].checked_in_at is not None

    page.evaluate(f"window.cmeconfKiosk.submitToken('{badge_token(people['John'])}')")
    expect(page.locator("#checkin-answer-headline")).to_have_text("Welcome, John")
    expect(page.locator("#checkin-answer-detail")).to_contain_text("payment is still open")
    assert page.errors == []


def test_dashboard_updates_by_itself(page, live_server, login, screenshot, admin_user, conference):
    activity, people = conference
    login(page, admin_user)
    page.goto(
        f"{live_server.url}/staff/{activity.provider.slug}/{activity.slug}/check-in/dashboard/"
    )
    expect(page.locator("#checkin-expected")).to_have_text("2")
    expect(page.locator("#checkin-arrived")).to_have_text("0")
    checkin_services.record_scan(activity, by=admin_user, kind="entry", registration=people["Jane"])
    checkin_services.record_scan(activity, by=admin_user, kind="entry", token="smudged")
    session = activity.sessions.get()
    checkin_services.record_scan(
        activity, by=admin_user, kind="in", session=session, registration=people["Jane"]
    )
    expect(page.locator("#checkin-arrived")).to_have_text("1", timeout=12_000)
    expect(page.locator("#checkin-running")).to_contain_text("Heart failure update")
    expect(page.locator("#checkin-refused")).to_contain_text("Unknown badge")
    expect(page.locator("#checkin-progress-label")).to_have_text("50% arrived")
    screenshot(page, "checkin_dashboard")
    assert page.errors == []


def test_scanner_on_a_phone(phone_page, live_server, login, screenshot, admin_user, conference):
    activity, _people = conference
    login(phone_page, admin_user)
    phone_page.goto(scanner_url(live_server, activity, "station=entry&q=doherty"))
    expect(phone_page.locator("#checkin-camera-status")).to_contain_text("Camera on")
    expect(phone_page.get_by_role("button", name="Check in John Doherty")).to_be_visible()
    expect(phone_page.locator("#checkin-camera-start")).to_be_hidden()
    screenshot(phone_page, "checkin_phone")


def test_the_camera_reads_a_badge(
    browser, live_server, login, screenshot, admin_user, conference, tmp_path
):
    """A real QR code in front of the (fake) camera: decoded, sent once, welcomed."""
    activity, people = conference
    video = qr_video(tmp_path / "badge.y4m", badge_token(people["Jane"]))
    camera = browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = camera.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
        page = context.new_page()
        page.set_default_timeout(10_000)
        login(page, admin_user)
        page.goto(scanner_url(live_server, activity))
        expect(page.locator("#checkin-answer-headline")).to_have_text("Welcome, Jane Doe")
        screenshot(page, "checkin_camera_welcome")
        # The badge stays in front of the camera: it is not sent again.
        expect(page.locator("#checkin-answer")).to_be_hidden(timeout=6000)
        page.wait_for_timeout(3500)
        scans = list(Scan.objects.values_list("method", "result", "registration"))
        assert scans == [("badge", "ok", people["Jane"].pk)]
        context.close()
    finally:
        camera.close()
