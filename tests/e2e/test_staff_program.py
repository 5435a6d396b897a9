"""Staff build a program in a real browser: activity, room, session, then drag it in the grid."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from cmeconf.activities.models import Activity, Session
from tests.factories import SessionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_build_program_and_drag_in_grid(page, live_server, login, screenshot, admin_user):
    login(page, admin_user)
    page.goto(f"{live_server.url}/staff/acp/")
    page.get_by_role("link", name="New activity").click()

    page.get_by_label("Short name").fill("cardio-2027")
    page.get_by_label("Title").fill("Cardiology Update 2027")
    page.get_by_label("Kind").select_option("conference")
    page.get_by_label("First day").fill("2027-06-10")
    page.get_by_label("Last day").fill("2027-06-11")
    page.get_by_label("Time zone").select_option("America/Chicago")
    page.get_by_role("button", name="Create activity").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Cardiology Update 2027")
    expect(page.get_by_text("The activity was created as a draft.")).to_be_visible()
    activity = Activity.objects.get(slug="cardio-2027")
    screenshot(page, "staff-dashboard")

    tabs = page.get_by_role("navigation", name="Activity")
    tabs.get_by_role("link", name="Rooms").click()
    for name in ("Hall A", "Hall B"):
        page.get_by_label("Name").fill(name)
        page.get_by_label("Seats").fill("150")
        page.get_by_role("button", name="Add", exact=True).click()
        expect(page.get_by_text(f"“{name}” was added.")).to_be_visible()
    hall_b = activity.rooms.get(name="Hall B")

    tabs.get_by_role("link", name="Sessions").click()
    page.get_by_role("link", name="New session").click()
    page.get_by_label("Title").fill("Heart failure: what changed")
    page.get_by_label("Format").select_option("lecture")
    page.get_by_label("Day").fill("2027-06-10")
    page.get_by_label("Room").select_option(label="Hall A")
    page.get_by_label("Starts at").fill("09:00")
    page.get_by_label("Ends at").fill("08:00")
    page.get_by_role("button", name="Add session").click()
    expect(page.get_by_text("The session must end after it starts.")).to_be_visible()
    expect(page.get_by_text("Nothing was saved.")).to_be_visible()
    assert not Session.objects.filter(activity=activity).exists()
    screenshot(page, "staff-session-form-error")

    page.get_by_label("Ends at").fill("10:00")
    page.get_by_role("button", name="Add session").click()
    expect(page.get_by_text("The session was added.")).to_be_visible()
    session = Session.objects.get(activity=activity)
    assert session.start == dt.datetime(2027, 6, 10, 14, 0, tzinfo=dt.UTC)  # 09:00 in Chicago

    # Another session already in Hall B at 11:00, so that the move creates a double booking.
    SessionFactory(
        activity=activity,
        room=hall_b,
        title="Lipids in 2027",
        start=dt.datetime(2027, 6, 10, 11, 0, tzinfo=activity.tz),
        end=dt.datetime(2027, 6, 10, 12, 0, tzinfo=activity.tz),
    )
    tabs.get_by_role("link", name="Grid").click()
    expect(page.locator("#grid-warnings")).to_have_text("No warnings.")
    card = page.locator(f"#session-{session.code}")
    expect(card).to_contain_text("09:00–10:00")  # noqa: RUF001 (an en dash, as shown)
    target = page.locator(f'.grid-slot[data-room="{hall_b.pk}"][data-time="10:30"]')
    card.drag_to(target)

    expect(page.get_by_role("status").filter(has_text="moved")).to_be_visible()
    expect(card).to_contain_text("10:30–11:30")  # noqa: RUF001
    expect(card).to_have_class(re.compile(r"\bg-c-3\b"))
    # The warnings came back with the move: beside the grid and on the card, no reload.
    expect(page.locator("#grid-warnings")).to_contain_text("Hall B is double-booked")
    expect(card).to_have_class(re.compile(r"\bhas-warning\b"))
    expect(card).to_have_class(re.compile(r"\blane-1-of-2\b"))  # side by side, not on top
    session.refresh_from_db()
    tz = activity.tz
    assert session.room == hall_b
    assert session.start == dt.datetime(2027, 6, 10, 10, 30, tzinfo=tz)
    assert session.end.astimezone(tz).time() == dt.time(11, 30)
    # The move survives a reload: it was saved, not only drawn.
    page.reload()
    expect(page.locator(f"#session-{session.code}")).to_have_class(re.compile(r"\bg-c-3\b"))
    screenshot(page, "staff-grid")


def test_grid_move_link_works_without_dragging(page, live_server, login, admin_user, activity):
    from tests.factories import RoomFactory

    room = RoomFactory(activity=activity, name="Annex")
    session = SessionFactory(activity=activity, title="Keyboard move")
    login(page, admin_user)
    page.goto(f"{live_server.url}/staff/acp/{activity.slug}/grid/")
    page.get_by_role("link", name="Move Keyboard move").click()
    page.get_by_label("Starts at").fill("15:00")
    page.get_by_label("Room").select_option(label="Annex")
    # The activity is published: the move is an amendment and says why.
    page.get_by_label("Reason for this change").fill("The speaker's flight was moved.")
    page.get_by_role("button", name="Move").click()
    expect(page.get_by_text("“Keyboard move” moved.")).to_be_visible()
    session.refresh_from_db()
    assert session.room == room
    assert session.start.astimezone(activity.tz).time() == dt.time(15, 0)


def test_staff_pages_keep_the_csp_and_fit_a_phone(
    page, phone_page, live_server, login, screenshot, admin_user, activity
):
    """Other staff pages: no CSP violation in the console, readable on a phone."""
    from cmeconf.activities.services import activities as activity_services
    from tests.factories import RoomFactory, SessionFacultyFactory

    room = RoomFactory(activity=activity, name="Ballroom", capacity=80)
    s = SessionFactory(activity=activity, room=room, title="Sepsis bundles", capacity=120)
    SessionFacultyFactory(session=s)
    activity_services.update_activity(
        activity, by=admin_user, title="Annual Meeting 2027!", reason="Typo in the title"
    )
    problems: list[str] = []
    # Refused inline code shows up as a console error naming the policy; script errors as pageerror.
    page.on(
        "console",
        lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    login(page, admin_user)
    base = f"{live_server.url}/staff/acp/{activity.slug}"
    for path, name in [
        ("/sessions/", "staff-sessions"),
        ("/planning/", "staff-planning"),
        ("/audit/", "staff-audit"),
        ("/rooms/", "staff-rooms"),
        ("/grid/", None),
        (f"/sessions/{s.code}/", None),
    ]:
        page.goto(base + path)
        if name:
            screenshot(page, name)
    page.goto(f"{live_server.url}/staff/acp/teams/")
    page.get_by_role("link", name="CME office").click()
    screenshot(page, "staff-team")
    assert problems == []
    expect(page.get_by_role("heading", name="Members")).to_be_visible()

    login(phone_page, admin_user)
    phone_page.goto(base + "/sessions/")
    expect(phone_page.get_by_text("offers 120 seats but Ballroom holds 80")).to_be_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    screenshot(phone_page, "staff-sessions-phone")


def test_drag_an_unscheduled_session_into_the_grid(page, live_server, login, admin_user, activity):
    from tests.factories import RoomFactory

    room = RoomFactory(activity=activity, name="Main hall")
    loose = SessionFactory(
        activity=activity, title="Late addition", start=None, end=None, room=None
    )
    # Tall enough that source and target are both in view: the reason field sits above the grid.
    page.set_viewport_size({"width": 1280, "height": 1600})
    login(page, admin_user)
    page.goto(f"{live_server.url}/staff/acp/{activity.slug}/grid/?day=2027-04-15")
    card = page.locator(f"#session-{loose.code}")
    expect(page.locator("#unscheduled")).to_contain_text("Late addition")
    slot = page.locator(f'.grid-slot[data-room="{room.pk}"][data-time="13:00"]')
    # The activity is published: a drag without the reason is refused, nothing is sent.
    card.drag_to(slot)
    expect(page.locator("#grid-status")).to_have_text(
        "Give the reason for this change first: the activity is approved."
    )
    expect(page.locator("#unscheduled")).to_contain_text("Late addition")
    page.get_by_label("Reason for this change").fill("Added at the speaker's request.")
    card.drag_to(slot)
    expect(card).to_contain_text("13:00–14:00")  # noqa: RUF001
    expect(page.locator("#unscheduled")).to_contain_text("Every session has a place.")
    expect(card.get_by_role("link", name="Move Late addition")).to_be_visible()
    loose.refresh_from_db()
    local = loose.start.astimezone(activity.tz)
    assert (local.date(), local.time(), loose.minutes, loose.room) == (
        dt.date(2027, 4, 15),
        dt.time(13, 0),
        60,
        room,
    )
    assert activity.amendments.get().reason == "Added at the speaker's request."
