"""Badge scans from scanner devices, answered beside Django's request stack.

At the morning rush every door posts a scan several times a second. Through
Django's middleware, REST framework and the ORM a scan costs about 8 ms of
processor time, which caps two cores near 110 scans a second. This ASGI route
answers the common request, a badge read by a device signed in with an API
token, with a handful of SQL statements on an async PostgreSQL connection. What
the scan means is decided by the same functions the service uses
(checkin.rules), and the answer has the same body as the API view's.

Anything else goes on to Django untouched, which answers it exactly as always:
other methods and paths, a browser session, a pick from the search, a body with
anything unexpected (or not UTF-8 JSON), an Accept header that does not take
JSON, a header that matters sent twice, a session code or scan time that is not
right, an Idempotency-Key already used (Django answers the first outcome, or
refuses a key reused for another scan), and any scan that finds every fast
connection busy for a quarter of a second. So this route only gives answers
Django would give. The one answer of its own: when COMMIT itself fails the scan
may or may not be kept, so it answers 503 (send again with the same key) rather
than let Django record it a second time.

It is on where production runs, on PostgreSQL (setting CMECONF_FAST_SCANS);
SQLite, the demo's database, has no async driver and goes through Django.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections
from django.http.request import split_domain_port, validate_host
from django.utils.translation import gettext_lazy
from psycopg_pool import PoolTimeout
from rest_framework.fields import DateTimeField

from cmeconf.attendance.choices import AttendanceSource
from cmeconf.attendance.intervals import close_open_scans
from cmeconf.checkin import rules
from cmeconf.checkin.choices import ADMITTED, ScanKind, ScanResult
from cmeconf.common.middleware import STRICT
from cmeconf.registration.badge_tokens import parse_badge_token
from cmeconf.registration.choices import PaymentStatus, RegistrationStatus, SignupStatus

logger = logging.getLogger(__name__)

PATH = re.compile(r"^/api/v1/providers/(?P<provider>[^/]+)/activities/(?P<activity>[^/]+)/scans/$")
# Headers read here; a request that repeats one goes to Django (which joins them).
SINGLE_HEADERS = {
    b"authorization", b"host", b"idempotency-key", b"content-type", b"accept", b"cookie",
    b"x-forwarded-proto",
}  # fmt: skip
# What a scanner may send (ScanWriteSerializer); anything more goes to Django.
FIELDS = {"token", "kind", "session", "scanned_at", "device", "method"}
TOKEN_MAX, SESSION_MAX, DEVICE_MAX, KEY_MAX, BODY_MAX = 500, 6, 100, 100, 4096
# Tokens and scopes are remembered this long, as the API view remembers them.
TTL = 5.0
CACHE_MAX = 10_000
POOL_MAX = 4
# How long a scan waits for a fast connection before the API view takes it instead.
POOL_WAIT = 0.25
ADMITTED_VALUES = tuple(str(r) for r in ADMITTED)

HEADERS = [
    (b"content-type", b"application/json"),
    (b"vary", b"Accept-Language"),
    (b"allow", b"GET, POST, HEAD, OPTIONS"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"content-language", settings.LANGUAGE_CODE.encode()),
    (b"content-security-policy", STRICT.encode()),
]

Send = Callable[[dict], Awaitable[None]]
Receive = Callable[[], Awaitable[dict]]


def enabled() -> bool:
    return bool(getattr(settings, "CMECONF_FAST_SCANS", False)) and (
        settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    )


def with_fast_scans(app: Callable) -> Callable:
    """`app` with scanner scans answered here first, where this route can; `app` otherwise."""
    if not enabled():
        return app

    async def route(scope: dict, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            return await app(scope, receive, send)
        match = PATH.match(scope["path"])
        if match is None:
            return await app(scope, receive, send)
        body, complete = await _read_body(receive)
        answer = None
        if complete:
            try:
                answer = await scan(scope, body, match["provider"], match["activity"])
            except CommitUncertainError:
                # The scan may be kept: sending it on to Django could record it twice.
                logger.exception("fast scan: the commit failed; answered 503")
                answer = 503, {"detail": str(UNCERTAIN)}
            except Exception:
                # Nothing was kept: Django answers instead, and shows the fault its own way.
                logger.exception("fast scan failed; answered by the API view")
        if answer is None:
            return await app(scope, _replay_body(body, complete, receive), send)
        status, payload = answer
        headers = [*HEADERS]
        if status == 503:
            headers.append((b"retry-after", b"2"))
        if _secure(scope, _headers(scope) or {}) and settings.SECURE_HSTS_SECONDS:
            headers.append((b"strict-transport-security", _hsts().encode()))
        content = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [*headers, (b"content-length", str(len(content)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": content})

    return route


def _hsts() -> str:
    value = f"max-age={settings.SECURE_HSTS_SECONDS}"
    if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
        value += "; includeSubDomains"
    if settings.SECURE_HSTS_PRELOAD:
        value += "; preload"
    return value


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The request body; complete is False when it is too long to be a scan (or the client
    left): Django then reads on, and sees what the server says next.
    """
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), size <= BODY_MAX
        if size > BODY_MAX:
            # Django reads the rest itself.
            return b"".join(chunks), False


def _replay_body(body: bytes, complete: bool, receive: Receive) -> Receive:
    """A receive that gives Django the body already read, then the rest of the request."""
    sent = False

    async def replay() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            # A body cut short (too long to be a scan) goes on with what is still to come.
            return {"type": "http.request", "body": body, "more_body": not complete}
        return await receive()

    return replay


# ---- what the request says ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Request:
    token_key: str
    idempotency_key: str | None
    badge: str
    kind: str
    session_code: str
    scanned_at: dt.datetime | None
    device: str


def _headers(scope: dict) -> dict[bytes, bytes] | None:
    """The request's headers by name; None when one that matters here comes twice.

    Django joins repeated headers with commas: such a request is left to it.
    """
    headers: dict[bytes, bytes] = {}
    for name, value in scope["headers"]:
        name = name.lower()
        if name in headers and name in SINGLE_HEADERS:
            return None
        headers[name] = value
    return headers


def _json_accepted(headers: dict[bytes, bytes]) -> bool:
    """Whether REST framework's content negotiation would choose JSON (else it answers 406)."""
    accept = headers.get(b"accept", b"").lower()
    if not accept.strip():
        return True
    ranges = {part.split(b";")[0].strip() for part in accept.split(b",")}
    return bool(ranges & {b"*/*", b"application/*", b"application/json"})


def parse(scope: dict, body: bytes) -> Request | None:
    """The scan a request asks for, or None when Django should answer it."""
    headers = _headers(scope)
    if headers is None or not _host_allowed(scope, headers) or not _json_accepted(headers):
        return None
    auth = headers.get(b"authorization", b"").split()
    if len(auth) != 2 or auth[0].lower() != b"token" or b"cookie" in headers:
        return None
    media, _sep, params = headers.get(b"content-type", b"").partition(b";")
    if media.strip().lower() != b"application/json":
        return None
    charset = params.strip().lower().removeprefix(b"charset=").strip(b'"')
    if params.strip() and charset not in (b"utf-8", b"utf8"):
        return None
    key = headers.get(b"idempotency-key", b"").decode("latin-1").strip()
    if len(key) > KEY_MAX:
        return None
    try:
        # As REST framework's parser: UTF-8, strict (a byte-order mark is an error).
        data = json.loads(body.decode("utf-8"))
    except ValueError:
        return None
    if not isinstance(data, dict) or not set(data) <= FIELDS:
        return None
    badge, kind = data.get("token"), data.get("kind")
    session, device = data.get("session", ""), data.get("device", "")
    if data.get("method", "badge") != "badge" or kind not in ScanKind.values:
        return None
    if not all(isinstance(v, str) for v in (badge, session, device)):
        return None
    if not all(_plain(v) for v in (badge, session, device)):
        return None
    badge, session, device = badge.strip(), session.strip(), device.strip()
    if not badge or len(badge) > TOKEN_MAX or len(session) > SESSION_MAX:
        return None
    if len(device) > DEVICE_MAX or (kind == ScanKind.ENTRY) != (session == ""):
        return None
    scanned_at = None
    if "scanned_at" in data:
        try:
            scanned_at = dt.datetime.fromisoformat(data["scanned_at"])
        except (TypeError, ValueError):
            return None
        if scanned_at.tzinfo is None:
            return None
    return Request(
        token_key=auth[1].decode("latin-1"),
        idempotency_key=key or None,
        badge=badge,
        kind=kind,
        session_code=session,
        scanned_at=scanned_at,
        device=device,
    )


def _plain(text: str) -> bool:
    """Text REST framework would take: no NUL character, no lone surrogate."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _secure(scope: dict, headers: dict) -> bool:
    """HTTPS, as Django's request.is_secure() tells it (a TLS proxy's header included)."""
    proxy = settings.SECURE_PROXY_SSL_HEADER
    if proxy:
        name = proxy[0].removeprefix("HTTP_").replace("_", "-").lower().encode("latin-1")
        if name in headers:
            return headers[name].decode("latin-1").split(",")[0].strip() == proxy[1]
    return scope.get("scheme") == "https"


def _host_allowed(scope: dict, headers: dict) -> bool:
    """Django's checks that come before any view: the host, and HTTPS where it is required."""
    if settings.SECURE_SSL_REDIRECT and not _secure(scope, headers):
        return False
    host = headers.get(b"host", b"").decode("latin-1")
    domain, _port = split_domain_port(host)
    return bool(domain) and validate_host(domain, settings.ALLOWED_HOSTS)


# ---- who asks, for which conference, and which session --------------------------------------


@dataclass(frozen=True, slots=True)
class Conference:
    id: int
    tz: dt.tzinfo
    start_date: dt.date


@dataclass(frozen=True, slots=True)
class SessionRow:
    id: int
    code: str
    end: dt.datetime
    limited: bool  # seats for those signed up only


_tokens: dict[str, tuple[float, int | None]] = {}
_scopes: dict[tuple, tuple[float, Conference | None]] = {}


def forget() -> None:
    """Drop every remembered token and scope (tests)."""
    _tokens.clear()
    _scopes.clear()


def forget_token(key: str) -> None:
    """A deleted API token stops working here at once (other processes: within TTL)."""
    _tokens.pop(key, None)


def _remember(cache: dict, key, value) -> None:
    if len(cache) >= CACHE_MAX:
        cache.clear()
    cache[key] = (time.monotonic() + TTL, value)


def _recall(cache: dict, key):
    hit = cache.get(key)
    if hit is not None and hit[0] > time.monotonic():
        return True, hit[1]
    return False, None


async def _user_of(conn, key: str) -> int | None:
    known, user_id = _recall(_tokens, key)
    if not known:
        row = await (
            await conn.execute(
                "SELECT u.id FROM authtoken_token t JOIN accounts_user u ON u.id = t.user_id "
                "WHERE t.key = %s AND u.is_active",
                (key,),
            )
        ).fetchone()
        user_id = row[0] if row else None
        _remember(_tokens, key, user_id)
    return user_id


def _conference_for(user_id: int, provider: str, activity: str) -> Conference | None:
    """The conference, when the user may check people in there (the API view's rule)."""
    from cmeconf.accounts.models import User
    from cmeconf.activities.models import Activity
    from cmeconf.providers.permissions import Permission, permission_set

    close_old_connections()
    try:
        user = User.objects.filter(pk=user_id, is_active=True).first()
        found = (
            Activity.objects.select_related("provider")
            .filter(provider__slug=provider, slug=activity)
            .first()
        )
        if user is None or found is None:
            return None
        if Permission.REGISTRATION not in permission_set(user, found.provider, found):
            return None
        return Conference(found.pk, found.tz, found.start_date)
    finally:
        close_old_connections()


async def _conference(user_id: int, provider: str, activity: str) -> Conference | None:
    key = (user_id, provider, activity)
    known, conference = _recall(_scopes, key)
    if not known:
        conference = await sync_to_async(_conference_for)(user_id, provider, activity)
        _remember(_scopes, key, conference)
    return conference


# ---- the connection pool ----------------------------------------------------------------------

_pools: dict[asyncio.AbstractEventLoop, Any] = {}


def _conninfo() -> dict:
    db = settings.DATABASES["default"]
    params = {
        "dbname": db.get("NAME"),
        "user": db.get("USER"),
        "password": db.get("PASSWORD"),
        "host": db.get("HOST"),
        "port": str(db["PORT"]) if db.get("PORT") else None,
    }
    for name in ("sslmode", "sslrootcert", "sslcert", "sslkey", "application_name"):
        if name in db.get("OPTIONS", {}):
            params[name] = db["OPTIONS"][name]
    return {k: v for k, v in params.items() if v}


async def _pool():
    loop = asyncio.get_running_loop()
    pool = _pools.get(loop)
    if pool is None:
        from psycopg_pool import AsyncConnectionPool

        async def configure(conn) -> None:
            await conn.set_autocommit(True)
            await conn.execute("SET TIME ZONE 'UTC'")

        pool = AsyncConnectionPool(
            kwargs=_conninfo(),
            min_size=1,
            max_size=POOL_MAX,
            timeout=settings.DATABASES["default"]
            .get("OPTIONS", {})
            .get("pool", {})
            .get("timeout", 30),
            configure=configure,
            open=False,
        )
        _pools[loop] = pool
        await pool.open()
    return pool


async def close_pools() -> None:
    """Close this event loop's pool (at shutdown, and in tests between loops)."""
    pool = _pools.pop(asyncio.get_running_loop(), None)
    if pool is not None:
        await pool.close()


# ---- the scan ---------------------------------------------------------------------------------


async def scan(scope: dict, body: bytes, provider: str, activity: str) -> tuple[int, dict] | None:
    """(status, body) of a recorded scan, or None when Django should answer."""
    request = parse(scope, body)
    if request is None:
        return None
    try:
        async with (await _pool()).connection(timeout=POOL_WAIT) as conn:
            return await _scan(conn, request, provider, activity)
    except PoolTimeout:
        # Every fast connection is busy: the API view takes this one.
        return None


async def _scan(conn, request: Request, provider: str, activity: str):
    user_id = await _user_of(conn, request.token_key)
    if user_id is None:
        return None
    conference = await _conference(user_id, provider, activity)
    if conference is None:
        return None
    now = dt.datetime.now(dt.UTC)
    when = request.scanned_at or now
    if request.scanned_at is not None and rules.time_problem(
        when, start_date=conference.start_date, tz=conference.tz, now=now
    ):
        return None
    return await _record(conn, request, user_id, conference, when, now)


class _KeyUsedError(Exception):
    """The Idempotency-Key was used before: Django answers the first outcome."""


class CommitUncertainError(Exception):
    """COMMIT failed: the scan may be kept or not, so it must not go on to Django."""


UNCERTAIN = gettext_lazy(
    "The scan may not have been saved. Send it again with the same Idempotency-Key."
)


class _HandOnError(Exception):
    """Django should answer (e.g. no such session): nothing is written."""


async def _record(conn, request, user_id, conference, when, now):
    """Record the scan in one transaction: five round trips at most, BEGIN and COMMIT included.

    The session and the registration are read in one round trip, the registration
    locked (as the service locks it); then what the rules need is read, and all the
    writes go in one pipeline.
    """
    committing = False
    try:
        async with conn.transaction():
            session, reg = await _session_and_registration(conn, conference, request)
            badge = rules.Badge(reg["activity_id"], reg["status"], reg["mode"]) if reg else None
            workshop = session is not None and session.limited
            signed_up, events, current = False, [], []
            if session is not None and badge is not None and badge.activity_id == conference.id:
                signed_up, events, current = await _session_facts(conn, reg, session, workshop)
            refusal = rules.refusal(conference.id, badge, workshop=workshop, signed_up=signed_up)
            result = refusal or rules.result(
                request.kind, checked_in_at=reg["checked_in_at"], when=when, events=events
            )
            if refusal == ScanResult.WRONG_ACTIVITY:
                reg = None
            writes = []
            if result == ScanResult.OK:
                if session is None:
                    writes.append((ARRIVED, (when, reg["id"])))
                else:
                    spans = [*events, (when, request.kind)]
                    writes += _interval_writes(session, reg["person_id"], spans, current, now)
            pending = reg is not None and reg["status"] == RegistrationStatus.PENDING_PAYMENT
            async with conn.pipeline():
                inserted = await conn.execute(
                    INSERT_SCAN,
                    (
                        conference.id,
                        reg["id"] if reg else None,
                        session.id if session else None,
                        request.kind,
                        str(result),
                        when,
                        now,
                        request.device,
                        user_id,
                        request.idempotency_key,
                    ),
                )
                for sql, params in writes:
                    await conn.execute(sql, params)
                paid = (
                    await conn.execute(PAID, (reg["id"], str(PaymentStatus.PAID)))
                    if pending
                    else None
                )
            row = await inserted.fetchone()
            if row is None:
                # What was written with it goes with the rollback.
                raise _KeyUsedError
            amount_due = _outstanding(reg, (await paid.fetchone())[0]) if pending else None
            # Made before the commit: once the scan is kept, nothing may fail and send the
            # request on to Django, which would record it a second time.
            answer = _answer(
                row[0], request, session, str(result), reg, amount_due, when, conference
            )
            committing = True
    except (_KeyUsedError, _HandOnError):
        return None
    except Exception as exc:
        if committing:
            raise CommitUncertainError from exc
        raise
    return 201, answer


INSERT_SCAN = (
    "INSERT INTO checkin_scan (activity_id, registration_id, session_id, kind, result, "
    "scanned_at, received_at, device, method, recorded_by_id, idempotency_key) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 'badge', %s, %s) "
    "ON CONFLICT (recorded_by_id, idempotency_key) DO NOTHING RETURNING id"
)
ARRIVED = "UPDATE registration_registration SET checked_in_at = %s WHERE id = %s"
PAID = (
    "SELECT COALESCE(SUM(amount), 0) FROM registration_payment "
    "WHERE registration_id = %s AND status = %s"
)


async def _session_and_registration(conn, conference: Conference, request: Request):
    """(the session scanned into or None, the locked registration the badge names or None).

    The session is read afresh on every scan, as the view reads it. Raises
    _HandOnError when the code names no scheduled session of the conference.
    """
    parsed = parse_badge_token(request.badge)
    async with conn.pipeline():
        found = None
        if request.session_code:
            found = await conn.execute(
                'SELECT id, code, "end", capacity FROM activities_session '
                "WHERE activity_id = %s AND code = %s AND start IS NOT NULL",
                (conference.id, request.session_code),
            )
        locked = None
        if parsed is not None:
            locked = await conn.execute(
                "SELECT r.id, r.activity_id, r.status, r.checked_in_at, r.badge_key, "
                "r.person_id, r.price, r.discount, t.mode, t.name, u.first_name, u.last_name, "
                "u.email FROM registration_registration r "
                "JOIN registration_registrationtype t ON t.id = r.registration_type_id "
                "JOIN accounts_user u ON u.id = r.person_id "
                "WHERE r.id = %s FOR UPDATE OF r",
                (parsed[0],),
            )
    session = None
    if found is not None:
        row = await found.fetchone()
        if row is None:
            raise _HandOnError
        session = SessionRow(row[0], row[1], row[2], row[3] is not None)
    reg = None
    if locked is not None:
        row = await locked.fetchone()
        if row is not None and secrets.compare_digest(row[4], parsed[1]):
            reg = dict(zip([d.name for d in locked.description], row, strict=True))
    return session, reg


async def _session_facts(conn, reg: dict, session: SessionRow, workshop: bool):
    """(signed up, admitted scans as events, current scan intervals), in one round trip."""
    async with conn.pipeline():
        signup = None
        if workshop:
            signup = await conn.execute(
                "SELECT 1 FROM registration_workshopsignup "
                "WHERE registration_id = %s AND session_id = %s AND status = %s",
                (reg["id"], session.id, str(SignupStatus.CONFIRMED)),
            )
        scans = await conn.execute(
            "SELECT scanned_at, kind FROM checkin_scan "
            "WHERE registration_id = %s AND session_id = %s AND result = ANY(%s)",
            (reg["id"], session.id, list(ADMITTED_VALUES)),
        )
        intervals = await conn.execute(
            'SELECT id, start, "end", voided_at FROM attendance_attendanceinterval '
            "WHERE session_id = %s AND person_id = %s AND source = %s",
            (session.id, reg["person_id"], str(AttendanceSource.SCAN)),
        )
    signed_up = signup is not None and await signup.fetchone() is not None
    events = [(at, kind) for at, kind in await scans.fetchall()]
    return signed_up, events, await intervals.fetchall()


def _interval_writes(session: SessionRow, person_id: int, events, current, now) -> list:
    """The statements that pair the learner's scans again (as services._write_intervals)."""
    wanted = set(close_open_scans(events, session.end).intervals)
    stale, missing = rules.interval_changes(wanted, current)
    writes = []
    if stale:
        writes.append(("DELETE FROM attendance_attendanceinterval WHERE id = ANY(%s)", (stale,)))
    for start, end in missing:
        writes.append(
            (
                'INSERT INTO attendance_attendanceinterval (session_id, person_id, start, "end", '
                "source, device, reason, recorded_at, void_reason) "
                "VALUES (%s, %s, %s, %s, %s, '', '', %s, '')",
                (session.id, person_id, start, end, str(AttendanceSource.SCAN), now),
            )
        )
    return writes


def _outstanding(reg: dict, paid: Decimal) -> Decimal:
    """As payments.base.outstanding: the amount due less what has been paid."""
    amount_due = max(reg["price"] - reg["discount"], 0)  # Registration.amount_due
    return max(amount_due - paid, Decimal(0)).quantize(Decimal("0.01"))


def _answer(scan_id, request, session, result, reg, amount_due, when, conference) -> dict:
    """The body ScanOutcomeSerializer gives for the same scan."""
    person = None
    if reg is not None:
        name = f"{reg['first_name']} {reg['last_name']}".strip() or reg["email"]
        person = {
            "registration": reg["id"],
            "name": name,
            "registration_type": reg["name"],
            "status": reg["status"],
        }
    return {
        "id": scan_id,
        "kind": request.kind,
        "session": session.code if session else None,
        "result": result,
        "admitted": result in ADMITTED_VALUES,
        "message": rules.message(result, request.kind),
        "person": person,
        "amount_due": None if amount_due is None else str(amount_due),
        "scanned_at": DateTimeField(default_timezone=conference.tz).to_representation(when),
        "replayed": False,
    }
