"""Benchmark the public program: schedule page, schedule JSON export, session pages.

    python bench/run.py [--duration 15] [--connections 16] [--fresh] [--reload-data]

It prepares a PostgreSQL database (created when missing, migrated, the
full-size demo conference loaded once and reused), starts the production
server (`cmeconf serve --workers 2 --no-access-log`, debug off, Redis cache) on
127.0.0.1, warms it up, then loads each page with concurrent keep-alive clients
for a fixed time, using wrk when installed (`apt-get install wrk`) and a
built-in asyncio client otherwise. Separately, in this process, it counts the
SQL queries of each page with a cold and a warm cache. It prints one table and
writes the figures to bench/results/. The server is stopped at the end, always.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/cmeconf_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", ""}
# A fixed key: sessions and signed values stay valid across runs; this is no secret.
SECRET_KEY = "bench-only-not-a-secret-3f9c2a7e5d1b4c8a9e0f1a2b3c4d5e6f7a8b9c0d"  # noqa: S105


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB),
        help=f"PostgreSQL URL on this machine (default {DEFAULT_DB}; env BENCH_DATABASE_URL)",
    )  # fmt: skip
    p.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS),
        help=f"Redis for the cache (default {DEFAULT_REDIS}; env BENCH_REDIS_URL)",
    )  # fmt: skip
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--workers", type=int, default=2, help="server processes (default 2)")
    p.add_argument("--connections", type=int, default=16, help="concurrent clients (16)")
    p.add_argument("--duration", type=float, default=15.0, help="seconds per page (15)")
    p.add_argument("--warmup", type=float, default=3.0, help="seconds of load before each page")
    p.add_argument("--tool", choices=("auto", "wrk", "python"), default="auto")
    p.add_argument(
        "--settings", default="cmeconf.settings",
        help="Django settings module, to try a settings change (module on PYTHONPATH)",
    )  # fmt: skip
    p.add_argument(
        "--pages", default="schedule,json,session",
        help="which pages to measure, of schedule, json, session (default all three)",
    )  # fmt: skip
    p.add_argument("--fresh", action="store_true", help="drop and recreate the database first")
    p.add_argument("--reload-data", action="store_true", help="reload the demo data (--reset)")
    return p.parse_args(argv)


def say(msg: str) -> None:
    print(msg, flush=True)


def require_local(url: str, what: str) -> None:
    host = urlsplit(url).hostname or ""
    if host not in LOCAL_HOSTS:
        sys.exit(f"{what} must be on this machine (127.0.0.1), not {host!r}.")


def ensure_database(url: str, *, fresh: bool) -> None:
    """Create the database when missing (drop it first with --fresh)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name:
        sys.exit("The database URL names no database.")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            say(f"dropping database {name}")
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            say(f"creating database {name}")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def bench_env(args: argparse.Namespace) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CMECONF_CONFIG"}
    env.update(
        DJANGO_SETTINGS_MODULE=args.settings,
        DATABASE_URL=args.database_url,
        REDIS_URL=args.redis_url,
        SECRET_KEY=SECRET_KEY,
        CMECONF_DEBUG="no",
        CMECONF_SECURE="no",
        CMECONF_DATA_DIR=str(ROOT / "var" / "bench"),
        CMECONF_ALLOWED_HOSTS="127.0.0.1,localhost",
        CMECONF_SITE_URL=f"http://127.0.0.1:{args.port}",
        CMECONF_TASKS_EAGER="yes",
        CMECONF_LOG_LEVEL="WARNING",
    )
    return env


def cmeconf(env: dict[str, str], *argv: str, timeout: float = 900) -> None:
    subprocess.run(
        [sys.executable, "-m", "cmeconf.cli", *argv], env=env, cwd=ROOT, check=True,
        timeout=timeout,
    )  # fmt: skip


def targets(wanted: set[str]) -> list[dict]:
    """The pages to measure, with the paths each rotates over. Needs Django set up."""
    from django.urls import NoReverseMatch, reverse

    from cmeconf.activities.models import Activity
    from cmeconf.demo import generator

    activity = Activity.objects.get(provider__slug="accp", slug=generator.ANNUAL_SLUG)
    args = [activity.provider.slug, activity.slug]
    codes = list(activity.sessions.order_by("start", "pk").values_list("code", flat=True))
    found = []
    for key, label, name, paths in (
        ("schedule", "schedule page", "public:schedule",
         lambda: [reverse("public:schedule", args=args)]),
        ("json", "schedule.json", "public:schedule_json",
         lambda: [reverse("public:schedule_json", args=args)]),
        ("session", "session page", "public:session",
         lambda: [reverse("public:session", args=[*args, c]) for c in codes]),
    ):  # fmt: skip
        if key not in wanted:
            continue
        try:
            found.append({"label": label, "name": name, "paths": paths()})
        except NoReverseMatch:
            say(f"  {name} does not exist (yet): {label} not measured")
    return found


def count_queries(pages: list[dict]) -> None:
    """SQL queries of each page, cold cache then warm, through Django's test client."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    for page in pages:
        cold, warm, sizes = [], [], []
        # Several session pages, to show the count does not depend on the session.
        for path in page["paths"][:: max(1, len(page["paths"]) // 5)][:5]:
            cache.clear()
            for bucket in (cold, warm):
                with CaptureQueriesContext(connection) as ctx:
                    response = client.get(path)
                if response.status_code != 200:
                    raise SystemExit(f"{path} answered {response.status_code}")
                bucket.append(len(ctx.captured_queries))
            sizes.append(len(response.content))
        page["queries_cold"] = _span(cold)
        page["queries_warm"] = _span(warm)
        page["kbytes"] = round(max(sizes) / 1024, 1)
    cache.clear()
    connection.close()


def _span(values: list[int]) -> str:
    return str(min(values)) if min(values) == max(values) else f"{min(values)}-{max(values)}"


def port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (local URL)
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    raise SystemExit(f"the server did not answer {url} within {timeout:.0f} s")


def touch_all(base: str, paths: list[str], limit: int = 1000) -> int:
    """One request per path, so that every page is in the cache before the load starts.

    Returns how many failed; the load that follows counts errors too.
    """
    failed = 0
    for path in paths[:limit]:
        try:
            with urllib.request.urlopen(base + path, timeout=30) as response:  # noqa: S310
                response.read()
        except (urllib.error.URLError, OSError):
            failed += 1
    return failed


def load(tool: str, base: str, paths: list[str], args, seconds: float) -> dict:
    if tool == "wrk":
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
            fh.write("\n".join(paths) + "\n")
            path_file = fh.name
        try:
            out = subprocess.run(
                ["wrk", "-t", "2", "-c", str(args.connections), "-d", f"{max(1, round(seconds))}s",
                 "--timeout", "10s", "-s", str(BENCH / "rotate.lua"), base, "--", path_file],
                capture_output=True, text=True, check=True, timeout=seconds + 60,
            ).stdout  # fmt: skip
        finally:
            os.unlink(path_file)
        line = next((ln for ln in out.splitlines() if ln.startswith("BENCH ")), None)
        if line is None:
            raise SystemExit(f"wrk printed no result:\n{out}")
        return json.loads(line[len("BENCH ") :])
    sys.path.insert(0, str(BENCH))
    import loadgen

    host = urlsplit(base)
    return loadgen.run(
        host.hostname, host.port, paths, connections=args.connections, duration=seconds
    )


def group_cpu_seconds(pgid: int) -> float:
    """CPU time (user + system) used so far by the processes of one process group (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # the process ended meanwhile
        if int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12])
    return total / tick


def stop(proc: subprocess.Popen) -> None:
    """Stop the server's process group (uvicorn's supervisor and its workers)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=15)
    except ProcessLookupError:
        pass


def print_table(pages: list[dict]) -> None:
    head = ("page", "req/s", "p50 ms", "p99 ms", "errors", "CPU ms", "SQL cold", "SQL warm", "KiB")
    rows = [
        (
            p["label"],
            f"{p['result']['rps']:.0f}",
            f"{p['result']['p50_ms']:.1f}",
            f"{p['result']['p99_ms']:.1f}",
            str(p["errors"]),
            f"{p['cpu_ms']:.1f}",
            p["queries_cold"],
            p["queries_warm"],
            str(p["kbytes"]),
        )
        for p in pages
    ]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    for row in [head, tuple("-" * w for w in widths), *rows]:
        cells = [
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        say("  ".join(cells))


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    require_local(args.database_url, "The database")
    require_local(args.redis_url, "Redis")
    tool = args.tool
    if tool == "auto":
        tool = "wrk" if shutil.which("wrk") else "python"
    if tool == "wrk" and not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk (or use --tool python)")
    if not port_free(args.port):
        sys.exit(f"port {args.port} is in use; choose another with --port")

    env = bench_env(args)
    import redis

    redis.Redis.from_url(args.redis_url, socket_connect_timeout=5).ping()
    ensure_database(args.database_url, fresh=args.fresh)
    say("migrating and collecting static files")
    cmeconf(env, "migrate", "--no-input", "-v", "0")
    cmeconf(env, "collectstatic", "--no-input", "-v", "0")
    began = time.monotonic()
    data = ["demo_data", "--quiet"] + (["--reset"] if args.reload_data else ["--if-empty"])
    cmeconf(env, *data)
    say(f"demo data ready ({time.monotonic() - began:.1f} s)")

    os.environ.update(env)
    import django

    django.setup()
    pages = targets({p.strip() for p in args.pages.split(",")})
    if not pages:
        sys.exit("none of the pages to measure exists")
    count_queries(pages)

    base = f"http://127.0.0.1:{args.port}"
    load_before = os.getloadavg()[0]
    if load_before > 0.5 * (os.cpu_count() or 1):
        say(f"warning: the machine is busy (load {load_before:.1f}); the figures will be low")
    log_path = ROOT / "var" / "bench" / "server.log"
    say(f"starting the server on {base} ({args.workers} workers), log in {log_path}")
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "cmeconf.cli", "serve", "--host", "127.0.0.1",
             "--port", str(args.port), "--workers", str(args.workers), "--no-access-log"],
            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            wait_ready(base + pages[0]["paths"][0], proc)
            for page in pages:
                say(f"{page['label']}: warm-up, then {args.duration:.0f} s with {tool}")
                failed = touch_all(base, page["paths"])
                if failed:
                    say(f"  {failed} of {len(page['paths'])} warm-up requests failed")
                load(tool, base, page["paths"], args, args.warmup)
                cpu_before = group_cpu_seconds(proc.pid)
                page["result"] = load(tool, base, page["paths"], args, args.duration)
                r = page["result"]
                # Server CPU per request does not depend on what else the machine is doing.
                cpu = group_cpu_seconds(proc.pid) - cpu_before
                page["cpu_ms"] = round(cpu * 1000 / max(1, r["requests"]), 2)
                page["errors"] = sum(v for k, v in r.items() if k.startswith("errors_"))
        finally:
            stop(proc)

    load_after = os.getloadavg()[0]
    say("")
    say(
        f"{platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{args.workers} server workers, {args.connections} connections, "
        f"{args.duration:.0f} s per page, load by {tool}, settings {args.settings}, "
        f"load average {load_before:.1f} before"
    )
    print_table(pages)
    out_dir = BENCH / "results"
    out_dir.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    report = {
        "when": stamp,
        "cpus": os.cpu_count(),
        "tool": tool,
        "workers": args.workers,
        "connections": args.connections,
        "duration": args.duration,
        "settings": args.settings,
        "load_before": load_before,
        "load_after": load_after,
        "pages": [{k: v for k, v in p.items() if k != "paths"} for p in pages],
    }
    (out_dir / f"{stamp}.json").write_text(json.dumps(report, indent=2))
    say(f"\nwritten to bench/results/{stamp}.json")


if __name__ == "__main__":
    main()
