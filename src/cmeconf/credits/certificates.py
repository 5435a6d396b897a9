"""Certificates: issue one for a claim, supersede it, revoke it; what it says.

What a certificate says is frozen in `Certificate.content` when it is issued, so
the PDF, the verification page and an accreditor's audit years later agree, and
a later change to the activity does not rewrite history [C5][C11].

The content follows section 6 of the rules: the learner's name, credentials and
profession; the provider (and joint provider [C4]); the activity's title; the
learning format [M4][PA3]; the dates (the learner's days of attendance where
known, else the activity's) and the location (venue, "Online", or both) [M6];
the credit type and the credit AWARDED, i.e. the claim's amount, not the
maximum [M6], "of a maximum of" the designation [section 6]; the accreditation
and designation statements of the credit type [C9][C4][M5][J3]; the UAN for
ACPE [P11]; the board for MOC [B1]; the certificate number and issue date.
Supporters are never named and no logo but the provider's appears [N2][A12].
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cmeconf.accounts.rules import Profession
from cmeconf.activities.choices import Delivery
from cmeconf.activities.models import Session
from cmeconf.common import audit
from cmeconf.credits import certificate_pdf, statements
from cmeconf.credits.certificate_tokens import new_key, verification_url
from cmeconf.credits.models import (
    Certificate,
    CertificateTemplate,
    Claim,
    ClaimStatus,
    CreditSetup,
    Designation,
)
from cmeconf.credits.types import rule
from cmeconf.providers.permissions import Permission, permission_set

logger = logging.getLogger(__name__)

# Certificate numbers: readable (no 0/O, 1/I/L), not guessable in sequence.
NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CONTENT_VERSION = 1
# Where the PDFs go in the default storage (Certificate.file's upload_to).
FILE_FOLDER = "certificates/"


def new_number(year: int) -> str:
    """E.g. CME-2027-7KQ4-M9XD: 31^8 (about 8.5e11) possibilities a year, drawn at random."""
    part = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))
    return f"CME-{year}-{part[:4]}-{part[4:]}"


# --- permission -------------------------------------------------------------------------


def may_manage(user, activity) -> bool:
    """Staff with the credit permission for this activity."""
    return Permission.CREDIT in permission_set(user, activity.provider, activity)


def may_download(user, certificate: Certificate) -> bool:
    """The learner it belongs to, or staff with the credit or reports permission."""
    if not getattr(user, "is_authenticated", False):
        return False
    claim = certificate.claim
    if claim.person_id == user.pk:
        return True
    perms = permission_set(user, claim.activity.provider, claim.activity)
    return bool({Permission.CREDIT, Permission.REPORTS} & perms)


def _check_may_issue(claim: Claim, by) -> None:
    # The system (the batch job, the claim service) issues with by=None; the learner may
    # ask for their own; otherwise only the credit team.
    if by is None or by.pk == claim.person_id:
        return
    if not may_manage(by, claim.activity):
        raise PermissionDenied(_("Only the credit team of this activity may issue certificates."))


# --- what a certificate says ------------------------------------------------------------


def _date_text(day: dt.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def dates_text(days: list[dt.date]) -> str:
    """One day, a range of consecutive days, or the days listed."""
    days = sorted(set(days))
    if not days:
        return ""
    if len(days) == 1:
        return _date_text(days[0])
    if (days[-1] - days[0]).days == len(days) - 1:
        return f"{_date_text(days[0])} \N{EN DASH} {_date_text(days[-1])}"
    return ", ".join(_date_text(d) for d in days)


def location_text(activity) -> str:
    """Venue and address, "Online", or both for a hybrid activity [M6][PA1]."""
    place = ", ".join(
        p
        for p in [activity.venue_name.strip()]
        + [line.strip() for line in activity.venue_address.splitlines()]
        if p
    )
    if activity.delivery == Delivery.VIRTUAL:
        return _("Online")
    if activity.delivery == Delivery.HYBRID:
        return _("%(place)s and online") % {"place": place} if place else _("Online and in person")
    return place


def _credits_text(amount: Decimal, credit_rule) -> str:
    unit = credit_rule.unit if amount == 1 else credit_rule.unit_plural
    return f"{amount:.2f} {unit}"


@dataclass
class IssueContext:
    """What the certificates of one activity share, worked out once (a batch issues thousands)."""

    activity: object
    template: CertificateTemplate | None
    location: str
    format_label: str
    session_days: dict[str, dt.date]
    _statements: dict[int, list[str]] = field(default_factory=dict)
    _art: certificate_pdf.Artwork | None = None

    @classmethod
    def of(cls, activity) -> IssueContext:
        tz = activity.tz
        days = {
            str(pk): start.astimezone(tz).date()
            for pk, start in Session.objects.filter(
                activity=activity, start__isnull=False
            ).values_list("pk", "start")
        }
        return cls(
            activity=activity,
            template=template_for(activity),
            location=location_text(activity),
            format_label=statements.format_label(activity),
            session_days=days,
        )

    def statements(self, designation: Designation) -> list[str]:
        if designation.pk not in self._statements:
            designation.activity = self.activity
            self._statements[designation.pk] = statements.statements(designation)
        return self._statements[designation.pk]

    @property
    def art(self) -> certificate_pdf.Artwork:
        if self._art is None:
            self._art = certificate_pdf.Artwork.of(self.template)
        return self._art


def template_for(activity) -> CertificateTemplate | None:
    """The activity's chosen template, else the provider's default, else none."""
    setup = CreditSetup.objects.filter(activity=activity).select_related("certificate_template")
    chosen = setup.first()
    if (
        chosen
        and chosen.certificate_template
        and (chosen.certificate_template.provider_id == activity.provider_id)
    ):
        return chosen.certificate_template
    return CertificateTemplate.objects.filter(
        provider_id=activity.provider_id, is_default=True
    ).first()


def certificate_content(
    claim: Claim, *, number: str, issued_at: dt.datetime, context: IssueContext
) -> dict:
    """Everything the certificate says, as JSON-ready strings (see the module docstring)."""
    activity = context.activity
    provider = activity.provider
    person = claim.person
    designation = claim.designation
    credit_rule = rule(claim.credit_type)
    attended = [
        context.session_days[k] for k in (claim.sessions or {}) if k in context.session_days
    ]
    # The learner's days of attendance where the claim names its sessions, else the activity's.
    days = attended or activity.days
    dates = dates_text(days)
    when_where = " · ".join(p for p in (dates, context.location) if p)
    amount = Decimal(claim.amount).quantize(Decimal("0.01"))
    maximum = Decimal(designation.maximum).quantize(Decimal("0.01"))
    identifier = ""
    if designation.uan:
        identifier = _("Universal Activity Number (UAN): %(uan)s") % {"uan": designation.uan}
    elif claim.board:
        identifier = _("Board: %(board)s") % {"board": claim.board}
    issued_on = timezone.localtime(issued_at, activity.tz).date()
    template = context.template
    profession = Profession(person.profession).label if person.profession else ""
    return {
        "version": CONTENT_VERSION,
        "number": number,
        "title": _("Certificate of Credit"),
        "issued_on": issued_on.isoformat(),
        "issued_on_text": _date_text(issued_on),
        "learner": {
            "name": person.full_name or person.email,
            "credentials": person.credentials,
            "profession": str(profession),
        },
        "provider": provider.name,
        "joint_provider": activity.joint_provider,
        "activity": activity.title,
        # The learning format, named on statements and certificates [M4][PA3].
        "format": context.format_label[:1].upper() + context.format_label[1:],
        "participated": _("participated in the %(format)s") % {"format": context.format_label},
        "dates": {"start": min(days).isoformat(), "end": max(days).isoformat(), "text": dates},
        "location": context.location,
        "when_where": when_where,
        "awarded_intro": _("and was awarded"),
        "credit": {
            "type": claim.credit_type,
            "label": credit_rule.label,
            "board": claim.board,
            "uan": designation.uan,
            # The credit actually claimed, never the maximum [M6].
            "awarded": str(amount),
            "awarded_text": _credits_text(amount, credit_rule),
            "maximum": str(maximum),
            "maximum_text": _("of a maximum of %(max)s designated for this activity")
            % {"max": _credits_text(maximum, credit_rule)},
            "identifier_text": identifier,
        },
        "statements": list(context.statements(designation)),
        "signer": {
            "name": template.signer_name if template else "",
            "title": template.signer_title if template else "",
        },
        "footer": template.footer if template else "",
        "template_id": template.pk if template else None,
    }


# --- issue, supersede, revoke -----------------------------------------------------------


def current_certificate(claim: Claim) -> Certificate | None:
    """The claim's certificate in force: neither superseded nor revoked."""
    return (
        Certificate.objects.filter(claim=claim, superseded_at__isnull=True, revoked_at__isnull=True)
        .order_by("-issued_at", "-id")
        .first()
    )


def _record(action: str, cert: Certificate, activity, *, by, before=None, after=None, note=""):
    audit.record(
        action,
        actor=by,
        obj=cert,
        before=before,
        after=after,
        provider_id=activity.provider_id,
        activity_id=activity.pk,
        note=note,
    )


def _supersede_current(claim: Claim, activity, *, by, now: dt.datetime) -> list[Certificate]:
    old = list(
        Certificate.objects.filter(claim=claim, superseded_at__isnull=True, revoked_at__isnull=True)
    )
    for cert in old:
        cert.superseded_at = now
        cert.save(update_fields=["superseded_at"])
        _record(
            "credits.certificate_superseded",
            cert,
            activity,
            by=by,
            before={"superseded_at": None},
            after={"superseded_at": now},
        )
    return old


def _create(claim: Claim, *, now: dt.datetime, context: IssueContext) -> Certificate:
    """A new certificate row with a unique number (drawn again on the rare collision).

    The file's name is chosen here (random part: the number alone must not lead to the
    file), so that writing the PDF needs no second update of the row.
    """
    for _attempt in range(5):
        number = new_number(timezone.localtime(now, context.activity.tz).year)
        content = certificate_content(claim, number=number, issued_at=now, context=context)
        name = f"{FILE_FOLDER}{number}-{secrets.token_hex(6)}.pdf"
        try:
            with transaction.atomic():
                return Certificate.objects.create(
                    claim=claim,
                    number=number,
                    key=new_key(),
                    content=content,
                    issued_at=now,
                    file=name,
                )
        except IntegrityError:
            continue
    raise RuntimeError("no free certificate number after 5 attempts")


def _render_and_store(cert: Certificate, context: IssueContext) -> None:
    data = certificate_pdf.certificate_pdf(cert.content, verification_url(cert), context.art)
    storage = cert.file.storage
    saved = storage.save(cert.file.name, ContentFile(data))
    if saved != cert.file.name:  # the storage chose another name: keep what it wrote
        cert.file.name = saved
        Certificate.objects.filter(pk=cert.pk).update(file=saved)


def _issue_locked(
    claim: Claim, *, by, now: dt.datetime, context: IssueContext, supersede: bool = True
) -> tuple[Certificate, list[Certificate]]:
    activity = context.activity
    claim.activity = activity
    superseded = _supersede_current(claim, activity, by=by, now=now) if supersede else []
    cert = _create(claim, now=now, context=context)
    _render_and_store(cert, context)
    _record(
        "credits.certificate_issued",
        cert,
        activity,
        by=by,
        after={
            "number": cert.number,
            "claim": claim.pk,
            "credit_type": claim.credit_type,
            "awarded": cert.content["credit"]["awarded"],
            "supersedes": [c.number for c in superseded],
        },
    )
    return cert, superseded


def issue_certificate(
    claim: Claim,
    *,
    by=None,
    now: dt.datetime | None = None,
    context: IssueContext | None = None,
) -> Certificate:
    """Issue the certificate of a live claim; any current one is superseded.

    `by` is None for the system (batch job, claim service), the learner for their
    own claim, or staff with the credit permission (else PermissionDenied).
    Side effects: the Certificate row with frozen content and its PDF in the
    default storage; the claim's current certificate gets `superseded_at`;
    audit "credits.certificate_superseded" (per old one) and
    "credits.certificate_issued".
    """
    _check_may_issue(claim, by)
    now = now or timezone.now()
    context = context or IssueContext.of(claim.activity)
    with transaction.atomic():
        locked = (
            Claim.objects.select_for_update(of=("self",))
            .select_related("person", "designation")
            .get(pk=claim.pk)
        )
        if locked.status != ClaimStatus.CLAIMED:
            raise ValidationError(_("This claim was withdrawn, so it has no certificate."))
        cert, _old = _issue_locked(locked, by=by, now=now, context=context)
    return cert


def issue_if_missing(claim_id: int, *, context: IssueContext, now=None) -> Certificate | None:
    """The batch's step: issue only when the live claim has no certificate standing.

    A claim whose certificate was revoked stays without one: re-running a batch must
    not undo a revocation (staff issue anew on purpose, one claim at a time).
    Returns the new certificate, or None when nothing was to do.
    """
    with transaction.atomic():
        claim = (
            Claim.objects.select_for_update(of=("self",))
            .select_related("person", "designation")
            .filter(pk=claim_id, activity=context.activity, status=ClaimStatus.CLAIMED)
            .first()
        )
        if claim is None:
            return None
        if Certificate.objects.filter(claim=claim, superseded_at__isnull=True).exists():
            return None
        cert, _old = _issue_locked(
            claim, by=None, now=now or timezone.now(), context=context, supersede=False
        )
    return cert


def revoke_certificate(certificate: Certificate, *, reason: str, by) -> Certificate:
    """Revoke a certificate: its verification page says so from now on.

    Only staff with the credit permission; the reason is required (kept for the
    audit trail, never shown on the public page). Side effects: revoked_at, _by,
    _reason; audit "credits.certificate_revoked".
    """
    activity = certificate.claim.activity
    if by is None or not may_manage(by, activity):
        raise PermissionDenied(_("Only the credit team of this activity may revoke certificates."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the certificate is revoked.")})
    now = timezone.now()
    with transaction.atomic():
        cert = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if cert.revoked_at:
            raise ValidationError(_("This certificate is already revoked."))
        cert.revoked_at = now
        cert.revoked_by = by
        cert.revoked_reason = reason
        cert.save(update_fields=["revoked_at", "revoked_by", "revoked_reason"])
        _record(
            "credits.certificate_revoked",
            cert,
            activity,
            by=by,
            before={"revoked_at": None},
            after={"revoked_at": now, "number": cert.number},
            note=reason,
        )
    certificate.revoked_at, certificate.revoked_by, certificate.revoked_reason = now, by, reason
    return certificate


def certificate_file(certificate: Certificate) -> bytes:
    """The stored PDF; drawn again from the frozen content if the file is gone."""
    if certificate.file:
        try:
            with certificate.file.storage.open(certificate.file.name, "rb") as handle:
                return handle.read()
        except OSError:
            logger.warning("certificate %s: file missing, drawing it again", certificate.number)
    template = None
    template_id = certificate.content.get("template_id")
    if template_id:
        template = CertificateTemplate.objects.filter(pk=template_id).first()
    art = certificate_pdf.Artwork.of(template)
    return certificate_pdf.certificate_pdf(certificate.content, verification_url(certificate), art)


def status_of(certificate: Certificate) -> str:
    """ "revoked", "superseded" or "valid"."""
    if certificate.revoked_at:
        return "revoked"
    if certificate.superseded_at:
        return "superseded"
    return "valid"
