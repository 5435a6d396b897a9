"""Credit claimed on the platform reaches the licensure engine, split by session topics."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from cmeconf.activities.models import Topic
from cmeconf.credits.models import Claim, Designation
from cmeconf.licensure import platform, services
from cmeconf.licensure.models import ExternalCredit, Licence
from tests.factories import ActivityFactory, SessionFactory, UserFactory, at

pytestmark = pytest.mark.django_db


def _claim(activity, person, sessions: dict, *, code="AMA_PRA_1", amount="2.00", status="claimed"):
    designation, _ = Designation.objects.get_or_create(
        activity=activity,
        credit_type=code,
        board="",
        defaults={
            "computed_maximum": Decimal("10"),
            "maximum": Decimal("10"),
            "designated_by": person,
            "designated_at": timezone.now(),
        },
    )
    return Claim.objects.create(
        activity=activity,
        person=person,
        designation=designation,
        credit_type=code,
        status=status,
        measured_minutes=sum(sessions.values()),
        amount=Decimal(amount),
        sessions={str(k): v for k, v in sessions.items()},
        attested_at=timezone.now(),
        attestation="I claim only the credit commensurate with my participation.",
        created=timezone.now(),
    )


@pytest.fixture
def meeting():
    return ActivityFactory(start_date=dt.date(2026, 3, 9), end_date=dt.date(2026, 3, 11))


def test_no_claims_no_credits():
    assert platform.platform_credits(UserFactory().pk) == ([], {})


def test_claims_of_one_activity_are_one_education_with_several_designations(meeting):
    person = UserFactory()
    lecture = SessionFactory(activity=meeting, start=at(meeting.start_date, 9))
    _claim(meeting, person, {lecture.pk: 90}, amount="1.50")
    _claim(meeting, person, {lecture.pk: 90}, code="ABMS_MOC", amount="1.50")
    credits, lines = platform.platform_credits(person.pk)
    assert len(credits) == 1
    assert dict(credits[0].amounts) == {"AMA_PRA_1": Decimal("1.50"), "ABMS_MOC": Decimal("1.50")}
    assert credits[0].date == meeting.start_date
    assert lines[credits[0].id] == (meeting.title, meeting.start_date)
    assert platform.activity_of(credits[0].id) == meeting.pk
    assert services.credit_pk(credits[0].id) is None


def test_a_topic_counts_only_the_hours_of_its_sessions(meeting):
    person = UserFactory()
    opioids = SessionFactory(activity=meeting, start=at(meeting.end_date, 9))
    opioids.topics.set([Topic.objects.get(provider=None, slug="pain-management-opioids")])
    other = SessionFactory(activity=meeting, start=at(meeting.start_date, 9))
    _claim(meeting, person, {opioids.pk: 60, other.pk: 180}, amount="4.00")
    credits, _lines = platform.platform_credits(person.pk)
    by_topics = {c.topics: c for c in credits}
    tagged = by_topics[frozenset({"pain_management", "opioid_prescribing"})]
    assert tagged.amounts == {"AMA_PRA_1": Decimal("1.00")}
    assert by_topics[frozenset()].amounts == {"AMA_PRA_1": Decimal("3.00")}
    # The credit is dated by the last day the learner attended.
    assert tagged.date == meeting.end_date
    assert sum(c.amounts["AMA_PRA_1"] for c in credits) == Decimal("4.00")


def test_parts_always_add_up_to_the_claim():
    assert platform._split(Decimal("1.00"), [1, 1, 1]) == [
        Decimal("0.34"),
        Decimal("0.33"),
        Decimal("0.33"),
    ]
    assert sum(platform._split(Decimal("7.25"), [13, 29, 58])) == Decimal("7.25")


def test_withdrawn_claims_do_not_count(meeting):
    person = UserFactory()
    lecture = SessionFactory(activity=meeting)
    _claim(meeting, person, {lecture.pk: 60}, status="withdrawn")
    assert platform.platform_credits(person.pk) == ([], {})


def test_claimed_credit_closes_a_licence_gap(meeting):
    person = UserFactory()
    licence = Licence.objects.create(
        person=person,
        requirement_set="US-CA-MD",
        license_type="MD",
        expires_on=dt.date(2027, 7, 31),
        birth_month=7,
        birth_day=12,
        issued_on=dt.date(2012, 3, 2),
    )
    before = services.report(licence, today=dt.date(2026, 6, 1)).status
    lecture = SessionFactory(activity=meeting)
    _claim(meeting, person, {lecture.pk: 600}, amount="10.00")
    after = services.report(licence, today=dt.date(2026, 6, 1)).status
    total_before = sum(r.counted for r in before.requirements)
    total_after = sum(r.counted for r in after.requirements)
    assert total_after > total_before
    # Recorded credits still count beside claimed ones.
    ExternalCredit.objects.create(
        person=person,
        title="Grand rounds",
        completed_on=dt.date(2026, 2, 1),
        amounts={"AMA_PRA_1": "1.00"},
    )
    assert len(services.credits_of(person)) == 2
