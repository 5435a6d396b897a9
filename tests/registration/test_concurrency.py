"""Never oversold: many registrations and workshop sign-ups at once, each on its own connection.

PostgreSQL is where the row locks matter (and what production runs on). SQLite
takes the whole database's write lock at the start of each transaction
(transaction_mode IMMEDIATE), which serialises the same requests; a smaller run
checks that too.
"""

import datetime as dt
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from cmeconf.registration import services
from cmeconf.registration.choices import SEAT_STATUSES, RegistrationStatus, SignupStatus
from cmeconf.registration.models import Registration, WorkshopSignup
from tests.factories import ActivityFactory, SessionFactory, UserFactory
from tests.registration.factories import RegistrationSetupFactory, RegistrationTypeFactory

NOW = dt.datetime(2027, 2, 15, 12, tzinfo=dt.UTC)
POSTGRES = connection.vendor == "postgresql"
ROOT = Path(__file__).resolve().parents[2]


def _in_threads(fn, items, workers: int) -> list:
    """Run fn over items in a pool; each thread closes its own database connection."""

    def run(item):
        try:
            return fn(item)
        except ValidationError as e:  # a real outcome, counted by the test
            return e
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, items))


def _register_all(activity, reg_type, persons, workers):
    return _in_threads(
        lambda p: services.register(activity, p, registration_type=reg_type, by=p, now=NOW),
        persons,
        workers,
    )


def _statuses(activity) -> tuple[int, int]:
    regs = Registration.objects.filter(activity=activity)
    return (
        regs.filter(status__in=SEAT_STATUSES).count(),
        regs.filter(status=RegistrationStatus.WAITLISTED).count(),
    )


def _activity(type_capacity=None, activity_capacity=None):
    activity = ActivityFactory()
    RegistrationSetupFactory(activity=activity, capacity=activity_capacity)
    reg_type = RegistrationTypeFactory(activity=activity, capacity=type_capacity)
    return activity, reg_type


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES, reason="row locks under real concurrency: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_200_registrations_for_100_seats():
    activity, reg_type = _activity(type_capacity=100)
    persons = [UserFactory() for _ in range(200)]
    results = _register_all(activity, reg_type, persons, workers=20)
    assert not [r for r in results if isinstance(r, Exception)]
    assert _statuses(activity) == (100, 100)
    assert services.seats_left(activity, reg_type) == 0


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES, reason="row locks under real concurrency: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_activity_capacity_holds_across_types_at_once():
    activity, physicians = _activity(activity_capacity=30)
    nurses = RegistrationTypeFactory(activity=activity)
    persons = [UserFactory() for _ in range(80)]
    results = _in_threads(
        lambda ip: services.register(
            activity,
            ip[1],
            registration_type=physicians if ip[0] % 2 else nurses,
            by=ip[1],
            now=NOW,
        ),
        list(enumerate(persons)),
        workers=20,
    )
    assert not [r for r in results if isinstance(r, Exception)]
    assert _statuses(activity) == (30, 50)


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES, reason="row locks under real concurrency: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_60_sign_ups_for_a_workshop_of_20():
    activity, reg_type = _activity()
    workshop = SessionFactory(activity=activity, format="workshop", capacity=20)
    regs = [
        services.register(activity, p, registration_type=reg_type, by=p, now=NOW)
        for p in (UserFactory() for _ in range(60))
    ]
    results = _in_threads(
        lambda r: services.sign_up(r, workshop, by=r.person, now=NOW), regs, workers=20
    )
    assert not [r for r in results if isinstance(r, Exception)]
    signups = WorkshopSignup.objects.filter(session=workshop)
    assert signups.filter(status=SignupStatus.CONFIRMED).count() == 20
    assert signups.filter(status=SignupStatus.WAITLISTED).count() == 40


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES, reason="row locks under real concurrency: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_same_person_twice_at_once_gets_one_registration():
    activity, reg_type = _activity()
    person = UserFactory()
    results = _register_all(activity, reg_type, [person] * 8, workers=8)
    assert sum(isinstance(r, Registration) for r in results) == 1
    assert all(isinstance(r, Registration) or list(r.message_dict) == ["person"] for r in results)
    assert Registration.objects.filter(activity=activity, person=person).count() == 1


# The test database of SQLite lives in memory with a shared cache, where a second writer
# fails at once ("table is locked") instead of waiting; so the SQLite check runs in a
# separate process on a file database configured as in production.
SQLITE_RACE = """
import datetime as dt, json, sys
from concurrent.futures import ThreadPoolExecutor
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.core.exceptions import ValidationError
from django.db import connections
from cmeconf.accounts.models import User
from cmeconf.registration import services
from cmeconf.registration.choices import SEAT_STATUSES
from cmeconf.registration.models import Registration
from tests.factories import ActivityFactory
from tests.registration.factories import RegistrationSetupFactory, RegistrationTypeFactory

activity = ActivityFactory()
RegistrationSetupFactory(activity=activity)
reg_type = RegistrationTypeFactory(activity=activity, capacity=5)
persons = [User.objects.create(email=f"p{i}@example.org") for i in range(12)]
now = dt.datetime(2027, 2, 15, 12, tzinfo=dt.UTC)

def run(p):
    try:
        services.register(activity, p, registration_type=reg_type, by=p, now=now)
        return "ok"
    except ValidationError as e:
        return str(e)
    finally:
        connections.close_all()

with ThreadPoolExecutor(max_workers=4) as pool:
    outcomes = list(pool.map(run, persons))
regs = Registration.objects.filter(activity=activity)
print(json.dumps({
    "outcomes": outcomes,
    "seats": regs.filter(status__in=SEAT_STATUSES).count(),
    "waiting": regs.filter(status="waitlisted").count(),
}))
"""


@pytest.mark.skipif(POSTGRES, reason="the SQLite variant; PostgreSQL runs the full-size tests")
def test_sqlite_serialises_a_few_threads(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CMECONF_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env.update(
        CMECONF_DATA_DIR=str(tmp_path),
        CMECONF_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        DJANGO_SETTINGS_MODULE="cmeconf.settings",
        PYTHONPATH=str(ROOT),
    )
    done = subprocess.run(
        [sys.executable, "-c", SQLITE_RACE],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"outcomes": ["ok"] * 12, "seats": 5, "waiting": 7}
