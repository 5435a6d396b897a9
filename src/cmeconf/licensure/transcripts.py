"""A learner's transcript: every credit they claimed here and every credit they recorded.

Two sources, kept apart on every row:

- credit claimed on this platform (live claims only; a withdrawn claim is gone),
  verified by the provider that designated it. Each row carries what a transcript
  lists [M6][P11]: the activity's title, its provider, its dates and learning
  format, the credit type and the amount claimed (never the maximum [M6]), the
  number of the current certificate, the UAN for ACPE credit [P1][P11] and the
  board for ABMS MOC points [B1];
- credit the learner recorded themselves in the licensure pages (ExternalCredit),
  shown as self-reported: the platform has not checked it.

A row's date is the day the learner completed the education: for a claim, the
last day they attended a session of the activity (the activity's last day when
the claim names no dated session), which is also the date their licensure pages
count it on; for a recorded credit, the completion date they gave.

For pharmacists, CPE Monitor is the official record of ACPE credit, not any
provider's statement or this transcript [P6][P11]; a transcript with ACPE credit
says so.

Also here: the certificate a learner attaches to a credit they recorded (a PDF,
PNG or JPEG, checked by its content, at most 5 MB), kept private to them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Prefetch
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cmeconf.activities.models import Session
from cmeconf.common import audit
from cmeconf.common.spreadsheet import safe_cell
from cmeconf.credits.models import Certificate, Claim, ClaimStatus
from cmeconf.credits.statements import format_label
from cmeconf.credits.types import REGISTRY

# The licensure app keeps what the learner recorded; the transcript only reads it.
from cmeconf.licensure import vocabulary
from cmeconf.licensure.models import ExternalCredit

# ACPE credit, for pharmacists and for technicians: CPE Monitor holds the record [P6][P11].
CPE_MONITOR_TYPES = frozenset({"ACPE", "ACPE_TECH"})
PLATFORM = "platform"
EXTERNAL = "external"
ZERO = Decimal("0.00")


def cpe_monitor_note() -> str:
    """What a transcript with ACPE credit says about CPE Monitor [P6][P11]."""
    return _(
        "For pharmacists and pharmacy technicians, CPE Monitor (NABP) is the official "
        "record of ACPE credit. "
        "Check your CPE Monitor profile: this transcript does not replace it."
    )


def type_label(code: str) -> str:
    """A credit type's name: its rule's, else the licensure vocabulary's, else the code."""
    if code in REGISTRY:
        return REGISTRY[code].label
    return str(vocabulary.CREDIT_TYPES.get(code, code))


def type_unit(code: str) -> str:
    """The unit of a credit type where its rule names one ("contact hours"), else ""."""
    return REGISTRY[code].unit_plural if code in REGISTRY else ""


def _type_order(code: str) -> tuple[int, int, str]:
    registered = list(REGISTRY)
    known = list(vocabulary.CREDIT_TYPES)
    if code in registered:
        return (0, registered.index(code), code)
    if code in known:
        return (1, known.index(code), code)
    return (2, 0, code)


@dataclass(frozen=True)
class Amount:
    """Credit of one type on one row."""

    code: str
    amount: Decimal
    board: str = ""  # ABMS MOC: the board [B1]
    uan: str = ""  # ACPE: the Universal Activity Number [P1][P11]
    certificate: str = ""  # the number of the current certificate, if one was issued

    @property
    def label(self) -> str:
        return type_label(self.code)

    @property
    def unit(self) -> str:
        return type_unit(self.code)

    @property
    def is_acpe(self) -> bool:
        return self.code in CPE_MONITOR_TYPES


@dataclass(frozen=True)
class Row:
    """One activity the learner completed, with the credit it gave them."""

    source: str  # PLATFORM (verified by the provider) or EXTERNAL (self-reported)
    completed_on: dt.date
    title: str
    provider: str
    amounts: tuple[Amount, ...]
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    format: str = ""
    activity_id: int | None = None
    external_credit_id: int | None = None
    has_certificate_file: bool = False

    @property
    def verified(self) -> bool:
        return self.source == PLATFORM

    @property
    def source_label(self) -> str:
        return _("Verified by the provider") if self.verified else _("Self-reported")

    @property
    def is_acpe(self) -> bool:
        return any(a.is_acpe for a in self.amounts)

    @property
    def certificates(self) -> list[str]:
        return [a.certificate for a in self.amounts if a.certificate]

    @property
    def dates(self) -> str:
        """The activity's dates, or the completion date of a recorded credit."""
        start = self.starts_on or self.completed_on
        end = self.ends_on or self.completed_on
        if start == end:
            return formats.date_format(start, "DATE_FORMAT")
        return (
            f"{formats.date_format(start, 'DATE_FORMAT')} \N{EN DASH} "
            f"{formats.date_format(end, 'DATE_FORMAT')}"
        )


@dataclass(frozen=True)
class Total:
    """The sum of one credit type (one board, for MOC) over the rows shown."""

    code: str
    board: str
    amount: Decimal
    verified: Decimal
    self_reported: Decimal

    @property
    def label(self) -> str:
        label = type_label(self.code)
        return f"{label} ({self.board})" if self.board else label

    @property
    def unit(self) -> str:
        return type_unit(self.code)


@dataclass(frozen=True)
class Transcript:
    person: object
    rows: list[Row]
    totals: list[Total]
    generated_at: dt.datetime
    start: dt.date | None = None
    end: dt.date | None = None
    credit_types: tuple[str, ...] = field(default_factory=tuple)

    @property
    def has_acpe(self) -> bool:
        return any(r.is_acpe for r in self.rows)

    @property
    def has_self_reported(self) -> bool:
        return any(not r.verified for r in self.rows)

    @property
    def filtered(self) -> bool:
        return bool(self.start or self.end or self.credit_types)

    def period_text(self) -> str:
        if self.start and self.end:
            return _("%(start)s to %(end)s") % {
                "start": formats.date_format(self.start, "DATE_FORMAT"),
                "end": formats.date_format(self.end, "DATE_FORMAT"),
            }
        if self.start:
            return _("from %(start)s") % {"start": formats.date_format(self.start, "DATE_FORMAT")}
        if self.end:
            return _("until %(end)s") % {"end": formats.date_format(self.end, "DATE_FORMAT")}
        return _("all dates")

    def types_text(self) -> str:
        if not self.credit_types:
            return _("all credit types")
        return "; ".join(type_label(c) for c in self.credit_types)

    def filter_text(self) -> str:
        """The filter used, in words: "Dates: all dates. Credit types: all credit types." """
        return _("Dates: %(dates)s. Credit types: %(types)s.") % {
            "dates": self.period_text(),
            "types": self.types_text(),
        }


# --- building the transcript -------------------------------------------------------------------


def _completion_days(claims: list[Claim]) -> dict[int, dt.date]:
    """Per activity, the last local day the learner attended a session named in a claim."""
    session_ids = {int(pk) for c in claims for pk in (c.sessions or {}) if str(pk).isdigit()}
    if not session_ids:
        return {}
    starts = dict(
        Session.objects.filter(pk__in=session_ids, start__isnull=False).values_list("pk", "start")
    )
    days: dict[int, dt.date] = {}
    for claim in claims:
        zone = claim.activity.tz
        for pk, minutes in (claim.sessions or {}).items():
            start = starts.get(int(pk)) if str(pk).isdigit() else None
            if start is None or not minutes:
                continue
            day = start.astimezone(zone).date()
            if claim.activity_id not in days or day > days[claim.activity_id]:
                days[claim.activity_id] = day
    return days


def _format(activity) -> str:
    """The learning format [M4][M12] and how it was delivered: "Live activity, in person"."""
    label = format_label(activity)
    return f"{label[:1].upper()}{label[1:]}, {activity.get_delivery_display().lower()}"


def platform_rows(
    person,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    credit_types: Iterable[str] | None = None,
) -> list[Row]:
    """The person's live claims, one row per activity, one amount per claim."""
    claims = Claim.objects.filter(person=person, status=ClaimStatus.CLAIMED)
    if credit_types:
        claims = claims.filter(credit_type__in=list(credit_types))
    # The completion day lies within the activity's dates: a coarse cut in the database.
    if start:
        claims = claims.filter(activity__end_date__gte=start)
    if end:
        claims = claims.filter(activity__start_date__lte=end)
    current = Certificate.objects.filter(superseded_at__isnull=True, revoked_at__isnull=True)
    claims = list(
        claims.select_related("activity__provider", "designation").prefetch_related(
            Prefetch("certificates", queryset=current, to_attr="current_certificates")
        )
    )
    completed = _completion_days(claims)
    by_activity: dict[int, list[Claim]] = defaultdict(list)
    for claim in claims:
        by_activity[claim.activity_id].append(claim)
    rows = []
    for activity_id, found in by_activity.items():
        activity = found[0].activity
        day = completed.get(activity_id, activity.end_date)
        if (start and day < start) or (end and day > end):
            continue
        found.sort(key=lambda c: (_type_order(c.credit_type), c.board))
        amounts = tuple(
            Amount(
                code=c.credit_type,
                amount=c.amount,
                board=c.board,
                # Only ACPE designations carry a UAN [P1].
                uan=c.designation.uan,
                certificate=c.current_certificates[0].number if c.current_certificates else "",
            )
            for c in found
        )
        rows.append(
            Row(
                source=PLATFORM,
                completed_on=day,
                title=activity.title,
                provider=activity.provider.name,
                amounts=amounts,
                starts_on=activity.start_date,
                ends_on=activity.end_date,
                format=_format(activity),
                activity_id=activity_id,
            )
        )
    return rows


def external_rows(
    person,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    credit_types: Iterable[str] | None = None,
) -> list[Row]:
    """What the person recorded themselves; with a type filter, only those types' amounts."""
    wanted = set(credit_types or ())
    credits = ExternalCredit.objects.filter(person=person)
    if start:
        credits = credits.filter(completed_on__gte=start)
    if end:
        credits = credits.filter(completed_on__lte=end)
    rows = []
    for credit in credits:
        amounts = tuple(
            Amount(code=code, amount=Decimal(str(value)))
            for code, value in sorted(credit.amounts.items(), key=lambda kv: _type_order(kv[0]))
            if not wanted or code in wanted
        )
        if not amounts:
            continue
        rows.append(
            Row(
                source=EXTERNAL,
                completed_on=credit.completed_on,
                title=credit.title,
                provider=credit.provider_name,
                amounts=amounts,
                format=str(vocabulary.FORMATS.get(credit.format, credit.format)),
                external_credit_id=credit.pk,
                has_certificate_file=bool(credit.certificate),
            )
        )
    return rows


def totals(rows: Iterable[Row]) -> list[Total]:
    """Per credit type (and board, for MOC), the sum over the rows, verified and self-reported."""
    verified: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    reported: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        for a in row.amounts:
            key = (a.code, a.board)
            if row.verified:
                verified[key] += a.amount
            else:
                reported[key] += a.amount
    keys = sorted(set(verified) | set(reported), key=lambda k: (_type_order(k[0]), k[1]))
    return [
        Total(
            code=code,
            board=board,
            amount=verified[(code, board)] + reported[(code, board)],
            verified=verified[(code, board)],
            self_reported=reported[(code, board)],
        )
        for code, board in keys
    ]


def transcript(
    person,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    credit_types: Iterable[str] | None = None,
    now: dt.datetime | None = None,
) -> Transcript:
    """The person's transcript, oldest first, with totals per credit type.

    `start` and `end` (inclusive) filter on the completion day; `credit_types`
    (codes) keeps only those types' credit. ValidationError when the period
    ends before it starts. Reads only; changes nothing.
    """
    if start and end and end < start:
        raise ValidationError({"end": _("The end date must not come before the start date.")})
    types = tuple(dict.fromkeys(credit_types or ()))
    rows = platform_rows(person, start=start, end=end, credit_types=types) + external_rows(
        person, start=start, end=end, credit_types=types
    )
    rows.sort(key=lambda r: (r.completed_on, r.source != PLATFORM, r.title.casefold()))
    return Transcript(
        person=person,
        rows=rows,
        totals=totals(rows),
        generated_at=now or timezone.now(),
        start=start,
        end=end,
        credit_types=types,
    )


def credit_type_choices(person) -> list[tuple[str, str]]:
    """(code, label) of every credit type in the person's live claims and recorded credit."""
    codes = set(
        Claim.objects.filter(person=person, status=ClaimStatus.CLAIMED)
        .values_list("credit_type", flat=True)
        .distinct()
    )
    for amounts in ExternalCredit.objects.filter(person=person).values_list("amounts", flat=True):
        codes.update(amounts or {})
    return [(code, type_label(code)) for code in sorted(codes, key=_type_order)]


# --- CSV ---------------------------------------------------------------------------------------

CSV_COLUMNS = [
    "completed_on",
    "start_date",
    "end_date",
    "title",
    "provider",
    "format",
    "credit_type",
    "credit_type_label",
    "amount",
    "board",
    "uan",
    "certificate_number",
    "source",
]


def amount_text(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


def write_csv(t: Transcript, stream) -> None:
    """One line per credit type of each row; cells a spreadsheet would run are quoted."""
    writer = csv.writer(stream)
    writer.writerow(CSV_COLUMNS)
    for row in t.rows:
        for a in row.amounts:
            values = [
                row.completed_on.isoformat(),
                row.starts_on.isoformat() if row.starts_on else "",
                row.ends_on.isoformat() if row.ends_on else "",
                row.title,
                row.provider,
                row.format,
                a.code,
                a.label,
                amount_text(a.amount),
                a.board,
                a.uan,
                a.certificate,
                "verified" if row.verified else "self-reported",
            ]
            writer.writerow([safe_cell(v) for v in values])


def csv_text(t: Transcript) -> str:
    out = io.StringIO()
    write_csv(t, out)
    return out.getvalue()


# --- the certificate of a recorded credit ------------------------------------------------------

MAX_CERTIFICATE_BYTES = 5 * 1024 * 1024
CERTIFICATE_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
}


def certificate_kind(data: bytes) -> str | None:
    """ "pdf", "png" or "jpg" when the bytes are one of those; None otherwise.

    By content, never by the file's name or the browser's word: a PDF starts with
    %PDF- and ends with %%EOF; an image must open and verify in Pillow.
    """
    if data.startswith(b"%PDF-"):
        return "pdf" if b"%%EOF" in data[-2048:] else None
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        expected = "PNG"
    elif data.startswith(b"\xff\xd8\xff"):
        expected = "JPEG"
    else:
        return None
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != expected:
                return None
            image.verify()
    except Exception:  # any failure to parse means "not an image we accept"
        return None
    return "png" if expected == "PNG" else "jpg"


def _own(credit: ExternalCredit, person) -> None:
    if credit.person_id != getattr(person, "pk", None):
        raise PermissionDenied(_("This credit is not yours."))


def attach_certificate(credit: ExternalCredit, upload, *, person) -> ExternalCredit:
    """Keep `upload` as the certificate of the person's own recorded credit.

    Side effects: the file is stored under a random name (the learner's file name
    is not used), any earlier certificate of the credit is deleted once the new
    one is saved, and the audit trail gets an entry. PermissionDenied for another
    person's credit; ValidationError (field "certificate") for a file over 5 MB or
    not a PDF, PNG or JPEG.
    """
    _own(credit, person)
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_CERTIFICATE_BYTES:
        raise ValidationError({"certificate": _("The file is larger than 5 MB.")})
    data = upload.read(MAX_CERTIFICATE_BYTES + 1)
    if len(data) > MAX_CERTIFICATE_BYTES:
        raise ValidationError({"certificate": _("The file is larger than 5 MB.")})
    if not data:
        raise ValidationError({"certificate": _("The file is empty.")})
    kind = certificate_kind(data)
    if kind is None:
        raise ValidationError(
            {"certificate": _("Upload the certificate as a PDF, PNG or JPEG file.")}
        )
    with transaction.atomic():
        locked = ExternalCredit.objects.select_for_update().get(pk=credit.pk)
        old_name = locked.certificate.name if locked.certificate else ""
        locked.certificate.save(f"{uuid.uuid4().hex}.{kind}", ContentFile(data), save=False)
        locked.save(update_fields=["certificate"])
        audit.record(
            "external_credit.certificate_attached",
            actor=person,
            obj=locked,
            before={"certificate": old_name},
            after={"certificate": locked.certificate.name, "bytes": len(data)},
        )
        if old_name:
            storage = locked.certificate.storage
            transaction.on_commit(lambda: storage.delete(old_name))
    return locked


def remove_certificate(credit: ExternalCredit, *, person) -> None:
    """Forget the certificate of the person's own recorded credit and delete the file.

    Side effects: the file is deleted after the change is saved; an audit entry.
    """
    _own(credit, person)
    with transaction.atomic():
        locked = ExternalCredit.objects.select_for_update().get(pk=credit.pk)
        name = locked.certificate.name if locked.certificate else ""
        if not name:
            return
        storage = locked.certificate.storage
        locked.certificate = ""
        locked.save(update_fields=["certificate"])
        audit.record(
            "external_credit.certificate_removed",
            actor=person,
            obj=locked,
            before={"certificate": name},
            after={"certificate": ""},
        )
        transaction.on_commit(lambda: storage.delete(name))


@dataclass(frozen=True)
class CertificateFile:
    handle: object
    filename: str
    content_type: str


def open_certificate(credit: ExternalCredit, *, person) -> CertificateFile:
    """The stored certificate of the person's own credit, open for reading.

    PermissionDenied for another person's credit; FileNotFoundError when there is
    none (or its file is gone).
    """
    _own(credit, person)
    if not credit.certificate:
        raise FileNotFoundError(credit.pk)
    kind = credit.certificate.name.rsplit(".", 1)[-1].lower()
    content_type = CERTIFICATE_TYPES.get(kind)
    if content_type is None:
        raise FileNotFoundError(credit.pk)
    handle = credit.certificate.open("rb")
    stem = slugify(credit.title)[:60] or str(credit.pk)
    return CertificateFile(handle, f"certificate-{stem}.{kind}", content_type)
