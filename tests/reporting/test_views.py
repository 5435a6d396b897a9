"""The staff page and its downloads: who may see them, what they serve."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.urls import reverse
from lxml import etree

from cmeconf.common.models import AuditEntry
from cmeconf.credits.models import Claim
from tests.factories import ActivityFactory, ProviderFactory, TeamFactory, UserFactory
from tests.reporting import validation
from tests.reporting.conftest import EVENT_DAY

pytestmark = pytest.mark.django_db

ACCME_ID = "202712345"


def url(name: str, activity, *args) -> str:
    return reverse(f"staff:{name}", args=[activity.provider.slug, activity.slug, *args])


@pytest.fixture
def ready(world, fixed_today):
    fixed_today(EVENT_DAY + dt.timedelta(days=6))
    return world


def member(provider, permissions):
    user = UserFactory()
    TeamFactory(provider=provider, members=[user], permissions=permissions)
    return user


@pytest.fixture
def as_user(client):
    def login(user):
        if user is not None:
            client.force_login(user)
        return client

    return login


# --- who may open what --------------------------------------------------------------------------


PAGES = [
    ("credit_reports", ()),
    ("credit_reports_pars_activity", ("xml",)),
    ("credit_reports_pars_activity", ("json",)),
    ("credit_reports_pars_learners", ("json",)),
    ("credit_reports_cpe", ()),
    ("credit_reports_ce_broker", ()),
    ("credit_reports_ja_pars", ("xml",)),
]


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_outsiders_and_staff_without_permission_are_refused(ready, as_user, name, args):
    activity = ready.activity
    target = url(name, activity, *args)
    # Anonymous: to the login page.
    response = as_user(None).get(target)
    assert response.status_code == 302 and "/accounts/login" in response["Location"]
    # A learner, and staff of another provider: the activity does not exist for them.
    other = ProviderFactory()
    ActivityFactory(provider=other, slug=activity.slug)
    for outsider in (ready.people["ann"], member(other, ["reports", "credit"])):
        assert as_user(outsider).get(target).status_code == 404
    # Staff of this provider without reports or credit.
    assert (
        as_user(member(activity.provider, ["registration", "program"])).get(target).status_code
        == 403
    )


@pytest.mark.parametrize("permission", ["reports", "credit"])
def test_reports_or_credit_may_read(ready, as_user, permission):
    activity = ready.activity
    client = as_user(member(activity.provider, [permission]))
    response = client.get(url("credit_reports", activity), {"accme_activity_id": ACCME_ID})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="report-totals"' in page
    assert "<svg" in page and "Learners by profession" in page
    assert f"cmeconf-{activity.pk}" in page
    # The learner rows that can be marked: Ann's two claims, not Bob's (no consent).
    assert page.count('name="claim"') == 2
    assert "Not in the file: Bob Baker (AMA_PRA_1): the learner did not consent" in page
    assert url("credit_reports_pars_learners", activity, "json") in page


def test_the_page_escapes_what_people_typed(ready, as_user, admin_user):
    ann = ready.people["ann"]
    ann.first_name = "<script>alert(1)</script>"
    ann.save()
    page = as_user(admin_user).get(url("credit_reports", ready.activity)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- downloads ----------------------------------------------------------------------------------


def test_pars_activity_downloads_validate(ready, as_user, admin_user):
    client = as_user(admin_user)
    activity = ready.activity
    response = client.get(url("credit_reports_pars_activity", activity, "xml"))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('pars-activity.xml"')
    validation.assert_valid_pars_activity_xml(response.content)
    response = client.get(url("credit_reports_pars_activity", activity, "json"))
    validation.assert_valid_json(validation.ACTIVITY_SCHEMA, json.loads(response.content))
    assert client.get(url("credit_reports_pars_activity", activity, "txt")).status_code == 404


def test_learner_download_marks_nothing(ready, as_user, admin_user):
    client = as_user(admin_user)
    activity = ready.activity
    for fmt in ("json", "xml"):
        response = client.get(
            url("credit_reports_pars_learners", activity, fmt), {"accme_activity_id": ACCME_ID}
        )
        assert response.status_code == 200
        if fmt == "json":
            validation.assert_valid_json(validation.LEARNER_SCHEMA, json.loads(response.content))
        else:
            validation.assert_valid_xml(
                validation.activity_report_schema(), etree.fromstring(response.content)
            )
    assert not Claim.objects.filter(activity=activity, reported_at__isnull=False).exists()
    assert not AuditEntry.objects.filter(action="claim.reported").exists()


def test_a_blocked_file_is_not_served(ready, as_user, admin_user):
    client = as_user(admin_user)
    response = client.get(url("credit_reports_pars_learners", ready.activity, "json"))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "9-digit ACCME activity ID" in page


def test_csv_downloads(ready, as_user, admin_user):
    client = as_user(admin_user)
    activity = ready.activity
    cpe = client.get(url("credit_reports_cpe", activity))
    assert cpe["Content-Type"].startswith("text/csv")
    assert [r["epid"] for r in csv.DictReader(io.StringIO(cpe.content.decode()))] == ["1234567"]
    roster = client.get(url("credit_reports_ce_broker", activity))
    assert [r["last_name"] for r in csv.DictReader(io.StringIO(roster.content.decode()))] == [
        "Cole"
    ]


# --- marking reported ---------------------------------------------------------------------------


def test_mark_reported_by_post(ready, as_user):
    activity = ready.activity
    staff = member(activity.provider, ["reports"])
    ann_claims = list(
        Claim.objects.filter(activity=activity, person=ready.people["ann"]).values_list(
            "pk", flat=True
        )
    )
    client = as_user(staff)
    assert client.get(url("credit_reports_mark_reported", activity)).status_code == 405
    response = client.post(url("credit_reports_mark_reported", activity), {"claim": ann_claims})
    assert response.status_code == 302
    assert Claim.objects.filter(pk__in=ann_claims, reported_at__isnull=False).count() == 2
    entries = AuditEntry.objects.filter(action="claim.reported")
    assert entries.count() == 2 and {e.actor for e in entries} == {staff}
    page = client.get(response["Location"]).content.decode()
    assert "2 rows marked as reported to PARS." in page


def test_mark_reported_refused_without_permission(ready, as_user):
    activity = ready.activity
    ids = list(Claim.objects.filter(activity=activity).values_list("pk", flat=True))
    clerk = member(activity.provider, ["registration"])
    response = as_user(clerk).post(url("credit_reports_mark_reported", activity), {"claim": ids})
    assert response.status_code == 403
    other = ProviderFactory()
    ActivityFactory(provider=other, slug=activity.slug)
    outsider = member(other, ["reports", "credit"])
    response = as_user(outsider).post(url("credit_reports_mark_reported", activity), {"claim": ids})
    assert response.status_code == 404
    assert not Claim.objects.filter(reported_at__isnull=False).exists()


def test_the_page_does_not_query_per_learner(ready, as_user, admin_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user(admin_user)
    target = url("credit_reports", ready.activity)
    client.get(target)  # warm per-request caches of the session and permissions

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(target, {"accme_activity_id": ACCME_ID}).status_code == 200
        return len(ctx)

    before = queries()
    for n in range(3):
        person = UserFactory(first_name=f"New{n}")
        ready.register(person, identifiers={"licence_state": "NY", "licence_number": f"N{n}"})
        ready.claim(person, "AMA_PRA_1", "10.00")
        ready.claim(person, "ABMS_MOC", "10.00", board="ABIM", board_id=f"77{n}")
    assert queries() == before


def test_ja_pars_section_and_download_for_jointly_accredited(ready, as_user, admin_user):
    from cmeconf.providers.models import Accreditation

    activity = ready.activity
    client = as_user(admin_user)
    assert 'id="file-ja-pars"' not in client.get(url("credit_reports", activity)).content.decode()
    Accreditation.objects.create(provider=activity.provider, accreditor="JA", identifier="4008888")
    ready.designate("IPCE", "15.50")
    page = client.get(url("credit_reports", activity)).content.decode()
    assert 'id="file-ja-pars"' in page
    response = client.get(url("credit_reports_ja_pars", activity, "xml"))
    assert response.status_code == 200
    [record] = validation.assert_valid_pars_activity_xml(response.content)
    assert b"4008888" in etree.tostring(record)
    response = client.get(url("credit_reports_ja_pars", activity, "json"))
    validation.assert_valid_json(validation.ACTIVITY_SCHEMA, json.loads(response.content))
