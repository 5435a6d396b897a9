"""Measure building the activity file (the accreditor's ZIP) of the full-size demo conference.

    python bench/activity_file.py [--repeat 3] [--database-url URL] [--reload-data]

It prepares the same PostgreSQL database as bench/run.py (created when missing,
migrated, the full-size demo conference loaded once and reused: about 300
sessions, 400 faculty, 3,000 learners), then builds the annual meeting's
activity file in this process a few times and prints, for each run, the time
and the number of SQL queries, with the size of the ZIP and the rows of each
table. Nothing is written to the database by the measurement itself.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # bench/run.py: the same database and demo data


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", run.DEFAULT_DB),
        help=f"PostgreSQL URL on this machine (default {run.DEFAULT_DB}; env BENCH_DATABASE_URL)",
    )
    p.add_argument("--repeat", type=int, default=3, help="how many times to build it (3)")
    p.add_argument("--fresh", action="store_true", help="drop and recreate the database first")
    p.add_argument("--reload-data", action="store_true", help="reload the demo data (--reset)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    run.require_local(args.database_url, "The database")
    env = {k: v for k, v in os.environ.items() if k not in ("CMECONF_CONFIG", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="cmeconf.settings",
        DATABASE_URL=args.database_url,
        SECRET_KEY=run.SECRET_KEY,
        CMECONF_DEBUG="no",
        CMECONF_SECURE="no",
        CMECONF_DATA_DIR=str(run.ROOT / "var" / "bench"),
        CMECONF_TASKS_EAGER="yes",
        CMECONF_LOG_LEVEL="WARNING",
    )
    run.ensure_database(args.database_url, fresh=args.fresh)
    run.say("migrating")
    run.cmeconf(env, "migrate", "--no-input", "-v", "0")
    began = time.monotonic()
    data = ["demo_data", "--quiet"] + (["--reset"] if args.reload_data else ["--if-empty"])
    run.cmeconf(env, *data)
    run.say(f"demo data ready ({time.monotonic() - began:.1f} s)")

    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cmeconf.activities.models import Activity
    from cmeconf.demo import generator
    from cmeconf.integrity import audit_file

    activity = Activity.objects.select_related("provider").get(
        provider__slug="accp", slug=generator.ANNUAL_SLUG
    )
    seconds, queries = [], []
    body = b""
    for _ in range(max(1, args.repeat)):
        with CaptureQueriesContext(connection) as ctx:
            began = time.perf_counter()
            body = audit_file.activity_file_zip(activity)
            seconds.append(time.perf_counter() - began)
        queries.append(len(ctx.captured_queries))

    csvs = audit_file.activity_file_csvs(activity)
    rows = audit_file.csv_row_counts(csvs)
    run.say(
        f"{activity.title}: {activity.sessions.count()} sessions, "
        f"{rows['disclosures.csv']} disclosure rows, {rows['audit_log.csv']} audit entries"
    )
    run.say(
        "activity file ZIP: "
        + ", ".join(f"{s:.2f} s" for s in seconds)
        + f" (median {statistics.median(seconds):.2f} s); queries "
        + ", ".join(str(q) for q in queries)
        + f"; {len(body) / 1024:.0f} KiB"
    )
    for name, count in rows.items():
        run.say(f"  {name:<26} {count:>6} rows {len(csvs[name]) / 1024:>8.1f} KiB")


if __name__ == "__main__":
    main()
