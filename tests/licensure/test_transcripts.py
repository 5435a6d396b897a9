"""The transcript service: rows, filters, totals, CSV, PDF and certificate files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from cmeconf.common.models import AuditEntry
from cmeconf.credits.models import Certificate, Claim, Designation
from cmeconf.licensure import transcript_pdf, transcripts
from cmeconf.licensure.models import ExternalCredit
from tests.factories import ActivityFactory, ProviderFactory, SessionFactory, UserFactory, at

pytestmark = pytest.mark.django_db

D = Decimal


def designation(activity, credit_type="AMA_PRA_1", *, board="", uan="", maximum="7.00"):
    found = Designation.objects.filter(
        activity=activity, credit_type=credit_type, board=board
    ).first()
    if found:
        return found
    return Designation.objects.create(
        activity=activity,
        credit_type=credit_type,
        board=board,
        uan=uan,
        computed_maximum=D(maximum),
        maximum=D(maximum),
        designated_by=UserFactory(),
        designated_at=timezone.now(),
    )


def claim(
    person,
    activity,
    credit_type="AMA_PRA_1",
    amount="7.00",
    *,
    board="",
    uan="",
    status="claimed",
    sessions=None,
) -> Claim:
    return Claim.objects.create(
        activity=activity,
        person=person,
        designation=designation(activity, credit_type, board=board, uan=uan),
        credit_type=credit_type,
        board=board,
        status=status,
        measured_minutes=420,
        amount=D(amount),
        sessions=sessions or {},
        attested_at=timezone.now(),
        attestation="I claim only the credit commensurate with my participation.",
        created=timezone.now(),
    )


def certificate(c: Claim, number: str, **fields) -> Certificate:
    return Certificate.objects.create(
        claim=c, number=number, key="k" * 32, issued_at=timezone.now(), **fields
    )


def external(person, title, day, amounts, **fields) -> ExternalCredit:
    return ExternalCredit.objects.create(
        person=person, title=title, completed_on=day, amounts=amounts, **fields
    )


@pytest.fixture
def person(db):
    return UserFactory(first_name="Ada", last_name="Okafor", credentials="MD, PhD")


@pytest.fixture
def meeting(db):
    provider = ProviderFactory(name="Society of Internal Medicine")
    return ActivityFactory(
        provider=provider,
        title="Annual Meeting 2025",
        start_date=dt.date(2025, 4, 14),
        end_date=dt.date(2025, 4, 16),
    )


def test_rows_from_both_sources_oldest_first_and_marked(person, meeting):
    claim(person, meeting, "AMA_PRA_1", "7.00")
    external(person, "Grand rounds", dt.date(2025, 6, 1), {"AMA_PRA_1": "1.00"})
    external(person, "Winter course", dt.date(2025, 1, 10), {"AMA_PRA_1": "3.50"})

    t = transcripts.transcript(person)

    assert [r.title for r in t.rows] == ["Winter course", "Annual Meeting 2025", "Grand rounds"]
    platform = t.rows[1]
    assert platform.verified and platform.source_label == "Verified by the provider"
    assert platform.provider == "Society of Internal Medicine"
    assert platform.starts_on == dt.date(2025, 4, 14)
    assert platform.completed_on == dt.date(2025, 4, 16)  # no dated session: the last day
    assert platform.format == "Live activity, in person"
    assert [(a.code, a.amount) for a in platform.amounts] == [("AMA_PRA_1", D("7.00"))]
    assert [r.source_label for r in (t.rows[0], t.rows[2])] == ["Self-reported"] * 2
    assert t.totals[0].code == "AMA_PRA_1"
    assert (t.totals[0].amount, t.totals[0].verified, t.totals[0].self_reported) == (
        D("11.50"),
        D("7.00"),
        D("4.50"),
    )


def test_withdrawn_claims_are_left_out(person, meeting):
    claim(person, meeting, "AMA_PRA_1", "7.00", status="withdrawn")
    claim(person, meeting, "ANCC", "6.50")

    t = transcripts.transcript(person)

    assert len(t.rows) == 1
    assert [(a.code, a.amount) for a in t.rows[0].amounts] == [("ANCC", D("6.50"))]
    assert [x.code for x in t.totals] == ["ANCC"]


def test_another_persons_credit_never_appears(person, meeting):
    other = UserFactory()
    claim(other, meeting, "AMA_PRA_1", "7.00")
    external(other, "Their course", dt.date(2025, 2, 2), {"AMA_PRA_1": "2.00"})
    claim(person, meeting, "AMA_PRA_1", "5.25")

    t = transcripts.transcript(person)

    assert [r.title for r in t.rows] == ["Annual Meeting 2025"]
    assert t.rows[0].amounts[0].amount == D("5.25")
    assert t.totals[0].amount == D("5.25")
    assert transcripts.transcript(UserFactory()).rows == []


def test_date_filter_is_inclusive_and_uses_the_day_attended(person, meeting):
    first_day = SessionFactory(activity=meeting, start=at(dt.date(2025, 4, 14), 9))
    SessionFactory(activity=meeting, start=at(dt.date(2025, 4, 16), 9))  # not attended
    claim(person, meeting, sessions={str(first_day.pk): 60}, amount="1.00")
    external(person, "Before", dt.date(2025, 4, 13), {"AMA_PRA_1": "1.00"})
    external(person, "After", dt.date(2025, 4, 15), {"AMA_PRA_1": "2.00"})

    t = transcripts.transcript(person, start=dt.date(2025, 4, 14), end=dt.date(2025, 4, 14))

    assert [r.title for r in t.rows] == ["Annual Meeting 2025"]
    assert t.rows[0].completed_on == dt.date(2025, 4, 14)
    assert (
        t.filter_text()
        == "Dates: April 14, 2025 to April 14, 2025. Credit types: all credit types."
    )
    later = transcripts.transcript(person, start=dt.date(2025, 4, 15))
    assert [r.title for r in later.rows] == ["After"]
    earlier = transcripts.transcript(person, end=dt.date(2025, 4, 13))
    assert [r.title for r in earlier.rows] == ["Before"]
    assert earlier.totals[0].amount == D("1.00")


def test_credit_type_filter_keeps_only_those_amounts(person, meeting):
    claim(person, meeting, "AMA_PRA_1", "7.00")
    claim(person, meeting, "ANCC", "6.50")
    external(person, "Both", dt.date(2025, 5, 1), {"AMA_PRA_1": "2.00", "ANCC": "2.00"})
    external(person, "Nursing only", dt.date(2025, 5, 2), {"ANCC": "1.00"})

    t = transcripts.transcript(person, credit_types=["AMA_PRA_1"])

    assert [r.title for r in t.rows] == ["Annual Meeting 2025", "Both"]
    assert all([a.code for a in r.amounts] == ["AMA_PRA_1"] for r in t.rows)
    assert [(x.code, x.amount) for x in t.totals] == [("AMA_PRA_1", D("9.00"))]
    assert "AMA PRA Category 1 Credit™" in t.types_text()


def test_totals_per_type_and_moc_board(person, meeting):
    claim(person, meeting, "AMA_PRA_1", "7.00")
    claim(person, meeting, "ABMS_MOC", "7.00", board="ABIM")
    claim(person, meeting, "ABMS_MOC", "5.00", board="ABP")
    second = ActivityFactory(start_date=dt.date(2025, 9, 1), end_date=dt.date(2025, 9, 1))
    claim(person, second, "AMA_PRA_1", "1.75")

    t = transcripts.transcript(person)

    totals = {(x.code, x.board): x.amount for x in t.totals}
    assert totals == {
        ("AMA_PRA_1", ""): D("8.75"),
        ("ABMS_MOC", "ABIM"): D("7.00"),
        ("ABMS_MOC", "ABP"): D("5.00"),
    }
    moc = [a for a in t.rows[0].amounts if a.code == "ABMS_MOC"]
    assert [a.board for a in moc] == ["ABIM", "ABP"]
    assert [x.label for x in t.totals if x.board] == [
        "ABMS board MOC points (ABIM)",
        "ABMS board MOC points (ABP)",
    ]


def test_only_the_current_certificate_number_is_shown(person, meeting):
    c = claim(person, meeting)
    certificate(c, "OLD-1", superseded_at=timezone.now())
    certificate(c, "REV-1", revoked_at=timezone.now(), revoked_reason="error")
    t = transcripts.transcript(person)
    assert t.rows[0].amounts[0].certificate == ""
    certificate(c, "CUR-1")
    t = transcripts.transcript(person)
    assert t.rows[0].amounts[0].certificate == "CUR-1"
    assert t.rows[0].certificates == ["CUR-1"]


def test_acpe_rows_carry_the_uan_and_the_cpe_monitor_note(person, meeting):
    claim(person, meeting, "ACPE", "6.00", uan="0798-0000-25-246-L04-P")
    t = transcripts.transcript(person)
    (amount,) = t.rows[0].amounts
    assert amount.uan == "0798-0000-25-246-L04-P"
    assert t.rows[0].is_acpe and t.has_acpe
    assert "CPE Monitor" in transcripts.cpe_monitor_note()
    assert not transcripts.transcript(person, credit_types=["AMA_PRA_1"]).has_acpe


def test_end_before_start_is_refused(person):
    with pytest.raises(ValidationError) as caught:
        transcripts.transcript(person, start=dt.date(2025, 5, 2), end=dt.date(2025, 5, 1))
    assert "end" in caught.value.message_dict


def test_credit_type_choices_list_what_the_person_has(person, meeting):
    claim(person, meeting, "ANCC", "6.50")
    claim(person, meeting, "AMA_PRA_1", "7.00", status="withdrawn")
    external(person, "x", dt.date(2025, 1, 1), {"AAPA_1": "1.00", "AMA_PRA_1": "1.00"})
    claim(UserFactory(), meeting, "ACPE", "6.00")

    codes = [code for code, _label in transcripts.credit_type_choices(person)]

    assert sorted(codes) == ["AAPA_1", "AMA_PRA_1", "ANCC"]


def test_queries_do_not_grow_with_the_rows(person):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            transcripts.transcript(person)
        return len(ctx.captured_queries)

    def add(n: int) -> None:
        activity = ActivityFactory()
        session = SessionFactory(activity=activity)
        c = claim(person, activity, sessions={str(session.pk): 60})
        claim(person, activity, "ANCC", "1.00", sessions={str(session.pk): 60})
        certificate(c, f"N-{n}")
        external(person, f"Course {n}", dt.date(2025, 1, n), {"AMA_PRA_1": "1.00"})

    add(1)
    one = count()
    add(2)
    add(3)
    assert count() == one


# --- CSV -----------------------------------------------------------------------------------------


def test_csv_has_one_line_per_credit_and_says_who_verified_it(person, meeting):
    c = claim(person, meeting, "AMA_PRA_1", "7.00")
    certificate(c, "CME-2025-0001")
    claim(person, meeting, "ACPE", "6.00", uan="0798-0000-25-246-L04-P")
    external(
        person, "Grand rounds", dt.date(2025, 6, 1), {"AMA_PRA_1": "1.00"}, provider_name="Hosp"
    )

    rows = list(csv.DictReader(io.StringIO(transcripts.csv_text(transcripts.transcript(person)))))

    assert [r["credit_type"] for r in rows] == ["AMA_PRA_1", "ACPE", "AMA_PRA_1"]
    assert rows[0] == {
        "completed_on": "2025-04-16",
        "start_date": "2025-04-14",
        "end_date": "2025-04-16",
        "title": "Annual Meeting 2025",
        "provider": "Society of Internal Medicine",
        "format": "Live activity, in person",
        "credit_type": "AMA_PRA_1",
        "credit_type_label": "AMA PRA Category 1 Credit™",
        "amount": "7.00",
        "board": "",
        "uan": "",
        "certificate_number": "CME-2025-0001",
        "source": "verified",
    }
    assert rows[1]["uan"] == "0798-0000-25-246-L04-P"
    assert rows[2]["source"] == "self-reported"
    assert rows[2]["start_date"] == "" and rows[2]["provider"] == "Hosp"


@pytest.mark.parametrize(
    "title", ['=HYPERLINK("http://evil.example","x")', "+1+2", "-2+3", "@SUM(A1)", "\tx"]
)
def test_csv_cells_never_run_as_formulas(person, title):
    external(person, title, dt.date(2025, 6, 1), {"AMA_PRA_1": "1.00"}, provider_name="=cmd|'/c'")

    (row,) = list(csv.DictReader(io.StringIO(transcripts.csv_text(transcripts.transcript(person)))))

    assert row["title"] == "'" + title
    assert row["provider"] == "'=cmd|'/c'"
    assert row["amount"] == "1.00"


# --- PDF -----------------------------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return done.stdout.decode()


def test_pdf_has_header_rows_totals_and_the_cpe_note(person, meeting):
    c = claim(person, meeting, "AMA_PRA_1", "7.00")
    certificate(c, "CME-2025-0001")
    claim(person, meeting, "ACPE", "6.00", uan="0798-0000-25-246-L04-P")
    external(person, "Grand rounds <b>bold</b>", dt.date(2025, 6, 1), {"AMA_PRA_1": "1.00"})

    text = pdf_text(transcript_pdf.transcript_pdf(transcripts.transcript(person)))

    assert "Continuing education transcript" in text
    assert "Ada Okafor, MD, PhD" in text
    assert "Generated" in text
    assert "Dates: all dates. Credit types: all credit types." in text
    assert "Annual Meeting 2025" in text
    assert "Society of Internal Medicine" in text
    assert "CME-2025-0001" in text
    assert "UAN 0798-0000-25-246-L04-P" in text
    assert "Grand rounds <b>bold</b>" in text  # typed text stays text
    assert "Verified: claimed on this platform" in text
    assert "Verified by" not in text  # short labels in the narrow column
    assert text.count("Self-reported") == 3  # legend, the row, the totals' heading
    assert text.count("Verified") == 3
    assert "Totals" in text and "8.00" in text  # AMA: 7.00 + 1.00
    assert "CPE Monitor (NABP) is the official" in text
    assert "Page 1 of 1" in text


def test_pdf_wraps_long_titles_and_numbers_every_page(person):
    long_title = "Advances in " + " ".join(f"topic{n}" for n in range(30))
    for n in range(60):
        external(
            person,
            f"{long_title} {n}",
            dt.date(2024, 1, 1) + dt.timedelta(days=n),
            {"AMA_PRA_1": "1.00"},
        )

    t = transcripts.transcript(person, start=dt.date(2024, 1, 1), credit_types=["AMA_PRA_1"])
    text = pdf_text(transcript_pdf.transcript_pdf(t))

    pages = text.count("\f")
    assert pages >= 3
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    assert "topic29 59" in text  # the end of the last title is there, wrapped, not cut
    assert "Credit types: AMA PRA Category 1 Credit™" in text
    assert "from Jan. 1, 2024" in text
    assert "60.00" in text


def test_pdf_of_an_empty_transcript(person):
    text = pdf_text(transcript_pdf.transcript_pdf(transcripts.transcript(person)))
    assert "No credit matches this filter." in text
    assert "Page 1 of 1" in text


# --- certificate files ---------------------------------------------------------------------------

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def image_bytes(kind: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 10), "white").save(out, format=kind)
    return out.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def recorded(person):
    return external(person, "Grand rounds", dt.date(2025, 6, 1), {"AMA_PRA_1": "1.00"})


@pytest.mark.parametrize(
    ("data", "kind"),
    [(PDF_BYTES, "pdf"), (image_bytes("PNG"), "png"), (image_bytes("JPEG"), "jpg")],
)
def test_certificate_is_kept_by_its_content(
    media, person, recorded, data, kind, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("whatever.exe", data, content_type="application/x-msdownload")
    with django_capture_on_commit_callbacks(execute=True):
        saved = transcripts.attach_certificate(recorded, upload, person=person)

    assert saved.certificate.name.endswith(f".{kind}")
    assert "whatever" not in saved.certificate.name
    found = transcripts.open_certificate(saved, person=person)
    with found.handle:
        assert found.handle.read() == data
    assert found.content_type == transcripts.CERTIFICATE_TYPES[kind]
    assert found.filename == f"certificate-grand-rounds.{kind}"
    entry = AuditEntry.objects.get(action="external_credit.certificate_attached")
    assert entry.after["certificate"] == saved.certificate.name


@pytest.mark.parametrize(
    "data",
    [
        b"just text pretending to be a PDF",
        b"%PDF-1.4 but never ends",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,  # a PNG signature, no image
        b"\xff\xd8\xff\xe0 not a jpeg",
        b"<html><script>alert(1)</script></html>",
        b"",
    ],
)
def test_certificate_that_is_not_a_pdf_or_image_is_refused(media, person, recorded, data):
    upload = SimpleUploadedFile("certificate.pdf", data, content_type="application/pdf")
    with pytest.raises(ValidationError) as caught:
        transcripts.attach_certificate(recorded, upload, person=person)
    assert "certificate" in caught.value.message_dict
    recorded.refresh_from_db()
    assert not recorded.certificate


def test_certificate_over_5_mb_is_refused(media, person, recorded):
    data = PDF_BYTES[:-7] + b"\0" * (5 * 1024 * 1024) + b"\n%%EOF\n"
    with pytest.raises(ValidationError) as caught:
        transcripts.attach_certificate(recorded, SimpleUploadedFile("big.pdf", data), person=person)
    assert caught.value.message_dict["certificate"] == ["The file is larger than 5 MB."]


def test_certificate_of_another_persons_credit_is_refused(media, person, recorded):
    intruder = UserFactory()
    with pytest.raises(PermissionDenied):
        transcripts.attach_certificate(
            recorded, SimpleUploadedFile("c.pdf", PDF_BYTES), person=intruder
        )
    transcripts.attach_certificate(recorded, SimpleUploadedFile("c.pdf", PDF_BYTES), person=person)
    recorded.refresh_from_db()
    with pytest.raises(PermissionDenied):
        transcripts.open_certificate(recorded, person=intruder)
    with pytest.raises(PermissionDenied):
        transcripts.remove_certificate(recorded, person=intruder)


def test_a_new_certificate_replaces_the_old_file(
    media, person, recorded, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = transcripts.attach_certificate(
            recorded, SimpleUploadedFile("a.pdf", PDF_BYTES), person=person
        )
    old = media / first.certificate.name
    assert old.exists()
    with django_capture_on_commit_callbacks(execute=True):
        second = transcripts.attach_certificate(
            first, SimpleUploadedFile("b.png", image_bytes("PNG")), person=person
        )
    assert not old.exists()
    assert (media / second.certificate.name).exists()
    with django_capture_on_commit_callbacks(execute=True):
        transcripts.remove_certificate(second, person=person)
    assert not (media / second.certificate.name).exists()
    second.refresh_from_db()
    assert not second.certificate
    assert AuditEntry.objects.filter(action="external_credit.certificate_removed").count() == 1
    with pytest.raises(FileNotFoundError):
        transcripts.open_certificate(second, person=person)
