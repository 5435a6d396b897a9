"""Certificate templates: a provider's logo, signature and signer; which one an activity uses.

Changes are audited like everything that shapes a certificate. A preview draws
the template with sample data and a QR code that verifies nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cmeconf.common import audit
from cmeconf.credits import certificate_pdf
from cmeconf.credits.models import CertificateTemplate, CreditSetup
from cmeconf.credits.types import StatementContext, rule
from cmeconf.providers.permissions import Permission, permission_set

FIELDS = ["name", "signer_name", "signer_title", "footer", "is_default", "logo", "signature"]


def _check(provider, by, activity=None) -> None:
    if Permission.CREDIT not in permission_set(by, provider, activity):
        raise PermissionDenied(_("Only the credit team may change certificate templates."))


def save_template(form, *, provider, by) -> CertificateTemplate:
    """Save a valid CertificateTemplateForm for `provider`.

    Side effects: the template (and its images in the default storage); when it
    becomes the default, the provider's other templates stop being it; audit
    "credits.certificate_template_saved".
    """
    _check(provider, by)
    template = form.instance
    if template.pk and template.provider_id != provider.pk:
        raise PermissionDenied(_("This template belongs to another provider."))
    before = audit.snapshot(template, FIELDS) if template.pk else None
    with transaction.atomic():
        template = form.save(commit=False)
        template.provider = provider
        template.save()
        if template.is_default:
            CertificateTemplate.objects.filter(provider=provider, is_default=True).exclude(
                pk=template.pk
            ).update(is_default=False)
        audit.record(
            "credits.certificate_template_saved",
            actor=by,
            obj=template,
            before=before,
            after=audit.snapshot(template, FIELDS),
            provider_id=provider.pk,
        )
    return template


def choose_template(activity, template: CertificateTemplate | None, *, by) -> CreditSetup:
    """Set the activity's certificate template (None: the provider's default).

    Side effects: CreditSetup.certificate_template (the setup is made if missing);
    audit "credits.certificate_template_chosen". Certificates already issued keep
    their look; new ones use the choice.
    """
    _check(activity.provider, by, activity)
    if template is not None and template.provider_id != activity.provider_id:
        raise ValidationError(_("Choose one of this provider's templates."))
    with transaction.atomic():
        setup, _created = CreditSetup.objects.select_for_update().get_or_create(activity=activity)
        before = setup.certificate_template_id
        setup.certificate_template = template
        setup.save(update_fields=["certificate_template", "updated"])
        audit.record(
            "credits.certificate_template_chosen",
            actor=by,
            obj=setup,
            before={"certificate_template": before},
            after={"certificate_template": template.pk if template else None},
            provider_id=activity.provider_id,
            activity_id=activity.pk,
        )
    return setup


def sample_content(template: CertificateTemplate) -> dict:
    """A certificate's content with sample data, for the preview."""
    provider = template.provider
    credit_rule = rule("AMA_PRA_1")
    ctx = StatementContext(
        provider_name=provider.name,
        activity_title=_("Sample Annual Meeting"),
        format_label="live activity",
        maximum=Decimal("7.00"),
    )
    today = timezone.localdate()
    start = today - dt.timedelta(days=2)
    day = lambda d: formats.date_format(d, "DATE_FORMAT")  # noqa: E731
    return {
        "version": 1,
        "number": "CME-0000-SAMP-LE00",
        "title": _("Sample: not a certificate"),
        "issued_on": today.isoformat(),
        "issued_on_text": day(today),
        "learner": {
            "name": _("Alexandra Sample-Learner"),
            "credentials": "MD",
            "profession": _("Physician"),
        },
        "provider": provider.name,
        "joint_provider": "",
        "activity": _("Sample Annual Meeting"),
        "format": _("Live activity"),
        "participated": _("participated in the live activity"),
        "dates": {"start": start.isoformat(), "end": today.isoformat(), "text": ""},
        "location": _("Convention Center"),
        "when_where": f"{day(start)} \N{EN DASH} {day(today)} · " + _("Convention Center"),
        "awarded_intro": _("and was awarded"),
        "credit": {
            "type": credit_rule.code,
            "label": credit_rule.label,
            "awarded": "6.50",
            "awarded_text": f"6.50 {credit_rule.unit_plural}",
            "maximum": "7.00",
            "maximum_text": _("of a maximum of %(max)s designated for this activity")
            % {"max": f"7.00 {credit_rule.unit_plural}"},
            "identifier_text": "",
        },
        "statements": [
            credit_rule.accreditation_statement(ctx),
            credit_rule.designation_statement(ctx),
        ],
        "signer": {"name": template.signer_name, "title": template.signer_title},
        "footer": template.footer,
        "template_id": template.pk,
    }


def preview_pdf(template: CertificateTemplate) -> bytes:
    """The template drawn with sample data; its QR code leads to "not a certificate we issued"."""
    url = settings.SITE_URL + reverse("certificates:verify", args=["SAMPLE"])
    return certificate_pdf.certificate_pdf(
        sample_content(template), url, certificate_pdf.Artwork.of(template)
    )
