"""The certificates API: the staff list, batches, revoking and reissuing, the template,
and the public verification [C5][C11][M6]."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from cmeconf.common.models import AuditEntry
from cmeconf.credits import certificates
from cmeconf.credits.certificate_tokens import certificate_token
from cmeconf.credits.models import (
    BatchStatus,
    Certificate,
    CertificateBatch,
    CertificateTemplate,
    ClaimStatus,
    CreditSetup,
)
from cmeconf.providers.permissions import Permission
from tests.credits.certificate_fixtures import ada_lovelace, designate, make_claim
from tests.factories import ActivityFactory, ProviderFactory, TeamFactory, UserFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def member(provider, *perms, **team):
    user = UserFactory()
    TeamFactory(provider=provider, members=[user], permissions=list(perms), **team)
    return user


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def url(provider, activity):
    return f"/api/v1/providers/{provider.slug}/activities/{activity.slug}/certificates"


@pytest.fixture
def designation(activity, admin_user):
    return designate(activity, admin_user)


@pytest.fixture
def ada_cert(designation):
    return certificates.issue_certificate(make_claim(designation, ada_lovelace(), amount="6.50"))


@pytest.fixture
def credit(provider):
    return member(provider, Permission.CREDIT)


def test_the_list_searches_and_counts(url, provider, designation, ada_cert):
    other = certificates.issue_certificate(make_claim(designation))
    make_claim(designation)  # no certificate yet
    client = client_for(member(provider, Permission.REPORTS))
    body = client.get(f"{url}/").json()
    assert body["count"] == 2
    assert body["counts"] == {"claims": 3, "missing": 1, "current": 2, "revoked": 0}
    numbers = {row["number"] for row in body["results"]}
    assert numbers == {ada_cert.number, other.number}
    found = client.get(f"{url}/", {"q": "lovelace"}).json()
    [row] = found["results"]
    assert row["number"] == ada_cert.number
    assert row["status"] == "valid"
    assert row["awarded"] == "6.50"
    assert row["learner"]["email"] == "ada@example.org"
    assert row["credit_type"] == "AMA_PRA_1"
    by_number = client.get(f"{url}/", {"q": other.number.lower()}).json()
    assert [r["number"] for r in by_number["results"]] == [other.number]
    assert found["counts"]["claims"] == 3  # the activity's, whatever the search
    assert client.get(f"{url}/", {"sort": "x"}).status_code == 400


def test_the_list_does_not_query_per_certificate(url, provider, designation, ada_cert):
    client = client_for(member(provider, Permission.CREDIT))
    client.get(f"{url}/")
    with CaptureQueriesContext(connection) as one:
        client.get(f"{url}/")
    for _ in range(2):
        certificates.issue_certificate(make_claim(designation))
    with CaptureQueriesContext(connection) as three:
        body = client.get(f"{url}/").json()
    assert body["count"] == 3
    assert len(three) == len(one)


def test_a_batch_issues_every_missing_certificate(
    url, credit, designation, ada_cert, django_capture_on_commit_callbacks
):
    make_claim(designation)
    make_claim(designation)
    client = client_for(credit)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{url}/batches/")
    assert response.status_code == 201
    started = response.json()
    assert started["total"] == 2
    progress = client.get(f"{url}/batches/{started['id']}/")
    assert progress["Cache-Control"] == "no-store"
    assert progress.json() | {"text": ""} == {
        "id": started["id"],
        "status": "done",
        "label": "Ready",
        "text": "",
        "done": 2,
        "total": 2,
        "issued": 2,
        "finished": True,
        "error": "",
    }
    assert Certificate.objects.filter(claim__activity=designation.activity).count() == 3
    again = client.post(f"{url}/batches/")
    assert again.status_code == 400
    assert again.json() == {
        "non_field_errors": ["Every claim of this activity has its certificate already."]
    }
    assert AuditEntry.objects.filter(action="credits.certificate_batch_started").count() == 1


def test_a_second_batch_waits_for_the_first(url, credit, activity, designation):
    make_claim(designation)
    client = client_for(credit)
    assert client.post(f"{url}/batches/").status_code == 201  # queued; the task never ran
    response = client.post(f"{url}/batches/")
    assert response.status_code == 400
    assert "already being issued" in response.json()["non_field_errors"][0]
    assert CertificateBatch.objects.filter(activity=activity).count() == 1
    assert CertificateBatch.objects.get().status == BatchStatus.QUEUED


def test_revoke_with_a_reason(url, credit, ada_cert):
    client = client_for(credit)
    blank = client.post(f"{url}/{ada_cert.number}/revoke/", {"reason": " "}, format="json")
    assert blank.status_code == 400
    assert blank.json() == {"reason": ["Say why the certificate is revoked."]}
    response = client.post(
        f"{url}/{ada_cert.number.lower()}/revoke/", {"reason": "Issued in error."}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "revoked"
    assert body["revoked_reason"] == "Issued in error."
    assert body["revoked_by"] == credit.full_name or credit.email
    ada_cert.refresh_from_db()
    assert ada_cert.revoked_at is not None
    entry = AuditEntry.objects.get(action="credits.certificate_revoked")
    assert (entry.actor, entry.note) == (credit, "Issued in error.")
    again = client.post(f"{url}/{ada_cert.number}/revoke/", {"reason": "Twice"}, format="json")
    assert again.json() == {"non_field_errors": ["This certificate is already revoked."]}


def test_reissue_supersedes_the_current_certificate(url, credit, ada_cert):
    client = client_for(credit)
    response = client.post(f"{url}/{ada_cert.number}/reissue/")
    assert response.status_code == 201
    new = response.json()
    assert new["number"] != ada_cert.number
    assert new["status"] == "valid"
    ada_cert.refresh_from_db()
    assert certificates.status_of(ada_cert) == "superseded"
    listed = {r["number"]: r["status"] for r in client.get(f"{url}/").json()["results"]}
    assert listed == {ada_cert.number: "superseded", new["number"]: "valid"}


def test_a_withdrawn_claim_gets_no_new_certificate(url, credit, ada_cert):
    ada_cert.claim.status = ClaimStatus.WITHDRAWN
    ada_cert.claim.save()
    response = client_for(credit).post(f"{url}/{ada_cert.number}/reissue/")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["This claim was withdrawn, so it has no certificate."]
    }


def test_reports_staff_read_but_do_not_act(url, provider, ada_cert):
    client = client_for(member(provider, Permission.REPORTS))
    assert client.get(f"{url}/").status_code == 200
    for response in (
        client.post(f"{url}/{ada_cert.number}/revoke/", {"reason": "x"}, format="json"),
        client.post(f"{url}/{ada_cert.number}/reissue/"),
        client.post(f"{url}/batches/"),
        client.put(f"{url}/template/", {"template": None}, format="json"),
    ):
        assert response.status_code == 403
        assert response.json() == {"detail": "Your teams do not allow this."}
    ada_cert.refresh_from_db()
    assert ada_cert.revoked_at is None


def test_another_activitys_certificate_is_not_found_here(url, provider, credit, admin_user):
    elsewhere = ActivityFactory(provider=provider)
    cert = certificates.issue_certificate(make_claim(designate(elsewhere, admin_user)))
    client = client_for(credit)
    response = client.post(f"{url}/{cert.number}/revoke/", {"reason": "x"}, format="json")
    assert response.status_code == 404
    assert client.get(f"{url}/").json()["count"] == 0


def test_choose_the_activitys_template(url, provider, activity, credit):
    mine = CertificateTemplate.objects.create(provider=provider, name="Gala", signer_name="Dr. Z")
    theirs = CertificateTemplate.objects.create(provider=ProviderFactory(), name="Not ours")
    client = client_for(credit)
    assert client.get(f"{url}/template/").json() == {"chosen": None, "in_use": None}
    refused = client.put(f"{url}/template/", {"template": theirs.pk}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"template": ["Choose one of this provider's templates."]}
    response = client.put(f"{url}/template/", {"template": mine.pk}, format="json")
    assert response.status_code == 200
    assert response.json()["chosen"]["name"] == "Gala"
    assert response.json()["in_use"]["signer_name"] == "Dr. Z"
    assert CreditSetup.objects.get(activity=activity).certificate_template == mine
    assert AuditEntry.objects.filter(action="credits.certificate_template_chosen").exists()
    back = client.put(f"{url}/template/", {"template": None}, format="json")
    assert back.json()["chosen"] is None


def test_the_providers_templates(provider, activity, credit):
    CertificateTemplate.objects.create(provider=provider, name="Plain", is_default=True)
    CertificateTemplate.objects.create(provider=ProviderFactory(), name="Elsewhere")
    url = f"/api/v1/providers/{provider.slug}/certificate-templates/"
    body = client_for(credit).get(url).json()
    assert body == [
        {
            "id": body[0]["id"],
            "name": "Plain",
            "signer_name": "",
            "signer_title": "",
            "footer": "",
            "is_default": True,
            "has_logo": False,
            "has_signature": False,
        }
    ]
    assert client_for(member(provider, Permission.REPORTS)).get(url).status_code == 403
    limited = member(provider, Permission.CREDIT, all_activities=False, activities=[activity])
    assert client_for(limited).get(url).status_code == 403
    assert client_for(UserFactory()).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 401


# --- verification -------------------------------------------------------------------------------

VERIFY = "/api/v1/certificates/verify/"


def test_a_valid_certificate_says_what_it_says(ada_cert):
    response = APIClient().get(VERIFY, {"token": certificate_token(ada_cert)})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-cache"
    body = response.json()
    assert (body["genuine"], body["status"], body["number"]) == (True, "valid", ada_cert.number)
    content = body["content"]
    assert content["learner"] == {
        "name": "Ada Lovelace",
        "credentials": "MD, PhD",
        "profession": "Physician",
    }
    assert content["credit"]["awarded"] == "6.50"
    assert content["credit"]["maximum"] == "7.00"
    assert content["number"] == ada_cert.number
    assert content["statements"]
    # Nothing the page does not show: no e-mail address, no template id, no footer.
    assert "ada@example.org" not in response.content.decode()
    assert set(content) == {
        "title", "learner", "provider", "joint_provider", "activity", "format", "dates",
        "location", "credit", "statements", "signer", "number", "issued_on", "issued_on_text",
    }  # fmt: skip


def test_a_revoked_or_replaced_certificate_says_only_that(ada_cert, credit):
    token = certificate_token(ada_cert)
    new = certificates.issue_certificate(ada_cert.claim)
    replaced = APIClient().get(VERIFY, {"token": token}).json()
    assert replaced == {
        "genuine": True,
        "status": "superseded",
        "number": ada_cert.number,
        "revoked_on": None,
        "content": None,
    }
    certificates.revoke_certificate(new, reason="Fraud", by=credit)
    revoked = APIClient().get(VERIFY, {"token": certificate_token(new)}).json()
    assert (revoked["status"], revoked["content"]) == ("revoked", None)
    assert revoked["revoked_on"] is not None
    assert "Fraud" not in str(revoked)


def test_a_forged_token_verifies_nothing(ada_cert):
    token = certificate_token(ada_cert)
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    response = APIClient().get(VERIFY, {"token": forged})
    assert response.status_code == 404
    assert response.json() == {
        "genuine": False,
        "status": None,
        "number": None,
        "revoked_on": None,
        "content": None,
    }
    # A number alone is no token.
    assert APIClient().get(VERIFY, {"token": ada_cert.number}).status_code == 404
    assert APIClient().get(VERIFY).status_code == 400


E = "/api/v1/providers/{provider}/activities/{activity}/certificates"


def test_responses_match_the_schema(url, credit, provider, designation, ada_cert):
    from tests.api.test_evaluations import schema_check

    check = schema_check(APIClient())
    CertificateTemplate.objects.create(provider=provider, name="Plain", is_default=True)
    make_claim(designation)
    client = client_for(credit)
    batch = client.post(f"{url}/batches/")
    token = certificate_token(ada_cert)
    checks = [
        (client.get(f"{url}/"), f"{E}/", "get"),
        (batch, f"{E}/batches/", "post"),
        (client.get(f"{url}/batches/{batch.json()['id']}/"), f"{E}/batches/{{batch}}/", "get"),
        (client.get(f"{url}/template/"), f"{E}/template/", "get"),
        (client.get(f"/api/v1/providers/{provider.slug}/certificate-templates/"),
         "/api/v1/providers/{provider}/certificate-templates/", "get"),
        (APIClient().get(VERIFY, {"token": token}), "/api/v1/certificates/verify/", "get"),
        (client.post(f"{url}/{ada_cert.number}/reissue/"), f"{E}/{{number}}/reissue/", "post"),
        (client.post(f"{url}/{ada_cert.number}/revoke/", {"reason": "x"}, format="json"),
         f"{E}/{{number}}/revoke/", "post"),
        (APIClient().get(VERIFY, {"token": token}), "/api/v1/certificates/verify/", "get"),
        (APIClient().get(VERIFY, {"token": "nope"}), "/api/v1/certificates/verify/", "get"),
    ]  # fmt: skip
    for response, path, method in checks:
        check(response, path, method)
    assert [r.status_code for r, _p, _m in checks] == [
        200, 201, 200, 200, 200, 200, 201, 200, 200, 404,
    ]  # fmt: skip
