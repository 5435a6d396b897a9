"""The public program pages: what a learner sees, what stays hidden, and how fast it stays."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.core.cache import cache
from django.urls import reverse

from cmeconf.accounts.signals import profile_changed
from cmeconf.activities import page_cache, schedule
from cmeconf.activities.choices import ActivityState, SessionFormat
from cmeconf.activities.models import Activity, Bookmark, Topic
from cmeconf.activities.services import agenda as agenda_services
from cmeconf.activities.services import program as services
from tests.activities.public_program import build_program
from tests.factories import (
    ActivityFactory,
    RoomFactory,
    SessionFactory,
    SessionFacultyFactory,
    UserFactory,
    at,
)

pytestmark = pytest.mark.django_db

# The activity is published: each change is an amendment and needs a reason.
REASON = "Program change after publication"


@pytest.fixture
def program(activity, admin_user):
    Activity.objects.filter(pk=activity.pk).update(
        joint_provider="Lakeside Heart Foundation",
        target_professions=["physician", "nurse"],
        target_specialties=["Cardiology"],
        venue_address="1 Harbor Way\nBoston, MA",
    )
    activity.refresh_from_db()
    return build_program(activity, by=admin_user)


def url(name: str, activity, *args) -> str:
    return reverse(f"public:{name}", args=[activity.provider.slug, activity.slug, *args])


def text(response) -> str:
    return response.content.decode()


def test_activity_home_shows_what_a_learner_needs_to_decide(client, program):
    a = program.activity
    page = text(client.get(url("activity", a)))
    assert "<h1>Annual Meeting 2027</h1>" in page
    assert "April 14" in page and "April 16, 2027" in page
    assert "America/New_York" in page
    assert "Convention Center" in page
    assert "1 Harbor Way" in page
    assert (
        "Jointly provided by Lakeside Heart Foundation and American College of Practitioners"
        in page
    )
    assert "Professions: Physician, Nurse" in page
    assert "Specialties: Cardiology" in page
    assert "Three days of updates in internal medicine." in page
    for name in ("schedule", "faculty_list", "search", "agenda", "schedule_ics", "sessions_csv",
                 "schedule_json", "schedule_xml"):  # fmt: skip
        assert f'href="{url(name, a)}"' in page, name


def test_virtual_activity_says_online_instead_of_a_venue(client, provider):
    a = ActivityFactory(provider=provider, delivery="virtual", venue_name="")
    page = text(client.get(url("activity", a)))
    assert "Online (virtual activity)" in page
    assert "Jointly provided" not in page


PAGE_NAMES = ["activity", "schedule", "faculty_list", "search", "schedule_ics", "schedule_xml",
              "schedule_json", "sessions_csv", "tracks_css"]  # fmt: skip


@pytest.mark.parametrize("state", [ActivityState.DRAFT, ActivityState.PLANNING,
                                   ActivityState.IN_REVIEW, ActivityState.APPROVED])  # fmt: skip
def test_activities_not_yet_published_are_not_found(client, program, learner, state):
    a = program.activity
    Activity.objects.filter(pk=a.pk).update(state=state)
    code = program.lecture.code
    client.force_login(learner)
    for name in PAGE_NAMES:
        assert client.get(url(name, a)).status_code == 404, name
    assert client.get(url("session", a, code)).status_code == 404
    assert client.get(url("session_ics", a, code)).status_code == 404
    assert client.get(url("faculty", a, program.speaker.pk)).status_code == 404
    assert client.get(url("agenda", a)).status_code == 404
    assert client.post(url("bookmark", a, code)).status_code == 404
    assert not Bookmark.objects.exists()


@pytest.mark.parametrize("state", [ActivityState.COMPLETED, ActivityState.CLOSED])
def test_completed_and_closed_activities_stay_public(client, program, state):
    Activity.objects.filter(pk=program.activity.pk).update(state=state)
    page = text(client.get(url("schedule", program.activity)))
    assert "Heart Failure with Preserved Ejection Fraction" in page


def test_schedule_grid_shows_rooms_times_and_sessions_of_the_first_day(client, program):
    a = program.activity
    response = client.get(url("schedule", a))
    page = text(response)
    # room columns in their order
    assert re.search(r'<th scope="col">Hall A</th><th scope="col">Hall B</th>', page)
    # New York time, not the server's UTC
    assert '<time datetime="2027-04-14T09:00:00-04:00">9 a.m.</time>' in page
    assert "Heart Failure with Preserved Ejection Fraction" in page
    assert "Insulin Pump Workshop" in page
    # the workshop lasts past the lecture's end: it spans two rows (9:00-10:00, 10:00-10:30)
    assert re.search(r'<td rowspan="2"><article class="slot slot--workshop track-\d+">', page)
    # the break without a room spans both rooms
    assert re.search(r'<td colspan="2"><article class="slot slot--break">', page)
    assert "All rooms" in page
    # speakers, with roles other than speaker named
    assert "Ada Okafor, MD, FACC; Ben Lindqvist, DO (Moderator)" in page
    # non-accredited industry session clearly marked
    industry = page[page.index("Sponsored Lunch") :]
    assert "Non-accredited, not for credit" in industry[:800]
    # no room: listed apart; no time: listed apart
    assert "More sessions this day" in page and "Online Journal Club" in page
    assert "Not yet scheduled" in page and "Late-breaking Trials" in page
    # other days are tabs, the first is current
    assert '<a href="?day=2027-04-14" aria-current="page">Wednesday, April 14</a>' in page
    assert '<a href="?day=2027-04-15">Thursday, April 15</a>' in page
    # the second day's session is not on the first day
    assert "Thyroid Nodules in Practice" not in page
    # track colours come from a stylesheet, never a style attribute
    assert "style=" not in page
    assert f"{url('tracks_css', a)}?v={a.program_version}" in page


def test_schedule_day_parameter_shows_that_day(client, program):
    page = text(client.get(url("schedule", program.activity), {"day": "2027-04-15"}))
    assert "Thyroid Nodules in Practice" in page
    assert "Heart Failure with Preserved" not in page
    assert '<a href="?day=2027-04-15" aria-current="page">' in page
    assert "8 a.m." in page


@pytest.mark.parametrize("day", ["2027-05-01", "yesterday", ""])
def test_schedule_with_an_unknown_day_shows_the_first(client, program, day):
    page = text(client.get(url("schedule", program.activity), {"day": day}))
    assert "Heart Failure with Preserved" in page


def test_schedule_filters_by_track_format_and_topic(client, program):
    a = program.activity
    page = text(client.get(url("schedule", a), {"track": program.endo.pk}))
    assert "Insulin Pump Workshop" in page
    assert "Heart Failure with Preserved" not in page
    assert f'<option value="{program.endo.pk}" selected>Endocrinology</option>' in page
    assert "Show everything" in page

    page = text(client.get(url("schedule", a), {"format": SessionFormat.INDUSTRY}))
    assert "Sponsored Lunch" in page and "Insulin Pump Workshop" not in page

    page = text(client.get(url("schedule", a), {"topic": "pain-management-opioids"}))
    assert "Heart Failure with Preserved" in page and "Insulin Pump Workshop" not in page

    # filters survive a change of day through the tabs
    page = text(client.get(url("schedule", a), {"track": program.endo.pk, "day": "2027-04-15"}))
    assert "Thyroid Nodules in Practice" in page
    assert f'href="?day=2027-04-14&amp;track={program.endo.pk}"' in page


def test_schedule_filter_that_matches_nothing_says_so(client, program):
    page = text(client.get(url("schedule", program.activity), {"track": 999999}))
    assert "No session on this day matches your filters." in page
    page = text(client.get(url("schedule", program.activity), {"format": "nonsense"}))
    assert "Heart Failure with Preserved" in page  # an unknown format is ignored


def test_session_page_shows_everything_about_the_session(client, program):
    a, s = program.activity, program.lecture
    page = text(client.get(url("session", a, s.code)))
    assert "<h1>Heart Failure with Preserved Ejection Fraction</h1>" in page
    assert "Wednesday, April 14, 2027" in page
    assert '<time datetime="2027-04-14T09:00:00-04:00">9 a.m.</time>' in page
    assert "Hall A" in page and "Lecture" in page and "Cardiology" in page
    assert "Pain management and opioid prescribing" in page
    assert "Recognise HFpEF early" in page and "Choose guideline-directed therapy" in page
    assert "What changed in the 2027 guideline." in page
    assert "Eligible for credit" in page
    speaker_url = url("faculty", a, program.speaker.pk)
    assert f'<a href="{speaker_url}">Ada Okafor, MD, FACC</a>' in page
    assert "Moderator" in page
    assert f'href="{url("session_ics", a, s.code)}"' in page
    assert f'action="{url("bookmark", a, s.code)}"' in page
    assert "Add to my agenda" in page
    assert "hospital.example" not in page  # no e-mail address


def test_session_page_marks_non_accredited_sessions(client, program):
    page = text(client.get(url("session", program.activity, program.industry.code)))
    assert "Non-accredited, not for credit" in page
    assert "not part of the CME activity" in page


def test_session_of_another_activity_is_not_found(client, program, provider):
    other = ActivityFactory(provider=provider)
    foreign = SessionFactory(activity=other)
    assert client.get(url("session", program.activity, foreign.code)).status_code == 404
    assert client.get(url("session", program.activity, "NOPE42")).status_code == 404


def test_faculty_list_and_page(client, program):
    a = program.activity
    page = text(client.get(url("faculty_list", a)))
    assert "2 people teach in this activity." in page
    assert page.index("Ben Lindqvist, DO") < page.index("Ada Okafor, MD, FACC")  # by last name
    assert "Mercy University Hospital" in page
    assert "Thyroid Nodules in Practice" in page
    assert "hospital.example" not in page

    page = text(client.get(url("faculty", a, program.speaker.pk)))
    assert "<h1>Ada Okafor, MD, FACC</h1>" in page
    assert "Interventional cardiologist who studies heart failure." in page
    assert "Heart Failure with Preserved Ejection Fraction" in page
    assert "Thyroid Nodules in Practice" in page
    assert "hospital.example" not in page


def test_faculty_page_of_someone_without_a_role_here_is_not_found(client, program, learner):
    a = program.activity
    assert client.get(url("faculty", a, learner.pk)).status_code == 404
    elsewhere = SessionFacultyFactory(session=SessionFactory(activity=ActivityFactory()))
    assert client.get(url("faculty", a, elsewhere.person.pk)).status_code == 404


def test_faculty_without_a_name_never_shows_the_e_mail_address(client, program, admin_user):
    nameless = UserFactory(email="secret.person@example.org", first_name="", last_name="")
    services.add_faculty(program.workshop, nameless, by=admin_user, reason=REASON)
    page = text(client.get(url("faculty_list", program.activity)))
    assert "secret.person" not in page
    assert "Name to be announced" in page


def test_search_groups_sessions_faculty_and_topics(client, program):
    a = program.activity
    page = text(client.get(url("search", a), {"q": "heart"}))
    assert 'id="r-sessions"' in page and "Heart Failure with Preserved" in page
    assert "Insulin Pump" not in page

    page = text(client.get(url("search", a), {"q": "okafor"}))
    assert 'id="r-people"' in page and "Ada Okafor, MD, FACC" in page
    assert 'id="r-sessions"' not in page

    page = text(client.get(url("search", a), {"q": "opioid"}))
    assert 'id="r-topics"' in page and "Pain management and opioid prescribing" in page
    # a session tagged with the topic is found through it
    assert 'id="r-sessions"' in page

    page = text(client.get(url("search", a), {"q": "2027 guideline"}))
    assert "Heart Failure with Preserved" in page  # abstract, every word

    page = text(client.get(url("search", a), {"q": "zebra"}))
    assert "Nothing matches “zebra”." in page
    page = text(client.get(url("search", a), {"q": "x"}))
    assert "Type at least two characters." in page


def test_search_does_not_find_other_activities(client, program, provider):
    SessionFactory(activity=ActivityFactory(provider=provider), title="Heart Failure Elsewhere")
    page = text(client.get(url("search", program.activity), {"q": "elsewhere"}))
    assert "Heart Failure Elsewhere" not in page


# --- agenda and bookmarks -------------------------------------------------------------------


def test_agenda_needs_a_login(client, program):
    response = client.get(url("agenda", program.activity))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_bookmark_toggles_and_returns_to_the_page(client, program, learner):
    a, s = program.activity, program.lecture
    client.force_login(learner)
    back = url("schedule", a) + "?day=2027-04-14"
    response = client.post(url("bookmark", a, s.code), {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert list(Bookmark.objects.values_list("user", "session")) == [(learner.pk, s.pk)]
    page = text(client.get(back))
    assert "Added “Heart Failure with Preserved Ejection Fraction” to your agenda." in page

    client.post(url("bookmark", a, s.code), {"next": back})
    assert not Bookmark.objects.exists()


def test_bookmark_refuses_get_and_foreign_next(client, program, learner):
    a, s = program.activity, program.lecture
    client.force_login(learner)
    assert client.get(url("bookmark", a, s.code)).status_code == 405
    response = client.post(url("bookmark", a, s.code), {"next": "https://evil.example/"})
    assert response["Location"] == url("session", a, s.code)


def test_bookmark_for_htmx_returns_the_button(client, program, learner):
    a, s = program.activity, program.lecture
    client.force_login(learner)
    response = client.post(url("bookmark", a, s.code), headers={"HX-Request": "true"})
    page = text(response)
    assert response.status_code == 200
    assert page.startswith("<form") and 'data-bookmarked="true"' in page
    assert "In my agenda" in page
    assert "Added “Heart Failure with Preserved Ejection Fraction” to your agenda." in page
    response = client.post(url("bookmark", a, s.code), headers={"HX-Request": "true"})
    assert 'data-bookmarked="false"' in text(response)


def test_bookmark_without_login_goes_to_login(client, program):
    a, s = program.activity, program.lecture
    response = client.post(url("bookmark", a, s.code))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert not Bookmark.objects.exists()


def test_agenda_ids_lists_only_the_users_own_codes(client, program, learner):
    a = program.activity
    other = UserFactory()
    agenda_services.bookmark(program.lecture, user=learner)
    agenda_services.bookmark(program.workshop, user=other)
    assert client.get(url("agenda_ids", a)).json() == {"codes": [], "authenticated": False}
    client.force_login(learner)
    response = client.get(url("agenda_ids", a))
    assert response.json() == {"codes": [program.lecture.code], "authenticated": True}
    assert "no-store" in response["Cache-Control"]


def test_agenda_groups_by_day_and_notes_overlaps(client, program, learner):
    a = program.activity
    for s in (program.lecture, program.workshop, program.day2, program.unscheduled):
        agenda_services.bookmark(s, user=learner)
    client.force_login(learner)
    page = text(client.get(url("agenda", a)))
    assert "4 bookmarked sessions." in page
    assert page.index("Wednesday, April 14, 2027") < page.index("Thursday, April 15, 2027")
    assert page.index("Thursday, April 15, 2027") < page.index("Late-breaking Trials")
    assert "One overlap in your agenda:" in page
    assert (
        "“Heart Failure with Preserved Ejection Fraction” and “Insulin Pump Workshop” "
        "overlap at 9 a.m." in page
    )
    token = schedule.agenda_feed_token(learner, a)
    assert f"http://testserver{url('agenda_ics', a, token)}" in page


def test_agenda_feed_serves_the_bookmarks_without_a_cookie(client, program, learner):
    a = program.activity
    agenda_services.bookmark(program.lecture, user=learner)
    token = schedule.agenda_feed_token(learner, a)
    response = client.get(url("agenda_ics", a, token))
    body = text(response)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "SUMMARY:Heart Failure with Preserved Ejection Fraction" in body
    assert "Insulin Pump" not in body
    assert body.count("BEGIN:VEVENT") == 1


@pytest.mark.parametrize("mangle", ["forged", "other-activity", "other-user-signature"])
def test_agenda_feed_refuses_a_bad_token(client, program, learner, provider, mangle):
    a = program.activity
    agenda_services.bookmark(program.lecture, user=learner)
    good = schedule.agenda_feed_token(learner, a)
    if mangle == "forged":
        token = good[:-3] + ("abc" if not good.endswith("abc") else "xyz")
    elif mangle == "other-activity":
        token = schedule.agenda_feed_token(learner, ActivityFactory(provider=provider))
    else:
        _user_part, sig = good.split(":", 1)
        token = f"{UserFactory().pk}-{a.pk}:{sig}"
    response = client.get(url("agenda_ics", a, token))
    assert response.status_code == 404
    assert b"Heart Failure" not in response.content


# --- caching ---------------------------------------------------------------------------------


def test_a_program_change_shows_at_once(client, program, admin_user, django_assert_num_queries):
    a = program.activity
    assert "Grand Rounds: Sepsis" not in text(client.get(url("schedule", a)))
    with django_assert_num_queries(0):  # a visitor's page comes whole from the cache
        assert "Heart Failure" in text(client.get(url("schedule", a)))
    services.create_session(
        a,
        by=admin_user,
        reason=REASON,
        title="Grand Rounds: Sepsis",
        format=SessionFormat.LECTURE,
        room=program.hall_b,
        start=at(a.start_date, 11),
        end=at(a.start_date, 12),
    )
    assert "Grand Rounds: Sepsis" in text(client.get(url("schedule", a)))
    services.update_session(program.lecture, by=admin_user, reason=REASON, title="HFpEF Revisited")
    page = text(client.get(url("session", a, program.lecture.code)))
    assert "<h1>HFpEF Revisited</h1>" in page


def test_a_faculty_profile_change_drops_the_cached_pages(client, program):
    a = program.activity
    assert "Ada Okafor" in text(client.get(url("faculty_list", a)))
    version = Activity.objects.get(pk=a.pk).program_version
    type(program.speaker).objects.filter(pk=program.speaker.pk).update(last_name="Okafor-Reyes")
    profile_changed.send(sender=type(program.speaker), user=program.speaker, fields=["last_name"])
    assert Activity.objects.get(pk=a.pk).program_version == version + 1
    assert "Ada Okafor-Reyes" in text(client.get(url("faculty_list", a)))
    # an activity where the person has no role keeps its cache
    other = ActivityFactory(provider=a.provider)
    profile_changed.send(sender=type(program.speaker), user=program.speaker, fields=["bio"])
    assert Activity.objects.get(pk=other.pk).program_version == other.program_version


def test_cached_pages_hold_nothing_personal(client, program, learner):
    a = program.activity
    agenda_services.bookmark(program.lecture, user=learner)
    client.force_login(learner)
    mine = text(client.get(url("schedule", a)))
    assert 'id="agenda-ids"' in mine  # the script asks for the marks
    key = schedule.cache_key(
        Activity.objects.get(pk=a.pk), "schedule", "2027-04-14", schedule.Filters().key()
    )
    fragment = cache.get(key)
    assert "Heart Failure with Preserved" in fragment
    assert "data-bookmarked" not in fragment
    assert learner.email not in fragment and "Lee" not in fragment
    assert page_cache.CSRF_PLACEHOLDER in fragment
    # each visitor gets their own CSRF token in the bookmark forms
    client.logout()
    anonymous = text(client.get(url("schedule", a)))
    assert page_cache.CSRF_PLACEHOLDER not in anonymous
    assert 'id="agenda-ids"' not in anonymous


# --- queries: constant whatever the size -----------------------------------------------------


def _grow(activity, n: int):
    """n extra lectures, each with a speaker, a topic and its own room."""
    topic = Topic.objects.get(provider=None, slug="cardiology")
    for i in range(n):
        s = SessionFactory(
            activity=activity,
            room=RoomFactory(activity=activity),
            start=at(activity.start_date, 8 + i),
        )
        s.topics.add(topic)
        SessionFacultyFactory(session=s)


def _count_queries(client, path, django_assert_num_queries, expected, **params):
    cache.clear()
    page_cache.clear_local()
    with django_assert_num_queries(expected):
        response = client.get(path, params)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(
    ("name", "args", "cold", "warm"),
    [
        # pages: a visitor's warm page comes whole from the cache; cold adds the version lookup
        ("schedule", (), 7, 0),
        ("faculty_list", (), 4, 0),
        ("schedule_ics", (), 4, 1),
        ("schedule_json", (), 6, 1),
        ("schedule_xml", (), 6, 1),
        ("sessions_csv", (), 6, 1),
    ],
)
def test_queries_do_not_grow_with_the_program(
    client, activity, django_assert_num_queries, name, args, cold, warm
):
    path = url(name, activity, *args)
    for size in (1, 3):
        Activity.objects.filter(pk=activity.pk).update(program_version=size * 100)
        _grow(activity, 1 if size == 1 else 2)
        _count_queries(client, path, django_assert_num_queries, cold)
        with django_assert_num_queries(warm):
            assert client.get(path).status_code == 200


def test_session_and_faculty_pages_take_constant_queries(
    client, activity, learner, django_assert_num_queries
):
    _grow(activity, 1)
    s = activity.sessions.get()
    person = s.faculty.get().person
    # cold pages: the version lookup of the visitors' page cache, the page's own, and the
    # learner disclosure of its faculty (who controls content, their disclosures, reviews)
    _count_queries(client, url("session", activity, s.code), django_assert_num_queries, 14)
    _count_queries(client, url("faculty", activity, person.pk), django_assert_num_queries, 4)
    _count_queries(client, url("session_ics", activity, s.code), django_assert_num_queries, 4)
    for _ in range(2):
        SessionFacultyFactory(session=s)
    # cold pages: the version lookup of the visitors' page cache, the page's own, and the
    # learner disclosure of its faculty (who controls content, their disclosures, reviews)
    _count_queries(client, url("session", activity, s.code), django_assert_num_queries, 14)
    _count_queries(client, url("faculty", activity, person.pk), django_assert_num_queries, 4)
    _count_queries(client, url("session_ics", activity, s.code), django_assert_num_queries, 4)


def test_agenda_takes_constant_queries(client, activity, learner, django_assert_num_queries):
    client.force_login(learner)
    path = url("agenda", activity)
    token = schedule.agenda_feed_token(learner, activity)
    for extra in (1, 2):
        _grow(activity, extra)
        for s in activity.sessions.all():
            agenda_services.bookmark(s, user=learner)
        # session, user, activity, bookmarks with room and track, faculty, team check in base
        with django_assert_num_queries(6):
            page = text(client.get(path))
        assert page.count('class="card agenda-item') == activity.sessions.count()
        with django_assert_num_queries(4):  # activity, user, bookmarks, faculty
            assert client.get(url("agenda_ics", activity, token)).status_code == 200


def test_search_takes_constant_queries(client, activity, django_assert_num_queries):
    for extra in (1, 2):
        _grow(activity, extra)
        # activity; sessions, their faculty, topics; people; topics and their sessions
        with django_assert_num_queries(7):
            page = text(client.get(url("search", activity), {"q": "cardio"}))
        assert page.count('class="card"><p class="slot__time">') == activity.sessions.count()


def test_schedule_handles_a_day_without_sessions(client, activity):
    page = text(client.get(url("schedule", activity), {"day": "2027-04-16"}))
    assert "No sessions on this day yet." in page


def test_time_zone_of_the_activity_not_the_server(client, provider):
    a = ActivityFactory(
        provider=provider, time_zone="Europe/Berlin", start_date=dt.date(2027, 4, 14)
    )
    room = RoomFactory(activity=a)
    SessionFactory(
        activity=a,
        room=room,
        title="Morgenvorlesung",
        start=dt.datetime(2027, 4, 14, 9, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin")),
    )
    page = text(client.get(url("schedule", a)))
    assert '<time datetime="2027-04-14T09:00:00+02:00">9 a.m.</time>' in page
