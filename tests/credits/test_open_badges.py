"""Open Badges 3.0 credentials: the document, the signature, the keys, the downloads."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
import re
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.utils import timezone

from cmeconf.common.models import AuditEntry
from cmeconf.credits import open_badges, signing
from cmeconf.credits.models import Certificate, Claim, Designation, IssuerKey
from cmeconf.providers.permissions import Permission
from tests.factories import ActivityFactory, ProviderFactory, TeamFactory, UserFactory

SCHEMAS = Path(__file__).resolve().parent.parent / "formats" / "open-badges-3"
SITE = "http://testserver"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def _schema(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text())


RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def validate(document: dict, schema_file: str) -> None:
    jsonschema.validate(
        document,
        _schema(schema_file),
        cls=jsonschema.Draft201909Validator,
        format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER,
    )
    # python-jsonschema checks "date-time" only with an optional package; check it here.
    subject = document.get("credentialSubject", {})
    for value in (
        document.get("validFrom"),
        document.get("awardedDate"),
        subject.get("activityStartDate"),
        subject.get("activityEndDate"),
    ):
        assert value is None or RFC3339.match(value), value


def b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_certificate(
    activity, person, *, number: str = "ACP-2027-000001", amount: str = "6.50", issued=None
) -> Certificate:
    designation, _ = Designation.objects.get_or_create(
        activity=activity,
        credit_type="AMA_PRA_1",
        board="",
        defaults={
            "computed_maximum": Decimal("7.00"),
            "computed_minutes": 420,
            "maximum": Decimal("7.00"),
            "designated_by": UserFactory(),
            "designated_at": timezone.now() - dt.timedelta(days=60),
        },
    )
    now = timezone.now()
    claim = Claim.objects.create(
        activity=activity,
        person=person,
        designation=designation,
        credit_type="AMA_PRA_1",
        status="claimed",
        measured_minutes=390,
        amount=Decimal(amount),
        attested_at=now,
        attestation="I claim only the credit commensurate with my participation.",
        created=now,
    )
    return Certificate.objects.create(
        claim=claim,
        number=number,
        key="k" * 20 + number[-6:],
        content={},
        issued_at=issued or now - dt.timedelta(hours=1),
    )


@pytest.fixture
def certificate(activity, learner):
    return make_certificate(activity, learner)


def fetch_jwks(client, provider) -> dict:
    response = client.get(f"/certificates/issuers/{provider.slug}/jwks.json")
    assert response.status_code == 200
    return response.json()


def jwt_of(client, user, certificate) -> str:
    client.force_login(user)
    response = client.get(f"/certificates/{certificate.number}/credential.jwt")
    assert response.status_code == 200, response.content
    client.logout()
    return response.content.decode()


def verify_with_cryptography(token: str, jwks: dict) -> dict:
    """Independent of our code: base64url-decode, find the key by kid, check Ed25519."""
    head, body, sig = token.split(".")
    header = json.loads(b64d(head))
    assert header["alg"] == "EdDSA"
    (jwk,) = [k for k in jwks["keys"] if k["kid"] == header["kid"]]
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519" and "d" not in jwk
    Ed25519PublicKey.from_public_bytes(b64d(jwk["x"])).verify(b64d(sig), f"{head}.{body}".encode())
    return json.loads(b64d(body))


# --- the credential document -------------------------------------------------------------------


def test_credential_is_a_valid_open_badge(certificate, provider):
    provider.website = "https://acp.example"
    provider.contact_email = "cme@acp.example"
    provider.save()
    cred = open_badges.build_credential(certificate)
    validate(cred, "ob_v3p0_achievementcredential.schema.json")
    assert cred["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert cred["id"].startswith("urn:uuid:")
    assert cred["issuer"] == {
        "id": f"{SITE}/certificates/issuers/acp/",
        "type": ["Profile"],
        "name": "American College of Practitioners",
        "url": "https://acp.example",
        "email": "cme@acp.example",
    }
    assert cred["validFrom"] == certificate.issued_at.astimezone(dt.UTC).replace(
        microsecond=0
    ).isoformat().replace("+00:00", "Z")
    subject = cred["credentialSubject"]
    assert subject["creditsEarned"] == 6.5  # awarded, not the maximum [M6]
    assert subject["achievement"]["creditsAvailable"] == 7
    assert subject["achievement"]["name"] == "Annual Meeting 2027"
    assert subject["achievement"]["achievementType"] == "CertificateOfCompletion"
    assert "ACP-2027-000001" in cred["description"]
    assert cred["evidence"][0]["name"] == "Certificate ACP-2027-000001"


def test_learner_email_is_hashed_with_salt_never_plain(certificate):
    cred = open_badges.build_credential(certificate)
    text = json.dumps(cred)
    assert "learner@example.org" not in text
    (ident,) = cred["credentialSubject"]["identifier"]
    assert ident["identityType"] == "emailAddress" and ident["hashed"] is True
    import hashlib

    expected = hashlib.sha256(("learner@example.org" + ident["salt"]).encode()).hexdigest()
    assert ident["identityHash"] == f"sha256${expected}"
    assert open_badges.email_matches(cred, " Learner@Example.org ")
    assert not open_badges.email_matches(cred, "someone@example.org")


def test_same_certificate_same_credential_other_certificate_other_salt(activity, learner):
    one = make_certificate(activity, learner, number="ACP-1")
    other = make_certificate(ActivityFactory(provider=activity.provider), learner, number="ACP-2")
    assert open_badges.build_credential(one) == open_badges.build_credential(one)
    ids = [
        open_badges.build_credential(c)["credentialSubject"]["identifier"][0] for c in (one, other)
    ]
    assert ids[0]["salt"] != ids[1]["salt"]
    assert ids[0]["identityHash"] != ids[1]["identityHash"]


def test_uan_is_carried_when_designated(certificate):
    designation = certificate.claim.designation
    designation.uan = "0798-9999-18-246-L04-P"
    designation.save()
    achievement = open_badges.build_credential(certificate)["credentialSubject"]["achievement"]
    assert achievement["humanCode"] == "0798-9999-18-246-L04-P"
    validate(open_badges.build_credential(certificate), "ob_v3p0_achievementcredential.schema.json")


def test_text_typed_by_staff_stays_text(activity, learner):
    activity.title = '<script>alert("x")</script> Cardiology'
    activity.save()
    cert = make_certificate(activity, learner)
    cred = open_badges.build_credential(cert)
    assert cred["credentialSubject"]["achievement"]["name"] == activity.title


# --- signing ------------------------------------------------------------------------------------


def test_signature_round_trip_with_cryptography_directly(client, certificate, learner, provider):
    token = jwt_of(client, learner, certificate)
    header = json.loads(b64d(token.split(".")[0]))
    key = IssuerKey.objects.get(provider=provider)
    assert header == {
        "alg": "EdDSA",
        "kid": f"{SITE}/certificates/issuers/acp/keys/{key.kid}",
        "typ": "vc+jwt",
    }
    payload = verify_with_cryptography(token, fetch_jwks(client, provider))
    cred = open_badges.build_credential(certificate)
    assert payload["iss"] == cred["issuer"]["id"]
    assert payload["jti"] == cred["id"]
    assert payload["sub"] == cred["credentialSubject"]["id"]
    assert payload["nbf"] == int(certificate.issued_at.timestamp())
    assert "vc" not in payload  # VC 2.0: the payload is the credential itself
    assert {k: v for k, v in payload.items() if k not in ("iss", "jti", "sub", "nbf")} == cred
    validate(payload, "ob_v3p0_achievementcredential.schema.json")


def test_key_made_once_on_first_use_and_audited(certificate, provider):
    assert not IssuerKey.objects.filter(provider=provider).exists()
    open_badges.credential_jwt(certificate)
    open_badges.credential_jwt(certificate)
    key = IssuerKey.objects.get(provider=provider)
    assert key.algorithm == "EdDSA" and key.private_key.startswith("-----BEGIN PRIVATE KEY-----")
    assert set(key.public_jwk) == {"kty", "crv", "x"}
    assert AuditEntry.objects.filter(action="credits.issuer_key.created").count() == 1


def test_verify_accepts_good_and_refuses_tampered(client, certificate, learner, provider):
    token = jwt_of(client, learner, certificate)

    def fetch(url):
        assert url == f"{SITE}/certificates/issuers/acp/jwks.json"
        return client.get(url.removeprefix(SITE)).json()

    good = open_badges.verify_credential(token, fetch_json=fetch)
    assert good.valid and good.signature_valid and good.revoked is False, good.errors
    assert good.credential["credentialSubject"]["creditsEarned"] == 6.5

    head, body, sig = token.split(".")
    payload = json.loads(b64d(body))
    payload["credentialSubject"]["creditsEarned"] = 60
    forged = signing.b64url_encode(json.dumps(payload).encode())
    tampered = f"{head}.{forged}.{sig}"
    bad = open_badges.verify_credential(tampered, fetch_json=fetch)
    assert not bad.valid and not bad.signature_valid
    with pytest.raises(InvalidSignature):
        verify_with_cryptography(tampered, fetch_jwks(client, provider))


def test_verify_refuses_a_token_signed_with_another_key(client, certificate, provider):
    other_provider = ProviderFactory()
    stranger_key = signing.current_key(other_provider)
    cred = open_badges.build_credential(certificate)
    # Signed by someone else's key but claiming the real key's kid.
    real_key = signing.current_key(provider)
    header = {"alg": "EdDSA", "kid": signing.key_url(real_key), "typ": "vc+jwt"}
    token = signing.sign_jws(header, signing.jwt_payload(cred), stranger_key)
    result = open_badges.verify_credential(
        token, fetch_json=lambda url: client.get(url.removeprefix(SITE)).json()
    )
    assert not result.valid and not result.signature_valid
    # And a kid the issuer never published.
    token = signing.sign_credential(cred, stranger_key)
    result = open_badges.verify_credential(token)
    assert not result.valid
    assert "not one of the issuer's published keys" in result.errors[0]


def test_verify_refuses_claims_that_differ_from_the_credential(certificate, provider):
    key = signing.current_key(provider)
    cred = open_badges.build_credential(certificate)
    payload = signing.jwt_payload(cred)
    payload["sub"] = "urn:uuid:00000000-0000-4000-8000-000000000000"
    token = signing.sign_jws({"alg": "EdDSA", "kid": signing.key_url(key)}, payload, key)
    result = signing.verify_jws(token, signing.jwks(provider))
    assert result.signature_valid and not result.valid


def test_not_yet_valid_is_refused(activity, learner, provider):
    cert = make_certificate(activity, learner, issued=timezone.now() + dt.timedelta(days=1))
    result = open_badges.verify_credential(open_badges.credential_jwt(cert))
    assert not result.valid
    assert "not valid yet" in " ".join(result.errors)


def test_rotation_keeps_old_credentials_verifiable(client, activity, learner, provider, admin_user):
    old_cert = make_certificate(activity, learner, number="ACP-OLD")
    old_token = open_badges.credential_jwt(old_cert)
    old_key = IssuerKey.objects.get(provider=provider)
    new_key = signing.rotate_key(provider, actor=admin_user)
    old_key.refresh_from_db()
    assert old_key.retired_at is not None and new_key.retired_at is None
    new_cert = make_certificate(activity, UserFactory(), number="ACP-NEW")
    new_token = open_badges.credential_jwt(new_cert)
    assert json.loads(b64d(new_token.split(".")[0]))["kid"].endswith(new_key.kid)

    jwks = fetch_jwks(client, provider)
    assert len(jwks["keys"]) == 2
    for token in (old_token, new_token):
        verify_with_cryptography(token, jwks)
        fetch = lambda url: client.get(url.removeprefix(SITE)).json()  # noqa: E731
        assert open_badges.verify_credential(token, fetch_json=fetch).valid
    assert AuditEntry.objects.filter(action="credits.issuer_key.retired").count() == 1


# --- revocation ---------------------------------------------------------------------------------


def test_revoked_is_reported_everywhere(client, certificate, learner, provider, admin_user):
    token = jwt_of(client, learner, certificate)
    cred = open_badges.build_credential(certificate)
    status_path = (
        f"/certificates/credentials/{certificate.number}/"
        f"{open_badges.credential_uuid(certificate)}/status"
    )
    assert client.get(status_path).json()["revoked"] is False

    certificate.revoked_at = timezone.now()
    certificate.revoked_by = admin_user
    certificate.revoked_reason = "Claimed for a day not attended."
    certificate.save()

    status = client.get(status_path).json()
    assert status == {**status, "id": cred["id"], "revoked": True, "reason": "revoked"}
    result = open_badges.verify_credential(token)
    assert result.signature_valid and result.revoked is True and not result.valid
    response = client.post("/certificates/credentials/verify", token, content_type="text/plain")
    assert response.json()["valid"] is False and response.json()["revoked"] is True
    # The owner can no longer download it.
    client.force_login(learner)
    assert client.get(f"/certificates/{certificate.number}/credential.jwt").status_code == 410


def test_superseded_counts_as_withdrawn(certificate):
    token = open_badges.credential_jwt(certificate)
    certificate.superseded_at = timezone.now()
    certificate.save()
    result = open_badges.verify_credential(token)
    assert result.revoked is True and not result.valid


def test_bitstring_status_list(client, activity, learner, provider):
    keep = make_certificate(activity, learner, number="ACP-KEEP")
    gone = make_certificate(activity, UserFactory(), number="ACP-GONE")
    gone.revoked_at = timezone.now()
    gone.save()
    entry = open_badges.build_credential(gone)["credentialStatus"]
    assert entry["type"] == "BitstringStatusListEntry"
    assert entry["statusPurpose"] == "revocation"
    assert entry["id"] == f"{entry['statusListCredential']}#{entry['statusListIndex']}"

    response = client.get(entry["statusListCredential"].removeprefix(SITE))
    assert response.status_code == 200 and response["Content-Type"] == "application/vc+jwt"
    body = verify_with_cryptography(response.content.decode(), fetch_jwks(client, provider))
    assert body["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert body["issuer"] == f"{SITE}/certificates/issuers/acp/"
    subject = body["credentialSubject"]
    assert subject["type"] == "BitstringStatusList" and subject["statusPurpose"] == "revocation"
    assert subject["encodedList"].startswith("u")
    bits = gzip.decompress(b64d(subject["encodedList"][1:]))
    assert len(bits) * 8 >= 131_072

    def bit(index: int) -> int:  # index 0 is the left-most bit
        return (bits[index // 8] >> (7 - index % 8)) & 1

    assert bit(int(entry["statusListIndex"])) == 1
    keep_index = int(open_badges.build_credential(keep)["credentialStatus"]["statusListIndex"])
    assert bit(keep_index) == 0
    assert sum(bin(b).count("1") for b in bits) == 1


def test_status_list_of_one_provider_ignores_another(client, activity, learner):
    other = ActivityFactory(provider=ProviderFactory(slug="other"))
    revoked = make_certificate(other, learner, number="OTH-1")
    revoked.revoked_at = timezone.now()
    revoked.save()
    body = open_badges.status_list_credential(activity.provider, 0)
    bits = open_badges.decode_bitstring(body["credentialSubject"]["encodedList"])
    assert not any(bits)


def test_status_needs_the_credential_id_not_only_the_number(client, certificate):
    wrong = "00000000-0000-4000-8000-000000000000"
    response = client.get(f"/certificates/credentials/{certificate.number}/{wrong}/status")
    assert response.status_code == 404


# --- public profile and keys --------------------------------------------------------------------


def test_profile_and_jwks_are_public(client, certificate, provider):
    open_badges.credential_jwt(certificate)
    profile = client.get("/certificates/issuers/acp/")
    assert profile.status_code == 200
    data = profile.json()
    validate(data, "ob_v3p0_profile.schema.json")
    assert data["id"] == f"{SITE}/certificates/issuers/acp/"
    assert data["name"] == "American College of Practitioners"
    key = IssuerKey.objects.get(provider=provider)
    (method,) = data["verificationMethod"]
    assert method["id"] == f"{SITE}/certificates/issuers/acp/keys/{key.kid}"
    assert method["publicKeyJwk"]["x"] == key.public_jwk["x"]
    jwks = fetch_jwks(client, provider)
    assert [k["kid"] for k in jwks["keys"]] == [method["id"]]
    single = client.get(f"/certificates/issuers/acp/keys/{key.kid}").json()
    assert single == jwks["keys"][0]
    for published in (jwks, data, single):
        assert '"d"' not in json.dumps(published)
        assert "PRIVATE" not in json.dumps(published)
    assert client.get("/certificates/issuers/nobody/jwks.json").status_code == 404


def test_kid_is_the_rfc7638_thumbprint():
    # RFC 8037 appendix A.3: the thumbprint of its example Ed25519 key.
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
    assert signing.jwk_thumbprint(jwk) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def test_rfc8037_example_signature_verifies():
    # RFC 8037 appendix A.4: EdDSA over "Example of Ed25519 signing", checked by our verifier.
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
    head, body = "eyJhbGciOiJFZERTQSJ9", "RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
    sig = "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
    signing.public_key_from_jwk(jwk).verify(signing.b64url_decode(sig), f"{head}.{body}".encode())


# --- who may download ---------------------------------------------------------------------------


def staff(provider, *permissions):
    user = UserFactory()
    TeamFactory(provider=provider, members=[user], permissions=[str(p) for p in permissions])
    return user


@pytest.mark.parametrize("suffix", ["credential.jwt", "credential.json"])
def test_owner_downloads(client, certificate, learner, suffix):
    client.force_login(learner)
    response = client.get(f"/certificates/{certificate.number}/{suffix}")
    assert response.status_code == 200
    assert f'filename="{certificate.number}.' in response["Content-Disposition"]
    if suffix.endswith("json"):
        assert response.json() == open_badges.build_credential(certificate)
    else:
        assert response["Content-Type"] == "application/vc+jwt"
        assert response.content.count(b".") == 2


@pytest.mark.parametrize("permission", [Permission.CREDIT, Permission.REPORTS])
def test_staff_with_credit_or_reports_download(client, certificate, provider, permission):
    client.force_login(staff(provider, permission))
    response = client.get(f"/certificates/{certificate.number}/credential.json")
    assert response.status_code == 200
    assert response.json()["id"] == open_badges.credential_id(certificate)


@pytest.mark.parametrize("suffix", ["credential.jwt", "credential.json"])
def test_everyone_else_gets_404(client, certificate, provider, suffix):
    url = f"/certificates/{certificate.number}/{suffix}"
    other_provider_staff = staff(ProviderFactory(), *Permission.values)
    refused = [
        UserFactory(),  # another learner
        staff(provider, Permission.PROGRAM, Permission.REGISTRATION),  # wrong permission
        other_provider_staff,
    ]
    for user in refused:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 404, user
        assert b"eyJ" not in response.content
    client.logout()
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    # A number that does not exist gives the same to an outsider as one that does.
    client.force_login(UserFactory())
    assert client.get(f"/certificates/NOPE-1/{suffix}").status_code == 404


def test_staff_of_another_activity_only_is_refused(client, certificate, provider):
    other_activity = ActivityFactory(provider=provider)
    user = UserFactory()
    team = TeamFactory(
        provider=provider, members=[user], permissions=["credit"], all_activities=False
    )
    team.activities.add(other_activity)
    client.force_login(user)
    assert client.get(f"/certificates/{certificate.number}/credential.jwt").status_code == 404


def test_verify_endpoint_accepts_form_and_refuses_garbage(client, certificate):
    token = open_badges.credential_jwt(certificate)
    ok = client.post("/certificates/credentials/verify", {"credential": token})
    assert ok.json()["valid"] is True and ok.json()["revoked"] is False
    garbage = client.post("/certificates/credentials/verify", {"credential": "not-a-jwt"})
    assert garbage.json()["valid"] is False and garbage.json()["credential"] is None
    assert client.get("/certificates/credentials/verify").status_code == 405


@pytest.mark.parametrize(
    "token",
    ["", "a.b", "a.b.c", "....", "eyJhbGciOiJFZERTQSJ9.W10.AAAA", "x" * 100],
)
def test_malformed_tokens_are_refused_not_crashing(db, token):
    result = open_badges.verify_credential(token)
    assert not result.valid and result.errors


def test_odd_credential_shapes_are_refused(certificate, provider):
    key = signing.current_key(provider)
    cred = open_badges.build_credential(certificate)
    for change in (
        {"credentialSubject": [cred["credentialSubject"]]},
        {"validFrom": "2020-01-01T00:00:00"},
        {"validFrom": 5},
        {"issuer": ["x"]},
    ):
        payload = {**signing.jwt_payload(cred), **change}
        token = signing.sign_jws({"alg": "EdDSA", "kid": signing.key_url(key)}, payload, key)
        result = signing.verify_jws(token, signing.jwks(provider))
        assert result.signature_valid and not result.valid, change


def test_what_the_certificate_said_wins_over_later_changes(activity, learner):
    cert = make_certificate(activity, learner)
    cert.content = {
        "activity": "Annual Meeting 2027",
        "dates": {"start": "2027-04-15", "end": "2027-04-15"},
        "credit": {"awarded": "5.25", "maximum": "7.00", "uan": ""},
        "statements": ["ACP designates this live activity for a maximum of 7.00 credits."],
    }
    cert.save()
    activity.title = "Renamed after the fact"
    activity.save()
    cred = open_badges.build_credential(cert)
    validate(cred, "ob_v3p0_achievementcredential.schema.json")
    subject = cred["credentialSubject"]
    assert subject["achievement"]["name"] == "Annual Meeting 2027"
    assert subject["creditsEarned"] == 5.25
    assert subject["activityStartDate"] == "2027-04-15T00:00:00-04:00"
    assert subject["activityEndDate"] == "2027-04-15T23:59:59-04:00"
    assert cred["description"].endswith(
        "ACP designates this live activity for a maximum of 7.00 credits."
    )


@pytest.mark.parametrize("rotations", [0, 2])
def test_jwks_and_profile_queries_do_not_grow_with_keys(
    client, provider, admin_user, rotations, django_assert_num_queries
):
    signing.current_key(provider)
    for _ in range(rotations):
        signing.rotate_key(provider, actor=admin_user)
    with django_assert_num_queries(2):  # the provider, its keys
        assert len(client.get("/certificates/issuers/acp/jwks.json").json()["keys"]) == (
            rotations + 1
        )
    with django_assert_num_queries(2):
        client.get("/certificates/issuers/acp/")


def test_credential_of_an_unknown_issuer_is_refused(certificate, provider):
    key = signing.current_key(provider)
    cred = open_badges.build_credential(certificate)
    for issuer in ("https://elsewhere.example/certificates/issuers/acp/", f"{SITE}/accounts/"):
        forged = {**cred, "issuer": {**cred["issuer"], "id": issuer}}
        token = signing.sign_credential(forged, key)
        result = open_badges.verify_credential(token)
        assert not result.valid and "not a provider on this platform" in result.errors[0]
