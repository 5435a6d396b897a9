"""The reports API: the dashboard's figures and checks, the files, marking rows reported.

The world is the reporting tests' own (tests/reporting/conftest.py): the ACP's
Annual Meeting 2027 with AMA, MOC, ACPE and ANCC claims [PA5][B1][P5].
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import etree
from rest_framework.test import APIClient

from cmeconf.common.models import AuditEntry
from cmeconf.credits.models import Claim
from cmeconf.providers.models import Accreditation
from tests.factories import ActivityFactory, ProviderFactory, TeamFactory, UserFactory
from tests.reporting import validation
from tests.reporting.conftest import (  # noqa: F401 (fixtures used by name)
    EVENT_DAY,
    fixed_today,
    world,
)

ACCME_ID = "202712345"


@pytest.fixture
def ready(world, fixed_today):  # noqa: F811
    fixed_today(EVENT_DAY + dt.timedelta(days=6))
    return world


def member(provider, permissions, **team):
    user = UserFactory()
    TeamFactory(provider=provider, members=[user], permissions=permissions, **team)
    return user


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def base(activity) -> str:
    return f"/api/v1/providers/{activity.provider.slug}/activities/{activity.slug}/reports"


def test_dashboard_figures_and_checks(ready):
    activity = ready.activity
    client = client_for(member(activity.provider, ["reports"]))
    response = client.get(f"{base(activity)}/", {"accme_activity_id": ACCME_ID})
    assert response.status_code == 200
    body = response.json()
    assert body["totals"] == {"learners": 4, "claimants": 4, "claims": 6, "reported": 0}
    credits = {b["label"]: b["value"] for b in body["charts"]["credits_by_type"]["bars"]}
    # Live claims only (Eve's withdrawn 3.00 does not count), never the maximum [M6].
    assert credits["AMA PRA Category 1"] == "27.50"
    assert body["accme_activity_id"] == ACCME_ID
    assert body["joint_accreditation"] is False
    files = {f["kind"]: f for f in body["files"]}
    assert set(files) == {
        "pars-activity-xml",
        "pars-activity-json",
        "pars-learners-json",
        "activity-report-xml",
        "cpe-monitor-csv",
        "ce-broker-csv",
    }
    assert files["pars-learners-json"]["blocked"] is False
    warnings = [p["message"] for p in files["pars-learners-json"]["problems"]]
    assert any("Bob Baker" in m and "did not consent" in m for m in warnings)
    rows = {(r["name"], r["certification"]) for r in body["learner_rows"]}
    assert rows == {("Ann Able", "AMA PRA Category 1"), ("Ann Able", "ABIM MOC")}
    assert body["already_reported"] == 0


def test_without_the_activity_id_the_learner_files_are_blocked(ready):
    activity = ready.activity
    client = client_for(member(activity.provider, ["credit"]))
    body = client.get(f"{base(activity)}/").json()
    files = {f["kind"]: f for f in body["files"]}
    assert files["pars-learners-json"]["blocked"] is True
    response = client.get(f"{base(activity)}/pars-learners-json/")
    assert response.status_code == 409
    problems = response.json()["problems"]
    assert response.json()["detail"] == "A problem blocks this file: correct it first."
    assert any(
        p["level"] == "error" and "9-digit ACCME activity ID" in p["message"] for p in problems
    )


def test_activity_files_are_the_builders_own(ready):
    activity = ready.activity
    client = client_for(member(activity.provider, ["reports"]))
    xml = client.get(f"{base(activity)}/pars-activity-xml/", HTTP_ACCEPT="application/xml")
    assert xml.status_code == 200
    assert xml["Content-Type"] == "application/xml; charset=utf-8"
    assert xml["Content-Disposition"].endswith(f'{activity.slug}-pars-activity.xml"')
    validation.assert_valid_pars_activity_xml(xml.content)
    js = client.get(f"{base(activity)}/pars-activity-json/")
    validation.assert_valid_json(validation.ACTIVITY_SCHEMA, json.loads(js.content))
    assert client.get(f"{base(activity)}/pars-activity-txt/").status_code == 404


def test_learner_files_mark_nothing(ready):
    activity = ready.activity
    client = client_for(member(activity.provider, ["reports"]))
    query = {"accme_activity_id": ACCME_ID}
    js = client.get(f"{base(activity)}/pars-learners-json/", query)
    assert js.status_code == 200
    validation.assert_valid_json(validation.LEARNER_SCHEMA, json.loads(js.content))
    xml = client.get(f"{base(activity)}/activity-report-xml/", query)
    assert xml.status_code == 200
    validation.assert_valid_xml(validation.activity_report_schema(), etree.fromstring(xml.content))
    assert not Claim.objects.filter(activity=activity, reported_at__isnull=False).exists()


def test_csv_files(ready):
    activity = ready.activity
    client = client_for(member(activity.provider, ["credit"]))
    cpe = client.get(f"{base(activity)}/cpe-monitor-csv/", HTTP_ACCEPT="text/csv")
    assert cpe["Content-Type"].startswith("text/csv")
    assert [r["epid"] for r in csv.DictReader(io.StringIO(cpe.content.decode()))] == ["1234567"]
    roster = client.get(f"{base(activity)}/ce-broker-csv/")
    assert [r["last_name"] for r in csv.DictReader(io.StringIO(roster.content.decode()))] == [
        "Cole"
    ]


def test_ja_pars_for_jointly_accredited_providers(ready):
    activity = ready.activity
    client = client_for(member(activity.provider, ["reports"]))
    blocked = client.get(f"{base(activity)}/ja-pars-json/")
    assert blocked.status_code == 409
    assert "no Joint Accreditation" in blocked.json()["problems"][0]["message"]
    Accreditation.objects.create(provider=activity.provider, accreditor="JA", identifier="JA0042")
    body = client.get(f"{base(activity)}/").json()
    assert body["joint_accreditation"] is True
    assert {"ja-pars-json", "ja-pars-xml"} <= {f["kind"] for f in body["files"]}
    response = client.get(f"{base(activity)}/ja-pars-json/")
    assert response.status_code == 200
    assert json.loads(response.content)


def test_mark_reported_through_the_service(ready):
    activity = ready.activity
    staff = member(activity.provider, ["reports"])
    client = client_for(staff)
    ann = list(
        Claim.objects.filter(activity=activity, person=ready.people["ann"]).values_list(
            "pk", flat=True
        )
    )
    url = f"{base(activity)}/learners/mark-reported/"
    unconfirmed = client.post(url, {"claims": ann, "confirm": False}, format="json")
    assert unconfirmed.status_code == 400
    assert list(unconfirmed.json()) == ["confirm"]
    response = client.post(url, {"claims": ann, "confirm": True}, format="json")
    assert response.status_code == 200
    assert response.json() == {"marked": 2}
    assert Claim.objects.filter(pk__in=ann, reported_at__isnull=False).count() == 2
    entries = AuditEntry.objects.filter(action="claim.reported")
    assert entries.count() == 2 and {e.actor for e in entries} == {staff}
    # Once marked, they are no longer rows of the file.
    again = client.post(url, {"claims": ann, "confirm": True}, format="json")
    assert again.status_code == 400
    assert "claims" in again.json()


def test_mark_reported_refuses_claims_outside_the_file(ready):
    activity = ready.activity
    client = client_for(member(activity.provider, ["credit"]))
    bob = Claim.objects.filter(activity=activity, person=ready.people["bob"]).first()
    url = f"{base(activity)}/learners/mark-reported/"
    response = client.post(url, {"claims": [bob.pk], "confirm": True}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "claims": ["Some rows cannot be marked: they are not in this activity's file."]
    }
    empty = client.post(url, {"claims": [], "confirm": True}, format="json")
    assert empty.json() == {"claims": ["Choose the rows that were uploaded."]}
    assert not Claim.objects.filter(reported_at__isnull=False).exists()


def test_refusals(ready):
    activity = ready.activity
    ids = list(Claim.objects.filter(activity=activity).values_list("pk", flat=True))
    url = f"{base(activity)}/learners/mark-reported/"
    clerk = client_for(member(activity.provider, ["registration"]))
    assert clerk.get(f"{base(activity)}/").status_code == 403
    assert clerk.get(f"{base(activity)}/cpe-monitor-csv/").status_code == 403
    assert clerk.post(url, {"claims": ids, "confirm": True}, format="json").status_code == 403
    other = ProviderFactory()
    ActivityFactory(provider=other, slug=activity.slug)
    outsider = client_for(member(other, ["reports", "credit"]))
    assert outsider.get(f"{base(activity)}/").status_code == 403  # published: seen, not theirs
    assert outsider.post(url, {"claims": ids, "confirm": True}, format="json").status_code == 403
    assert client_for(None).get(f"{base(activity)}/").status_code == 401
    learner = client_for(UserFactory())
    assert learner.get(f"{base(activity)}/pars-activity-json/").status_code == 403
    assert not Claim.objects.filter(reported_at__isnull=False).exists()


def test_the_dashboard_does_not_query_per_learner(ready):
    activity = ready.activity
    client = client_for(member(activity.provider, ["reports"]))
    client.get(f"{base(activity)}/", {"accme_activity_id": ACCME_ID})  # what is cached after one
    with CaptureQueriesContext(connection) as before:
        client.get(f"{base(activity)}/", {"accme_activity_id": ACCME_ID})
    for n in range(3):
        person = UserFactory(first_name=f"New{n}", last_name="Learner")
        ready.register(person, identifiers={"licence_state": "NY", "licence_number": f"N{n}"})
        ready.claim(person, "AMA_PRA_1", "1.00")
    with CaptureQueriesContext(connection) as after:
        body = client.get(f"{base(activity)}/", {"accme_activity_id": ACCME_ID}).json()
    assert len(body["learner_rows"]) == 5
    assert len(after) == len(before)


def test_responses_match_the_schema(ready):
    from tests.api.test_evaluations import schema_check

    check = schema_check(APIClient())
    activity = ready.activity
    client = client_for(member(activity.provider, ["reports"]))
    path = "/api/v1/providers/{provider}/activities/{activity}/reports"
    ann = list(Claim.objects.filter(person=ready.people["ann"]).values_list("pk", flat=True))
    checks = [
        (client.get(f"{base(activity)}/", {"accme_activity_id": ACCME_ID}), f"{path}/", "get"),
        (client.get(f"{base(activity)}/pars-learners-json/"), f"{path}/{{kind}}/", "get"),
        (client.post(f"{base(activity)}/learners/mark-reported/",
                     {"claims": ann, "confirm": True}, format="json"),
         f"{path}/learners/mark-reported/", "post"),
    ]  # fmt: skip
    for response, api_path, method in checks:
        check(response, api_path, method)
    assert [r.status_code for r, _p, _m in checks] == [200, 409, 200]
