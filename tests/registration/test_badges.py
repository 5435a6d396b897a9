"""Badges: the QR code carries the signed token, the PDF the names, the batch its progress."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
import segno
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from cmeconf.common.models import AuditEntry
from cmeconf.registration import badge_services, badges, services
from cmeconf.registration.badge_tokens import badge_code, badge_token, registration_for_token
from cmeconf.registration.choices import BatchStatus, RegistrationStatus
from cmeconf.registration.models import BadgeBatch
from tests.factories import TeamFactory, UserFactory
from tests.registration.factories import (
    PriceTierFactory,
    RegistrationSetupFactory,
    RegistrationTypeFactory,
)
from tests.registration.qr_reader import QRError, decode, matrix_from_pdf, matrix_from_svg, pdf_text

S = RegistrationStatus


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def setup(activity):
    return RegistrationSetupFactory(activity=activity)


@pytest.fixture
def in_person(activity, setup):
    return RegistrationTypeFactory(activity=activity, code="physician", name="Physician")


@pytest.fixture
def paid(activity, setup):
    t = RegistrationTypeFactory(activity=activity, code="paid", name="Nurse")
    PriceTierFactory(registration_type=t, amount=Decimal("200.00"))
    return t


@pytest.fixture
def virtual(activity, setup):
    return RegistrationTypeFactory(
        activity=activity, code="online", name="Online only", mode="virtual"
    )


@pytest.fixture
def full(activity, setup):
    return RegistrationTypeFactory(activity=activity, code="full", name="Resident", capacity=0)


def register(activity, reg_type, **person):
    who = UserFactory(**person)
    return services.register(activity, who, registration_type=reg_type, by=who)


@pytest.fixture
def ada(activity, in_person):
    return register(
        activity,
        in_person,
        first_name="Ada",
        last_name="Lovelace",
        credentials="MD, PhD",
        institution="St Mary's Hospital",
        region="Ohio",
        country="US",
    )


def test_the_qr_code_in_the_pdf_reads_as_the_badge_token(ada):
    pdf = badges.badge_pdf(ada)
    matrix = matrix_from_pdf(pdf)
    token = decode(matrix)
    assert token == badge_token(ada)
    assert registration_for_token(token) == ada
    # The drawing is exactly segno's code for the token, module for module.
    expected = segno.make_qr(badge_token(ada), error="m").matrix
    assert matrix == [[bool(v) for v in row] for row in expected]


def test_the_reader_refuses_a_damaged_code(ada):
    matrix = matrix_from_pdf(badges.badge_pdf(ada))
    n = len(matrix)
    matrix[n - 1][n - 1] = not matrix[n - 1][n - 1]  # a data module, far from any pattern
    with pytest.raises(QRError):
        decode(matrix)


def test_the_phone_svg_reads_as_the_badge_token(ada):
    svg = badges.badge_svg(ada)
    assert "style=" not in svg and "<script" not in svg
    assert decode(matrix_from_svg(svg)) == badge_token(ada)


def test_the_pdf_shows_name_credentials_organisation_type_activity_and_code(ada, activity):
    pdf = badges.badge_pdf(ada)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == (288.0, 216.0)  # 4 x 3 inches
    text = pdf_text(pdf)
    for expected in (
        "Ada",
        "Ada Lovelace",
        "MD, PhD",
        "St Mary's Hospital",
        "Ohio, US",
        "Physician",
        activity.title,
        badge_code(ada),
    ):
        assert expected in text
    assert "April" in text and "2027" in text


def test_a_long_name_is_shrunk_or_cut_to_fit_and_still_readable(activity, in_person):
    reg = register(activity, in_person, first_name="Maximiliana-Josefina", last_name="X" * 80)
    text = pdf_text(badges.badge_pdf(reg))
    assert "Maximiliana-Josefina" in text
    assert "…" in text  # the 80-letter surname does not run over the QR code
    assert decode(matrix_from_pdf(badges.badge_pdf(reg))) == badge_token(reg)


def test_who_gets_a_badge_in_the_batch(activity, in_person, paid, virtual, full, ada):
    pending = register(activity, paid, first_name="Pat", last_name="Pending")
    register(activity, virtual, first_name="Vera", last_name="Virtual")
    waiting = register(activity, full, first_name="Walt", last_name="Waiting")
    gone = register(activity, in_person, first_name="Carl", last_name="Cancelled")
    services.cancel(gone, by=gone.person)
    assert (pending.status, waiting.status) == (S.PENDING_PAYMENT, S.WAITLISTED)
    names = [r.person.last_name for r in badges.batch_registrations(activity)]
    assert names == ["Lovelace", "Pending"]


@pytest.fixture
def admin(activity):
    user = UserFactory()
    TeamFactory(provider=activity.provider, members=[user], permissions=["registration"])
    return user


def test_batch_makes_one_pdf_with_every_badge_and_its_progress(
    activity, in_person, admin, media, django_capture_on_commit_callbacks
):
    regs = [register(activity, in_person, last_name=f"Person{i:02d}") for i in range(7)]
    with django_capture_on_commit_callbacks(execute=True):
        batch = badge_services.start_badge_batch(activity, by=admin)
    batch.refresh_from_db()
    assert (batch.status, batch.total, batch.done, batch.error) == (BatchStatus.DONE, 7, 7, "")
    assert batch.finished_at is not None and batch.requested_by == admin
    assert batch.file.name.startswith("badges/") and batch.file.name.endswith(".pdf")
    assert (media / batch.file.name).exists()
    with batch.file.open("rb") as handle:
        data = handle.read()
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2  # six to a Letter sheet
    assert (float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)) == (
        612.0,
        792.0,
    )
    text = pdf_text(data)
    assert all(f"Person{i:02d}" in text for i in range(7))
    # Badges in name order; the sixth badge on the first sheet, the seventh on the second.
    assert decode(matrix_from_pdf(data, 0, 5)) == badge_token(regs[5])
    assert decode(matrix_from_pdf(data, 1, 0)) == badge_token(regs[6])
    actions = list(
        AuditEntry.objects.filter(action__startswith="badges.").values_list("action", flat=True)
    )
    assert sorted(actions) == ["badges.batch_done", "badges.batch_started"]


def test_batch_reports_progress_after_each_chunk(activity, in_person, admin):
    for i in range(7):
        register(activity, in_person, last_name=f"Person{i}")
    batch = badge_services.start_badge_batch(activity, by=admin)  # queued: on_commit not run
    assert batch.status == BatchStatus.QUEUED
    with CaptureQueriesContext(connection) as queries:
        badge_services.run_badge_batch(batch.pk, chunk=3)
    progress = [
        int(m.group(1))
        for q in queries.captured_queries
        if q["sql"].startswith("UPDATE") and (m := re.search(r'"done" = (\d+)', q["sql"]))
    ]
    # 0 at the start, after 3, 6 and 7 badges, and 7 again with the finished file.
    assert progress == [0, 3, 6, 7, 7]
    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.total) == (BatchStatus.DONE, 7, 7)


def test_one_batch_at_a_time_per_activity(activity, in_person, admin, ada):
    first = badge_services.start_badge_batch(activity, by=admin)
    with pytest.raises(ValidationError, match="already being made"):
        badge_services.start_badge_batch(activity, by=admin)
    assert BadgeBatch.objects.count() == 1
    # Another activity is not held up.
    other = RegistrationTypeFactory(code="x")
    RegistrationSetupFactory(activity=other.activity)
    TeamFactory(provider=other.activity.provider, members=[admin], permissions=["registration"])
    register(other.activity, other)
    assert badge_services.start_badge_batch(other.activity, by=admin).status == BatchStatus.QUEUED
    # A batch that never finished (its worker died) does not block the activity for ever.
    BadgeBatch.objects.filter(pk=first.pk).update(
        created=timezone.now() - dt.timedelta(hours=2), status=BatchStatus.RUNNING
    )
    again = badge_services.start_badge_batch(activity, by=admin)
    first.refresh_from_db()
    assert first.status == BatchStatus.FAILED and "Stopped without finishing" in first.error
    assert again.status == BatchStatus.QUEUED


def test_a_finished_batch_does_not_block_the_next(
    activity, admin, ada, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        badge_services.start_badge_batch(activity, by=admin)
    with django_capture_on_commit_callbacks(execute=True):
        second = badge_services.start_badge_batch(activity, by=admin)
    second.refresh_from_db()
    assert second.status == BatchStatus.DONE
    assert BadgeBatch.objects.filter(status=BatchStatus.DONE).count() == 2


def test_no_batch_without_anyone_to_badge(activity, virtual, admin):
    register(activity, virtual)
    with pytest.raises(ValidationError, match="no badge to make"):
        badge_services.start_badge_batch(activity, by=admin)
    assert not BadgeBatch.objects.exists()


def test_a_failing_batch_says_why(activity, admin, ada, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = blocker
    batch = badge_services.start_badge_batch(activity, by=admin)
    result = badge_services.run_badge_batch(batch.pk)
    batch.refresh_from_db()
    assert result.status == batch.status == BatchStatus.FAILED
    assert batch.error.startswith("The badges could not be made:")
    assert not batch.file
    assert AuditEntry.objects.filter(action="badges.batch_failed").exists()


def test_only_the_registration_team_makes_badges(activity, in_person, ada):
    program_only = UserFactory()
    TeamFactory(provider=activity.provider, members=[program_only], permissions=["program"])
    for who in (program_only, ada.person, None):
        with pytest.raises(PermissionDenied):
            badge_services.start_badge_batch(activity, by=who)
    assert not BadgeBatch.objects.exists()


def test_reissue_voids_the_old_badge(activity, admin, ada):
    old_token, old_code = badge_token(ada), badge_code(ada)
    badge_services.reissue_badge(ada, by=admin)
    ada.refresh_from_db()
    assert registration_for_token(old_token) is None
    new_token = badge_token(ada)
    assert new_token != old_token and badge_code(ada) != old_code
    assert registration_for_token(new_token) == ada
    assert decode(matrix_from_pdf(badges.badge_pdf(ada))) == new_token
    entry = AuditEntry.objects.get(action="registration.badge_reissued")
    assert entry.actor == admin and entry.after == {"had_badge": True}
    assert ada.badge_key not in str(entry.after)


def test_only_the_registration_team_reissues(activity, ada):
    token = badge_token(ada)
    with pytest.raises(PermissionDenied):
        badge_services.reissue_badge(ada, by=ada.person)
    assert registration_for_token(token) == ada


def test_a_cancelled_registration_is_not_reissued(activity, admin, ada):
    services.cancel(ada, by=ada.person)
    with pytest.raises(ValidationError):
        badge_services.reissue_badge(ada, by=admin)


def test_a_batch_whose_registrants_all_cancelled_meanwhile_fails_clearly(activity, admin, ada):
    batch = badge_services.start_badge_batch(activity, by=admin)
    services.cancel(ada, by=ada.person)
    badge_services.run_badge_batch(batch.pk)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED
    assert batch.error == (
        "The badges could not be made: nobody holds a seat to attend in person any more"
    )
