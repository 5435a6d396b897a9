"""Certificate pages: verification by token, the PDF download, the staff pages, templates."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from cmeconf.common.models import AuditEntry
from cmeconf.credits import certificates
from cmeconf.credits.certificate_tokens import certificate_token
from cmeconf.credits.models import CertificateBatch, CertificateTemplate, CreditSetup
from tests.credits.certificate_fixtures import (
    ada_lovelace,
    designate,
    flat,
    image_bytes,
    make_claim,
    pdftotext,
)
from tests.factories import ActivityFactory, ProviderFactory, TeamFactory, UserFactory
from tests.registration.qr_reader import decode, matrix_from_pdf

NOT_OURS = "This is not a certificate we issued."


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def designation(activity, admin_user):
    return designate(activity, admin_user)


@pytest.fixture
def ada(db):
    return ada_lovelace()


@pytest.fixture
def claim(designation, ada):
    return make_claim(designation, ada, amount="1.50")


def verify_url(cert) -> str:
    return reverse("certificates:verify", args=[certificate_token(cert)])


def staff_url(name: str, activity, *args) -> str:
    return reverse(f"staff:{name}", args=[activity.provider.slug, activity.slug, *args])


@pytest.fixture
def cert(claim):
    return certificates.issue_certificate(claim)


def member(provider, permissions, **team):
    user = UserFactory()
    TeamFactory(provider=provider, members=[user], permissions=permissions, **team)
    return user


# --- verification ---------------------------------------------------------------------


def test_a_genuine_certificate_shows_its_content_and_nothing_more(client, cert, ada, admin_user):
    # Another claim of the same learner elsewhere must not show.
    other = ActivityFactory(title="Winter Symposium")
    certificates.issue_certificate(make_claim(designate(other, admin_user), ada))
    response = client.get(verify_url(cert))
    assert response.status_code == 200
    html = response.content.decode()
    assert "This is a genuine certificate" in html
    for text in (
        "Ada Lovelace, MD, PhD",
        "Annual Meeting 2027",
        "1.50 AMA PRA Category 1 Credits™",
        "of a maximum of 7.00",
        cert.number,
        "American College of Practitioners designates this live activity",
        "Live activity",
        "Convention Center",
    ):
        assert text in html, text
    assert "ada@example.org" not in html
    assert "Winter Symposium" not in html
    assert response["Cache-Control"] == "no-cache"


def test_the_qr_code_of_the_pdf_opens_the_verification_page(client, cert):
    url = decode(matrix_from_pdf(certificates.certificate_file(cert)))
    path = url.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)
    assert response.status_code == 200
    html = response.content.decode()
    assert cert.number in html
    # The trademarked credit phrase is in italics, as on the certificate [M11].
    assert "<em>AMA PRA Category 1 Credits™</em>" in html


def test_a_revoked_certificate_says_so_without_the_reason(client, cert, admin_user):
    certificates.revoke_certificate(cert, reason="Secret internal reason", by=admin_user)
    html = client.get(verify_url(cert)).content.decode()
    assert "revoked by the provider" in html
    assert "Secret internal reason" not in html
    assert "1.50 AMA PRA" not in html and "Ada Lovelace" not in html
    assert "This is a genuine certificate" not in html


def test_a_superseded_certificate_points_to_a_newer_one(client, cert, claim):
    newer = certificates.issue_certificate(claim)
    html = client.get(verify_url(cert)).content.decode()
    assert "replaced by a newer certificate" in html
    assert "Ada Lovelace" not in html and newer.number not in html


@pytest.mark.parametrize("kind", ["altered", "unsigned", "garbage", "sample", "wrong-key"])
def test_a_forged_or_altered_token_is_not_ours(client, cert, kind):
    token = certificate_token(cert)
    _value, _sep, signature = token.rpartition(":")
    forged = {
        "altered": f"{cert.pk + 1}.{cert.key}:{signature}",
        "unsigned": f"{cert.pk}.{cert.key}",
        "garbage": "x" * 40,
        "sample": "SAMPLE",
        "wrong-key": certificate_token(type(cert)(pk=cert.pk, key="nope")),
    }[kind]
    response = client.get(reverse("certificates:verify", args=[forged]))
    assert response.status_code == 404
    html = response.content.decode()
    assert NOT_OURS in html
    assert cert.number not in html and "Ada" not in html


# --- download -------------------------------------------------------------------------


def test_the_learner_downloads_their_own_certificate(client, cert, ada):
    client.force_login(ada)
    response = client.get(reverse("certificates:pdf", args=[cert.number]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="certificate-{cert.number}.pdf"'
    )
    assert cert.number in flat(pdftotext(response.content))


def test_download_is_refused_to_anyone_else(client, cert, provider, activity):
    url = reverse("certificates:pdf", args=[cert.number])
    response = client.get(url)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    other_provider = ProviderFactory()
    for who in (
        UserFactory(),  # another learner
        member(other_provider, ["credit", "reports"]),  # another provider's staff
        member(provider, ["registration", "program"]),  # staff without credit or reports
    ):
        client.force_login(who)
        assert client.get(url).status_code == 404
    assert client.get(reverse("certificates:pdf", args=["CME-2027-AAAA-BBBB"])).status_code == 404


@pytest.mark.parametrize("permissions", [["credit"], ["reports"]])
def test_staff_with_credit_or_reports_download(client, cert, provider, permissions):
    client.force_login(member(provider, permissions))
    response = client.get(reverse("certificates:pdf", args=[cert.number]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_the_learner_gets_no_replaced_or_revoked_certificate(client, cert, claim, ada, admin_user):
    newer = certificates.issue_certificate(claim)
    client.force_login(ada)
    assert client.get(reverse("certificates:pdf", args=[cert.number])).status_code == 404
    assert client.get(reverse("certificates:pdf", args=[newer.number])).status_code == 200
    certificates.revoke_certificate(newer, reason="test", by=admin_user)
    assert client.get(reverse("certificates:pdf", args=[newer.number])).status_code == 404


# --- the staff page -------------------------------------------------------------------


def test_the_staff_page_counts_lists_and_searches(client, admin_user, activity, cert, designation):
    make_claim(designation, UserFactory(first_name="Bob", last_name="Waiting"))
    client.force_login(admin_user)
    url = staff_url("certificates", activity)
    html = client.get(url).content.decode()
    assert '<dd id="count-claims">2</dd>' in html
    assert '<dd id="count-current">1</dd>' in html
    assert '<dd id="count-missing">1</dd>' in html
    assert cert.number in html and "Lovelace, Ada" in html
    assert "Issue 1 certificate" in html
    html = client.get(url, {"q": cert.number.lower()}).content.decode()
    assert "Lovelace, Ada" in html
    html = client.get(url, {"q": "Nobody"}).content.decode()
    assert "No certificate matches this search." in html and cert.number not in html


def test_the_staff_page_has_no_n_plus_one(
    client, admin_user, activity, designation, django_assert_max_num_queries
):
    client.force_login(admin_user)
    for _ in range(3):
        certificates.issue_certificate(make_claim(designation))
    with django_assert_max_num_queries(25):
        assert client.get(staff_url("certificates", activity)).status_code == 200


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("learner", 404), ("other_provider", 404), ("registration", 403)],
)
def test_the_staff_page_refuses_the_wrong_people(client, activity, provider, cert, who, expected):
    users = {
        "anonymous": None,
        "learner": UserFactory(),
        "other_provider": member(ProviderFactory(), ["credit", "reports"]),
        "registration": member(provider, ["registration"]),
    }
    if users[who]:
        client.force_login(users[who])
    for url in (
        staff_url("certificates", activity),
        staff_url("certificate_revoke", activity, cert.pk),
    ):
        assert client.get(url).status_code == expected
    for url in (
        staff_url("certificates_batch_start", activity),
        staff_url("certificate_revoke", activity, cert.pk),
        staff_url("certificate_reissue", activity, cert.pk),
        staff_url("certificates_template", activity),
    ):
        assert client.post(url, {"reason": "x"}).status_code == expected
    cert.refresh_from_db()
    assert cert.revoked_at is None and cert.superseded_at is None
    assert not CertificateBatch.objects.exists()


def test_reports_staff_see_the_page_but_cannot_act(client, provider, activity, cert):
    client.force_login(member(provider, ["reports"]))
    html = client.get(staff_url("certificates", activity)).content.decode()
    assert cert.number in html
    assert staff_url("certificate_revoke", activity, cert.pk) not in html
    assert staff_url("certificates_batch_start", activity) not in html
    assert (
        client.post(staff_url("certificate_revoke", activity, cert.pk), {"reason": "x"}).status_code
        == 403
    )


def test_revoking_from_the_page_needs_a_reason(client, admin_user, activity, cert):
    client.force_login(admin_user)
    url = staff_url("certificate_revoke", activity, cert.pk)
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    cert.refresh_from_db()
    assert cert.revoked_at is None
    response = client.post(url, {"reason": "Duplicate claim"})
    assert response.status_code == 302
    cert.refresh_from_db()
    assert cert.revoked_at and cert.revoked_reason == "Duplicate claim"
    assert AuditEntry.objects.filter(action="credits.certificate_revoked").count() == 1


def test_issue_again_supersedes(client, admin_user, activity, cert, claim):
    client.force_login(admin_user)
    client.post(staff_url("certificate_reissue", activity, cert.pk))
    cert.refresh_from_db()
    assert cert.superseded_at is not None
    assert certificates.current_certificate(claim).number != cert.number


def test_the_batch_from_the_page_and_its_progress(
    client, admin_user, activity, designation, django_capture_on_commit_callbacks
):
    for _ in range(3):
        make_claim(designation)
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(staff_url("certificates_batch_start", activity))
    assert response.status_code == 302
    batch = CertificateBatch.objects.get()
    state = client.get(staff_url("certificates_batch_status", activity, batch.pk)).json()
    assert state["status"] == "done" and state["done"] == state["total"] == state["issued"] == 3
    assert state["finished"] is True
    html = client.get(staff_url("certificates", activity)).content.decode()
    assert '<dd id="count-missing">0</dd>' in html
    assert "Every claim of this activity has its certificate already." not in html
    client.post(staff_url("certificates_batch_start", activity))
    html = client.get(staff_url("certificates", activity)).content.decode()
    assert "Every claim of this activity has its certificate already." in html


def test_another_activitys_batch_status_is_not_found(client, admin_user, activity, provider):
    other = ActivityFactory(provider=provider)
    make_claim(designate(other, admin_user))
    client.force_login(admin_user)
    client.post(staff_url("certificates_batch_start", other))
    batch = CertificateBatch.objects.get()
    assert client.get(staff_url("certificates_batch_status", activity, batch.pk)).status_code == 404


def test_choosing_the_activitys_template(client, admin_user, activity, provider):
    template = CertificateTemplate.objects.create(provider=provider, name="Gala")
    foreign = CertificateTemplate.objects.create(provider=ProviderFactory(), name="Theirs")
    client.force_login(admin_user)
    url = staff_url("certificates_template", activity)
    client.post(url, {"template": foreign.pk})
    assert not CreditSetup.objects.filter(certificate_template=foreign).exists()
    client.post(url, {"template": template.pk})
    assert CreditSetup.objects.get(activity=activity).certificate_template == template
    assert AuditEntry.objects.filter(action="credits.certificate_template_chosen").exists()
    client.post(url, {"template": ""})
    assert CreditSetup.objects.get(activity=activity).certificate_template is None


# --- templates ------------------------------------------------------------------------


def templates_url(provider, name="certificate_templates", *args) -> str:
    return reverse(f"staff:{name}", args=[provider.slug, *args])


def test_adding_a_template_with_images_and_previewing_it(client, admin_user, provider):
    client.force_login(admin_user)
    response = client.post(
        templates_url(provider, "certificate_template_new"),
        {
            "name": "Main",
            "signer_name": "Dr Grace Hopper",
            "signer_title": "Director of CME",
            "footer": "<b>1 Main Street</b>",
            "is_default": "on",
            "logo": SimpleUploadedFile("logo.png", image_bytes("PNG"), "image/png"),
            "signature": SimpleUploadedFile("s.jpg", image_bytes("JPEG"), "image/jpeg"),
        },
    )
    assert response.status_code == 302
    template = CertificateTemplate.objects.get()
    assert template.is_default and template.logo and template.signature
    html = client.get(templates_url(provider)).content.decode()
    assert "Dr Grace Hopper" in html
    response = client.get(templates_url(provider, "certificate_template_preview", template.pk))
    assert response.status_code == 200
    text = flat(pdftotext(response.content))
    assert "Sample: not a certificate" in text and "Dr Grace Hopper" in text
    assert len(PdfReader(io.BytesIO(response.content)).pages[0].images) == 2
    # A second default replaces the first.
    client.post(
        templates_url(provider, "certificate_template_new"), {"name": "B", "is_default": "on"}
    )
    assert list(
        CertificateTemplate.objects.filter(is_default=True).values_list("name", flat=True)
    ) == ["B"]
    assert AuditEntry.objects.filter(action="credits.certificate_template_saved").count() == 2


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (("logo.gif", "GIF"), "Use a PNG or JPEG image."),
        (("logo.png", None), "Upload a valid image."),
        (("big.png", "BIG"), "larger than 2 MB"),
    ],
)
def test_template_images_are_checked(client, admin_user, provider, upload, message):
    name, fmt = upload
    if fmt is None:
        data = b"not an image at all"
    elif fmt == "BIG":
        data = image_bytes("PNG") + b"\0" * (2 * 1024 * 1024)
    else:
        data = image_bytes(fmt)
    client.force_login(admin_user)
    response = client.post(
        templates_url(provider, "certificate_template_new"),
        {"name": "Main", "logo": SimpleUploadedFile(name, data, "image/png")},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CertificateTemplate.objects.exists()


def test_template_pages_need_credit_for_the_whole_provider(client, provider, activity):
    template = CertificateTemplate.objects.create(provider=provider, name="Main")
    urls = [
        templates_url(provider),
        templates_url(provider, "certificate_template", template.pk),
        templates_url(provider, "certificate_template_preview", template.pk),
    ]
    one_activity = UserFactory()
    TeamFactory(
        provider=provider,
        members=[one_activity],
        permissions=["credit"],
        all_activities=False,
        activities=[activity],
    )
    for who, expected in (
        (member(provider, ["registration"]), 403),
        (one_activity, 403),
        (member(ProviderFactory(), ["credit"]), 404),
        (UserFactory(), 404),
        (member(provider, ["credit"]), 200),
    ):
        client.force_login(who)
        assert [client.get(u).status_code for u in urls] == [expected] * 3
    other_template = CertificateTemplate.objects.create(provider=ProviderFactory(), name="X")
    assert (
        client.get(templates_url(provider, "certificate_template", other_template.pk)).status_code
        == 404
    )


def test_typed_text_is_not_html(client, admin_user, provider, activity):
    CertificateTemplate.objects.create(provider=provider, name="<script>x</script>")
    client.force_login(admin_user)
    html = client.get(templates_url(provider)).content.decode()
    assert "<script>x</script>" not in html and "&lt;script&gt;" in html
