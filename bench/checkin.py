"""Benchmark check-in: badge scans through the scanner API, and a rush of registrations.

    python bench/checkin.py [--duration 20] [--connections 16] [--rush 1000 --capacity 300]

It uses the same PostgreSQL database as bench/run.py (created when missing and
migrated) and, in it, a provider of its own ("checkin-bench", so the demo data
is left alone), recreated on every run:

- a conference happening today, with 3,000 confirmed in-person registrants (the
  size of the demo meeting) and 8 sessions running now, and a scanner account
  of the registration desk with an API token;
- a second, published conference with one free registration type and
  `--capacity` seats, for the rush.

Then it counts the SQL queries of one scan in this process, starts the
production server as bench/run.py does (`cmeconf serve --workers 2`, debug off,
Redis cache) and:

1. scans: `--connections` scanner clients (wrk with bench/scans.lua) post
   scans with distinct badge tokens and Idempotency-Keys for `--duration`
   seconds: every registrant's entry, then each session's check-ins and
   check-outs. It prints scans/s, latency percentiles and errors, and checks
   that the Scan rows recorded equal the scans answered 201.
2. rush: `--rush` learners, each with their own API token, all POST their
   registration at the same moment (one connection each); it prints the time
   until the last answer and the confirmed / wait-listed counts, which must
   equal the capacity and the rest exactly.

The server is stopped at the end, always. Figures go to bench/results/.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # bench/run.py: the same database, server and helpers

BENCH = run.BENCH
PROVIDER = "checkin-bench"
DOMAIN = "checkin-bench.example"
SCANNER_EMAIL = f"scanner@{DOMAIN}"
CONFERENCE = "scan-today"
RUSH = "rush"
SESSIONS = 8


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", run.DEFAULT_DB),
        help=f"PostgreSQL URL on this machine (default {run.DEFAULT_DB}; env BENCH_DATABASE_URL)",
    )  # fmt: skip
    p.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", run.DEFAULT_REDIS),
        help=f"Redis for the cache (default {run.DEFAULT_REDIS}; env BENCH_REDIS_URL)",
    )  # fmt: skip
    p.add_argument("--port", type=int, default=8766)
    p.add_argument("--workers", type=int, default=2, help="server processes (default 2)")
    p.add_argument("--connections", type=int, default=16, help="scanner clients (16)")
    p.add_argument("--duration", type=float, default=20.0, help="seconds of scanning (20)")
    p.add_argument("--warmup", type=float, default=3.0, help="seconds of scanning before")
    p.add_argument("--registrants", type=int, default=3000, help="registrants (3000)")
    p.add_argument("--rush", type=int, default=1000, help="learners registering at once (1000)")
    p.add_argument("--capacity", type=int, default=300, help="seats in the rush (300)")
    p.add_argument(
        "--rush-via", choices=("server", "threads"), default="server",
        help="server: each learner POSTs to the register endpoint through the server, all at "
        "once (default); threads: registration.services.register in this process, from "
        "--rush-threads threads, each with its own database connection",
    )  # fmt: skip
    p.add_argument("--rush-threads", type=int, default=40, help="threads for --rush-via threads")
    p.add_argument(
        "--settings", default="cmeconf.settings",
        help="Django settings module, to try a settings change (module on PYTHONPATH)",
    )  # fmt: skip
    p.add_argument("--fresh", action="store_true", help="drop and recreate the database first")
    p.add_argument(
        "--api-view-only", action="store_true",
        help="switch the fast scan route off (CMECONF_FAST_SCANS=0): every scan through Django",
    )  # fmt: skip
    p.add_argument("--skip-scans", action="store_true", help="only the rush")
    p.add_argument("--skip-rush", action="store_true", help="only the scans")
    return p.parse_args(argv)


say = run.say


# -- the data, made in this process ------------------------------------------------------------


def _people(count: int):
    """`count` learner accounts of the benchmark (made once, reused), with API tokens."""
    from django.contrib.auth.hashers import make_password
    from rest_framework.authtoken.models import Token

    from cmeconf.accounts.models import User

    existing = User.objects.filter(email__endswith=f".learner@{DOMAIN}").count()
    if existing < count:
        unusable = make_password(None)
        User.objects.bulk_create(
            User(email=f"{i:05d}.learner@{DOMAIN}", first_name="Learner", last_name=f"{i:05d}",
                 profession="physician", password=unusable)
            for i in range(existing, count)
        )  # fmt: skip
    people = list(User.objects.filter(email__endswith=f".learner@{DOMAIN}").order_by("email"))
    people = people[:count]
    have = set(Token.objects.filter(user__in=people).values_list("user_id", flat=True))
    Token.objects.bulk_create(
        Token(user=p, key=Token.generate_key()) for p in people if p.pk not in have
    )
    return people


def _clear_provider() -> None:
    """Remove the previous run's conferences (their scans, attendance and registrations)."""
    from cmeconf.activities.models import Activity
    from cmeconf.attendance.models import AttendanceInterval
    from cmeconf.checkin.models import Scan
    from cmeconf.providers.models import Provider
    from cmeconf.registration.models import Registration

    provider = Provider.objects.filter(slug=PROVIDER).first()
    if provider is None:
        return
    activities = Activity.objects.filter(provider=provider)
    AttendanceInterval.objects.filter(session__activity__in=activities).delete()
    Scan.objects.filter(activity__in=activities).delete()
    Registration.objects.filter(activity__in=activities).delete()
    activities.delete()
    # The provider and its team stay: the audit trail (append-only) names them by id.


def prepare(args: argparse.Namespace) -> dict:
    """The benchmark's provider, conferences, registrants, scanner account and badge tokens."""
    from django.db import transaction
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from cmeconf.accounts.models import User
    from cmeconf.activities.choices import ActivityKind, ActivityState, SessionFormat
    from cmeconf.activities.models import Activity, Session
    from cmeconf.providers.models import Provider, Team
    from cmeconf.registration.badge_tokens import badge_token
    from cmeconf.registration.choices import AttendanceMode, RegistrationStatus
    from cmeconf.registration.models import Registration, RegistrationSetup, RegistrationType

    began = time.monotonic()
    people = _people(max(args.registrants, args.rush))
    now = timezone.now()
    with transaction.atomic():
        _clear_provider()
        provider, _created = Provider.objects.get_or_create(
            slug=PROVIDER, defaults={"name": "Check-in benchmark", "time_zone": "UTC"}
        )
        scanner, _created = User.objects.get_or_create(
            email=SCANNER_EMAIL, defaults={"first_name": "Door", "last_name": "Scanner"}
        )
        team, _created = Team.objects.get_or_create(
            provider=provider, name="Registration desk",
            defaults={"all_activities": True, "permissions": ["registration"]},
        )  # fmt: skip
        team.members.add(scanner)
        token, _created = Token.objects.get_or_create(user=scanner)
        today = now.date()
        conference, rush = (
            Activity.objects.create(
                provider=provider, slug=slug, title=title, kind=ActivityKind.CONFERENCE,
                start_date=today, end_date=today + dt.timedelta(days=1), time_zone="UTC",
                state=ActivityState.PUBLISHED,
            )
            for slug, title in ((CONFERENCE, "Scanning today"), (RUSH, "Registration rush"))
        )  # fmt: skip
        start = now.replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=1)
        sessions = [
            Session.objects.create(
                activity=conference, title=f"Session {n + 1}", format=SessionFormat.LECTURE,
                start=start, end=start + dt.timedelta(hours=6),
            )
            for n in range(SESSIONS)
        ]  # fmt: skip
        RegistrationSetup.objects.create(activity=conference)
        in_person = RegistrationType.objects.create(
            activity=conference, code="in-person", name="In person", mode=AttendanceMode.IN_PERSON
        )
        Registration.objects.bulk_create(
            Registration(
                activity=conference, person=p, registration_type=in_person,
                status=RegistrationStatus.CONFIRMED, registered_by=p, created=now,
                confirmed_at=now, badge_key=secrets.token_urlsafe(12),
            )
            for p in people[: args.registrants]
        )  # fmt: skip
        RegistrationSetup.objects.create(activity=rush, capacity=args.capacity)
        RegistrationType.objects.create(
            activity=rush, code="free", name="Free", mode=AttendanceMode.IN_PERSON
        )
    regs = list(Registration.objects.filter(activity=conference).order_by("id"))
    say(
        f"data ready ({time.monotonic() - began:.1f} s): {len(regs)} registrants, "
        f"{len(sessions)} sessions, rush of {args.rush} for {args.capacity} seats"
    )
    return {
        "conference": conference,
        "rush": rush,
        "sessions": [s.code for s in sessions],
        "tokens": [badge_token(r) for r in regs],
        "scanner_token": token.key,
        "rush_tokens": list(
            Token.objects.filter(user__in=people[: args.rush]).values_list("key", flat=True)
        ),
    }


def scan_queue(data: dict, lag: int = 300) -> list[tuple[str, dict]]:
    """(Idempotency-Key, body) of every scan, kinds mixed as at a meeting.

    Arrivals at the door, check-ins to sessions and, `lag` scans behind them,
    the check-outs of those check-ins: a third of each wherever the load stops.
    Every registrant arrives once and goes in and out of each session once.
    """
    run_id = secrets.token_hex(4)
    tokens, codes = data["tokens"], data["sessions"]
    entries = [(f"{run_id}-e{i}", {"token": t, "kind": "entry", "device": "door-1"})
               for i, t in enumerate(tokens)]  # fmt: skip
    visits = [(i, s) for s in range(len(codes)) for i in range(len(tokens))]

    def scan(kind: str, visit: tuple[int, int]) -> tuple[str, dict]:
        i, s = visit
        body = {"token": tokens[i], "kind": kind, "session": codes[s], "device": f"room-{s + 1}"}
        return f"{run_id}-{kind}{s}-{i}", body

    queue = []
    for step in range(len(visits) + lag):
        if step < len(entries):
            queue.append(entries[step])
        if step < len(visits):
            queue.append(scan("in", visits[step]))
        if 0 <= step - lag < len(visits):
            queue.append(scan("out", visits[step - lag]))
    return queue


def count_scan_queries(data: dict) -> dict[str, int]:
    """Queries of one entry scan, one session check-in and one replay, in this process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {data['scanner_token']}")
    # The last registrant: the load reaches them last, if at all.
    token = data["tokens"][-1]
    entry_key = f"count-{secrets.token_hex(6)}"
    counts = {}
    for label, body, key in (
        ("entry", {"token": token, "kind": "entry"}, entry_key),
        ("session in", {"token": token, "kind": "in", "session": data["sessions"][-1]},
         f"count-{secrets.token_hex(6)}"),
        ("replay", {"token": token, "kind": "entry"}, entry_key),
    ):  # fmt: skip
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(
                _scan_path(data), json.dumps(body), content_type="application/json",
                headers={"Idempotency-Key": key},
            )  # fmt: skip
        if response.status_code not in (200, 201):
            raise SystemExit(f"a scan answered {response.status_code}: {response.content[:300]}")
        counts[label] = len(ctx.captured_queries)
    connection.close()
    return counts


def _scan_path(data: dict) -> str:
    from django.urls import reverse

    return reverse("api:scans", args=[PROVIDER, data["conference"].slug])


def scans_recorded(conference, *, settle: bool = True) -> int:
    """Scan rows of the conference, once the server has finished what it was given.

    wrk stops listening when its time is up; the requests it had sent are still
    answered (and recorded) after that, so wait until the count stops moving.
    """
    from django.db import connection

    from cmeconf.checkin.models import Scan

    count = Scan.objects.filter(activity=conference).count()
    while settle:
        time.sleep(0.5)
        count, previous = Scan.objects.filter(activity=conference).count(), count
        settle = count != previous
    connection.close()
    return count


# -- load ----------------------------------------------------------------------------------------


def wrk_scans(base: str, path: str, token: str, queue, args, seconds: float) -> dict:
    threads = 2
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
        fh.write(f"{path}\t{token}\n")
        for key, body in queue:
            fh.write(f"{key}\t{json.dumps(body, separators=(',', ':'))}\n")
        scan_file = fh.name
    try:
        out = subprocess.run(
            ["wrk", "-t", str(threads), "-c", str(args.connections),
             "-d", f"{max(1, round(seconds))}s", "--timeout", "10s",
             "-s", str(BENCH / "scans.lua"), base, "--", scan_file, str(threads)],
            capture_output=True, text=True, check=True, timeout=seconds + 60,
        ).stdout  # fmt: skip
    finally:
        os.unlink(scan_file)
    line = next((ln for ln in out.splitlines() if ln.startswith("BENCH ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no result:\n{out}")
    return json.loads(line[len("BENCH ") :])


async def _post_all(host: str, port: int, path: str, token: str, items, connections: int):
    """POST every (key, body) over `connections` keep-alive connections; the status of each."""
    pending = list(enumerate(items))
    statuses: list[int] = [0] * len(items)

    async def client() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        while pending:
            i, (key, body) = pending.pop()
            data = json.dumps(body).encode()
            writer.write(
                (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Token {token}\r\n"
                 f"Idempotency-Key: {key}\r\nContent-Type: application/json\r\n"
                 f"Content-Length: {len(data)}\r\n\r\n").encode() + data
            )  # fmt: skip
            await writer.drain()
            statuses[i] = int((await reader.readline()).split()[1])
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _sep, value = line.decode("latin-1").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            await reader.readexactly(length)
        writer.close()

    await asyncio.gather(*(client() for _ in range(connections)))
    return statuses


def check_exact(base_port: int, path: str, data: dict, queue, args) -> dict:
    """Send scans with every answer read, twice: rows must equal the 201s, then nothing new."""
    items = [(f"check-{key}", body) for key, body in queue[-3000:]]
    before = scans_recorded(data["conference"], settle=False)
    first = asyncio.run(
        _post_all("127.0.0.1", base_port, path, data["scanner_token"], items, args.connections)
    )
    middle = scans_recorded(data["conference"], settle=False)
    again = asyncio.run(
        _post_all("127.0.0.1", base_port, path, data["scanner_token"], items, args.connections)
    )
    after = scans_recorded(data["conference"], settle=False)
    return {
        "sent": len(items),
        "answered_201": first.count(201),
        "rows": middle - before,
        "resent_answered_200": again.count(200),
        "rows_after_resend": after - middle,
        "other": len([x for x in first + again if x not in (200, 201)]),
    }


async def _register(host: str, port: int, path: str, token: str, go: asyncio.Event) -> tuple:
    """One learner's registration, retried as the server asks when it answers 503 (busy)."""
    body = json.dumps({"registration_type": "free"}).encode()
    request = (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Token {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode() + body
    reader, writer = await asyncio.open_connection(host, port)
    await go.wait()
    began = time.perf_counter()
    retries = 0
    while True:
        writer.write(request)
        await writer.drain()
        status = int((await reader.readline()).split()[1])
        head = (await reader.read()).decode("latin-1")
        writer.close()
        if status != 503 or retries >= 10:
            return status, time.perf_counter() - began, retries
        retries += 1
        wait = next(
            (int(line.split(":")[1]) for line in head.split("\r\n")
             if line.lower().startswith("retry-after:")),
            1,
        )  # fmt: skip
        await asyncio.sleep(wait)
        reader, writer = await asyncio.open_connection(host, port)


async def _rush(host: str, port: int, path: str, tokens: list[str]) -> dict:
    go = asyncio.Event()
    tasks = [asyncio.create_task(_register(host, port, path, t, go)) for t in tokens]
    await asyncio.sleep(1.0)  # every connection open before anyone sends
    began = time.perf_counter()
    go.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    elapsed = time.perf_counter() - began
    statuses: dict[str, int] = {}
    latencies = []
    retried = 0
    for r in results:
        key = type(r).__name__ if isinstance(r, BaseException) else str(r[0])
        statuses[key] = statuses.get(key, 0) + 1
        if not isinstance(r, BaseException):
            latencies.append(r[1])
            retried += r[2] > 0
    latencies.sort()
    return {
        "seconds": round(elapsed, 2),
        "statuses": statuses,
        # Learners told "busy, try again" (503, Retry-After) at least once before their answer.
        "retried": retried,
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else 0,
        "max_ms": round(latencies[-1] * 1000, 1) if latencies else 0,
    }


def rush_in_threads(rush, tokens: list[str], threads: int) -> dict:
    """services.register for each learner from a pool of threads, each on its own connection."""
    from concurrent.futures import ThreadPoolExecutor

    from django.core.exceptions import ValidationError
    from django.db import connections
    from rest_framework.authtoken.models import Token

    from cmeconf.registration import services
    from cmeconf.registration.models import RegistrationType

    people = [t.user for t in Token.objects.filter(key__in=tokens).select_related("user")]
    free = RegistrationType.objects.get(activity=rush, code="free")

    def register(person) -> str:
        began = time.perf_counter()
        try:
            services.register(rush, person, registration_type=free, by=person)
            return "201", time.perf_counter() - began
        except ValidationError:
            return "400", time.perf_counter() - began
        finally:
            connections.close_all()

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(pool.map(register, people))
    elapsed = time.perf_counter() - began
    statuses: dict[str, int] = {}
    for code, _seconds in results:
        statuses[code] = statuses.get(code, 0) + 1
    latencies = sorted(seconds for _code, seconds in results)
    return {
        "seconds": round(elapsed, 2),
        "statuses": statuses,
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "max_ms": round(latencies[-1] * 1000, 1),
    }


def rush_counts(rush) -> dict[str, int]:
    from django.db import connection

    from cmeconf.registration.choices import SEAT_STATUSES, RegistrationStatus
    from cmeconf.registration.models import Registration

    regs = Registration.objects.filter(activity=rush)
    counts = {
        "seats": regs.filter(status__in=SEAT_STATUSES).count(),
        "confirmed": regs.filter(status=RegistrationStatus.CONFIRMED).count(),
        "waitlisted": regs.filter(status=RegistrationStatus.WAITLISTED).count(),
        "total": regs.count(),
    }
    connection.close()
    return counts


# -- main ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    run.require_local(args.database_url, "The database")
    run.require_local(args.redis_url, "Redis")
    if not shutil.which("wrk") and not args.skip_scans:
        sys.exit("wrk is not installed: apt-get install wrk (it posts the scans)")
    if not run.port_free(args.port):
        sys.exit(f"port {args.port} is in use; choose another with --port")
    env = run.bench_env(args)
    # Mail is a task of its own in production; the rush measures registering.
    env["CMECONF_EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    env["CMECONF_FAST_SCANS"] = "0" if args.api_view_only else "1"
    import redis

    redis.Redis.from_url(args.redis_url, socket_connect_timeout=5).ping()
    run.ensure_database(args.database_url, fresh=args.fresh)
    say("migrating and collecting static files")
    run.cmeconf(env, "migrate", "--no-input", "-v", "0")
    run.cmeconf(env, "collectstatic", "--no-input", "-v", "0")

    os.environ.update(env)
    import django

    django.setup()
    data = prepare(args)
    queries = count_scan_queries(data)
    say(
        "queries per scan through the API view, BEGIN and COMMIT included: "
        + ", ".join(f"{k} {v}" for k, v in queries.items())
    )
    queue = scan_queue(data)
    path = _scan_path(data)
    # Warm-up scans come from the end of the queue; the measured ones from its start.
    warm = [(f"warm-{k}", body) for k, body in queue[-2000:]]

    base = f"http://127.0.0.1:{args.port}"
    load_before = os.getloadavg()[0]
    if load_before > 0.5 * (os.cpu_count() or 1):
        say(f"warning: the machine is busy (load {load_before:.1f}); the figures will be low")
    log_path = run.ROOT / "var" / "bench" / "server-checkin.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    say(f"starting the server on {base} ({args.workers} workers), log in {log_path}")
    report: dict = {"queries": queries}
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "cmeconf.cli", "serve", "--host", "127.0.0.1",
             "--port", str(args.port), "--workers", str(args.workers), "--no-access-log"],
            env=env, cwd=run.ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            run.wait_ready(base + "/api/v1/topics/", proc)
            if not args.skip_scans:
                say(f"scans: {args.warmup:.0f} s warm-up, then {args.duration:.0f} s "
                    f"with {args.connections} clients")  # fmt: skip
                wrk_scans(base, path, data["scanner_token"], warm, args, args.warmup)
                before = scans_recorded(data["conference"])
                cpu_before = run.group_cpu_seconds(proc.pid)
                result = wrk_scans(base, path, data["scanner_token"], queue, args, args.duration)
                cpu = run.group_cpu_seconds(proc.pid) - cpu_before
                result["rows"] = scans_recorded(data["conference"]) - before
                result["cpu_ms"] = round(cpu * 1000 / max(1, result["requests"]), 2)
                result["errors"] = sum(v for k, v in result.items() if k.startswith("errors_"))
                report["scans"] = result | {"fast_scan_route": not args.api_view_only}
                say(f"exactness: {min(3000, len(queue))} scans with every answer read, then "
                    "all sent again")  # fmt: skip
                report["exact"] = check_exact(args.port, path, data, queue, args)
            if not args.skip_rush and args.rush_via == "server":
                rush_path = f"/api/v1/providers/{PROVIDER}/activities/{RUSH}/registration/"
                say(f"rush: {args.rush} registrations at once for {args.capacity} seats")
                report["rush"] = asyncio.run(
                    _rush("127.0.0.1", args.port, rush_path, data["rush_tokens"])
                )
                report["rush"] |= rush_counts(data["rush"])
        finally:
            run.stop(proc)
    if not args.skip_rush and args.rush_via == "threads":
        say(f"rush: {args.rush} registrations for {args.capacity} seats from "
            f"{args.rush_threads} threads in this process")  # fmt: skip
        report["rush"] = rush_in_threads(data["rush"], data["rush_tokens"], args.rush_threads)
        report["rush"] |= rush_counts(data["rush"])

    say("")
    say(
        f"{platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{args.workers} server workers, load average {load_before:.1f} before"
    )
    ok = True
    if "scans" in report:
        r = report["scans"]
        route = "the API view only" if args.api_view_only else "the fast scan route"
        say(f"\nscans: {args.connections} scanner clients for {args.duration:.0f} s (wrk), "
            f"{len(data['tokens'])} registrants, through {route}")  # fmt: skip
        _table(
            ("scans/s", "p50 ms", "p90 ms", "p99 ms", "errors", "CPU ms", "view SQL",
             "answered 201", "replayed", "Scan rows"),
            (f"{r['rps']:.0f}", f"{r['p50_ms']:.1f}", f"{r['p90_ms']:.1f}", f"{r['p99_ms']:.1f}",
             str(r["errors"]), f"{r['cpu_ms']:.1f}",
             f"{queries['entry']}/{queries['session in']}", str(r["created"]),
             str(r["replayed"]), str(r["rows"])),
        )  # fmt: skip
        # At most one request per client was still on its way when wrk stopped counting.
        in_flight = r["rows"] - r["created"]
        say(f"Scan rows - answers 201 = {in_flight} (requests in flight when wrk stopped; "
            f"0 to {args.connections} expected)")  # fmt: skip
        if not 0 <= in_flight <= args.connections or r["other_status"]:
            say("MISMATCH: the Scan rows do not match the scans answered")
            ok = False
        x = report["exact"]
        say(
            f"exactness: {x['sent']} scans sent, {x['answered_201']} answered 201, "
            f"{x['rows']} Scan rows; sent again: {x['resent_answered_200']} answered 200 "
            f"(replayed), {x['rows_after_resend']} new rows; {x['other']} other answers"
        )
        if (x["answered_201"], x["rows"], x["resent_answered_200"], x["rows_after_resend"],
                x["other"]) != (x["sent"], x["sent"], x["sent"], 0, 0):  # fmt: skip
            say("MISMATCH: scans and rows differ")
            ok = False
    if "rush" in report:
        r = report["rush"]
        how = ("sent at once through the server" if args.rush_via == "server"
               else f"from {args.rush_threads} threads calling the service")  # fmt: skip
        say(f"\nrush: {args.rush} registrations {how}, {args.capacity} seats")
        _table(
            ("time s", "p50 ms", "max ms", "answers", "told to retry", "seats taken",
             "wait-listed"),
            (f"{r['seconds']:.2f}", f"{r['p50_ms']:.0f}", f"{r['max_ms']:.0f}",
             " ".join(f"{k}:{v}" for k, v in sorted(r["statuses"].items())),
             str(r.get("retried", 0)), str(r["seats"]), str(r["waitlisted"])),
        )  # fmt: skip
        answered = r["statuses"].get("201", 0)
        failed = args.rush - answered
        if failed:
            say(f"{failed} registrations were not answered 201 (see the server log); "
                "none of them was saved")  # fmt: skip
        expected_seats = min(args.capacity, answered)
        if (r["seats"], r["waitlisted"]) != (expected_seats, answered - expected_seats):
            say(f"MISMATCH: expected {expected_seats} seats and "
                f"{answered - expected_seats} wait-listed")  # fmt: skip
            ok = False
        if failed:
            ok = False

    out_dir = BENCH / "results"
    out_dir.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    report |= {"when": stamp, "cpus": os.cpu_count(), "workers": args.workers,
               "connections": args.connections, "duration": args.duration,
               "load_before": load_before, "load_after": os.getloadavg()[0]}  # fmt: skip
    (out_dir / f"checkin-{stamp}.json").write_text(json.dumps(report, indent=2))
    say(f"\nwritten to bench/results/checkin-{stamp}.json")
    if not ok:
        sys.exit(1)


def _table(head: tuple, row: tuple) -> None:
    widths = [max(len(h), len(c)) for h, c in zip(head, row, strict=True)]
    for cells in (head, tuple("-" * w for w in widths), row):
        say("  ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True)))


if __name__ == "__main__":
    main()
