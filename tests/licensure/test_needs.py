"""The audience needs of an activity: counts by topic, never who; the staff page and its access."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cmeconf.activities.models import Topic
from cmeconf.licensure import needs
from tests.factories import (
    ActivityFactory,
    ProviderFactory,
    SessionFactory,
    TeamFactory,
    UserFactory,
)
from tests.licensure.factories import (
    ExternalCreditFactory,
    LicenceFactory,
    RegistrationFactory,
)

pytestmark = pytest.mark.django_db


def seated(activity, count: int, *, status: str = "confirmed", **licence) -> list:
    """`count` registrants of the activity, each with a Texas licence (ethics still due)."""
    people = []
    for _ in range(count):
        person = UserFactory()
        RegistrationFactory(activity=activity, person=person, status=status)
        LicenceFactory(person=person, **licence)
        people.append(person)
    return people


def shared(slug: str) -> Topic:
    return Topic.objects.get(provider=None, slug=slug)


@pytest.fixture
def activity(db):
    return ActivityFactory()


def by_topic(activity) -> dict[str, needs.Need]:
    return {n.topic: n for n in needs.audience_needs(activity, today=timezone.localdate())}


def test_open_topic_mandates_are_counted_by_topic_with_sessions_on_them(activity):
    people = seated(activity, 6)
    # One has done the ethics already: two hours, tagged ethics.
    ExternalCreditFactory(person=people[0], amounts={"AMA_PRA_1": "2.00"}, topics=["ethics"])
    on_ethics = SessionFactory(activity=activity, title="Ethics in practice")
    on_ethics.topics.add(shared("ethics"))
    SessionFactory(activity=activity, title="Cardiology").topics.add(shared("geriatrics"))
    found = by_topic(activity)
    ethics = found["ethics"]
    assert (ethics.learners, ethics.hours_missing) == (5, Decimal(10))
    assert ethics.learners_shown == "5"
    assert [s.title for s in ethics.sessions] == ["Ethics in practice"]
    assert [(s.id, s.requirements) for s in ethics.sets] == [
        ("US-TX-MD-DO", ("Medical ethics and/or professional responsibility (formal)",))
    ]
    assert ethics.unconfirmed is False
    # A mandate several topics meet is listed under each.
    assert found["professional_responsibility"].learners == 5
    assert "geriatrics" not in found


def test_only_seated_registrants_count(activity):
    seated(activity, 2)
    seated(activity, 1, status="pending")
    seated(activity, 3, status="waitlisted")
    seated(activity, 2, status="cancelled")
    LicenceFactory()  # not registered at all
    summary = needs.audience_summary(activity, today=timezone.localdate())
    assert (summary.registrants, summary.with_licences, summary.licences) == (3, 3, 3)
    assert summary.needs[0].learners == 3


def test_small_counts_are_shown_as_fewer_than_five_without_hours(activity):
    seated(activity, 4)
    ethics = by_topic(activity)["ethics"]
    assert ethics.learners == 4
    assert ethics.learners_shown == "fewer than 5"
    assert ethics.hours_shown is None
    # Which boards and mandates lie behind a small group could point to a person.
    assert ethics.sets and ethics.sets_shown == ()
    assert ethics.unconfirmed_shown is None


def test_unconfirmed_mandates_are_flagged(activity):
    # Texas opioid prescribing applies to direct patient care and is not confirmed.
    seated(activity, 5, conditions=["direct_patient_care"])
    assert by_topic(activity)["opioid_prescribing"].unconfirmed is True


def test_licences_missing_an_expiry_are_counted_apart(activity):
    seated(activity, 2, expires_on=None)
    summary = needs.audience_summary(activity, today=timezone.localdate())
    assert (summary.not_evaluated, summary.needs) == (2, [])


def test_queries_do_not_grow_with_registrants(activity, django_assert_num_queries):
    people = seated(activity, 3)
    for person in people:
        ExternalCreditFactory(person=person)
    SessionFactory(activity=activity).topics.add(shared("ethics"))
    today = timezone.localdate()
    # Seats, licences, credits, then the sessions and their topics.
    with django_assert_num_queries(5):
        small = needs.audience_needs(activity, today=today)
    more = seated(activity, 30)
    for person in more:
        ExternalCreditFactory(person=person)
        ExternalCreditFactory(person=person, topics=["ethics"], amounts={"AMA_PRA_1": "1"})
    with django_assert_num_queries(5):
        large = needs.audience_needs(activity, today=today)
    assert small[0].learners == 3
    assert {n.topic: n.learners for n in large}["ethics"] == 33


# --- the staff page --------------------------------------------------------------------------


def page_url(activity) -> str:
    return reverse("staff:licensure_needs", args=[activity.provider.slug, activity.slug])


def member(provider, permissions: list[str]):
    user = UserFactory()
    TeamFactory(provider=provider, members=[user], permissions=permissions)
    return user


def test_staff_with_registration_or_reports_see_the_page(client, activity):
    seated(activity, 6)
    SessionFactory(activity=activity, title="Bedside ethics").topics.add(shared("ethics"))
    for permissions in (["registration"], ["reports"]):
        client.force_login(member(activity.provider, permissions))
        response = client.get(page_url(activity))
        assert response.status_code == 200
        html = response.content.decode()
        assert "verify with their board" in html
        assert 'id="need-ethics"' in html
        assert "Bedside ethics" in html
        assert "Licensure needs" in html  # the tab


def test_the_page_never_names_registrants(client, activity):
    people = seated(activity, 2)
    client.force_login(member(activity.provider, ["reports"]))
    html = client.get(page_url(activity)).content.decode()
    assert "fewer than 5" in html
    # Nor the boards and mandates of a small group.
    assert 'id="need-ethics"' in html
    assert "Texas" not in html and "Medical ethics" not in html
    for person in people:
        assert person.last_name not in html
        assert person.email not in html


@pytest.mark.parametrize("who", ["learner", "program_only", "other_provider"])
def test_others_are_refused(client, activity, who):
    seated(activity, 1)
    if who == "learner":
        user = UserFactory()
        RegistrationFactory(activity=activity, person=user)
        expected = 404
    elif who == "program_only":
        user = member(activity.provider, ["program"])
        expected = 403
    else:
        user = member(ProviderFactory(), ["registration", "reports"])
        expected = 404
    client.force_login(user)
    assert client.get(page_url(activity)).status_code == expected


def test_the_tab_shows_only_to_those_who_may_open_it(client, activity):
    client.force_login(member(activity.provider, ["program"]))
    html = client.get(reverse("staff:sessions", args=[activity.provider.slug, activity.slug]))
    assert page_url(activity) not in html.content.decode()
    client.force_login(member(activity.provider, ["registration"]))
    html = client.get(reverse("staff:sessions", args=[activity.provider.slug, activity.slug]))
    assert page_url(activity) in html.content.decode()


def test_the_summary_is_kept_for_a_while_per_activity_and_day(activity):
    today = timezone.localdate()
    seated(activity, 2)
    first, worked_out = needs.cached_summary(activity, today=today)
    seated(activity, 3)  # new registrants show after the cache time, not at once
    again, same_time = needs.cached_summary(activity, today=today)
    assert (again.registrants, same_time) == (first.registrants, worked_out) == (2, worked_out)
    tomorrow, _at = needs.cached_summary(activity, today=today + dt.timedelta(days=1))
    assert tomorrow.registrants == 5
