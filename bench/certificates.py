"""Benchmark the certificate batch: every learner of the full-size meeting, real workers.

    python bench/certificates.py [--learners 3000] [--concurrency 2] [--keep]

On PostgreSQL, in a database of its own (created at the start and dropped at
the end; `--keep` keeps it, and a later `--keep` run reuses it), it:

1. migrates and loads the full-size demo (`demo_data`: a 3-day meeting with
   about 300 sessions and 3,000 learners);
2. sets up credit: AMA PRA Category 1 switched on for the provider and
   designated for the meeting (through the services, as staff would), a default
   certificate template with a logo and a signature, and for every learner
   badge-scan attendance at one session of most time slots and a live claim of
   what that attendance supports (intervals and claims are bulk-created: this
   is set-up, not what is measured; minutes and amounts come from the same
   arithmetic as a learner's claim);
3. starts the real background worker, `cmeconf worker --concurrency 2`
   (Celery, prefork: two worker processes for two cores) with Redis as the
   broker (`redis://127.0.0.1:6379/13`, a database of its own, emptied first);
4. calls `certificate_batch.start_batch` as the staff page does and measures
   from that call until the batch row says DONE: wall time, certificates per
   second, the PDF files written (counted, and a sample opened with pypdf),
   the rows saved, the workers' peak memory (their resident memory sampled
   every 100 ms, and each process's high-water mark) and their CPU seconds per
   certificate;
5. stops the workers (always) and, for comparison, writes the same number of
   bare one-page certificates with ReportLab in this process, on one core: a
   name and a few lines of text in the built-in Helvetica and a segno QR code
   as a PNG image, one file each.

It prints a small table and writes the figures to bench/results/. See
bench/README.md ("Certificates").
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import platform
import pstats
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # bench/run.py: the helpers shared by the benchmarks

ROOT = run.ROOT
BENCH = run.BENCH
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/cmeconf_bench_certificates"
# A Redis database of its own (run.py's cache uses 15, the worker test 14).
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"
DATA_DIR = ROOT / "var" / "bench-certificates"
AMA = "AMA_PRA_1"
SEED = 20261127
# Share of a meeting's time slots a learner attends (one session of each slot attended).
ATTENDS = 0.8
PAGE_SIZE = 4096


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument(
        "--database-url", default=os.environ.get("BENCH_CERT_DATABASE_URL", DEFAULT_DB),
        help=f"PostgreSQL URL on this machine, a database of its own (default {DEFAULT_DB})",
    )  # fmt: skip
    p.add_argument(
        "--redis-url", default=os.environ.get("BENCH_CERT_REDIS_URL", DEFAULT_REDIS),
        help=f"Redis for the task broker, emptied first (default {DEFAULT_REDIS})",
    )  # fmt: skip
    p.add_argument("--learners", type=int, default=3000, help="learners of the demo (3000)")
    p.add_argument(
        "--concurrency", type=int, default=2, help="worker processes of `cmeconf worker` (2)"
    )
    p.add_argument(
        "--keep", action="store_true",
        help="keep the database (and reuse it next time: its claims and certificates are "
        "made again)",
    )  # fmt: skip
    p.add_argument("--skip-baseline", action="store_true", help="no bare ReportLab comparison")
    p.add_argument(
        "--baseline-only", action="store_true", help="only the bare ReportLab comparison"
    )
    p.add_argument(
        "--profile", type=int, default=0, metavar="N",
        help="first issue N certificates in this process under cProfile (one chunk is 250) "
        "and print where the time goes; the workers then issue the rest",
    )  # fmt: skip
    return p.parse_args(argv)


say = run.say


# -- the set-up ---------------------------------------------------------------------------------


def bench_env(args: argparse.Namespace) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CMECONF_CONFIG"}
    env.update(
        DJANGO_SETTINGS_MODULE="cmeconf.settings",
        DATABASE_URL=args.database_url,
        REDIS_URL=args.redis_url,
        SECRET_KEY=run.SECRET_KEY,
        CMECONF_DEBUG="no",
        CMECONF_SECURE="no",
        CMECONF_DATA_DIR=str(DATA_DIR),
        CMECONF_ALLOWED_HOSTS="127.0.0.1,localhost",
        CMECONF_SITE_URL="https://cme.example.org",
        # Tasks go to the broker (the workers), not in-process.
        CMECONF_TASKS_EAGER="no",
        CMECONF_LOG_LEVEL="WARNING",
        # The demo's registration mails are not what is measured.
        CMECONF_EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
    )
    return env


def drop_database(url: str) -> None:
    from urllib.parse import urlsplit

    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def certificate_template(provider, *, by):
    """The provider's default template, with a logo and a signature (made once)."""
    from django.core.files.base import ContentFile
    from PIL import Image, ImageDraw

    from cmeconf.credits.models import CertificateTemplate

    found = CertificateTemplate.objects.filter(provider=provider, is_default=True).first()
    if found:
        return found

    def png(size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
        img = Image.new("RGB", size, "white")
        draw = ImageDraw.Draw(img)
        draw.rectangle((10, 10, size[0] - 10, size[1] - 10), outline=colour, width=8)
        draw.line((20, size[1] - 30, size[0] - 20, 30), fill=colour, width=6)
        out = io.BytesIO()
        img.save(out, "PNG")
        return out.getvalue()

    template = CertificateTemplate(
        provider=provider,
        name="Annual meeting",
        signer_name="Renee Castellanos, MD, FACP",
        signer_title="Chair, Continuing Medical Education Committee",
        footer="American College of Clinical Practice · Continuing education office",
        is_default=True,
    )
    template.logo.save("logo.png", ContentFile(png((880, 340), (30, 58, 138))), save=False)
    template.signature.save("signature.png", ContentFile(png((880, 240), (17, 24, 39))), save=False)
    template.save()
    return template


def designate_ama(activity, *, by):
    """AMA PRA Category 1 switched on and designated at the computed maximum, as staff do."""
    from cmeconf.credits import designation as designation_svc
    from cmeconf.credits import provider_types
    from cmeconf.credits.models import Designation, ProviderCreditType

    provider = activity.provider
    if not ProviderCreditType.objects.filter(provider=provider, credit_type=AMA, enabled=True):
        provider_types.configure(provider, AMA, by=by, enabled=True)
    found = Designation.objects.filter(activity=activity, credit_type=AMA, board="").first()
    return found or designation_svc.designate(activity, AMA, by=by)


def clear_credit(activity) -> None:
    """Remove a previous run's certificates, batches, claims and attendance of the activity."""
    from cmeconf.attendance.models import AttendanceInterval
    from cmeconf.credits.models import Certificate, CertificateBatch, Claim, ClaimCorrection

    Certificate.objects.filter(claim__activity=activity).delete()
    CertificateBatch.objects.filter(activity=activity).delete()
    ClaimCorrection.objects.filter(claim__activity=activity).delete()
    Claim.objects.filter(activity=activity).delete()
    AttendanceInterval.objects.filter(session__activity=activity).delete()


def attendance_and_claims(activity, people, designation, *, seed: int = SEED) -> dict[str, int]:
    """For each person: badge-scan attendance at one session of most time slots, and a claim.

    The intervals and claims are bulk-created (set-up only), with the fields a
    real claim has: the measured minutes (concurrent time once) and minutes per
    session come from the same functions as `participation.learner_participation`,
    the amount from the credit rule (`claims.supported_amount`), the attestation
    text from `claims.attestation_text`.
    """
    from django.db import transaction
    from django.utils import timezone

    from cmeconf.attendance import intervals as spans
    from cmeconf.attendance.choices import AttendanceSource
    from cmeconf.attendance.models import AttendanceInterval
    from cmeconf.credits import claims as claim_rules
    from cmeconf.credits import provider_types
    from cmeconf.credits.arithmetic import covered
    from cmeconf.credits.models import Claim, ClaimStatus
    from cmeconf.credits.participation import credit_sessions

    rng = random.Random(seed)
    sessions = list(credit_sessions(activity))
    by_start: dict[dt.datetime, list] = defaultdict(list)
    for s in sessions:
        by_start[s.start].append(s)
    starts = sorted(by_start)
    credit_rule = provider_types.rule_of(designation.credit_type)
    options = provider_types.options_for(activity.provider, designation.credit_type)
    attestation = claim_rules.attestation_text(activity)
    now = timezone.now()
    intervals: list[AttendanceInterval] = []
    claims: list[Claim] = []
    for person in people:
        # A day's itinerary: from one session to one that starts after it ends.
        chosen, free_at = [], None
        for start in starts:
            if (free_at is None or start >= free_at) and rng.random() < ATTENDS:
                chosen.append(rng.choice(by_start[start]))
                free_at = chosen[-1].end
        if not chosen:
            chosen = [rng.choice(by_start[starts[0]])]
        clipped, by_session = [], {}
        for s in chosen:
            # Some arrive a little late; everyone scans out at the end.
            start = s.start + dt.timedelta(minutes=rng.choice((0, 0, 0, 2, 5)))
            intervals.append(
                AttendanceInterval(
                    session=s, person=person, start=start, end=s.end,
                    source=AttendanceSource.SCAN, device="bench", recorded_at=now,
                )
            )  # fmt: skip
            inside = spans.clip([(start, s.end)], s.start, s.end)
            minutes = int(sum((b - a).total_seconds() for a, b in inside) // 60)
            if minutes:
                by_session[str(s.pk)] = minutes
            clipped += inside
        measured = covered(clipped, activity.time_zone)
        amount = claim_rules.supported_amount(credit_rule, designation, measured, options)
        claims.append(
            Claim(
                activity=activity, person=person, designation=designation,
                credit_type=designation.credit_type, board=designation.board,
                status=ClaimStatus.CLAIMED, measured_minutes=measured.total, amount=amount,
                sessions=by_session, attested_at=now, attestation=attestation, created=now,
            )
        )  # fmt: skip
    with transaction.atomic():
        AttendanceInterval.objects.bulk_create(intervals, batch_size=2000)
        Claim.objects.bulk_create(claims, batch_size=1000)
    return {"intervals": len(intervals), "claims": len(claims), "sessions": len(sessions)}


def prepare(activity, people, *, by, seed: int = SEED) -> dict:
    """Everything the batch needs, from a clean slate for the activity (see the module doc)."""
    clear_credit(activity)
    designation = designate_ama(activity, by=by)
    template = certificate_template(activity.provider, by=by)
    counts = attendance_and_claims(activity, people, designation, seed=seed)
    return {"designation": designation, "template": template, **counts}


def demo_activity_and_people(learners: int):
    from cmeconf.accounts.models import User
    from cmeconf.activities.models import Activity
    from cmeconf.demo import generator
    from cmeconf.demo import vocabulary as v

    activity = Activity.objects.select_related("provider").get(
        provider__slug=v.PROVIDER["slug"], slug=generator.ANNUAL_SLUG
    )
    people = list(
        User.objects.filter(email__endswith=f"@learners.{v.DEMO_DOMAIN}").order_by("pk")[:learners]
    )
    director = User.objects.get(email=next(lg.email for lg in v.LOGINS if lg.key == "director"))
    return activity, people, director


# -- the workers --------------------------------------------------------------------------------


def _proc_rows(pgid: int) -> dict[int, tuple[int, int]]:
    """{pid: (resident bytes, CPU ticks)} of the processes of one group (Linux /proc)."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            found[int(stat.parent.name)] = _row(fields)
    return found


def _row(fields: list[str]) -> tuple[int, int]:
    # /proc/<pid>/stat after the command: rss (pages) is field 22, utime and stime 12 and 13.
    return int(fields[21]) * PAGE_SIZE, int(fields[11]) + int(fields[12])


def _rows_of(pids: list[int]) -> dict[int, tuple[int, int]]:
    """The same for known processes only: cheaper than walking /proc while measuring."""
    found = {}
    for pid in pids:
        try:
            found[pid] = _row(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split())
        except OSError:
            continue
    return found


def postgres_cpu_ticks() -> int:
    """CPU used so far by PostgreSQL on this machine: its processes, and the ended backends
    (counted in the postmaster's children's time). Other users of the server count too."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name, _sep, rest = text.partition("(")[2].rpartition(")")
        if not name.startswith("postgres"):
            continue
        fields = rest.split()
        total += sum(int(f) for f in fields[11:15])
    return total


def _high_water(pid: int) -> int:
    """The process's peak resident memory so far (VmHWM), bytes."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class Sampler(threading.Thread):
    """The workers' resident memory every 100 ms: peak of the sum, peak of one process.

    Only the worker's processes are read (a prefork pool keeps its processes), so that
    sampling takes next to nothing from the two cores being measured.
    """

    def __init__(self, pids: list[int]) -> None:
        super().__init__(daemon=True)
        self.pids = pids
        self.peak_total = 0
        self.peak_process = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            rss = [r for r, _t in _rows_of(self.pids).values()]
            self.peak_total = max(self.peak_total, sum(rss))
            self.peak_process = max([self.peak_process, *rss])
            self._stop_event.wait(0.1)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=5)


def start_workers(env: dict[str, str], concurrency: int, log_path: Path) -> subprocess.Popen:
    log = log_path.open("w")
    return subprocess.Popen(
        [sys.executable, "-m", "cmeconf.cli", "worker", "--concurrency", str(concurrency),
         "--hostname", "certificates-bench@%h", "--without-heartbeat", "--without-gossip",
         "--without-mingle"],
        env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def wait_workers(proc: subprocess.Popen, concurrency: int, timeout: float = 90) -> None:
    """Until the worker answers a ping and its pool has all its processes."""
    from cmeconf.celery import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the worker exited with {proc.returncode} (see its log)")
        if app.control.ping(timeout=0.5) and len(_proc_rows(proc.pid)) >= concurrency + 1:
            return
        time.sleep(0.2)
    raise SystemExit(f"the worker did not answer within {timeout:.0f} s")


def stop_workers(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=15)
    except ProcessLookupError:
        pass


# -- measuring ----------------------------------------------------------------------------------


def profile_chunk(activity, claim_ids: list[int], *, by) -> None:
    """Issue these certificates in this process under cProfile; print the top of the profile."""
    from django.utils import timezone

    from cmeconf.credits import certificate_batch
    from cmeconf.credits.models import BatchStatus, CertificateBatch

    batch = CertificateBatch.objects.create(
        activity=activity, requested_by=by, created=timezone.now(),
        status=BatchStatus.RUNNING, total=len(claim_ids),
    )  # fmt: skip
    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.enable()
    issued = certificate_batch.run_chunk(batch.pk, claim_ids)
    profiler.disable()
    took = time.perf_counter() - began
    say(f"profile: {issued} certificates in {took:.2f} s ({took / max(1, issued) * 1000:.1f} ms "
        "each, one process)")  # fmt: skip
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(20)
    say(out.getvalue())


def pdf_files() -> list[Path]:
    """The certificates' PDF files in the default storage's folder (not the template images)."""
    from django.conf import settings

    from cmeconf.credits.certificates import FILE_FOLDER

    folder = Path(settings.MEDIA_ROOT) / FILE_FOLDER
    return sorted(folder.glob("*.pdf")) if folder.is_dir() else []


def check_pdfs(files: list[Path], sample: int = 20) -> int:
    """How many of a sample of the files open as one-page PDFs naming a learner."""
    from pypdf import PdfReader

    ok = 0
    for path in random.Random(SEED).sample(files, min(sample, len(files))):
        try:
            reader = PdfReader(path)
            text = reader.pages[0].extract_text()
        except Exception as exc:  # any failure to read counts as a broken file
            say(f"  {path.name} does not open: {exc}")
            continue
        ok += len(reader.pages) == 1 and "Certificate of Credit" in text
    return ok


def run_batch(args: argparse.Namespace, env: dict[str, str]) -> dict:
    import redis
    from django.db import connection

    from cmeconf.common.models import AuditEntry
    from cmeconf.credits import certificate_batch
    from cmeconf.credits.models import BatchStatus, Certificate

    activity, people, director = demo_activity_and_people(args.learners)
    began = time.monotonic()
    shutil.rmtree(DATA_DIR / "media" / "certificates", ignore_errors=True)
    made = prepare(activity, people, by=director)
    say(f"set-up: {made['claims']:,} claims, {made['intervals']:,} attendance intervals over "
        f"{made['sessions']} credit sessions ({time.monotonic() - began:.1f} s)")  # fmt: skip
    if args.profile:
        ids = list(
            certificate_batch.claims_without_certificate(activity).values_list("pk", flat=True)
        )
        profile_chunk(activity, ids[: args.profile], by=director)
    redis.Redis.from_url(args.redis_url, socket_connect_timeout=5).flushdb()
    connection.close()
    audit_before = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    log_path = DATA_DIR / "worker.log"
    say(f"starting `cmeconf worker --concurrency {args.concurrency}`, log in {log_path}")
    proc = start_workers(env, args.concurrency, log_path)
    try:
        wait_workers(proc, args.concurrency)
        pids = sorted(_proc_rows(proc.pid))
        cpu_before = sum(t for _r, t in _rows_of(pids).values())
        pg_before = postgres_cpu_ticks()
        load_before = os.getloadavg()[0]
        sampler = Sampler(pids)
        sampler.start()
        started = time.perf_counter()
        batch = certificate_batch.start_batch(activity, by=director)
        while True:
            batch.refresh_from_db()
            if batch.status not in certificate_batch.UNFINISHED:
                break
            if proc.poll() is not None:
                raise SystemExit("the worker died during the batch (see its log)")
            if time.perf_counter() - started > 600:
                raise SystemExit(f"the batch is not done after 10 minutes: {batch.done} done")
            time.sleep(0.05)
        wall = time.perf_counter() - started
        cpu_ticks = sum(t for _r, t in _rows_of(pids).values()) - cpu_before
        pg_ticks = postgres_cpu_ticks() - pg_before
        sampler.stop()
        high_water = {pid: _high_water(pid) for pid in pids}
        if sorted(_proc_rows(proc.pid)) != pids:
            say("  note: the worker replaced a process during the batch; its CPU is not counted")
    finally:
        stop_workers(proc)
        redis.Redis.from_url(args.redis_url, socket_connect_timeout=5).flushdb()
    if batch.status != BatchStatus.DONE:
        raise SystemExit(f"the batch ended {batch.status}: {batch.error}")
    files = pdf_files()
    certs = Certificate.objects.filter(claim__activity=activity)
    issued_audit = AuditEntry.objects.filter(
        pk__gt=audit_before, action="credits.certificate_issued"
    ).count()
    cpu = cpu_ticks / os.sysconf("SC_CLK_TCK")
    pg_cpu = pg_ticks / os.sysconf("SC_CLK_TCK")
    result = {
        "learners": len(people),
        "claims": made["claims"],
        "issued": batch.issued,
        "total": batch.total,
        "wall_s": round(wall, 2),
        "per_s": round(batch.issued / wall, 1),
        "files": len(files),
        "files_mb": round(sum(f.stat().st_size for f in files) / 2**20, 1),
        "sample_ok": check_pdfs(files),
        "sample": min(20, len(files)),
        "rows": certs.count(),
        "rows_with_file": certs.exclude(file="").count(),
        "audit_issued": issued_audit,
        "peak_rss_total_mb": round(sampler.peak_total / 2**20),
        "peak_rss_process_mb": round(sampler.peak_process / 2**20),
        "high_water_mb": {str(p): round(v / 2**20) for p, v in sorted(high_water.items())},
        "processes": len(pids),
        "cpu_s": round(cpu, 2),
        "cpu_ms_per_certificate": round(cpu * 1000 / max(1, batch.issued), 2),
        "postgres_cpu_s": round(pg_cpu, 2),
        "postgres_cpu_ms_per_certificate": round(pg_cpu * 1000 / max(1, batch.issued), 2),
        "load_before": round(load_before, 2),
    }
    return result


# -- the bare ReportLab comparison ---------------------------------------------------------------


def bare_certificate(path: Path, name: str, number: str, url: str) -> None:
    """One page: a name, a few lines of text and a QR code as an image. No more."""
    import segno
    from reportlab.lib.pagesizes import LETTER, landscape
    from reportlab.lib.units import inch
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    width, height = landscape(LETTER)
    c = Canvas(str(path), pagesize=(width, height))
    c.setFont("Helvetica-Bold", 24)
    c.drawCentredString(width / 2, height - 1.5 * inch, "Certificate of Credit")
    c.setFont("Helvetica", 12)
    c.drawCentredString(width / 2, height - 2.2 * inch, "This certifies that")
    c.setFont("Helvetica-Bold", 22)
    c.drawCentredString(width / 2, height - 2.8 * inch, name)
    c.setFont("Helvetica", 12)
    for i, line in enumerate(
        (
            "participated in the live activity",
            "ACCP Annual Scientific Meeting 2027",
            "April 15 - 17, 2027 · Lakefront Convention Center, Chicago, IL",
            "and was awarded 12.50 AMA PRA Category 1 Credits",
        )
    ):
        c.drawCentredString(width / 2, height - (3.5 + 0.35 * i) * inch, line)
    qr = io.BytesIO()
    segno.make(url, error="m").save(qr, kind="png", scale=4, border=4)
    qr.seek(0)
    c.drawImage(ImageReader(qr), width - 2.2 * inch, 0.8 * inch, 1.2 * inch, 1.2 * inch)
    c.setFont("Helvetica", 9)
    c.drawCentredString(width - 1.6 * inch, 0.6 * inch, number)
    c.showPage()
    c.save()


def baseline(count: int, folder: Path) -> dict:
    """`count` bare certificates, one file each, in this process (one core)."""
    rng = random.Random(SEED)
    names = [f"Learner {rng.randrange(10**6):06d}" for _ in range(count)]
    cpu0, began = time.process_time(), time.perf_counter()
    for i, name in enumerate(names):
        number = f"CME-2027-{i:04d}-{rng.randrange(10**4):04d}"
        url = f"https://cme.example.org/verify/{number}/{rng.getrandbits(128):032x}/"
        bare_certificate(folder / f"{number}.pdf", name, number, url)
    wall = time.perf_counter() - began
    cpu = time.process_time() - cpu0
    files = sorted(folder.glob("*.pdf"))
    return {
        "count": count,
        "wall_s": round(wall, 2),
        "per_s": round(count / wall, 1),
        "cpu_ms_per_certificate": round(cpu * 1000 / count, 2),
        "files": len(files),
        "files_mb": round(sum(f.stat().st_size for f in files) / 2**20, 1),
    }


# -- the table ----------------------------------------------------------------------------------


def print_table(result: dict | None, bare: dict | None, args) -> None:
    head = ("", "certificates", "wall s", "per s", "CPU ms each", "files", "MiB", "peak RSS MiB")
    rows = []
    if result:
        rows.append((
            f"batch, cmeconf worker x{args.concurrency}", f"{result['issued']:,}",
            f"{result['wall_s']:.2f}", f"{result['per_s']:.0f}",
            f"{result['cpu_ms_per_certificate']:.1f}", f"{result['files']:,}",
            f"{result['files_mb']}",
            f"{result['peak_rss_total_mb']} ({result['peak_rss_process_mb']} largest)",
        ))  # fmt: skip
    if bare:
        rows.append((
            "bare ReportLab loop, 1 core", f"{bare['count']:,}", f"{bare['wall_s']:.2f}",
            f"{bare['per_s']:.0f}", f"{bare['cpu_ms_per_certificate']:.1f}",
            f"{bare['files']:,}", f"{bare['files_mb']}", "",
        ))  # fmt: skip
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    for row in [head, tuple("-" * w for w in widths), *rows]:
        say("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))))  # fmt: skip  # noqa: E501


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    run.require_local(args.database_url, "The database")
    run.require_local(args.redis_url, "Redis")
    result = bare = None
    load_before = os.getloadavg()[0]
    if load_before > 0.5 * (os.cpu_count() or 1):
        say(f"warning: the machine is busy (load {load_before:.1f}); the figures will be low")
    if not args.baseline_only:
        env = bench_env(args)
        import redis

        redis.Redis.from_url(args.redis_url, socket_connect_timeout=5).ping()
        if not args.keep:
            drop_database(args.database_url)
        run.ensure_database(args.database_url, fresh=False)
        try:
            began = time.monotonic()
            say("migrating and loading the demo")
            run.cmeconf(env, "migrate", "--no-input", "-v", "0")
            run.cmeconf(env, "demo_data", "--quiet", "--if-empty")
            say(f"demo data ready ({time.monotonic() - began:.1f} s)")
            os.environ.update(env)
            import django

            django.setup()
            result = run_batch(args, env)
        finally:
            if not args.keep:
                from django.db import connections

                connections.close_all()
                drop_database(args.database_url)
                shutil.rmtree(DATA_DIR / "media", ignore_errors=True)
                say("database dropped")
    if not args.skip_baseline:
        count = result["issued"] if result else args.learners
        say(f"bare ReportLab loop: {count:,} certificates")
        with tempfile.TemporaryDirectory(prefix="bench-certificates-") as folder:
            bare = baseline(count, Path(folder))

    say("")
    say(
        f"{platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average {load_before:.1f} before"
    )
    if result:
        peaks = ", ".join(str(v) for v in result["high_water_mb"].values())
        say(
            f"batch: {result['issued']:,} issued of {result['total']:,} claims; "
            f"{result['rows']:,} certificate rows ({result['rows_with_file']:,} with a file), "
            f"{result['audit_issued']:,} audit entries; {result['files']:,} PDF files, "
            f"{result['sample_ok']} of a sample of {result['sample']} open as one-page PDFs; "
            f"CPU {result['cpu_s']:.1f} s over {result['processes']} worker processes, "
            f"PostgreSQL {result['postgres_cpu_s']:.1f} s "
            f"({result['postgres_cpu_ms_per_certificate']:.1f} ms a certificate); "
            f"load average {result['load_before']:.1f} at the start of the batch; "
            f"each process's peak RSS (MiB): {peaks}"
        )
    print_table(result, bare, args)
    out_dir = BENCH / "results"
    out_dir.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    report = {"when": stamp, "cpus": os.cpu_count(), "load_before": load_before,
              "concurrency": args.concurrency, "batch": result, "bare": bare}  # fmt: skip
    (out_dir / f"certificates-{stamp}.json").write_text(json.dumps(report, indent=2))
    say(f"\nwritten to bench/results/certificates-{stamp}.json")


if __name__ == "__main__":
    main()
