"""The fast scan route answers as the API view does, records the same, and hands on the rest.

One script of scans, every case a door meets, is played twice on two identical
conferences: once through the fast route, once through Django alone. The
answers and what is stored must match, and the fast route must have answered
every request it is meant for by itself. PostgreSQL only: the route needs its
async driver, and is off on SQLite.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async
from django.core.asgi import get_asgi_application
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from cmeconf.attendance.models import AttendanceInterval
from cmeconf.checkin import fast_scans
from cmeconf.checkin.models import Scan
from cmeconf.registration import services as registration_services
from cmeconf.registration.badge_tokens import badge_token
from cmeconf.registration.choices import AttendanceMode, PaymentMethod, RegistrationStatus
from cmeconf.registration.models import Registration
from tests.factories import (
    ActivityFactory,
    ProviderFactory,
    SessionFactory,
    TeamFactory,
    UserFactory,
)
from tests.registration.factories import (
    PriceTierFactory,
    RegistrationSetupFactory,
    RegistrationTypeFactory,
)

POSTGRES = connection.vendor == "postgresql"
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES, reason="the fast scan route runs on PostgreSQL only"),
    pytest.mark.django_db(transaction=True),
]

NOW = timezone.now().replace(microsecond=0)


def minutes(n: int) -> str:
    return (NOW + dt.timedelta(minutes=n)).isoformat()


class World:
    """A conference running today, with registrants in every state a door meets."""

    def __init__(self, slug: str):
        self.provider = ProviderFactory(slug=slug)
        today = NOW.date()
        self.activity = ActivityFactory(
            provider=self.provider,
            slug="annual",
            start_date=today - dt.timedelta(days=1),
            end_date=today + dt.timedelta(days=1),
            time_zone="America/Chicago",
        )
        RegistrationSetupFactory(activity=self.activity)
        member = RegistrationTypeFactory(activity=self.activity, name="Member physician")
        paying = RegistrationTypeFactory(activity=self.activity, name="Non-member physician")
        PriceTierFactory(registration_type=paying, amount="400.00")
        online = RegistrationTypeFactory(
            activity=self.activity, name="Online", mode=AttendanceMode.VIRTUAL
        )
        self.lecture = SessionFactory(
            activity=self.activity,
            title="Heart failure update",
            start=NOW - dt.timedelta(minutes=45),
            end=NOW + dt.timedelta(minutes=15),
        )
        self.workshop = SessionFactory(
            activity=self.activity,
            title="Echo workshop",
            format="workshop",
            capacity=20,
            start=NOW - dt.timedelta(minutes=30),
            end=NOW + dt.timedelta(minutes=90),
        )
        self.desk = UserFactory(email=f"desk@{slug}.example")
        TeamFactory(provider=self.provider, members=[self.desk], permissions=["registration"])
        self.key = Token.objects.create(user=self.desk).key
        self.people = {
            "jane": self.register("jane", member),
            "paul": self.register("paul", paying),
            "carl": self.register("carl", member),
            "wendy": self.register("wendy", member),
            "vic": self.register("vic", online),
        }
        registration_services.cancel(self.people["carl"], by=self.desk, reason="Cannot come")
        Registration.objects.filter(pk=self.people["wendy"].pk).update(
            status=RegistrationStatus.WAITLISTED
        )
        registration_services.confirm_payment(
            self.people["paul"], by=self.desk, method=PaymentMethod.INVOICE, amount=Decimal("150")
        )
        registration_services.sign_up(self.people["jane"], self.workshop, by=self.desk)
        elsewhere = ActivityFactory(provider=self.provider, slug="other")
        RegistrationSetupFactory(activity=elsewhere)
        self.people["stranger"] = self.register(
            "stranger", RegistrationTypeFactory(activity=elsewhere)
        )
        self.path = reverse("api:scans", args=[slug, "annual"])
        self.ids = {reg.pk: name for name, reg in self.people.items()}
        # Session codes are unique across conferences: the script names them by role.
        self.codes = {"HF1": self.lecture.code, "ECHO": self.workshop.code}
        self.roles = {code: role for role, code in self.codes.items()}

    def register(self, name: str, reg_type) -> Registration:
        person = UserFactory(
            first_name=name.title(),
            last_name="Example",
            email=f"{name}@{self.provider.slug}.example",
        )
        return registration_services.register(
            reg_type.activity, person, registration_type=reg_type, by=person
        )

    def badge(self, name: str) -> str:
        if name == "forged":
            return badge_token(self.people["jane"])[:-3] + "xyz"
        return badge_token(Registration.objects.get(pk=self.people[name].pk))


# (who, kind, session, minutes from now, Idempotency-Key); None minutes: no scanned_at.
SCRIPT = [
    ("jane", "entry", "", None, "k1"),
    ("jane", "entry", "", None, "k2"),  # a second scan: repeat
    ("paul", "entry", "", -50, "k3"),  # owes 250.00, admitted
    ("carl", "entry", "", None, "k4"),  # cancelled
    ("wendy", "entry", "", None, "k5"),  # on the waiting list
    ("vic", "entry", "", None, "k6"),  # online only
    ("stranger", "entry", "", None, "k7"),  # another conference's badge
    ("forged", "entry", "", None, "k8"),  # unknown
    ("jane", "in", "HF1", -40, "k9"),
    ("jane", "out", "HF1", -20, "k10"),
    ("jane", "in", "HF1", -10, "k11"),
    ("jane", "in", "HF1", -5, "k12"),  # already in: repeat
    ("paul", "out", "HF1", -5, "k13"),  # never in: repeat
    ("paul", "in", "ECHO", -25, "k14"),  # not signed up
    ("jane", "in", "ECHO", -25, None),  # no key
    ("jane", "out", "HF1", -30, "k15"),  # late from an offline queue: re-pairs the intervals
    ("jane", "entry", "", None, "k1"),  # the same key again: the first answer (Django)
    ("jane", "in", "HF1", None, "k1"),  # the key reused for another scan: 400 (Django)
    ("paul", "in", "NOPE", None, "k16"),  # no such session: 400 (Django)
    ("paul", "entry", "", 60 * 24 * 9, "k17"),  # in the future: 400 (Django)
]
# Steps the fast route must leave to Django (the last four).
HANDED_ON = {16, 17, 18, 19}


async def post(
    app, world: World, body: dict, key: str | None, *, raw=None, chunks=None, also=(), **headers
) -> tuple[int, dict]:
    """POST a scan through `app`; `raw` bytes instead of `body`, sent in `chunks` of that size;
    `also`: more (name, value) headers, repeats included."""
    raw = raw if raw is not None else json.dumps(body).encode()
    given = {
        "host": "127.0.0.1:8000",
        "content-type": "application/json",
        "content-length": str(len(raw)),
        "authorization": f"Token {world.key}",
        **({"idempotency-key": key} if key is not None else {}),
        **headers,
    }
    head = [(name.encode(), value.encode()) for name, value in [*given.items(), *also]]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": world.path,
        "raw_path": world.path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": head,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    size = chunks or max(len(raw), 1)
    parts = [raw[i : i + size] for i in range(0, len(raw), size)] or [b""]

    async def receive() -> dict:
        if parts:
            part = parts.pop(0)
            return {"type": "http.request", "body": part, "more_body": bool(parts)}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    answer: dict = {}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
            answer["headers"] = {k.decode().lower(): v.decode() for k, v in message["headers"]}
        else:
            answer["body"] = answer.get("body", b"") + message.get("body", b"")

    await app(scope, receive, send)
    is_json = answer["headers"].get("content-type") == "application/json"
    body = json.loads(answer["body"]) if is_json else {"text": answer["body"].decode()}
    return answer["status"], body, answer["headers"]


class CountingApp:
    """Django's app, counting the requests that reach it."""

    def __init__(self):
        self.app = get_asgi_application()
        self.calls = 0

    async def __call__(self, scope, receive, send):
        self.calls += 1
        await self.app(scope, receive, send)


def body_of(world: World, who: str, kind: str, session: str, at: int | None) -> dict:
    body = {"token": world.badge(who), "kind": kind, "device": " door-b "}
    if session:
        body["session"] = world.codes.get(session, session)
    if at is not None:
        body["scanned_at"] = minutes(at)
    return body


def play(world: World, *, fast: bool) -> list:
    django_app = CountingApp()
    app = fast_scans.with_fast_scans(django_app) if fast else django_app

    bodies = [body_of(world, who, kind, session, at) for who, kind, session, at, _k in SCRIPT]

    async def run() -> list:
        answers = []
        try:
            for step, (*_scan, key) in enumerate(SCRIPT):
                before = django_app.calls
                status, body, headers = await post(app, world, bodies[step], key)
                answers.append((step, status, normalised(world, body), headers))
                if fast:
                    handed_on = django_app.calls > before
                    assert handed_on == (step in HANDED_ON), (step, status, body)
        finally:
            await fast_scans.close_pools()
        return answers

    return asyncio.run(run())


def normalised(world: World, body: dict) -> dict:
    body = dict(body)
    body.pop("id", None)
    if isinstance(body.get("session"), str):
        body["session"] = world.roles[body["session"]]
    if isinstance(body.get("person"), dict):
        body["person"] = {
            **body["person"],
            "registration": world.ids[body["person"]["registration"]],
        }
    return body


def stored(world: World) -> dict:
    scans = [
        (s.kind, s.result, s.scanned_at, s.device, s.method, s.idempotency_key,
         world.ids.get(s.registration_id), world.roles[s.session.code] if s.session else None)
        for s in Scan.objects.filter(activity=world.activity).select_related("session")
    ]  # fmt: skip
    intervals = sorted(
        (world.roles[i.session.code], i.person.first_name, i.start, i.end, i.source)
        for i in AttendanceInterval.objects.filter(session__activity=world.activity)
    )
    arrived = {
        world.ids[r.pk]: r.checked_in_at
        for r in Registration.objects.filter(activity=world.activity)
    }
    return {"scans": sorted(scans, key=repr), "intervals": intervals, "arrived": arrived}


def test_the_fast_route_answers_and_records_as_django_does(settings):
    settings.CMECONF_FAST_SCANS = True
    fast_world, django_world = World("fast"), World("plain")
    fast = play(fast_world, fast=True)
    plain = play(django_world, fast=False)
    for (step, status, body, headers), (_s, status2, body2, headers2) in zip(
        fast, plain, strict=True
    ):
        # Scan times the server took itself differ by the microseconds between the runs.
        if SCRIPT[step][3] is None and status in (200, 201):
            body.pop("scanned_at"), body2.pop("scanned_at")
        assert (status, body) == (status2, body2), SCRIPT[step]
        assert set(headers) == set(headers2), step
        for name in ("content-type", "x-content-type-options", "x-frame-options",
                     "content-security-policy", "referrer-policy", "vary"):  # fmt: skip
            assert headers.get(name) == headers2.get(name), (step, name)
    results = [(status, body.get("result")) for _step, status, body, _h in fast]
    assert results[:16] == [
        (201, "ok"), (201, "repeat"), (201, "ok"), (201, "cancelled"), (201, "not_registered"),
        (201, "virtual_only"), (201, "wrong_activity"), (201, "unknown"), (201, "ok"),
        (201, "ok"), (201, "ok"), (201, "repeat"), (201, "repeat"), (201, "not_signed_up"),
        (201, "ok"), (201, "ok"),
    ]  # fmt: skip
    assert [status for _step, status, _b, _h in fast[16:]] == [200, 400, 400, 400]
    assert fast[2][2]["amount_due"] == "250.00"
    assert fast[6][2]["person"] is None

    mine, theirs = stored(fast_world), stored(django_world)
    assert len(mine["scans"]) == len(theirs["scans"]) == 16

    def without_server_times(rows):
        device_times = {NOW + dt.timedelta(minutes=at) for *_s, at, _k in SCRIPT if at is not None}
        return sorted(
            ((*r[:2], r[2] if r[2] in device_times else None, *r[3:]) for r in rows), key=repr
        )

    assert without_server_times(mine["scans"]) == without_server_times(theirs["scans"])
    assert mine["intervals"] == theirs["intervals"]
    # Jane's lecture: in -40, out -20 (the queued -30 check-out came later but is earlier), in -10.
    assert [(i[2], i[3]) for i in mine["intervals"] if i[0] == "HF1"] == [
        (NOW - dt.timedelta(minutes=40), NOW - dt.timedelta(minutes=30)),
        (NOW - dt.timedelta(minutes=10), fast_world.lecture.end),
    ]
    assert {k: v is not None for k, v in mine["arrived"].items()} == {
        k: v is not None for k, v in theirs["arrived"].items()
    }
    assert mine["arrived"]["paul"] == NOW - dt.timedelta(minutes=50)


def test_what_the_fast_route_leaves_to_django(settings):
    """Wrong token, no permission, a session login, a search pick: Django answers, as ever."""
    settings.CMECONF_FAST_SCANS = True
    world = World("edge")
    outsider = UserFactory(email="outsider@x.org")
    outsider_key = Token.objects.create(user=outsider).key
    django_app = CountingApp()
    app = fast_scans.with_fast_scans(django_app)
    entry = {"token": world.badge("jane"), "kind": "entry"}

    async def run() -> list:
        try:
            answers = []
            for body, headers in [
                (entry, {"authorization": "Token not-a-key"}),
                (entry, {"authorization": f"Token {outsider_key}"}),
                (entry, {"host": "evil.example"}),
                ({**entry, "method": "search"}, {}),
                ({**entry, "extra": 1}, {}),
                ({"registration": world.people["jane"].pk, "kind": "entry"}, {}),
                (entry, {"accept": "text/html"}),  # REST framework: 406, nothing recorded
                (entry, {"content-type": "application/json; charset=latin-1"}),
                (entry, {"raw": b"\xef\xbb\xbf" + json.dumps(entry).encode()}),  # a BOM: 400
                (entry, {"also": [("authorization", f"Token {world.key}")]}),  # twice: 401
                # Too long to be a scan, sent in pieces: Django reads the rest.
                ({**entry, "device": "d" * 5000}, {"chunks": 1000}),
            ]:
                status, _body, _h = await post(app, world, body, None, **headers)
                answers.append(status)
            return answers
        finally:
            await fast_scans.close_pools()

    # A token scan may say it came from the search: Django records it (method search).
    # Latin-1 is a charset Django reads: the scan is recorded, by the view (a repeat).
    assert asyncio.run(run()) == [401, 403, 400, 201, 400, 201, 406, 201, 400, 401, 400]
    assert django_app.calls == 11
    assert list(Scan.objects.filter(activity=world.activity).values_list("method", "result")) == [
        ("search", "ok"),
        ("badge", "repeat"),
        ("badge", "repeat"),
    ]


def test_the_same_key_sent_at_once_records_one_scan(settings):
    settings.CMECONF_FAST_SCANS = True
    world = World("burst")
    django_app = CountingApp()
    app = fast_scans.with_fast_scans(django_app)
    body = {"token": world.badge("jane"), "kind": "in", "session": world.lecture.code}

    async def run() -> list:
        try:
            return await asyncio.gather(*(post(app, world, body, "flush-1") for _ in range(12)))
        finally:
            await fast_scans.close_pools()

    answers = asyncio.run(run())
    assert sorted({status for status, _b, _h in answers}) == [200, 201]
    assert len({b["id"] for _s, b, _h in answers}) == 1
    assert Scan.objects.filter(activity=world.activity).count() == 1
    assert AttendanceInterval.objects.filter(session=world.lecture).count() == 1


def test_switched_off_every_scan_goes_through_django(settings):
    app = object()
    settings.CMECONF_FAST_SCANS = False
    assert fast_scans.with_fast_scans(app) is app
    settings.CMECONF_FAST_SCANS = True
    assert fast_scans.with_fast_scans(app) is not app


async def in_thread(work):
    """Run database work from the test's event loop, closing the thread's connection after."""

    def run():
        try:
            return work()
        finally:
            connection.close()

    return await sync_to_async(run)()


def test_changes_take_effect_at_once(settings):
    """A deleted token, and a session that now has limited seats, as the API view sees them."""
    settings.CMECONF_FAST_SCANS = True
    world = World("fresh")
    django_app = CountingApp()
    app = fast_scans.with_fast_scans(django_app)
    lecture = world.lecture
    jane = {"token": world.badge("jane"), "kind": "in", "session": lecture.code}
    paul = {"token": world.badge("paul"), "kind": "in", "session": lecture.code}

    async def scan(body: dict) -> tuple:
        status, answer, _h = await post(app, world, body, None)
        return status, answer.get("result")

    async def run() -> list:
        try:
            answers = [await scan(jane)]
            await in_thread(lambda: type(lecture).objects.filter(pk=lecture.pk).update(capacity=30))
            answers.append(await scan(paul))  # not signed up, now that seats are limited
            await in_thread(lambda: Token.objects.filter(key=world.key).delete())
            answers.append(await scan(jane))
            return answers
        finally:
            await fast_scans.close_pools()

    assert asyncio.run(run()) == [(201, "ok"), (201, "not_signed_up"), (401, None)]
    assert django_app.calls == 1  # only the scan with the deleted token


def test_a_failed_commit_is_answered_here_not_sent_on(settings, monkeypatch):
    """COMMIT failing leaves the scan kept or not: sent on to Django it could count twice."""
    settings.CMECONF_FAST_SCANS = True
    world = World("commit")
    django_app = CountingApp()
    app = fast_scans.with_fast_scans(django_app)

    async def broken(*args, **kwargs):
        raise fast_scans.CommitUncertainError

    monkeypatch.setattr(fast_scans, "_record", broken)
    entry = {"token": world.badge("jane"), "kind": "entry"}

    async def run():
        try:
            return await post(app, world, entry, "c1")
        finally:
            await fast_scans.close_pools()

    status, body, headers = asyncio.run(run())
    assert (status, headers["retry-after"]) == (503, "2")
    assert "same Idempotency-Key" in body["detail"]
    assert django_app.calls == 0
