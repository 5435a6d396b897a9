"""Who may call each endpoint of this part of the API; rows join the coverage check.

Evaluations, certificates and reports, on the world of tests/api/test_permissions.py
(two providers sharing slugs, a hidden and a published activity, one member per
permission) plus: the activity form of each activity with a question of the provider's
own, a session form, a certificate, a finished batch and a learner registered on the
published activity. Rows run on the conference's second day, when evaluations are open.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.api.test_permissions import (
    PEOPLE,
    everyone,
    hidden_read,
    policy,
    public_read,
    some_write,
    world,  # noqa: F401 (the fixture this module's world builds on)
)

A = "/api/v1/providers/acp/activities/draft-2027"  # hidden
P = "/api/v1/providers/acp/activities/annual-2027"  # published
BUILD = ("credit", "program")
RESULTS = ("credit", "reports")
EVAL_READ = ("credit", "program", "reports")
CERT_READ = ("credit", "reports")
REPORTS = ("reports", "credit")
SIGNED_IN = everyone(200) | {"anonymous": 401}
# A form only the learner registered on the published activity answers.
ANSWERER = everyone(403) | {"anonymous": 401, "learner": 200}
ANSWERS = {
    "answers": {"{p_objectives}": 4, "{p_intent}": "Start statins earlier.", "{p_bias}": "Yes",
                "{p_question}": "Nothing."}
}  # fmt: skip


def not_found_for(*perms, ok: int = 404) -> dict:
    """Another provider's record through this provider's URL: never found by those allowed."""
    return policy(allowed=ok, anonymous=401, outsiders=403, lacking=403, perms=perms)


MATRIX = [
    # Evaluation forms: built by credit or program; results read by credit or reports.
    ("get", f"{A}/evaluations/", None, hidden_read(*EVAL_READ)),
    ("post", f"{A}/evaluations/", {"kind": "follow_up"}, some_write(201, *BUILD)),
    ("get", f"{A}/evaluations/{{form}}/", None, hidden_read(*EVAL_READ)),
    ("patch", f"{A}/evaluations/{{form}}/", {"title": "Renamed"}, some_write(200, *BUILD)),
    ("delete", f"{A}/evaluations/{{session_form}}/", None, some_write(204, *BUILD)),
    ("post", f"{A}/evaluations/{{form}}/questions/", {"kind": "text", "text": "Else?"},
     some_write(201, *BUILD)),
    ("patch", f"{A}/evaluations/{{form}}/questions/{{question}}/", {"text": "Reworded?"},
     some_write(200, *BUILD)),
    ("delete", f"{A}/evaluations/{{form}}/questions/{{question}}/", None,
     some_write(204, *BUILD)),
    ("post", f"{A}/evaluations/{{form}}/questions/{{question}}/move/", {"direction": "up"},
     some_write(200, *BUILD)),
    ("get", f"{A}/evaluations/{{form}}/results/", None, hidden_read(*RESULTS)),
    ("get", f"{P}/evaluations/", None, public_read(*EVAL_READ)),
    ("get", f"{P}/evaluations/{{p_form}}/results/", None, public_read(*RESULTS)),
    ("patch", f"{P}/evaluations/{{p_form}}/", {"title": "Renamed"},
     some_write(200, *BUILD, hidden=False)),
    # The other provider's form through this provider's URL.
    ("get", f"{P}/evaluations/{{b_form}}/", None, not_found_for(*EVAL_READ)),
    ("get", f"{P}/evaluations/{{b_form}}/results/", None, not_found_for(*RESULTS)),
    ("delete", f"{P}/evaluations/{{b_form}}/questions/{{b_question}}/", None,
     not_found_for(*BUILD)),
    # The learner's own evaluations.
    ("get", f"{A}/me/evaluations/", None,
     policy(allowed=200, anonymous=401, outsiders=404, lacking=200, perms="any")),
    ("get", f"{P}/me/evaluations/", None, SIGNED_IN),
    ("get", f"{P}/me/evaluations/{{p_form}}/", None, ANSWERER),
    ("post", f"{P}/me/evaluations/{{p_form}}/", ANSWERS, ANSWERER | {"learner": 201}),
    ("get", f"{P}/me/evaluations/{{b_form}}/", None, everyone(404) | {"anonymous": 401}),
    # Certificates: acted on by credit, read by credit or reports.
    ("get", f"{A}/certificates/", None, hidden_read(*CERT_READ)),
    ("post", f"{A}/certificates/batches/", None, some_write(201, "credit")),
    ("get", f"{A}/certificates/batches/{{batch}}/", None, hidden_read(*CERT_READ)),
    ("get", f"{A}/certificates/template/", None, hidden_read(*CERT_READ)),
    ("put", f"{A}/certificates/template/", {"template": None}, some_write(200, "credit")),
    ("post", f"{A}/certificates/{{number}}/revoke/", {"reason": "Wrong person."},
     some_write(200, "credit")),
    ("post", f"{A}/certificates/{{number}}/reissue/", None, some_write(201, "credit")),
    ("get", f"{P}/certificates/", None, public_read(*CERT_READ)),
    ("post", f"{P}/certificates/{{p_number}}/revoke/", {"reason": "Wrong person."},
     some_write(200, "credit", hidden=False)),
    ("post", f"{P}/certificates/{{b_number}}/revoke/", {"reason": "Not ours."},
     some_write(404, "credit", hidden=False)),
    ("get", f"{P}/certificates/batches/{{b_batch}}/", None, not_found_for(*CERT_READ)),
    # The provider's templates: credit in a team over all its activities.
    ("get", "/api/v1/providers/acp/certificate-templates/", None,
     policy(allowed=200, anonymous=401, outsiders=404, lacking=403, perms=("credit",))
     | {"limited": 403}),
    # Verifying a certificate: anyone, no credentials.
    ("get", "/api/v1/certificates/verify/?token={token}", None, everyone(200)),
    # Reports: reports or credit.
    ("get", f"{A}/reports/", None, hidden_read(*REPORTS)),
    # No nurse's claim: the roster is blocked (409) for those who may download it.
    ("get", f"{A}/reports/ce-broker-csv/", None,
     hidden_read(*REPORTS) | {"reports": 409, "credit": 409}),
    ("post", f"{A}/reports/learners/mark-reported/", {"claims": ["{claim}"], "confirm": True},
     some_write(200, *REPORTS)),
    ("get", f"{P}/reports/", None, public_read(*REPORTS)),
    ("get", f"{P}/reports/pars-activity-json/", None, public_read(*REPORTS)),
]  # fmt: skip


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def evaluation_world(world):  # noqa: F811 (pytest's fixture by name)
    """Forms, a certificate, a batch and a reportable claim on each activity."""
    from cmeconf.activities.models import Activity, Session
    from cmeconf.credits.certificate_tokens import certificate_token
    from cmeconf.credits.certificates import issue_certificate
    from cmeconf.credits.models import BatchStatus, CertificateBatch, Claim
    from cmeconf.evaluations import builder
    from cmeconf.evaluations.standard import ensure_activity_form
    from cmeconf.providers.models import Accreditation
    from tests.credits.certificate_fixtures import designate, make_claim
    from tests.credits.claim_fixtures import register
    from tests.factories import UserFactory

    people, ids = world
    ids = dict(ids)
    for prefix, provider, slug in (("", "acp", "draft-2027"), ("p_", "acp", "annual-2027"),
                                   ("b_", "bsoc", "annual-2027")):  # fmt: skip
        activity = Activity.objects.get(provider__slug=provider, slug=slug)
        staff = people["other_admin" if provider == "bsoc" else "credit"]
        form = ensure_activity_form(activity, by=staff)
        question = builder.add_question(form, by=staff, kind="text", text="Anything else?")
        session = Session.objects.get(code=ids[f"{prefix}session"])
        session_form = builder.create_session_form(session, by=staff)
        designation = designate(activity, staff)
        # A claim the PARS learner file holds: consent, birth day, licence [B1].
        claimant = UserFactory()
        register(activity, claimant, identifiers={"licence_state": "MA", "licence_number": "A1"})
        claim = make_claim(
            designation, claimant, consent_to_report=True, birth_month=3, birth_day=15
        )
        cert = issue_certificate(claim)
        batch = CertificateBatch.objects.create(
            activity=activity, requested_by=staff, created=timezone.now(),
            status=BatchStatus.DONE, total=1, done=1, issued=1,
        )  # fmt: skip
        make_claim(designation)  # without a certificate: what a batch issues
        Accreditation.objects.get_or_create(
            provider=activity.provider, accreditor="ACCME", defaults={"identifier": "0001234"}
        )
        ids |= {
            f"{prefix}form": form.pk,
            f"{prefix}question": question.pk,
            f"{prefix}session_form": session_form.pk,
            f"{prefix}number": cert.number,
            f"{prefix}batch": batch.pk,
            f"{prefix}claim": claim.pk,
        }
        if prefix == "":
            ids["token"] = certificate_token(cert)
        if prefix == "p_":
            register(activity, people["learner"])
            by_standard = {q.standard: q.pk for q in form.questions.exclude(standard="")}
            ids |= {
                "p_objectives": by_standard["objectives_met"],
                "p_intent": by_standard["intent_to_change"],
                "p_bias": by_standard["free_of_bias"],
            }
    assert Claim.objects.count() == 6
    return people, ids


def _formatted(value, ids: dict):
    """The body with every "{name}" (keys too) replaced by the id made for the matrix."""
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
            return ids[value[1:-1]]
        return value.format(**ids)
    if isinstance(value, dict):
        return {_formatted(k, ids): _formatted(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_formatted(v, ids) for v in value]
    return value


@pytest.mark.parametrize(
    ("method", "url", "body", "expected"),
    [pytest.param(*row, id=f"{row[0]}-{row[1]}") for row in MATRIX],
)
def test_evaluation_permission_matrix(evaluation_world, monkeypatch, method, url, body, expected):
    people, ids = evaluation_world
    # The second day of the conference: evaluations take answers.
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2027, 4, 15, 17, 0, tzinfo=dt.UTC))
    url = url.format(**ids)
    body = _formatted(body, ids)
    wrong = {}
    for who in PEOPLE:
        # Each person meets the same data: whatever a request changed is rolled back.
        savepoint = transaction.savepoint()
        client = APIClient()
        if people[who] is not None:
            token = Token.objects.create(user=people[who])
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        response = getattr(client, method)(url, body, format="json")
        status = response.status_code
        if status != expected[who]:
            wrong[who] = (expected[who], status, response.content[:200])
        elif status in (401, 403, 404):
            # Refusals explain themselves and leak nothing else.
            body_keys = set(response.json())
            if body_keys != {"detail"}:
                wrong[who] = ("only detail", body_keys)
        transaction.savepoint_rollback(savepoint)
    assert wrong == {}
