"""Learners' consent to share their name and contact details with ineligible companies.

Standard 2 [A4]: learner data goes to an ineligible company (exhibitors, commercial
supporters) only with the learner's explicit consent. Consent may be asked at
registration, but it must be optional, clearly visible and not buried in terms;
a learner who says no still registers. Worked example 21: a box that must be
ticked to register, or one ticked in advance, is not consent.
"""

from __future__ import annotations

from django import forms
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cmeconf.common import audit
from cmeconf.integrity.models import SharingConsent


def consent_wording(activity) -> str:
    """The sentence a learner agrees to, kept with each consent as shown."""
    return _(
        "Share my name, profession, organisation and e-mail address with the exhibitors and "
        "commercial supporters of %(activity)s, so that they can contact me. This is optional: "
        "I can register without it and withdraw it at any time."
    ) % {"activity": activity.title}


def consent_design_problems(*, required: bool, initial: bool, visible: bool) -> list[str]:
    """Why a consent question would not be valid consent under Standard 2 [A4] (example 21)."""
    problems = []
    if required:
        problems.append(_("Consent must not be a condition of registering."))
    if initial:
        problems.append(_("The box must start unticked: a ticked box is not consent."))
    if not visible:
        problems.append(_("The question must be visible, not buried in terms and conditions."))
    return problems


class ConsentField(forms.BooleanField):
    """The registration form's consent box: optional and unticked [A4]."""

    def __init__(self, activity, **kwargs) -> None:
        kwargs.setdefault("label", consent_wording(activity))
        kwargs.setdefault(
            "help_text",
            gettext_lazy(
                "Leave unticked to keep your details from companies. You can still register."
            ),
        )
        super().__init__(required=False, initial=False, **kwargs)


def open_consent(person, activity) -> SharingConsent | None:
    return (
        SharingConsent.objects.filter(person=person, activity=activity, withdrawn_at__isnull=True)
        .order_by("-given_at")
        .first()
    )


def has_consent(person, activity) -> bool:
    return SharingConsent.objects.filter(
        person=person, activity=activity, withdrawn_at__isnull=True
    ).exists()


def give_consent(person, activity, *, source: str) -> SharingConsent:
    """Record the learner's opt-in with the wording shown; a second opt-in changes nothing."""
    existing = open_consent(person, activity)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            consent = SharingConsent.objects.create(
                person=person,
                activity=activity,
                wording=consent_wording(activity),
                source=source,
                given_at=timezone.now(),
            )
            audit.record(
                "consent.given",
                actor=person,
                obj=consent,
                provider_id=activity.provider_id,
                activity_id=activity.pk,
                after={"source": source},
            )
    except IntegrityError:
        # The same learner opting in twice at once: the other request recorded it.
        return open_consent(person, activity)
    return consent


def withdraw_consent(person, activity) -> SharingConsent | None:
    """End the learner's consent from now on; the history of it stays."""
    with transaction.atomic():
        consent = (
            SharingConsent.objects.select_for_update()
            .filter(person=person, activity=activity, withdrawn_at__isnull=True)
            .first()
        )
        if consent is None:
            return None
        consent.withdrawn_at = timezone.now()
        consent.save(update_fields=["withdrawn_at"])
        audit.record(
            "consent.withdrawn",
            actor=person,
            obj=consent,
            provider_id=activity.provider_id,
            activity_id=activity.pk,
            after={"withdrawn_at": consent.withdrawn_at.isoformat()},
        )
    return consent


def consenting_people(activity):
    """The people whose details may go to the activity's companies, now."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        sharing_consents__activity=activity, sharing_consents__withdrawn_at__isnull=True
    )
