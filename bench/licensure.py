"""Benchmark the licensure compliance engine: many clinicians, two licences each.

    python bench/licensure.py [--clinicians 100000] [--workers 2] [--credits 30]

Each clinician holds two licences drawn from the shipped requirement sets (each
with an expiry in 2026 or 2027, or the set's fixed cycle end) and has 30
credits over three years, drawn from a catalogue of conference sessions with
mixed designations (AMA PRA Category 1 and 2, AOA, informal, nursing and
Royal College credit) and topic tags. Everything comes from a fixed random
seed, so runs are comparable. Each worker builds its clinicians in chunks and
times only the evaluation.

It prints the wall time, the time per licence, the credit-against-rule checks
per second (each credit held against each requirement reported) and the peak
memory of the processes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import platform
import random
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from cmeconf.licensure import windows
from cmeconf.licensure.engine import Credit, Licence, evaluate
from cmeconf.licensure.loader import load_shipped

SEED = 20261126
TODAY = dt.date(2026, 6, 1)
SESSIONS = 20_000
CHUNK = 2_000

# Sets a clinician may hold, with the licence type and facts that make their mandates apply.
HOLDINGS = [
    ("US-CA-MD", "MD"),
    ("US-TX-MD-DO", "MD"),
    ("US-FL-MD", "MD"),
    ("US-NY-MD-DO", "MD"),
    ("US-PA-MD", "MD"),
    ("US-IL-MD-DO", "MD"),
    ("US-OH-MD-DO", "MD"),
    ("US-MI-MD", "MD"),
    ("US-MA-MD-DO", "MD"),
    ("US-GA-MD-DO", "MD"),
    ("US-WA-MD", "MD"),
    ("US-NJ-MD-DO", "MD"),
    ("US-AZ-MD", "MD"),
    ("US-NC-MD-DO", "MD"),
    ("US-KY-MD-DO", "MD"),
    ("US-TN-MD", "MD"),
    ("US-VA-MD-DO", "MD"),
    ("US-MD-MD-DO", "MD"),
    ("US-OR-MD-DO", "MD"),
    ("US-CA-DO", "DO"),
    ("US-FL-RN", "RN"),
    ("CA-RCPSC-MOC", "FRCPC"),
]
DESIGNATIONS = [
    ({"AMA_PRA_1": 1.0}, 50),
    ({"AMA_PRA_1": 1.0, "AOA_2A": 1.0}, 15),
    ({"AMA_PRA_1": 1.0, "AAFP_PRESCRIBED": 1.0}, 5),
    ({"AOA_1A": 1.0, "AMA_PRA_1": 1.0}, 5),
    ({"AMA_PRA_2": 1.0}, 10),
    ({"INFORMAL": 1.0}, 5),
    ({"FL_BON_APPROVED_CONTACT_HOUR": 1.2}, 4),
    ({"RC_SECTION_1": 1.0}, 3),
    ({"RC_SECTION_3": 3.0}, 1),
    ({"PRACTICE_MANAGEMENT_OR_TEACHING_METHODS": 1.0, "AMA_PRA_1": 1.0}, 2),
]
TOPICS = [
    "ethics", "professional_responsibility", "patient_safety", "risk_management",
    "medical_errors", "opioid_prescribing", "controlled_substance_prescribing",
    "pain_management", "end_of_life", "palliative_care", "addiction", "implicit_bias",
    "cultural_competency", "human_trafficking", "domestic_violence", "child_abuse_reporting",
    "infection_control", "geriatrics", "dementia", "laws_and_rules", "board_regulations",
    "hiv_aids", "suicide_prevention", "health_equity", "sexual_harassment_prevention",
]  # fmt: skip
CONDITIONS = [
    "dea_registration", "prescribes_controlled_substances", "prescriber_or_dispenser",
    "direct_patient_care", "treats_adults", "treats_children",
]  # fmt: skip
HOURS = [Decimal(x) for x in ("0.25", "0.5", "0.75", "1", "1", "1.5", "1.5", "2", "3", "6", "8")]


def catalogue(rng: random.Random) -> list[Credit]:
    """Conference sessions over three years: many clinicians attend the same ones."""
    kinds, weights = zip(*DESIGNATIONS, strict=True)
    start = dt.date(2023, 7, 1).toordinal()
    sessions = []
    for i in range(SESSIONS):
        hours = rng.choice(HOURS)
        kind = rng.choices(kinds, weights)[0]
        tags = frozenset(rng.sample(TOPICS, rng.choice((0, 0, 0, 1, 1, 2))))
        dhs = "child_abuse_reporting" in tags
        approvals = frozenset({"PA_DHS_APPROVED"}) if dhs else frozenset()
        sessions.append(
            Credit(
                id=f"s{i}",
                date=dt.date.fromordinal(start + rng.randrange(3 * 365)),
                amounts={t: hours * Decimal(str(f)) for t, f in kind.items()},
                topics=tags,
                approvals=approvals,
                format=rng.choice(("live", "live", "webinar", "enduring")),
            )
        )
    return sessions


def licence_for(rng: random.Random, sets, set_id: str, license_type: str) -> Licence:
    rs = sets[set_id]
    cycle = rs.cycle
    cycle_start = None
    if cycle.anchor == "program_enrollment_calendar_years":
        cycle_start = dt.date(rng.choice((2022, 2023, 2024)), 1, 1)
        expires = dt.date(cycle_start.year + 4, 12, 31)
    elif cycle.fixed_end is not None and cycle.length_months:
        expires = windows.next_expiry(cycle, today=TODAY)
    else:
        expires = windows.month_end(rng.choice((2026, 2027)), rng.randrange(1, 13))
    return Licence(
        requirement_set=rs,
        license_type=license_type,
        expires_on=expires,
        issued_on=dt.date(rng.randrange(1995, 2022), rng.randrange(1, 13), 1),
        specialties=frozenset({rng.choice(("family_medicine", "cardiology", "radiology"))}),
        conditions=frozenset(rng.sample(CONDITIONS, rng.randrange(0, 4))),
        carried_in=Decimal(rng.choice((0, 0, 0, 10))),
        cycle_start=cycle_start,
    )


def run_chunk(args: tuple[int, int, int]) -> tuple[float, int, int, int, int]:
    """Evaluate clinicians [first, first + count).

    (seconds evaluating, licences, checks, compliant, process id).
    """
    first, count, n_credits = args
    sets, sessions = _STATE["sets"], _STATE["sessions"]
    rng = random.Random(SEED + first)
    work = []
    for _ in range(count):
        held = rng.sample(HOLDINGS, 2)
        credits = rng.sample(sessions, n_credits)
        work.extend((licence_for(rng, sets, s, t), credits) for s, t in held)
    checks = compliant = 0
    t0 = time.perf_counter()
    for licence, credits in work:
        status = evaluate(licence, credits, today=TODAY)
        checks += len(credits) * len(status.requirements)
        compliant += status.compliant
    return time.perf_counter() - t0, len(work), checks, compliant, os.getpid()


_STATE: dict = {}


def _init() -> None:
    _STATE["sets"] = load_shipped()
    _STATE["sessions"] = catalogue(random.Random(SEED))


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--clinicians", type=int, default=100_000)
    p.add_argument("--credits", type=int, default=30, help="credits per clinician (30)")
    p.add_argument("--workers", type=int, default=2, help="processes (2; 1: in this process)")
    args = p.parse_args(argv)

    chunks = [
        (first, min(CHUNK, args.clinicians - first), args.credits)
        for first in range(0, args.clinicians, CHUNK)
    ]
    start = time.perf_counter()
    if args.workers == 1:
        _init()
        results = [run_chunk(c) for c in chunks]
    else:
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(args.workers, initializer=_init) as pool:
            results = pool.map(run_chunk, chunks, chunksize=1)
    wall = time.perf_counter() - start
    evaluating = sum(r[0] for r in results)
    # The engine's own wall time: what the busiest worker spent evaluating (building the
    # synthetic clinicians and credits is the benchmark's work, not the engine's).
    per_worker: dict[int, float] = {}
    for r in results:
        per_worker[r[4]] = per_worker.get(r[4], 0.0) + r[0]
    engine_wall = max(per_worker.values())
    licences = sum(r[1] for r in results)
    checks = sum(r[2] for r in results)
    compliant = sum(r[3] for r in results)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"Python {platform.python_version()}, {args.workers} worker(s), seed {SEED}")
    print(f"clinicians {args.clinicians:,}, licences {licences:,}, credits each {args.credits}")
    print(f"wall time (building the data included)  {wall:8.2f} s")
    print(f"evaluation wall time (busiest worker)   {engine_wall:8.2f} s")
    print(f"evaluation time, all workers            {evaluating:8.2f} s")
    print(f"per licence                             {evaluating / licences * 1e6:8.1f} us")
    print(f"credit-against-rule checks per second   {checks / evaluating:12,.0f}")
    print(f"compliant licences                      {compliant / licences:8.1%}")
    print(f"peak memory: main {own / 1024:.0f} MiB, largest worker {children / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
