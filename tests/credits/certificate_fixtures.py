"""Shared set-up of the certificate tests: an AMA designation and claims made directly.

Each test module declares its fixtures from these helpers (see FIXTURES there).
"""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils import timezone
from PIL import Image

from cmeconf.credits.models import Claim, ClaimStatus, Designation
from tests.factories import UserFactory


def designate(activity, by, maximum="7.00", credit_type="AMA_PRA_1", **fields) -> Designation:
    maximum = Decimal(maximum)
    return Designation.objects.create(
        activity=activity,
        credit_type=credit_type,
        computed_maximum=maximum,
        computed_minutes=int(maximum * 60),
        maximum=maximum,
        designated_by=by,
        designated_at=timezone.now(),
        **fields,
    )


def make_claim(designation, person=None, amount="1.50", sessions=None, **fields) -> Claim:
    person = person or UserFactory()
    amount = Decimal(amount)
    now = timezone.now()
    return Claim.objects.create(
        activity=designation.activity,
        person=person,
        designation=designation,
        credit_type=designation.credit_type,
        board=designation.board,
        status=fields.pop("status", ClaimStatus.CLAIMED),
        measured_minutes=int(amount * 60),
        amount=amount,
        sessions=sessions or {},
        attested_at=now,
        attestation="I claim only the credit commensurate with my participation.",
        created=now,
        **fields,
    )


def image_bytes(fmt: str = "PNG", size=(300, 120), color=(30, 58, 138)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()


def flat(text: str) -> str:
    """Text with every run of white space as one space (PDF lines wrap anywhere)."""
    return " ".join(text.split())


def ada_lovelace():
    return UserFactory(
        email="ada@example.org",
        first_name="Ada",
        last_name="Lovelace",
        credentials="MD, PhD",
        profession="physician",
    )


def pdftotext(data: bytes) -> str:
    """The text of a PDF as poppler's pdftotext reads it."""
    import subprocess

    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    )
    return result.stdout.decode()
