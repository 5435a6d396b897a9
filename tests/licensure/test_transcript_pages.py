"""The learner's transcript pages: own records only, filters, downloads, certificate files."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cmeconf.licensure.models import ExternalCredit
from tests.factories import ActivityFactory, ProviderFactory, UserFactory
from tests.licensure.test_transcripts import (
    PDF_BYTES,
    certificate,
    claim,
    external,
    image_bytes,
    pdf_text,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(db):
    return UserFactory(first_name="Ada", last_name="Okafor", credentials="PharmD")


@pytest.fixture
def meeting(db):
    return ActivityFactory(
        provider=ProviderFactory(name="Society of Internal Medicine"),
        title="Annual Meeting 2025",
        start_date=dt.date(2025, 4, 14),
        end_date=dt.date(2025, 4, 16),
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def recorded(person):
    return external(
        person, "Grand rounds", dt.date(2025, 6, 1), {"AMA_PRA_1": "1.00"}, provider_name="Hosp"
    )


def url(name: str, *args) -> str:
    return reverse(f"transcript:{name}", args=args)


# --- who may see what ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "args", "method"),
    [
        ("index", (), "get"),
        ("csv", (), "get"),
        ("pdf", (), "get"),
        ("external_certificate", (1,), "get"),
        ("external_certificate_upload", (1,), "get"),
        ("external_certificate_upload", (1,), "post"),
        ("external_certificate_remove", (1,), "post"),
    ],
)
def test_anonymous_is_sent_to_log_in(client, name, args, method):
    target = url(name, *args)
    response = getattr(client, method)(target)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={target}"


def test_page_shows_only_the_learners_own_credit(client, person, meeting, admin_user):
    other = UserFactory()
    claim(other, meeting, "AMA_PRA_1", "7.00")
    external(other, "Somebody else's course", dt.date(2025, 1, 1), {"AMA_PRA_1": "9.00"})
    claim(person, meeting, "AMA_PRA_1", "5.25")

    client.force_login(person)
    body = client.get(url("index")).content.decode()

    assert "Annual Meeting 2025" in body and "5.25" in body
    assert "Somebody else" not in body and "9.00" not in body and "7.00" not in body

    # Staff of the provider have no way in to a learner's transcript: theirs is their own.
    client.force_login(admin_user)
    body = client.get(url("index")).content.decode()
    assert "Annual Meeting 2025" not in body
    assert "No credit yet." in body
    assert "Ada" not in body


def test_page_lists_rows_totals_and_the_way_to_add_a_credit(client, person, meeting):
    c = claim(person, meeting, "AMA_PRA_1", "7.00")
    certificate(c, "CME-2025-0042")
    claim(person, meeting, "ACPE", "6.00", uan="0798-0000-25-246-L04-P")
    external(person, "Grand rounds", dt.date(2025, 6, 1), {"AMA_PRA_1": "1.00"})

    client.force_login(person)
    response = client.get(url("index"))
    body = response.content.decode()

    assert response.status_code == 200
    assert "CME-2025-0042" in body
    assert "UAN 0798-0000-25-246-L04-P" in body
    assert "Verified by the provider" in body and "Self-reported" in body
    assert "CPE Monitor (NABP) is the official" in body
    assert reverse("licensure:credit_add") in body
    assert f'href="{url("pdf")}"' in body and f'href="{url("csv")}"' in body
    assert "<strong>8.00</strong>" in body  # AMA total: 7.00 verified + 1.00 self-reported


def test_filter_by_dates_and_types(client, person, meeting):
    claim(person, meeting, "AMA_PRA_1", "7.00")
    claim(person, meeting, "ANCC", "6.50")
    external(person, "Summer course", dt.date(2025, 7, 1), {"AMA_PRA_1": "2.00"})

    client.force_login(person)
    query = "?start=2025-04-01&end=2025-04-30&type=ANCC"
    body = client.get(url("index") + query).content.decode()

    assert "Annual Meeting 2025" in body and "6.50" in body
    assert "Summer course" not in body and "7.00" not in body
    assert "Dates: April 1, 2025 to April 30, 2025." in body
    # The downloads take the same filter.
    assert f'href="{url("csv")}?start=2025-04-01&amp;end=2025-04-30&amp;type=ANCC"' in body
    rows = list(csv.DictReader(io.StringIO(client.get(url("csv") + query).content.decode())))
    assert [(r["title"], r["credit_type"], r["amount"]) for r in rows] == [
        ("Annual Meeting 2025", "ANCC", "6.50")
    ]


def test_a_filter_that_makes_no_sense_is_explained(client, person):
    client.force_login(person)
    response = client.get(url("index") + "?start=2025-05-02&end=2025-05-01")
    assert "The end date must not come before the start date." in response.content.decode()
    assert client.get(url("csv") + "?start=2025-05-02&end=2025-05-01").status_code == 400
    bad = client.get(url("pdf") + "?type=NOT_MINE")
    assert bad.status_code == 400
    assert "Select a valid choice" in bad.content.decode()


def test_csv_download(client, person, meeting):
    claim(person, meeting, "AMA_PRA_1", "7.00")
    external(person, "=1+1", dt.date(2025, 6, 1), {"AMA_PRA_1": "1.00"})

    client.force_login(person)
    response = client.get(url("csv"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="transcript-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["title"], r["source"]) for r in rows] == [
        ("Annual Meeting 2025", "verified"),
        ("'=1+1", "self-reported"),
    ]


def test_pdf_download(client, person, meeting):
    claim(person, meeting, "AMA_PRA_1", "7.00")

    client.force_login(person)
    response = client.get(url("pdf") + "?type=AMA_PRA_1")

    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Ada Okafor, PharmD" in text
    assert "Annual Meeting 2025" in text
    assert "Credit types: AMA PRA Category 1 Credit™" in text


def test_typed_text_is_never_html(client, person):
    external(person, "<script>alert(1)</script>", dt.date(2025, 6, 1), {"AMA_PRA_1": "1.00"})
    client.force_login(person)
    body = client.get(url("index")).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


# --- certificate files ---------------------------------------------------------------------------


def test_upload_download_and_remove_a_certificate(client, person, recorded, media):
    client.force_login(person)
    assert "Attach the certificate" in client.get(url("index")).content.decode()
    form = client.get(url("external_certificate_upload", recorded.pk))
    assert "Grand rounds" in form.content.decode()

    response = client.post(
        url("external_certificate_upload", recorded.pk),
        {"certificate": SimpleUploadedFile("cert.png", image_bytes("PNG"), "image/png")},
    )
    assert response.status_code == 302 and response["Location"] == url("index")
    recorded.refresh_from_db()
    assert recorded.certificate.name.endswith(".png")

    download = client.get(url("external_certificate", recorded.pk))
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert download["Content-Disposition"] == 'attachment; filename="certificate-grand-rounds.png"'
    # Reading it all closes the file (and the response), as a server would.
    assert b"".join(download.streaming_content) == image_bytes("PNG")

    client.post(url("external_certificate_remove", recorded.pk))
    recorded.refresh_from_db()
    assert not recorded.certificate
    assert client.get(url("external_certificate", recorded.pk)).status_code == 404


def test_upload_refuses_a_file_that_is_not_a_certificate(client, person, recorded, media):
    client.force_login(person)
    response = client.post(
        url("external_certificate_upload", recorded.pk),
        {"certificate": SimpleUploadedFile("cert.pdf", b"MZ\x90\x00 an exe", "application/pdf")},
    )
    assert response.status_code == 400
    assert "Upload the certificate as a PDF, PNG or JPEG file." in response.content.decode()
    recorded.refresh_from_db()
    assert not recorded.certificate


def test_nobody_else_reaches_a_learners_certificate(client, person, recorded, media, admin_user):
    client.force_login(person)
    client.post(
        url("external_certificate_upload", recorded.pk),
        {"certificate": SimpleUploadedFile("cert.pdf", PDF_BYTES, "application/pdf")},
    )
    recorded.refresh_from_db()
    kept = recorded.certificate.name
    assert kept

    for intruder in (UserFactory(), admin_user):
        client.force_login(intruder)
        assert client.get(url("external_certificate", recorded.pk)).status_code == 404
        assert client.get(url("external_certificate_upload", recorded.pk)).status_code == 404
        response = client.post(
            url("external_certificate_upload", recorded.pk),
            {"certificate": SimpleUploadedFile("x.pdf", PDF_BYTES, "application/pdf")},
        )
        assert response.status_code == 404
        assert client.post(url("external_certificate_remove", recorded.pk)).status_code == 404
    assert ExternalCredit.objects.get(pk=recorded.pk).certificate.name == kept
    # Media is not served at a public address.
    client.logout()
    assert client.get(f"/media/{kept}").status_code == 404
