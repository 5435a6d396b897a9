"""Check-in: badge scans at the door and at sessions, and the attendance they make."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections

from cmeconf.attendance import services as attendance
from cmeconf.attendance.choices import AttendanceSource
from cmeconf.attendance.models import AttendanceInterval
from cmeconf.checkin import services
from cmeconf.checkin.models import Scan
from cmeconf.registration import services as registration_services
from cmeconf.registration.badge_tokens import reissue_badge_key
from cmeconf.registration.choices import PaymentMethod, RegistrationStatus
from tests.checkin.factories import conference
from tests.factories import ActivityFactory, ProviderFactory, TeamFactory, UserFactory, at

POSTGRES = connection.vendor == "postgresql"


@pytest.fixture
def conf(activity):
    return conference(activity)


@pytest.fixture
def desk(provider):
    """Registration desk staff: the registration permission only."""
    user = UserFactory(email="desk@acp.example")
    TeamFactory(provider=provider, name="Desk", members=[user], permissions=["registration"])
    return user


def scan(conf, by, registration=None, *, kind="entry", session=None, when=None, **extra):
    """Scan the badge of `registration` at `when` (received then too, unless `now` is given)."""
    if registration is not None and "token" not in extra:
        extra["token"] = conf.token(registration)
    extra.setdefault("now", when or conf.at(8, 30))
    return services.record_scan(
        conf.activity, by=by, kind=kind, session=session, scanned_at=when, **extra
    )


def intervals(conf, reg, session):
    return list(
        AttendanceInterval.objects.filter(session=session, person=reg.person)
        .order_by("start")
        .values_list("start", "end", "source")
    )


# -- entry ------------------------------------------------------------------------------------


def test_entry_admits_then_repeats(conf, desk):
    reg = conf.register(first_name="Ada", last_name="Lovelace")
    first = scan(conf, desk, reg, when=conf.at(8, 1))
    assert (first.result, first.admitted, first.replayed) == ("ok", True, False)
    assert first.message == "Welcome"
    assert first.person_name == "Ada Lovelace"
    assert first.amount_due is None
    reg.refresh_from_db()
    assert reg.checked_in_at == conf.at(8, 1)

    again = scan(conf, desk, reg, when=conf.at(8, 40))
    assert (again.result, again.admitted) == ("repeat", True)
    assert again.message == "Already checked in"
    reg.refresh_from_db()
    assert reg.checked_in_at == conf.at(8, 1)  # the first arrival stands
    assert list(Scan.objects.values_list("result", "recorded_by", "method")) == [
        ("ok", desk.pk, "badge"),
        ("repeat", desk.pk, "badge"),
    ]


def test_staff_can_check_in_a_person_found_by_search(conf, desk):
    reg = conf.register(first_name="Grace", last_name="Hopper")
    found = services.search_registrants(conf.activity, "hopp")
    assert found == [reg]
    outcome = services.record_scan(
        conf.activity, by=desk, kind="entry", registration=found[0], method="search",
        now=conf.at(8, 5),
    )  # fmt: skip
    assert outcome.result == "ok"
    assert outcome.scan.method == "search"


def test_pending_payment_is_admitted_with_the_amount_still_due(conf, desk):
    reg = conf.register(conf.paying)
    assert reg.status == RegistrationStatus.PENDING_PAYMENT
    outcome = scan(conf, desk, reg)
    assert (outcome.result, outcome.amount_due) == ("ok", Decimal("400.00"))


def test_amount_due_counts_what_was_already_paid(conf, desk):
    reg = conf.register(conf.paying)
    registration_services.confirm_payment(
        reg, by=desk, method=PaymentMethod.INVOICE, amount=Decimal("150.00"),
        now=dt.datetime(2027, 3, 1, tzinfo=dt.UTC),
    )  # fmt: skip
    reg.refresh_from_db()
    assert reg.status == RegistrationStatus.PENDING_PAYMENT
    assert scan(conf, desk, reg).amount_due == Decimal("250.00")


# -- refusals: a scan happened, nobody is let in -------------------------------------------------


@pytest.mark.parametrize(
    "token",
    ["", "garbage", "12.abcdef", "12.abcdef:forgedsignature", "99999.key:abc"],
    ids=["empty", "garbage", "unsigned", "forged", "unsigned-id"],
)
def test_unknown_or_forged_badges_are_refused(conf, desk, token):
    outcome = scan(conf, desk, token=token)
    assert (outcome.result, outcome.admitted) == ("unknown", False)
    assert outcome.message == "Unknown badge"
    assert outcome.person_name == ""
    assert Scan.objects.get().registration is None


def test_a_reissued_badge_voids_the_old_one(conf, desk):
    reg = conf.register()
    old = conf.token(reg)
    reissue_badge_key(reg)
    assert scan(conf, desk, token=old).result == "unknown"
    assert scan(conf, desk, reg).result == "ok"


def test_a_token_signed_for_another_id_finds_nobody(conf, desk):
    """The key is per registration: a genuine key does not open someone else's record."""
    from django.core import signing

    a, b = conf.register(), conf.register()
    conf.token(a), conf.token(b)
    a.refresh_from_db()
    forged = signing.Signer(salt="cmeconf.registration.badge").sign(f"{b.pk}.{a.badge_key}")
    assert scan(conf, desk, token=forged).result == "unknown"


def test_cancelled_registration_is_refused(conf, desk):
    reg = conf.register()
    token = conf.token(reg)
    registration_services.cancel(reg, by=reg.person, now=dt.datetime(2027, 3, 1, tzinfo=dt.UTC))
    outcome = scan(conf, desk, token=token)
    assert (outcome.result, outcome.admitted) == ("cancelled", False)
    assert outcome.message == "Registration cancelled"
    assert outcome.scan.registration == reg  # staff see whose badge it was
    reg.refresh_from_db()
    assert reg.checked_in_at is None


def test_waitlisted_registration_is_refused(conf, desk):
    reg = conf.register(conf.full)
    assert reg.status == RegistrationStatus.WAITLISTED
    outcome = scan(conf, desk, reg)
    assert (outcome.result, outcome.admitted) == ("not_registered", False)
    assert "waiting list" in outcome.message


def test_virtual_only_registration_is_refused_at_the_door(conf, desk):
    reg = conf.register(conf.virtual)
    outcome = scan(conf, desk, reg)
    assert (outcome.result, outcome.admitted) == ("virtual_only", False)
    reg.refresh_from_db()
    assert reg.checked_in_at is None


def test_workshop_needs_a_sign_up(conf, desk):
    signed, other = conf.register(), conf.register()
    registration_services.sign_up(
        signed, conf.workshop, by=signed.person, now=dt.datetime(2027, 3, 1, tzinfo=dt.UTC)
    )
    refused = scan(conf, desk, other, kind="in", session=conf.workshop, when=conf.at(14, 1))
    assert (refused.result, refused.admitted) == ("not_signed_up", False)
    assert intervals(conf, other, conf.workshop) == []
    ok = scan(conf, desk, signed, kind="in", session=conf.workshop, when=conf.at(14, 2))
    assert ok.result == "ok"
    assert intervals(conf, signed, conf.workshop) == [
        (conf.at(14, 2), conf.at(16), AttendanceSource.SCAN)
    ]


def test_badge_of_another_activity_is_refused_without_linking_it(conf, desk, provider):
    other = conference(ActivityFactory(provider=provider, slug="fall-2027"))
    stranger = other.register()
    outcome = scan(conf, desk, stranger)
    assert (outcome.result, outcome.admitted) == ("wrong_activity", False)
    assert outcome.message == "Badge of another conference"
    # Nothing of the other conference's registrant is kept or shown here.
    assert outcome.scan.registration is None
    assert outcome.person_name == ""
    stranger.refresh_from_db()
    assert stranger.checked_in_at is None


# -- sessions and attendance ------------------------------------------------------------------


def test_in_and_out_pairs_become_scan_intervals(conf, desk):
    reg = conf.register()
    lecture = conf.lecture
    steps = [("in", 8, 50), ("out", 9, 20), ("in", 9, 30), ("out", 10, 15)]
    results = [
        scan(conf, desk, reg, kind=k, session=lecture, when=conf.at(h, m)).result
        for k, h, m in steps
    ]
    assert results == ["ok"] * 4
    assert intervals(conf, reg, lecture) == [
        (conf.at(8, 50), conf.at(9, 20), "scan"),
        (conf.at(9, 30), conf.at(10, 15), "scan"),
    ]
    # Clipped to 09:00-10:00: 20 + 30 minutes.
    assert attendance.minutes_attended(lecture, reg.person) == 50


def test_scan_intervals_merge_with_other_sources(conf, desk, admin_user):
    reg = conf.register()
    scan(conf, desk, reg, kind="in", session=conf.lecture, when=conf.at(9))
    scan(conf, desk, reg, kind="out", session=conf.lecture, when=conf.at(9, 30))
    attendance.add_adjustment(
        conf.lecture, reg.person, start=conf.at(9, 15), end=conf.at(9, 45),
        reason="Scanner at door B was down", by=admin_user,
    )  # fmt: skip
    assert attendance.minutes_attended(conf.lecture, reg.person) == 45


def test_repeats_change_nothing(conf, desk):
    reg = conf.register()
    first = scan(conf, desk, reg, kind="in", session=conf.lecture, when=conf.at(9, 1))
    twice = scan(conf, desk, reg, kind="in", session=conf.lecture, when=conf.at(9, 2))
    assert (first.result, twice.result) == ("ok", "repeat")
    assert twice.message == "Already checked in to this session"
    assert intervals(conf, reg, conf.lecture) == [(conf.at(9, 1), conf.at(10), "scan")]
    scan(conf, desk, reg, kind="out", session=conf.lecture, when=conf.at(9, 40))
    stray = scan(conf, desk, reg, kind="out", session=conf.lecture, when=conf.at(9, 41))
    assert (stray.result, stray.message) == ("repeat", "Not checked in to this session")
    assert intervals(conf, reg, conf.lecture) == [(conf.at(9, 1), conf.at(9, 40), "scan")]


def test_missing_check_out_closes_at_the_session_end(conf, desk):
    reg = conf.register()
    scan(conf, desk, reg, kind="in", session=conf.lecture, when=conf.at(9, 10))
    assert intervals(conf, reg, conf.lecture) == [(conf.at(9, 10), conf.at(10), "scan")]
    assert attendance.minutes_attended(conf.lecture, reg.person) == 50


def test_scans_delivered_out_of_order_pair_by_scan_time(conf, desk):
    """Door A was offline: its check-in arrives after door B's check-out."""
    reg = conf.register()
    door_b = scan(
        conf, desk, reg, kind="out", session=conf.lecture, when=conf.at(9, 40),
        device="door-b", now=conf.at(9, 40),
    )  # fmt: skip
    assert door_b.result == "repeat"  # nobody was in, as far as the server knew
    door_a = scan(
        conf, desk, reg, kind="in", session=conf.lecture, when=conf.at(9, 5),
        device="door-a", now=conf.at(9, 55),
    )  # fmt: skip
    assert door_a.result == "ok"
    assert intervals(conf, reg, conf.lecture) == [(conf.at(9, 5), conf.at(9, 40), "scan")]
    assert attendance.minutes_attended(conf.lecture, reg.person) == 35
    assert door_a.scan.received_at == conf.at(9, 55)


def test_a_late_check_out_splits_an_open_visit(conf, desk):
    reg = conf.register()
    for kind, minute in (("in", 5), ("in", 30)):  # the second is a repeat when it arrives
        scan(conf, desk, reg, kind=kind, session=conf.lecture, when=conf.at(9, minute))
    # A check-out at 09:20 from an offline device: out at 09:20, in again at 09:30.
    late = scan(
        conf, desk, reg, kind="out", session=conf.lecture, when=conf.at(9, 20),
        now=conf.at(9, 50),
    )  # fmt: skip
    assert late.result == "ok"
    assert intervals(conf, reg, conf.lecture) == [
        (conf.at(9, 5), conf.at(9, 20), "scan"),
        (conf.at(9, 30), conf.at(10), "scan"),
    ]


def test_voided_interval_is_not_recreated(conf, desk, admin_user):
    reg = conf.register()
    scan(conf, desk, reg, kind="in", session=conf.lecture, when=conf.at(9, 5))
    scan(conf, desk, reg, kind="out", session=conf.lecture, when=conf.at(9, 25))
    wrong = AttendanceInterval.objects.get(session=conf.lecture, person=reg.person)
    attendance.void_interval(wrong, reason="Badge scanned for a colleague", by=admin_user)
    # A later visit rebuilds the pairs; the voided one stays voided and is not added again.
    scan(conf, desk, reg, kind="in", session=conf.lecture, when=conf.at(9, 40))
    rows = AttendanceInterval.objects.filter(session=conf.lecture, person=reg.person)
    assert sorted((i.start, i.voided_at is None) for i in rows) == [
        (conf.at(9, 5), False),
        (conf.at(9, 40), True),
    ]
    assert attendance.minutes_attended(conf.lecture, reg.person) == 20


# -- malformed requests -----------------------------------------------------------------------


def test_scan_time_in_the_future_is_refused(conf, desk):
    reg = conf.register()
    with pytest.raises(ValidationError) as e:
        scan(conf, desk, reg, when=conf.at(9, 30), now=conf.at(9))
    assert e.value.message_dict == {"scanned_at": ["The scan time is in the future."]}
    assert not Scan.objects.exists()
    # A clock a few minutes fast is tolerated.
    assert scan(conf, desk, reg, when=conf.at(9, 4), now=conf.at(9)).result == "ok"


def test_scan_time_needs_a_time_zone_and_the_conference(conf, desk):
    reg = conf.register()
    with pytest.raises(ValidationError) as e:
        scan(conf, desk, reg, when=dt.datetime(2027, 4, 14, 9), now=conf.at(10))
    assert list(e.value.message_dict) == ["scanned_at"]
    with pytest.raises(ValidationError) as e:
        scan(conf, desk, reg, when=at(dt.date(2027, 4, 1), 9), now=conf.at(10))
    assert e.value.message_dict == {"scanned_at": ["The scan time is before the conference."]}
    assert not Scan.objects.exists()


@pytest.mark.parametrize(
    ("kind", "session", "field"),
    [
        ("entry", "lecture", "session"),
        ("in", None, "session"),
        ("sideways", None, "kind"),
        ("in", "elsewhere", "session"),
    ],
)
def test_malformed_scans_record_nothing(conf, desk, provider, kind, session, field):
    reg = conf.register()
    sessions = {
        None: None,
        "lecture": conf.lecture,
        "elsewhere": conference(ActivityFactory(provider=provider)).lecture,
    }
    with pytest.raises(ValidationError) as e:
        scan(conf, desk, reg, kind=kind, session=sessions[session])
    assert list(e.value.message_dict) == [field]
    assert not Scan.objects.exists()


def test_a_badge_or_a_person_is_needed(conf, desk):
    with pytest.raises(ValidationError) as e:
        services.record_scan(conf.activity, by=desk, kind="entry", now=conf.at(8))
    assert list(e.value.message_dict) == ["token"]
    with pytest.raises(ValidationError) as e:
        scan(conf, desk, conf.register(), method="telepathy")
    assert list(e.value.message_dict) == ["method"]


# -- idempotency ------------------------------------------------------------------------------


def test_replayed_key_answers_the_first_outcome_and_records_nothing(conf, desk):
    reg = conf.register(first_name="Ada", last_name="Lovelace")
    first = scan(conf, desk, reg, idempotency_key="dev1-0001", when=conf.at(8, 1))
    # The same scan again, after the first answer was lost; meanwhile the person came in.
    replay = scan(conf, desk, reg, idempotency_key="dev1-0001", when=conf.at(8, 1))
    assert replay.replayed is True
    assert replay.scan.pk == first.scan.pk
    assert (replay.result, replay.message, replay.person_name) == ("ok", "Welcome", "Ada Lovelace")
    assert Scan.objects.count() == 1
    # A new key is a new scan.
    assert scan(conf, desk, reg, idempotency_key="dev1-0002").result == "repeat"
    assert Scan.objects.count() == 2


def test_a_replayed_refusal_is_still_a_refusal(conf, desk):
    first = scan(conf, desk, token="garbage", idempotency_key="k1")
    replay = scan(conf, desk, token="garbage", idempotency_key="k1")
    assert (replay.result, replay.replayed, replay.scan.pk) == ("unknown", True, first.scan.pk)


def test_the_same_key_from_another_scanner_account_is_another_scan(conf, desk, provider):
    other_desk = UserFactory()
    TeamFactory(provider=provider, members=[other_desk], permissions=["registration"])
    reg = conf.register()
    a = scan(conf, desk, reg, idempotency_key="0001")
    b = scan(conf, other_desk, reg, idempotency_key="0001")
    assert (a.result, b.result, b.replayed) == ("ok", "repeat", False)
    assert Scan.objects.count() == 2


def test_a_key_reused_for_a_different_scan_is_refused(conf, desk):
    reg = conf.register()
    scan(conf, desk, reg, idempotency_key="0001")
    with pytest.raises(ValidationError) as e:
        scan(conf, desk, reg, idempotency_key="0001", kind="in", session=conf.lecture)
    assert list(e.value.message_dict) == ["idempotency_key"]
    assert Scan.objects.count() == 1


def test_a_blank_key_is_no_key(conf, desk):
    reg = conf.register()
    scan(conf, desk, reg, idempotency_key="  ")
    scan(conf, desk, reg, idempotency_key="")
    assert list(Scan.objects.values_list("idempotency_key", "result")) == [
        (None, "ok"),
        (None, "repeat"),
    ]


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES, reason="row locks under real concurrency: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_the_same_key_sent_at_once_records_one_scan():
    provider = ProviderFactory()
    conf = conference(ActivityFactory(provider=provider))
    desk = UserFactory()
    TeamFactory(provider=provider, members=[desk], permissions=["registration"])
    reg = conf.register()
    token = conf.token(reg)

    def send(_i):
        try:
            outcome = services.record_scan(
                conf.activity, by=desk, kind="in", session=conf.lecture, token=token,
                idempotency_key="queue-flush-1", now=conf.at(9, 5),
            )  # fmt: skip
            return outcome.scan.pk, outcome.result
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(send, range(16)))
    assert len(set(answers)) == 1  # every request got the first scan's answer
    assert answers[0][1] == "ok"
    assert Scan.objects.filter(activity=conf.activity).count() == 1
    assert AttendanceInterval.objects.filter(session=conf.lecture).count() == 1


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES, reason="row locks under real concurrency: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_two_doors_at_once_admit_once():
    """Different keys, same badge, same moment: one check-in, one repeat."""
    provider = ProviderFactory()
    conf = conference(ActivityFactory(provider=provider))
    desk = UserFactory()
    TeamFactory(provider=provider, members=[desk], permissions=["registration"])
    reg = conf.register()
    token = conf.token(reg)

    def send(i):
        try:
            return services.record_scan(
                conf.activity, by=desk, kind="entry", token=token, idempotency_key=f"door-{i}",
                now=conf.at(8, 5),
            ).result  # fmt: skip
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = sorted(pool.map(send, range(8)))
    assert results == ["ok"] + ["repeat"] * 7


# -- permissions ------------------------------------------------------------------------------


def test_learners_and_other_staff_may_not_scan(conf, provider, desk):
    reg = conf.register()
    other_provider_admin = UserFactory()
    TeamFactory(provider=ProviderFactory(), members=[other_provider_admin])
    program_only = UserFactory()
    TeamFactory(provider=provider, members=[program_only], permissions=["program"])
    for who in (reg.person, other_provider_admin, program_only):
        assert services.can_check_in(who, conf.activity) is False
        with pytest.raises(PermissionDenied):
            scan(conf, who, reg)
    assert not Scan.objects.exists()
    assert services.can_check_in(desk, conf.activity) is True


def test_a_team_of_another_activity_may_not_scan_here(conf, provider):
    limited = UserFactory()
    TeamFactory(
        provider=provider, all_activities=False, activities=[ActivityFactory(provider=provider)],
        members=[limited], permissions=["registration"],
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        scan(conf, limited, conf.register())


# -- counts and search ------------------------------------------------------------------------


def test_checkin_counts(conf, desk):
    arrived = [conf.register() for _ in range(3)]
    conf.register()  # expected, not here yet
    conf.register(conf.virtual)  # not expected at the door
    conf.register(conf.full)  # waiting: not expected
    for reg in arrived:
        scan(conf, desk, reg, when=conf.at(8, 10))
    a, b, c = arrived
    lecture = conf.lecture
    for reg, kind, minute in ((a, "in", 1), (b, "in", 2), (b, "out", 30), (c, "in", 3)):
        scan(conf, desk, reg, kind=kind, session=lecture, when=conf.at(9, minute))
    # c's check-out from an offline device arrives late: c is out too.
    scan(conf, desk, c, kind="out", session=lecture, when=conf.at(9, 20), now=conf.at(9, 45))

    counts = services.checkin_counts(conf.activity, now=conf.at(9, 45))
    assert (counts.expected, counts.checked_in) == (4, 3)
    by_session = {s.session: (s.present, s.checked_in) for s in counts.sessions}
    assert by_session == {lecture: (1, 3), conf.workshop: (0, 0)}
    # After the session nobody is in it any more.
    later = services.checkin_counts(conf.activity, sessions=[lecture], now=conf.at(10, 5))
    assert [(s.present, s.checked_in) for s in later.sessions] == [(0, 3)]


def test_checkin_counts_queries_do_not_grow(conf, desk, django_assert_max_num_queries):
    for reg in [conf.register() for _ in range(5)]:
        scan(conf, desk, reg, kind="in", session=conf.lecture, when=conf.at(9, 1))
    with django_assert_max_num_queries(4):
        services.checkin_counts(conf.activity, now=conf.at(9, 30))


def test_search_finds_by_name_and_email_within_the_activity(conf, provider):
    ada = conf.register(first_name="Ada", last_name="Lovelace", email="ada@math.example")
    conf.register(first_name="Alan", last_name="Turing")
    waiting = conf.register(conf.full, first_name="Ada", last_name="Byron")
    other = conference(ActivityFactory(provider=provider))
    other.register(first_name="Ada", last_name="Elsewhere")
    assert services.search_registrants(conf.activity, "ada") == [waiting, ada]
    assert services.search_registrants(conf.activity, "ADA love") == [ada]
    assert services.search_registrants(conf.activity, "math.example") == [ada]
    assert services.search_registrants(conf.activity, "  ") == []
