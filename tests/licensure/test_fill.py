"""What fills my gap: upcoming sessions ranked by the gaps they help close."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cmeconf.activities.choices import ActivityState
from cmeconf.activities.models import Bookmark, Topic
from cmeconf.licensure import fill, services
from tests.factories import ActivityFactory, SessionFactory, UserFactory, at
from tests.licensure.test_pages import california, texas
from tests.registration.factories import RegistrationSetupFactory

pytestmark = pytest.mark.django_db


def _day(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def topic(slug: str) -> Topic:
    return Topic.objects.get(provider=None, slug=slug)


@pytest.fixture
def person(db):
    return UserFactory(email="doc@example.org")


@pytest.fixture
def meeting(db):
    activity = ActivityFactory(
        slug="spring", title="Spring Meeting", start_date=_day(30), end_date=_day(31)
    )
    RegistrationSetupFactory(activity=activity, credit_types=["AMA_PRA_1", "ABMS_MOC"])
    return activity


def session(activity, title: str, *, day: int = 0, hour: int = 9, topics=(), **kw):
    s = SessionFactory(
        activity=activity, title=title, start=at(activity.start_date + dt.timedelta(days=day), hour)
    )
    for key, value in kw.items():
        setattr(s, key, value)
    s.save()
    s.topics.set([topic(t) for t in topics])
    return s


def report_of(person, licence):
    return next(r for r in services.reports(person) if r.licence.pk == licence.pk)


def test_ranks_by_gaps_closed_then_date(person, meeting):
    licence = texas(person)  # open: total, formal minimum, ethics, opioids (unconfirmed)
    plain_early = session(meeting, "Plain early", day=0, hour=8)
    ethics = session(meeting, "Ethics at the bedside", day=1, hour=9, topics=["ethics"])
    opioids = session(
        meeting, "Opioids in practice", day=1, hour=8, topics=["pain-management-opioids"]
    )
    plain_late = session(meeting, "Plain late", day=1, hour=15)
    rows = fill.fillers(report_of(person, licence), now=timezone.now())
    assert [r.session for r in rows] == [opioids, ethics, plain_early, plain_late]
    assert {g.id for g in rows[0].closes} == {"total", "formal-min", "TX-OPIOID-156055"}
    assert {g.id for g in rows[1].closes} == {"total", "formal-min", "TX-ETHICS-2"}
    assert {g.id for g in rows[2].closes} == {"total", "formal-min"}
    assert rows[0].hours == 1
    assert rows[0].in_agenda is False


def test_limit(person, meeting):
    licence = texas(person)
    for i in range(5):
        session(meeting, f"Talk {i}", hour=8 + i)
    assert len(fill.fillers(report_of(person, licence), now=timezone.now(), limit=3)) == 3


def test_excludes_past_ineligible_unpublished_and_wrong_credit_types(person, meeting):
    licence = texas(person)
    good = session(meeting, "Good")
    session(meeting, "Not for credit", credit_eligible=False)
    nursing = ActivityFactory(start_date=_day(30), end_date=_day(31))
    RegistrationSetupFactory(activity=nursing, credit_types=["ANCC"])
    session(nursing, "Nursing only")
    draft = ActivityFactory(start_date=_day(30), end_date=_day(31), state=ActivityState.DRAFT)
    RegistrationSetupFactory(activity=draft, credit_types=["AMA_PRA_1"])
    session(draft, "Draft program")
    no_setup = ActivityFactory(start_date=_day(30), end_date=_day(31))
    session(no_setup, "No registration")
    rows = fill.fillers(report_of(person, licence), now=timezone.now())
    assert [r.session for r in rows] == [good]
    # a session that has begun is past
    later = good.start + dt.timedelta(minutes=1)
    assert fill.fillers(report_of(person, licence), now=later) == []


def test_sessions_after_the_due_date_do_not_close_its_gaps(person):
    licence = texas(person)  # due in 200 days
    activity = ActivityFactory(start_date=_day(260), end_date=_day(261))
    RegistrationSetupFactory(activity=activity, credit_types=["AMA_PRA_1"])
    session(activity, "Too late", topics=["ethics"])
    assert fill.fillers(report_of(person, licence), now=timezone.now()) == []


def test_topic_only_where_the_shared_topic_matches(person, meeting):
    licence = california(person)  # open: total and the pain / end-of-life mandate
    pain = session(meeting, "Palliative care", topics=["end-of-life-care"])
    other = session(meeting, "Ethics", hour=11, topics=["ethics"])
    rows = fill.fillers(report_of(person, licence), now=timezone.now())
    assert [r.session for r in rows] == [pain, other]
    assert {g.id for g in rows[0].closes} == {"total", "CA-PAIN-EOL-12"}
    assert {g.id for g in rows[1].closes} == {"total"}


def test_no_gaps_no_rows(person, meeting):
    licence = texas(person)
    session(meeting, "Talk")
    report = report_of(person, licence)
    closed = services.LicenceReport(report.licence, report.requirement_set, None, "no status")
    assert fill.fillers(closed, now=timezone.now()) == []


def test_queries_do_not_grow_with_sessions(person, meeting):
    licence = texas(person)
    report = report_of(person, licence)
    session(meeting, "One", topics=["ethics"])
    with CaptureQueriesContext(connection) as one:
        assert len(fill.fillers(report, now=timezone.now())) == 1
    for i in range(3):
        session(meeting, f"More {i}", hour=10 + i, topics=["ethics", "patient-safety"])
    with CaptureQueriesContext(connection) as four:
        assert len(fill.fillers(report, now=timezone.now())) == 4
    assert len(one) == len(four) <= 5


def test_fill_page_bookmarks_and_shows_in_agenda(client, person, meeting):
    licence = texas(person)
    talk = session(meeting, "Ethics at the bedside", topics=["ethics"])
    client.force_login(person)
    url = reverse("licensure:fill", args=[licence.pk])
    page = client.get(url).content.decode()
    assert "Ethics at the bedside" in page
    assert "Medical ethics and/or professional responsibility" in page
    assert "Add to my agenda" in page and "In your agenda" not in page
    bookmark = reverse("public:bookmark", args=[meeting.provider.slug, meeting.slug, talk.code])
    response = client.post(bookmark, {"next": url})
    assert response.status_code == 302 and response["Location"] == url
    assert Bookmark.objects.filter(user=person, session=talk).exists()
    page = client.get(url).content.decode()
    assert "In your agenda" in page and "Add to my agenda" not in page


def test_fill_page_when_nothing_fits(client, person):
    licence = texas(person)
    client.force_login(person)
    page = client.get(reverse("licensure:fill", args=[licence.pk])).content.decode()
    assert "No upcoming session here offers credit your board accepts" in page
    assert "Verify with your board." in page


def test_an_evening_session_on_the_due_date_is_in_time(person):
    """21:00 in New York on the due date is the next day in UTC, and still in time."""
    licence = texas(person)  # due in 200 days
    due = licence.expires_on
    activity = ActivityFactory(
        start_date=due, end_date=due, time_zone="America/New_York", slug="evening"
    )
    RegistrationSetupFactory(activity=activity, credit_types=["AMA_PRA_1"])
    evening = session(activity, "Evening ethics", hour=21, topics=["ethics"])
    assert evening.start.astimezone(dt.UTC).date() == due + dt.timedelta(days=1)
    rows = fill.fillers(report_of(person, licence), now=timezone.now())
    assert [r.session for r in rows] == [evening]
    assert "TX-ETHICS-2" in {g.id for g in rows[0].closes}
