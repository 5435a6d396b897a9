"""The scanner API: scans with Idempotency-Key, offline queues, counts and search."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cmeconf.activities.choices import ActivityState
from cmeconf.attendance.models import AttendanceInterval
from cmeconf.checkin.models import Scan
from tests.checkin.factories import conference
from tests.factories import ActivityFactory, ProviderFactory, TeamFactory, UserFactory

# The conference's first morning (New York, UTC-4 in April).
NOW = dt.datetime(2027, 4, 14, 13, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _conference_morning(monkeypatch):
    """Scans are checked against the clock: pretend it is the conference's first morning."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def conf(activity):
    return conference(activity)


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        # Scanner devices send the API token of a registration-desk account.
        token, _created = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def desk(provider):
    user = UserFactory(email="desk@acp.example", first_name="Dee", last_name="Desk")
    TeamFactory(provider=provider, name="Desk", members=[user], permissions=["registration"])
    return user


@pytest.fixture
def scanner(desk):
    return client_for(desk)


@pytest.fixture
def url(base):
    return f"{base}/scans/"


def post(client, url, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(url, body, format="json", **headers)


# -- one scan ---------------------------------------------------------------------------------


def test_scan_admits_and_the_same_key_replays(conf, scanner, url):
    reg = conf.register(first_name="Ada", last_name="Lovelace")
    body = {"token": conf.token(reg), "kind": "entry", "device": "door-a"}
    first = post(scanner, url, body, key="6f1c-0001")
    assert first.status_code == 201
    data = first.json()
    assert data == {
        "id": data["id"],
        "kind": "entry",
        "session": None,
        "result": "ok",
        "admitted": True,
        "message": "Welcome",
        "person": {
            "registration": reg.pk,
            "name": "Ada Lovelace",
            "registration_type": "Member physician",
            "status": "confirmed",
        },
        "amount_due": None,
        "scanned_at": "2027-04-14T09:30:00-04:00",
        "replayed": False,
    }
    again = post(scanner, url, body, key="6f1c-0001")
    assert again.status_code == 200
    assert again.json() == data | {"replayed": True}
    assert Scan.objects.count() == 1
    scan = Scan.objects.get()
    assert (scan.idempotency_key, scan.device, scan.method) == ("6f1c-0001", "door-a", "badge")
    # Another key is another scan: a repeat.
    third = post(scanner, url, body, key="6f1c-0002")
    assert (third.status_code, third.json()["result"]) == (201, "repeat")
    assert Scan.objects.count() == 2


def test_refused_badge_is_a_recorded_scan(conf, scanner, url):
    response = post(scanner, url, {"token": "not-a-badge", "kind": "entry"}, key="k-1")
    assert response.status_code == 201
    data = response.json()
    assert (data["result"], data["admitted"], data["message"], data["person"]) == (
        "unknown", False, "Unknown badge", None,
    )  # fmt: skip
    assert Scan.objects.get().result == "unknown"


def test_waitlisted_person_is_named_but_refused(conf, scanner, url):
    reg = conf.register(conf.full, first_name="Wai", last_name="Ting")
    data = post(scanner, url, {"token": conf.token(reg), "kind": "entry"}).json()
    assert (data["result"], data["admitted"]) == ("not_registered", False)
    assert data["person"]["name"] == "Wai Ting"
    assert data["person"]["status"] == "waitlisted"


def test_pending_payment_shows_the_amount_due(conf, scanner, url):
    reg = conf.register(conf.paying)
    data = post(scanner, url, {"token": conf.token(reg), "kind": "entry"}).json()
    assert (data["admitted"], data["amount_due"]) == (True, "400.00")


def test_session_in_and_out_with_the_device_time(conf, scanner, url):
    reg = conf.register()
    token = conf.token(reg)
    code = conf.lecture.code
    r1 = post(scanner, url, {"token": token, "kind": "in", "session": code,
                             "scanned_at": "2027-04-14T09:05:00-04:00"}, key="a1")  # fmt: skip
    r2 = post(scanner, url, {"token": token, "kind": "out", "session": code,
                             "scanned_at": "2027-04-14T13:25:00Z"}, key="a2")  # fmt: skip
    assert [r.status_code for r in (r1, r2)] == [201, 201]
    assert [r.json()["message"] for r in (r1, r2)] == ["Checked in", "Checked out"]
    assert r1.json()["session"] == code
    interval = AttendanceInterval.objects.get(session=conf.lecture, person=reg.person)
    assert (interval.start, interval.end) == (conf.at(9, 5), conf.at(9, 25))


def test_check_in_a_person_found_by_search(conf, scanner, base, url):
    reg = conf.register(first_name="Grace", last_name="Hopper", email="grace@navy.example")
    found = scanner.get(f"{base}/checkin/search/", {"q": "hopper"})
    assert found.status_code == 200
    assert found.json() == [
        {
            "registration": reg.pk,
            "name": "Grace Hopper",
            "email": "grace@navy.example",
            "registration_type": "Member physician",
            "status": "confirmed",
            "checked_in_at": None,
        }
    ]
    response = post(scanner, url, {"registration": reg.pk, "kind": "entry", "method": "search"})
    assert (response.status_code, response.json()["result"]) == (201, "ok")
    assert Scan.objects.get().method == "search"
    again = scanner.get(f"{base}/checkin/search/", {"q": "grace navy"}).json()
    assert again[0]["checked_in_at"] == "2027-04-14T09:30:00-04:00"


@pytest.mark.parametrize(
    ("body", "headers", "field"),
    [
        ({"kind": "entry"}, {}, "token"),
        ({"token": "x", "kind": "sideways"}, {}, "kind"),
        ({"token": "x", "kind": "in"}, {}, "session"),
        ({"token": "x", "kind": "in", "session": "NOSUCH"}, {}, "session"),
        ({"token": "x", "kind": "entry", "session": "{lecture}"}, {}, "session"),
        ({"token": "x", "kind": "entry", "scanned_at": "2027-04-14T11:00:00-04:00"}, {},
         "scanned_at"),
        ({"token": "x", "kind": "entry", "scanned_at": "yesterday"}, {}, "scanned_at"),
        ({"token": "x", "kind": "entry", "method": "telepathy"}, {}, "method"),
        ({"token": "x", "kind": "entry", "color": "red"}, {}, "color"),
        ({"token": "x", "registration": 1, "kind": "entry"}, {}, "registration"),
        ({"registration": 999999, "kind": "entry"}, {}, "registration"),
        ({"token": "x", "kind": "entry"}, {"HTTP_IDEMPOTENCY_KEY": "k" * 101}, "idempotency_key"),
    ],
)  # fmt: skip
def test_malformed_scans_answer_400_and_record_nothing(conf, scanner, url, body, headers, field):
    body = {k: v.format(lecture=conf.lecture.code) if isinstance(v, str) else v
            for k, v in body.items()}  # fmt: skip
    response = scanner.post(url, body, format="json", **headers)
    assert response.status_code == 400
    assert field in response.json()
    assert not Scan.objects.exists()


def test_registration_of_another_activity_is_not_found(conf, scanner, url, provider):
    stranger = conference(ActivityFactory(provider=provider)).register()
    response = post(scanner, url, {"registration": stranger.pk, "kind": "entry"})
    assert response.status_code == 400
    assert response.json() == {"registration": ["No registrant of this conference has this id."]}


def test_key_reused_for_another_scan_is_refused(conf, scanner, url):
    reg = conf.register()
    post(scanner, url, {"token": conf.token(reg), "kind": "entry"}, key="same")
    other = {"token": conf.token(reg), "kind": "in", "session": conf.lecture.code}
    response = post(scanner, url, other, key="same")
    assert response.status_code == 400
    assert list(response.json()) == ["idempotency_key"]
    assert Scan.objects.count() == 1


def test_the_same_key_from_another_account_is_another_scan(conf, scanner, url, provider):
    second = UserFactory()
    TeamFactory(provider=provider, members=[second], permissions=["registration"])
    reg = conf.register()
    body = {"token": conf.token(reg), "kind": "entry"}
    assert post(scanner, url, body, key="0001").status_code == 201
    other = post(client_for(second), url, body, key="0001")
    assert (other.status_code, other.json()["replayed"], other.json()["result"]) == (
        201, False, "repeat",
    )  # fmt: skip
    assert Scan.objects.count() == 2


def test_a_scan_takes_few_queries(conf, scanner, url, django_assert_max_num_queries):
    """A fixed number of queries, whatever the size of the conference.

    The token, the activity with its provider, the caller's teams; then the locked
    registration, the scan and its effect. Two more here than in production: the
    test's transaction turns the scan's into a savepoint and its release.
    """
    regs = [conf.register() for _ in range(3)]
    tokens = [conf.token(r) for r in regs]
    code = conf.lecture.code
    post(scanner, url, {"token": tokens[0], "kind": "entry"}, key="warm")
    with django_assert_max_num_queries(8):  # + arrival time
        post(scanner, url, {"token": tokens[1], "kind": "entry"}, key="e1")
    with django_assert_max_num_queries(11):  # + session, earlier scans, intervals, new one
        post(scanner, url, {"token": tokens[2], "kind": "in", "session": code}, key="s1")
    with django_assert_max_num_queries(12):  # the open interval closes: one out, one in
        post(scanner, url, {"token": tokens[2], "kind": "out", "session": code}, key="s2")
    with django_assert_max_num_queries(9):  # the key's constraint, a rollback, the first scan
        response = post(scanner, url, {"token": tokens[1], "kind": "entry"}, key="e1")
    assert response.json()["replayed"] is True


# -- offline queue ----------------------------------------------------------------------------


def test_batch_answers_in_order_and_replays_a_repeated_key(conf, scanner, base):
    a, b = conf.register(), conf.register()
    code = conf.lecture.code
    queue = [
        {"idempotency_key": "q1", "token": conf.token(a), "kind": "entry",
         "scanned_at": "2027-04-14T08:01:00-04:00"},
        {"idempotency_key": "q2", "token": conf.token(a), "kind": "in", "session": code,
         "scanned_at": "2027-04-14T09:02:00-04:00"},
        {"idempotency_key": "q1", "token": conf.token(a), "kind": "entry",
         "scanned_at": "2027-04-14T08:01:00-04:00"},
        {"idempotency_key": "q3", "token": "garbage", "kind": "entry"},
        {"idempotency_key": "q4", "token": conf.token(b), "kind": "in"},
        {"token": conf.token(b), "kind": "entry"},
    ]  # fmt: skip
    response = scanner.post(f"{base}/scans/batch/", queue, format="json")
    assert response.status_code == 200
    answers = response.json()
    assert [(x["status"], x["idempotency_key"]) for x in answers] == [
        (201, "q1"), (201, "q2"), (200, "q1"), (201, "q3"), (400, "q4"), (400, None),
    ]  # fmt: skip
    assert [x["scan"]["result"] if x["scan"] else None for x in answers] == [
        "ok", "ok", "ok", "unknown", None, None,
    ]  # fmt: skip
    assert answers[2]["scan"] == answers[0]["scan"] | {"replayed": True}
    assert list(answers[4]["errors"]) == ["session"]
    assert list(answers[5]["errors"]) == ["idempotency_key"]
    assert answers[0]["errors"] is None
    assert Scan.objects.count() == 3

    # The device lost the answer and sends the whole queue again: nothing new is recorded.
    again = scanner.post(f"{base}/scans/batch/", queue, format="json").json()
    assert [x["status"] for x in again] == [200, 200, 200, 200, 400, 400]
    assert [x["scan"]["id"] for x in again[:4]] == [x["scan"]["id"] for x in answers[:4]]
    assert Scan.objects.count() == 3


@pytest.mark.parametrize("body", [{"token": "x"}, [], ["not an object"] * 201], ids=str)
def test_batch_must_be_a_list_of_scans(conf, scanner, base, body):
    response = scanner.post(f"{base}/scans/batch/", body, format="json")
    if isinstance(body, list) and body and len(body) <= 200:
        assert response.status_code == 200
    else:
        assert response.status_code == 400
        assert list(response.json()) == ["non_field_errors"]
    assert not Scan.objects.exists()


def test_batch_item_that_is_not_an_object(conf, scanner, base):
    answers = scanner.post(f"{base}/scans/batch/", ["junk"], format="json").json()
    assert answers[0]["status"] == 400
    assert answers[0]["idempotency_key"] is None
    assert "non_field_errors" in answers[0]["errors"]


# -- reading ----------------------------------------------------------------------------------


def test_recent_scans_newest_first(conf, scanner, url, desk):
    reg = conf.register(first_name="Ada", last_name="Lovelace")
    post(scanner, url, {"token": conf.token(reg), "kind": "entry", "device": "door-a"})
    post(scanner, url, {"token": "junk", "kind": "entry"})
    response = scanner.get(url)
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2
    newest, oldest = data["results"]
    assert (newest["result"], newest["person"], newest["admitted"]) == ("unknown", None, False)
    assert oldest == {
        "id": oldest["id"],
        "kind": "entry",
        "session": None,
        "result": "ok",
        "admitted": True,
        "person": {
            "registration": reg.pk,
            "name": "Ada Lovelace",
            "registration_type": "Member physician",
            "status": "confirmed",
        },
        "scanned_at": "2027-04-14T09:30:00-04:00",
        "received_at": "2027-04-14T09:30:00-04:00",
        "device": "door-a",
        "method": "badge",
        "recorded_by": "Dee Desk",
    }


def test_recent_scans_filters(conf, scanner, url):
    reg = conf.register()
    post(scanner, url, {"token": conf.token(reg), "kind": "entry"})
    post(scanner, url, {"token": conf.token(reg), "kind": "in", "session": conf.lecture.code})
    assert [s["kind"] for s in scanner.get(url, {"kind": "in"}).json()["results"]] == ["in"]
    by_session = scanner.get(url, {"session": conf.lecture.code}).json()["results"]
    assert [s["session"] for s in by_session] == [conf.lecture.code]
    assert scanner.get(url, {"session": "NOSUCH"}).status_code == 400
    assert scanner.get(url, {"nonsense": "1"}).status_code == 400


@pytest.mark.parametrize("n", [1, 3])
def test_recent_scans_query_count_does_not_grow(conf, scanner, url, n, django_assert_num_queries):
    for reg in [conf.register() for _ in range(n)]:
        post(scanner, url, {"token": conf.token(reg), "kind": "in", "session": conf.lecture.code})
    # The token, activity and teams are remembered from the scans just before: count, page.
    with django_assert_num_queries(2):
        response = scanner.get(url)
    assert len(response.json()["results"]) == n


def test_counts(conf, scanner, base, url):
    a, b = conf.register(), conf.register()
    conf.register(conf.virtual)
    post(scanner, url, {"token": conf.token(a), "kind": "entry"})
    post(scanner, url, {"token": conf.token(b), "kind": "in", "session": conf.lecture.code,
                        "scanned_at": "2027-04-14T09:10:00-04:00"})  # fmt: skip
    response = scanner.get(f"{base}/checkin/counts/")
    assert response.status_code == 200
    data = response.json()
    assert (data["expected"], data["checked_in"]) == (2, 1)
    assert data["sessions"] == [
        {
            "code": conf.lecture.code,
            "title": "Heart failure update",
            "start": "2027-04-14T09:00:00-04:00",
            "end": "2027-04-14T10:00:00-04:00",
            "present": 1,
            "checked_in": 1,
        },
        {
            "code": conf.workshop.code,
            "title": "Echo workshop",
            "start": "2027-04-14T14:00:00-04:00",
            "end": "2027-04-14T16:00:00-04:00",
            "present": 0,
            "checked_in": 0,
        },
    ]
    next_day = scanner.get(f"{base}/checkin/counts/", {"day": "2027-04-15"}).json()
    assert (next_day["expected"], next_day["sessions"]) == (2, [])
    assert scanner.get(f"{base}/checkin/counts/", {"day": "soon"}).status_code == 400


def test_search_needs_a_query(conf, scanner, base):
    assert scanner.get(f"{base}/checkin/search/").status_code == 400


# -- who may -----------------------------------------------------------------------------------


@pytest.fixture
def hidden(provider):
    """A draft conference: outside its teams, nobody may know it exists."""
    activity = ActivityFactory(provider=provider, slug="draft-2027", state=ActivityState.DRAFT)
    conference(activity)
    return f"/api/v1/providers/{provider.slug}/activities/{activity.slug}"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "scans/", {"token": "x", "kind": "entry"}),
        ("post", "scans/batch/", [{"idempotency_key": "k", "token": "x", "kind": "entry"}]),
        ("get", "scans/", None),
        ("get", "checkin/counts/", None),
        ("get", "checkin/search/?q=a", None),
    ],
)
def test_who_may_use_the_scanner_api(conf, base, hidden, desk, provider, method, path, body):
    learner = UserFactory()
    outsider = UserFactory()
    TeamFactory(provider=ProviderFactory(), members=[outsider])  # another provider's admin
    program = UserFactory()
    TeamFactory(provider=provider, members=[program], permissions=["program", "credit"])
    ok = 201 if path == "scans/" and method == "post" else 200
    # (who, conference, expected): the draft is hidden from everyone outside its teams.
    cases = [
        (None, base, 401),
        (learner, base, 403),
        (outsider, base, 403),
        (learner, hidden, 404),
        (outsider, hidden, 404),
        (program, hidden, 403),
        (program, base, 403),
        (desk, hidden, ok),
    ]
    wrong = []
    for who, where, expected in cases:
        response = getattr(client_for(who), method)(f"{where}/{path}", body, format="json")
        if response.status_code != expected:
            wrong.append((str(who), where, expected, response.status_code))
        elif expected >= 400 and set(response.json()) != {"detail"}:
            wrong.append((str(who), where, "only detail", response.json()))
    assert wrong == []
    # Only the desk's scan was recorded.
    assert list(Scan.objects.values_list("recorded_by", flat=True)) == (
        [desk.pk] if method == "post" else []
    )


def test_a_scanner_whose_permission_is_taken_away_stops_within_seconds(
    conf, desk, scanner, url, monkeypatch
):
    """Scanners' tokens and scopes are remembered for a few seconds, never longer."""
    import time

    from cmeconf.api.views import checkin as checkin_views

    clock = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    regs = [conf.register(first_name=f"P{i}") for i in range(3)]
    body = {"kind": "entry"}
    assert post(scanner, url, {**body, "token": conf.token(regs[0])}).status_code == 201
    desk.teams.all().delete()
    # Within the remembered time the scanner goes on: the answer is still a real scan.
    assert post(scanner, url, {**body, "token": conf.token(regs[1])}).status_code == 201
    clock[0] += checkin_views.SCOPE_TTL + 0.1
    refused = post(scanner, url, {**body, "token": conf.token(regs[2])})
    assert refused.status_code in (403, 404)
    assert Scan.objects.count() == 2


def test_a_deactivated_scanner_account_stops_within_seconds(conf, desk, scanner, url, monkeypatch):
    import time

    from cmeconf.api.authentication import RememberedTokenAuthentication

    clock = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    reg = conf.register(first_name="Ada")
    assert post(scanner, url, {"kind": "entry", "token": conf.token(reg)}).status_code == 201
    desk.is_active = False
    desk.save()
    clock[0] += RememberedTokenAuthentication.TTL + 0.1
    assert post(scanner, url, {"kind": "entry", "token": conf.token(reg)}).status_code == 401
