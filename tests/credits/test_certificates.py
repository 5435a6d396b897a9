"""Certificates: what they say (frozen), the PDF, the QR code, supersede and revoke."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from pypdf import PdfReader

from cmeconf.activities.choices import Delivery
from cmeconf.common.models import AuditEntry
from cmeconf.credits import certificate_pdf, certificates, statements
from cmeconf.credits.certificate_tokens import (
    certificate_for_token,
    certificate_token,
    verification_url,
)
from cmeconf.credits.models import Certificate, CertificateTemplate, ClaimStatus, CreditSetup
from tests.credits.certificate_fixtures import (
    ada_lovelace,
    designate,
    flat,
    image_bytes,
    make_claim,
    pdftotext,
)
from tests.factories import ActivityFactory, SessionFactory, TeamFactory, UserFactory, at
from tests.registration.qr_reader import decode, matrix_from_pdf

NUMBER = re.compile(r"^CME-\d{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$")
AMA_DESIGNATION = (
    "American College of Practitioners designates this live activity for a maximum of 7.00 "
    "AMA PRA Category 1 Credits™. Physicians should claim only the credit commensurate with "
    "the extent of their participation in the activity."
)


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


def test_the_content_is_what_section_6_asks_and_the_credit_awarded(claim, designation, activity):
    cert = certificates.issue_certificate(claim)
    c = cert.content
    assert NUMBER.match(cert.number) and c["number"] == cert.number
    assert c["learner"] == {
        "name": "Ada Lovelace",
        "credentials": "MD, PhD",
        "profession": "Physician",
    }
    assert c["provider"] == "American College of Practitioners"
    assert c["activity"] == "Annual Meeting 2027"
    assert c["format"] == "Live activity"
    assert c["dates"]["start"] == "2027-04-14" and c["dates"]["end"] == "2027-04-16"
    assert c["location"] == "Convention Center"
    # The claim's amount, not the designated maximum [M6]; the maximum beside it [section 6].
    assert c["credit"]["awarded"] == "1.50"
    assert c["credit"]["awarded_text"] == "1.50 AMA PRA Category 1 Credits™"
    assert c["credit"]["maximum"] == "7.00"
    assert "of a maximum of 7.00 AMA PRA Category 1 Credits™" in c["credit"]["maximum_text"]
    assert c["statements"] == statements.statements(designation)
    assert c["statements"][1] == AMA_DESIGNATION
    # Nothing about the learner beyond the certificate: no e-mail, no NPI.
    assert "ada@example.org" not in json.dumps(c)


def test_one_credit_is_singular_and_the_learners_days_are_the_dates(designation, ada, activity):
    day1 = SessionFactory(
        activity=activity, start=at(dt.date(2027, 4, 15), 9), end=at(dt.date(2027, 4, 15), 10)
    )
    claim = make_claim(designation, ada, amount="1.00", sessions={str(day1.pk): 60})
    c = certificates.issue_certificate(claim).content
    assert c["credit"]["awarded_text"] == "1.00 AMA PRA Category 1 Credit™"
    assert c["dates"]["start"] == c["dates"]["end"] == "2027-04-15"
    assert "2027" in c["dates"]["text"] and "\N{EN DASH}" not in c["dates"]["text"]


@pytest.mark.parametrize(
    ("delivery", "expected"),
    [
        (Delivery.VIRTUAL, "Online"),
        (Delivery.HYBRID, "Convention Center, 1 Main Street, Boston and online"),
        (Delivery.IN_PERSON, "Convention Center, 1 Main Street, Boston"),
    ],
)
def test_the_location_is_the_venue_online_or_both(admin_user, provider, delivery, expected):
    activity = ActivityFactory(
        provider=provider, delivery=delivery, venue_address="1 Main Street\nBoston"
    )
    claim = make_claim(designate(activity, admin_user))
    assert certificates.issue_certificate(claim).content["location"] == expected


def test_the_joint_provider_is_named_with_the_joint_statement(admin_user, provider):
    activity = ActivityFactory(provider=provider, joint_provider="Valley Hospital")
    c = certificates.issue_certificate(make_claim(designate(activity, admin_user))).content
    assert c["joint_provider"] == "Valley Hospital"
    assert (
        "through the joint providership of American College of Practitioners and Valley"
        in (c["statements"][0])
    )


def test_the_pdf_is_one_landscape_letter_page_with_the_certificate_text(claim):
    cert = certificates.issue_certificate(claim)
    data = certificates.certificate_file(cert)
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == (792.0, 612.0)
    text = flat(pdftotext(data))
    assert "Ada Lovelace, MD, PhD" in text
    assert "1.50 AMA PRA Category 1 Credits™" in text
    assert AMA_DESIGNATION in text
    assert cert.number in text
    assert "Annual Meeting 2027" in text
    # Western European text needs no embedded font: PDF's standard faces set it.
    fonts = [f.get_object() for f in reader.pages[0]["/Resources"]["/Font"].values()]
    assert {str(f["/BaseFont"]) for f in fonts} >= {"/Helvetica", "/Helvetica-Bold"}
    assert not [f for f in fonts if "/FontDescriptor" in f]


def test_names_beyond_western_european_letters_print_with_embedded_fonts(claim):
    claim.person.first_name = "Zoë Łucja"
    claim.person.last_name = "Παπαδοπούλου"
    claim.person.save()
    cert = certificates.issue_certificate(claim)
    reader = PdfReader(io.BytesIO(certificates.certificate_file(cert)))
    assert "Zoë Łucja Παπαδοπούλου" in reader.pages[0].extract_text()
    fonts = [f.get_object() for f in reader.pages[0]["/Resources"]["/Font"].values()]
    embedded = [f for f in fonts if "/FontDescriptor" in f]
    assert len(embedded) == 2
    assert all("/FontFile2" in f["/FontDescriptor"] for f in embedded)


def test_the_qr_code_reads_as_the_verification_address(claim):
    cert = certificates.issue_certificate(claim)
    url = decode(matrix_from_pdf(certificates.certificate_file(cert)))
    assert url == verification_url(cert)
    assert url.startswith("http") and "/certificates/" in url
    token = url.rsplit("/certificates/", 1)[1].strip("/")
    assert certificate_for_token(token) == cert


def test_names_as_typed_and_long_texts_fit(admin_user, provider):
    activity = ActivityFactory(
        provider=provider,
        title="A very long title about " + "cardiology and internal medicine " * 6,
        joint_provider="The Extraordinarily Long Named Regional Hospital Consortium of Somewhere",
    )
    person = UserFactory(
        first_name="Zoë Þórunn Łucja", last_name="Wolfeschlegelsteinhausenbergerdorff " * 2
    )
    cert = certificates.issue_certificate(make_claim(designate(activity, admin_user), person))
    data = certificates.certificate_file(cert)
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    text = flat(pdftotext(data))
    assert "Zoë Þórunn Łucja" in text
    assert cert.number in text
    # The statements are never cut: each is there in full.
    for s in cert.content["statements"]:
        assert flat(s) in text


def test_the_template_gives_logo_signature_signer_and_footer(claim, provider, activity):
    template = CertificateTemplate.objects.create(
        provider=provider,
        name="Main",
        signer_name="Dr Grace Hopper",
        signer_title="Director of CME",
        footer="1 Main Street, Boston",
        is_default=True,
    )
    template.logo.save("logo.png", ContentFile(image_bytes("PNG")), save=False)
    template.signature.save("sig.jpg", ContentFile(image_bytes("JPEG", (400, 100))), save=False)
    template.save()
    cert = certificates.issue_certificate(claim)
    data = certificates.certificate_file(cert)
    text = flat(pdftotext(data))
    assert "Dr Grace Hopper" in text and "Director of CME" in text and "1 Main Street" in text
    images = PdfReader(io.BytesIO(data)).pages[0].images
    assert len(images) == 2
    assert cert.content["template_id"] == template.pk


def test_the_activitys_chosen_template_wins_over_the_default(activity, provider):
    default = CertificateTemplate.objects.create(provider=provider, name="A", is_default=True)
    chosen = CertificateTemplate.objects.create(provider=provider, name="B")
    assert certificates.template_for(activity) == default
    CreditSetup.objects.create(activity=activity, certificate_template=chosen)
    assert certificates.template_for(activity) == chosen


def test_numbers_are_unique_and_not_in_sequence(designation):
    numbers = [certificates.issue_certificate(make_claim(designation)).number for _ in range(12)]
    assert len(set(numbers)) == 12
    assert all(NUMBER.match(n) for n in numbers)
    assert numbers != sorted(numbers)  # drawn at random (fails with odds 1 in 12!)


def test_issuing_again_supersedes_the_current_certificate(claim, admin_user):
    first = certificates.issue_certificate(claim)
    second = certificates.issue_certificate(claim, by=admin_user)
    first.refresh_from_db()
    assert first.superseded_at is not None and second.superseded_at is None
    assert certificates.current_certificate(claim) == second
    assert certificates.status_of(first) == "superseded"
    issued = AuditEntry.objects.filter(action="credits.certificate_issued").order_by("id")
    assert [e.after["number"] for e in issued] == [first.number, second.number]
    assert issued.last().after["supersedes"] == [first.number]
    assert issued.last().actor == admin_user
    assert AuditEntry.objects.filter(
        action="credits.certificate_superseded", object_id=str(first.pk)
    ).exists()


def test_the_content_is_frozen_at_issue(claim, activity):
    cert = certificates.issue_certificate(claim)
    activity.title = "Renamed later"
    activity.save()
    cert.refresh_from_db()
    assert cert.content["activity"] == "Annual Meeting 2027"


def test_who_may_issue(claim, ada, provider):
    certificates.issue_certificate(claim, by=ada)  # the learner, for their own claim
    stranger = UserFactory()
    with pytest.raises(PermissionDenied):
        certificates.issue_certificate(claim, by=stranger)
    registration_only = UserFactory()
    TeamFactory(provider=provider, members=[registration_only], permissions=["registration"])
    with pytest.raises(PermissionDenied):
        certificates.issue_certificate(claim, by=registration_only)


def test_a_withdrawn_claim_gets_no_certificate(designation):
    claim = make_claim(designation, status=ClaimStatus.WITHDRAWN)
    with pytest.raises(ValidationError):
        certificates.issue_certificate(claim)
    assert not Certificate.objects.exists()


def test_revoking_needs_the_credit_team_and_a_reason_and_is_audited(
    claim, admin_user, ada, provider
):
    cert = certificates.issue_certificate(claim)
    with pytest.raises(ValidationError) as exc:
        certificates.revoke_certificate(cert, reason="  ", by=admin_user)
    assert "reason" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        certificates.revoke_certificate(cert, reason="mine", by=ada)
    reports_only = UserFactory()
    TeamFactory(provider=provider, members=[reports_only], permissions=["reports"])
    with pytest.raises(PermissionDenied):
        certificates.revoke_certificate(cert, reason="why", by=reports_only)
    cert.refresh_from_db()
    assert cert.revoked_at is None

    certificates.revoke_certificate(cert, reason="Attendance was not verified.", by=admin_user)
    cert.refresh_from_db()
    assert cert.revoked_at and cert.revoked_by == admin_user
    assert cert.revoked_reason == "Attendance was not verified."
    entry = AuditEntry.objects.get(action="credits.certificate_revoked")
    assert entry.actor == admin_user and entry.note == "Attendance was not verified."
    assert entry.activity_id == claim.activity_id
    assert certificates.current_certificate(claim) is None
    with pytest.raises(ValidationError):
        certificates.revoke_certificate(cert, reason="again", by=admin_user)


def test_a_token_with_a_wrong_key_or_signature_finds_nothing(claim):
    cert = certificates.issue_certificate(claim)
    token = certificate_token(cert)
    assert certificate_for_token(token) == cert
    assert certificate_for_token(token[:-2] + ("AA" if not token.endswith("AA") else "BB")) is None
    assert certificate_for_token(f"{cert.pk}.{cert.key}") is None
    assert certificate_for_token("SAMPLE") is None


def test_the_file_is_drawn_again_when_it_is_gone(claim):
    cert = certificates.issue_certificate(claim)
    cert.file.storage.delete(cert.file.name)
    data = certificates.certificate_file(cert)
    assert data.startswith(b"%PDF") and cert.number in flat(pdftotext(data))


def test_the_batch_shares_artwork_and_statements(claim, designation, activity):
    context = certificates.IssueContext.of(activity)
    assert context.statements(designation) is context.statements(designation)
    assert isinstance(context.art, certificate_pdf.Artwork)
