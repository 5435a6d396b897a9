"""Setting up registration: the set-up, types and price tiers, promo codes, questions.

One function per change; each checks the registration permission of `by`, validates
with a ValidationError keyed by field (so forms show it beside the field) and writes
the audit trail. Changes learners see on the registration form (window, types, prices,
questions) bump the activity's program version so cached public pages are redrawn;
promo codes are never shown, so they do not.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cmeconf.activities.services.activities import bump_program_version
from cmeconf.common import audit
from cmeconf.providers.permissions import Permission, permission_set
from cmeconf.registration.choices import (
    SEAT_STATUSES,
    AttendanceMode,
    QuestionKind,
    QuestionPurpose,
)
from cmeconf.registration.identifiers import CREDIT_TYPES
from cmeconf.registration.models import (
    PriceTier,
    PromoCode,
    Question,
    Registration,
    RegistrationSetup,
    RegistrationType,
)

SETUP_FIELDS = (
    "opens_at",
    "closes_at",
    "capacity",
    "currency",
    "cancellation_deadline",
    "refund_percent",
    "offer_hours",
    "credit_types",
    "reminder_days",
)
TYPE_FIELDS = (
    "code",
    "name",
    "description",
    "mode",
    "professions",
    "capacity",
    "is_active",
    "order",
)
PROMO_FIELDS = (
    "code",
    "percent_off",
    "amount_off",
    "registration_types",
    "max_uses",
    "valid_until",
    "is_active",
)
CHOICE_KINDS = (QuestionKind.CHOICE, QuestionKind.MULTIPLE)


def _check_staff(activity, by) -> None:
    if Permission.REGISTRATION not in permission_set(by, activity.provider, activity):
        raise PermissionDenied(_("Only the registration team of this activity may do this."))


def _record(action: str, activity, obj, *, by, after: dict | None = None, before=None) -> None:
    audit.record(
        action,
        actor=by,
        obj=obj,
        provider_id=activity.provider_id,
        activity_id=activity.pk,
        before=before,
        after=after,
    )


def _unknown(fields: dict, allowed: tuple) -> None:
    extra = set(fields) - set(allowed)
    if extra:
        raise TypeError(f"Unknown fields: {', '.join(sorted(extra))}")


def _seats_taken(activity, reg_type: RegistrationType | None = None) -> int:
    taken = Registration.objects.filter(activity=activity, status__in=SEAT_STATUSES)
    if reg_type is not None:
        taken = taken.filter(registration_type=reg_type)
    return taken.count()


# -- the set-up -----------------------------------------------------------------------------


def save_setup(activity, *, by, **fields) -> RegistrationSetup:
    """Create or change the activity's registration set-up.

    Fields: opens_at, closes_at, capacity, currency, cancellation_deadline,
    refund_percent, offer_hours, credit_types (codes of registration.identifiers
    CREDIT_TYPES), reminder_days. Side effects: audit "registration.setup_saved",
    program version bumped.
    """
    _unknown(fields, SETUP_FIELDS)
    _check_staff(activity, by)
    with transaction.atomic():
        setup = RegistrationSetup.objects.select_for_update().filter(
            activity=activity
        ).first() or RegistrationSetup(activity=activity)
        before = {f: getattr(setup, f) for f in SETUP_FIELDS} if setup.pk else None
        for name, value in fields.items():
            setattr(setup, name, value)
        setup.currency = (setup.currency or "").strip().upper()
        errors: dict[str, str] = {}
        if setup.opens_at and setup.closes_at and setup.closes_at <= setup.opens_at:
            errors["closes_at"] = _("Registration must close after it opens.")
        if len(setup.currency) != 3 or not setup.currency.isalpha():
            errors["currency"] = _("Give the three-letter currency code, such as USD or EUR.")
        if setup.refund_percent is None or not 0 <= setup.refund_percent <= 100:
            errors["refund_percent"] = _("A refund is between 0 and 100 percent.")
        if not setup.offer_hours or setup.offer_hours < 1:
            errors["offer_hours"] = _("Give a freed seat at least one hour to be accepted.")
        setup.credit_types = list(dict.fromkeys(setup.credit_types or []))
        unknown = [c for c in setup.credit_types if c not in CREDIT_TYPES]
        if unknown:
            errors["credit_types"] = _("Unknown credit types: %(codes)s.") % {
                "codes": ", ".join(unknown)
            }
        if setup.reminder_days is None or not 0 <= setup.reminder_days <= 60:
            errors["reminder_days"] = _("Send the reminder 0 to 60 days before the start.")
        if setup.capacity is not None and setup.pk:
            # Lowering the seats below those already taken would oversell the activity.
            taken = _seats_taken(activity)
            if setup.capacity < taken:
                errors["capacity"] = _("%(n)s seats are already taken.") % {"n": taken}
        if errors:
            raise ValidationError(errors)
        setup.save()
        after = {f: getattr(setup, f) for f in SETUP_FIELDS}
        _record("registration.setup_saved", activity, setup, by=by, before=before, after=after)
        bump_program_version(activity)
    return setup


# -- types and price tiers ------------------------------------------------------------------


def _validate_type(reg_type: RegistrationType) -> None:
    errors: dict[str, str] = {}
    reg_type.code = (reg_type.code or "").strip().lower()
    reg_type.name = (reg_type.name or "").strip()
    if not reg_type.code:
        errors["code"] = _("Give a short name.")
    elif (
        RegistrationType.objects.filter(activity=reg_type.activity, code=reg_type.code)
        .exclude(pk=reg_type.pk)
        .exists()
    ):
        errors["code"] = _("Another registration type has this short name.")
    if not reg_type.name:
        errors["name"] = _("Give a name.")
    if reg_type.mode not in AttendanceMode.values:
        errors["mode"] = _("Choose in person or virtual.")
    if reg_type.capacity is not None and reg_type.pk:
        taken = _seats_taken(reg_type.activity, reg_type)
        if reg_type.capacity < taken:
            errors["capacity"] = _("%(n)s seats of this type are already taken.") % {"n": taken}
    if errors:
        raise ValidationError(errors)


def create_type(activity, *, by, **fields) -> RegistrationType:
    """Add a registration type. Side effects: audit "registration.type_created", version bump."""
    _unknown(fields, TYPE_FIELDS)
    _check_staff(activity, by)
    reg_type = RegistrationType(activity=activity, **fields)
    with transaction.atomic():
        _validate_type(reg_type)
        reg_type.save()
        after = {f: getattr(reg_type, f) for f in TYPE_FIELDS}
        _record("registration.type_created", activity, reg_type, by=by, after=after)
        bump_program_version(activity)
    return reg_type


def update_type(reg_type: RegistrationType, *, by, **fields) -> RegistrationType:
    """Change a registration type. Side effects: audit "registration.type_changed", bump."""
    _unknown(fields, TYPE_FIELDS)
    activity = reg_type.activity
    _check_staff(activity, by)
    with transaction.atomic():
        locked = RegistrationType.objects.select_for_update().get(pk=reg_type.pk)
        before = {f: getattr(locked, f) for f in TYPE_FIELDS}
        for name, value in fields.items():
            setattr(locked, name, value)
        _validate_type(locked)
        locked.save()
        after = {f: getattr(locked, f) for f in TYPE_FIELDS}
        _record("registration.type_changed", activity, locked, by=by, before=before, after=after)
        bump_program_version(activity)
    reg_type.refresh_from_db()
    return reg_type


def remove_type(reg_type: RegistrationType, *, by) -> None:
    """Remove a registration type that nobody has registered with; its prices go with it.

    A type with registrations (cancelled ones too) stays, as their record: close it
    for registration instead. Side effects: audit "registration.type_removed", bump.
    """
    activity = reg_type.activity
    _check_staff(activity, by)
    with transaction.atomic():
        locked = RegistrationType.objects.select_for_update().get(pk=reg_type.pk)
        if Registration.objects.filter(registration_type=locked).exists():
            raise ValidationError(
                _(
                    "People have registered with this type, so it cannot be removed; "
                    "close it for registration instead."
                )
            )
        before = {f: getattr(locked, f) for f in TYPE_FIELDS}
        _record("registration.type_removed", activity, locked, by=by, before=before)
        locked.delete()
        bump_program_version(activity)


def add_tier(
    reg_type: RegistrationType,
    *,
    by,
    label: str,
    amount: Decimal,
    available_until: dt.datetime | None = None,
) -> PriceTier:
    """Add a price tier (an early-bird price until a date, or the price without a date).

    A type has at most one tier without a date: it is the price once the dated ones
    have passed, and two would leave the price undecided.
    Side effects: audit "registration.tier_added", version bump.
    """
    activity = reg_type.activity
    _check_staff(activity, by)
    errors: dict[str, str] = {}
    label = (label or "").strip()
    if not label:
        errors["label"] = _("Give a label, such as Early bird or Regular.")
    if amount is None or Decimal(amount) < 0:
        errors["amount"] = _("A price is zero or more.")
    tiers = PriceTier.objects.filter(registration_type=reg_type)
    if available_until is None and tiers.filter(available_until__isnull=True).exists():
        errors["available_until"] = _("This type already has a price without a date.")
    elif available_until is not None and tiers.filter(available_until=available_until).exists():
        errors["available_until"] = _("Another price of this type ends at the same time.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        tier = PriceTier.objects.create(
            registration_type=reg_type,
            label=label,
            amount=Decimal(amount),
            available_until=available_until,
        )
        after = {
            "type": reg_type.code,
            "label": label,
            "amount": tier.amount,
            "until": available_until,
        }
        _record("registration.tier_added", activity, tier, by=by, after=after)
        bump_program_version(activity)
    return tier


def remove_tier(tier: PriceTier, *, by) -> None:
    """Remove a price tier; registrations keep the price they were given.

    Side effects: audit "registration.tier_removed", version bump.
    """
    activity = tier.registration_type.activity
    _check_staff(activity, by)
    with transaction.atomic():
        before = {"type": tier.registration_type.code, "label": tier.label, "amount": tier.amount}
        _record("registration.tier_removed", activity, tier, by=by, before=before)
        tier.delete()
        bump_program_version(activity)


# -- promo codes ----------------------------------------------------------------------------


def _validate_promo(promo: PromoCode, types) -> None:
    errors: dict[str, str] = {}
    # Stored upper-case, so "early10" and "EARLY10" are one code.
    promo.code = (promo.code or "").strip().upper()
    if not promo.code:
        errors["code"] = _("Give the code.")
    elif any(c.isspace() for c in promo.code):
        errors["code"] = _("A code has no spaces.")
    elif (
        PromoCode.objects.filter(activity=promo.activity, code__iexact=promo.code)
        .exclude(pk=promo.pk)
        .exists()
    ):
        errors["code"] = _("This activity already has this code.")
    if promo.percent_off is None and promo.amount_off is None:
        errors["percent_off"] = _("Give a percentage off, an amount off, or both.")
    if promo.percent_off is not None and not 1 <= promo.percent_off <= 100:
        errors["percent_off"] = _("A percentage is between 1 and 100.")
    if promo.amount_off is not None and Decimal(promo.amount_off) <= 0:
        errors["amount_off"] = _("An amount off is more than zero.")
    if promo.max_uses is not None and promo.max_uses < 1:
        errors["max_uses"] = _("Allow at least one use, or leave it empty.")
    if any(t.activity_id != promo.activity_id for t in types):
        errors["registration_types"] = _("Choose types of this activity.")
    if errors:
        raise ValidationError(errors)


def _promo_after(promo: PromoCode, types) -> dict:
    return {
        "code": promo.code,
        "percent_off": promo.percent_off,
        "amount_off": promo.amount_off,
        "registration_types": sorted(t.code for t in types),
        "max_uses": promo.max_uses,
        "valid_until": promo.valid_until,
        "is_active": promo.is_active,
    }


def create_promo(activity, *, by, registration_types=(), **fields) -> PromoCode:
    """Add a promo code, limited to `registration_types` when some are given.

    Side effects: audit "registration.promo_created".
    """
    _unknown(fields, PROMO_FIELDS)
    _check_staff(activity, by)
    types = list(registration_types or [])
    promo = PromoCode(activity=activity, **fields)
    with transaction.atomic():
        _validate_promo(promo, types)
        promo.save()
        promo.registration_types.set(types)
        _record(
            "registration.promo_created", activity, promo, by=by, after=_promo_after(promo, types)
        )
    return promo


def update_promo(promo: PromoCode, *, by, **fields) -> PromoCode:
    """Change a promo code; `registration_types` replaces its types when given.

    Side effects: audit "registration.promo_changed".
    """
    _unknown(fields, PROMO_FIELDS)
    activity = promo.activity
    _check_staff(activity, by)
    with transaction.atomic():
        locked = PromoCode.objects.select_for_update().get(pk=promo.pk)
        old_types = list(locked.registration_types.all())
        before = _promo_after(locked, old_types)
        types = list(fields.pop("registration_types", old_types) or [])
        for name, value in fields.items():
            setattr(locked, name, value)
        _validate_promo(locked, types)
        locked.save()
        locked.registration_types.set(types)
        after = _promo_after(locked, types)
        _record("registration.promo_changed", activity, locked, by=by, before=before, after=after)
    promo.refresh_from_db()
    return promo


def remove_promo(promo: PromoCode, *, by) -> None:
    """Remove a promo code that no registration has used.

    A used code stays, as the record of the discounts given: deactivate it instead.
    Side effects: audit "registration.promo_removed".
    """
    activity = promo.activity
    _check_staff(activity, by)
    with transaction.atomic():
        locked = PromoCode.objects.select_for_update().get(pk=promo.pk)
        if Registration.objects.filter(promo_code=locked).exists():
            raise ValidationError(
                _("This code has been used, so it cannot be removed; deactivate it instead.")
            )
        before = _promo_after(locked, list(locked.registration_types.all()))
        _record("registration.promo_removed", activity, locked, by=by, before=before)
        locked.delete()


# -- questions ------------------------------------------------------------------------------


def add_question(
    activity,
    *,
    by,
    label: str,
    kind: str,
    help_text: str = "",
    choices: list[str] | None = None,
    required: bool = False,
    purpose: str = QuestionPurpose.OTHER,
) -> Question:
    """Add a question to the registration form, asked last.

    Side effects: audit "registration.question_added", version bump.
    """
    _check_staff(activity, by)
    label = (label or "").strip()
    cleaned = [c.strip() for c in (choices or []) if c and c.strip()]
    errors: dict[str, str] = {}
    if not label:
        errors["label"] = _("Give the question.")
    if kind not in QuestionKind.values:
        errors["kind"] = _("Choose the kind of answer.")
    elif kind in CHOICE_KINDS:
        if len(cleaned) < 2:
            errors["choices"] = _("Give at least two choices, one a line.")
        elif len({c.casefold() for c in cleaned}) != len(cleaned):
            errors["choices"] = _("Each choice once only.")
    elif cleaned:
        errors["choices"] = _("Only questions with choices take choices.")
    if purpose not in QuestionPurpose.values:
        errors["purpose"] = _("Choose the purpose.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        last = Question.objects.filter(activity=activity).order_by("-order").first()
        question = Question.objects.create(
            activity=activity,
            label=label,
            help_text=(help_text or "").strip(),
            kind=kind,
            choices=cleaned,
            required=required,
            purpose=purpose,
            order=(last.order + 1) if last else 0,
        )
        after = {"label": label, "kind": kind, "choices": cleaned, "required": required}
        _record("registration.question_added", activity, question, by=by, after=after)
        bump_program_version(activity)
    return question


def remove_question(question: Question, *, by) -> None:
    """Stop asking a question; answers already given stay on the registrations.

    Side effects: audit "registration.question_removed", version bump.
    """
    activity = question.activity
    _check_staff(activity, by)
    with transaction.atomic():
        before = {"label": question.label, "kind": question.kind}
        _record("registration.question_removed", activity, question, by=by, before=before)
        question.delete()
        bump_program_version(activity)
