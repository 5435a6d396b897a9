"""Registration: one function per change of a registration, a workshop sign-up or a payment.

Seats are never oversold. Every function that takes or frees a seat first locks
the activity's RegistrationSetup row (then the RegistrationType row, or the
Session row for workshops) with SELECT ... FOR UPDATE inside one transaction, and
only then counts the seats taken. The setup row is always locked first, so two
requests never wait for each other in opposite order.

Waiting list: when a seat frees up, the oldest waiting person gets an offer that
expires after RegistrationSetup.offer_hours; an expired or declined offer is
cancelled and the next person gets one. Each function writes the audit trail.

Registering does not bump the program version: seat counts are not part of the
cached public program.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cmeconf.common import audit
from cmeconf.common.mail import send_templated_email
from cmeconf.integrity.consent import give_consent
from cmeconf.providers.permissions import Permission, permission_set
from cmeconf.registration.choices import (
    SEAT_STATUSES,
    SIGNUP_SEAT_STATUSES,
    PaymentMethod,
    PaymentStatus,
    QuestionKind,
    RegistrationStatus,
    SignupStatus,
)
from cmeconf.registration.ics import ics_attachment
from cmeconf.registration.identifiers import clean_identifiers, identifier_problems
from cmeconf.registration.models import (
    Payment,
    PromoCode,
    Question,
    Registration,
    RegistrationGroup,
    RegistrationSetup,
    RegistrationType,
    WorkshopSignup,
)
from cmeconf.registration.pricing import apply_promo, current_tier, promo_problems

ZERO = Decimal("0.00")
# Statuses from which a registration may sign up for workshops.
SIGNUP_ALLOWED = (RegistrationStatus.CONFIRMED, RegistrationStatus.PENDING_PAYMENT)
# Payments staff record by hand; card payments come from the payment gateway.
MANUAL_METHODS = (PaymentMethod.INVOICE, PaymentMethod.ON_SITE)


# -- helpers ---------------------------------------------------------------------------------


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _is_registration_staff(user, activity) -> bool:
    return Permission.REGISTRATION in permission_set(user, activity.provider, activity)


def _check_self_or_staff(activity, person, by) -> None:
    """Learners act for themselves; for anyone else it takes the registration permission."""
    if by is not None and getattr(by, "pk", None) == person.pk:
        return
    if not _is_registration_staff(by, activity):
        raise PermissionDenied(_("Only the registration team may do this for someone else."))


def _check_staff(activity, by) -> None:
    if not _is_registration_staff(by, activity):
        raise PermissionDenied(_("Only the registration team of this activity may do this."))


def _record(action: str, activity, obj, *, by, after: dict, note: str = "") -> None:
    audit.record(
        action,
        actor=by,
        obj=obj,
        provider_id=activity.provider_id,
        activity_id=activity.pk,
        after=after,
        note=note,
    )


def _lock_setup(activity) -> RegistrationSetup:
    setup = RegistrationSetup.objects.select_for_update().filter(activity=activity).first()
    if setup is None:
        raise ValidationError(_("Registration has not been set up for this activity."))
    return setup


def _lock_type(reg_type: RegistrationType) -> RegistrationType:
    return RegistrationType.objects.select_for_update().get(pk=reg_type.pk)


def _seats_taken(activity, reg_type: RegistrationType | None = None) -> int:
    qs = Registration.objects.filter(activity=activity, status__in=SEAT_STATUSES)
    if reg_type is not None:
        qs = qs.filter(registration_type=reg_type)
    return qs.count()


def _has_room(setup: RegistrationSetup, reg_type: RegistrationType) -> bool:
    """A seat is free for this type: below the type's capacity and the activity's."""
    if reg_type.capacity is not None and _seats_taken(setup.activity, reg_type) >= (
        reg_type.capacity
    ):
        return False
    return setup.capacity is None or _seats_taken(setup.activity) < setup.capacity


def _paid(registration: Registration) -> Decimal:
    total = registration.payments.filter(status=PaymentStatus.PAID).aggregate(s=Sum("amount"))
    return total["s"] or ZERO


def _seat_status(registration: Registration) -> str:
    """CONFIRMED when nothing is left to pay, otherwise PENDING_PAYMENT (which holds the seat)."""
    if registration.amount_due - _paid(registration) <= 0:
        return RegistrationStatus.CONFIRMED
    return RegistrationStatus.PENDING_PAYMENT


def _offer_expiry(activity, now: dt.datetime) -> dt.datetime:
    setup = RegistrationSetup.objects.filter(activity=activity).first()
    hours = setup.offer_hours if setup is not None else 48
    return now + dt.timedelta(hours=hours)


def _activity_url(activity) -> str:
    return settings.SITE_URL + activity.get_absolute_url()


def _mail_later(person, name: str, context: dict, attachments: list | None = None) -> None:
    """Send after commit: a rolled-back offer must not reach anyone's inbox."""

    def send() -> None:
        send_templated_email(
            person.email,
            f"registration/email/{name}_subject.txt",
            f"registration/email/{name}.txt",
            context,
            attachments=attachments,
        )

    transaction.on_commit(send)


def registration_state(setup: RegistrationSetup, now: dt.datetime | None = None) -> str:
    """ "not_yet_open", "open" or "closed": from opens_at (inclusive) to closes_at."""
    now = _now(now)
    if setup.opens_at is not None and now < setup.opens_at:
        return "not_yet_open"
    if setup.closes_at is not None and now >= setup.closes_at:
        return "closed"
    return "open"


def mail_confirmed(registration: Registration) -> None:
    """Tell the person their seat is confirmed (paid, or an offered seat taken), with the .ics.

    Call inside the transaction that confirms: the e-mail leaves after commit.
    """
    _mail_later(
        registration.person,
        "confirmed",
        {
            "person": registration.person,
            "activity": registration.activity,
            "registration": registration,
            "url": settings.SITE_URL
            + reverse(
                "learner_registration:mine",
                args=[registration.activity.provider.slug, registration.activity.slug],
            ),
        },
        attachments=[ics_attachment(registration)],
    )


# -- answers to the custom questions --------------------------------------------------------


def answer_problems(
    questions: list[Question], answers: dict, *, require: bool = True
) -> dict[str, str]:
    """Problems with the answers, keyed "question_<id>"; answers are keyed by question id."""
    problems: dict[str, str] = {}
    known = {str(q.pk) for q in questions}
    for key in answers:
        if str(key) not in known:
            problems[f"question_{key}"] = _("This question is not asked here.")
    for q in questions:
        value = answers.get(str(q.pk), answers.get(q.pk))
        field = f"question_{q.pk}"
        empty = value is None or value == "" or value == []
        if empty:
            if q.required and require:
                problems[field] = _("Please answer this question.")
            continue
        if q.kind == QuestionKind.CHOICE and value not in q.choices:
            problems[field] = _("Choose one of the options given.")
        elif q.kind == QuestionKind.MULTIPLE and (
            not isinstance(value, list) or any(v not in q.choices for v in value)
        ):
            problems[field] = _("Choose among the options given.")
        elif q.kind == QuestionKind.YES_NO and not isinstance(value, bool):
            problems[field] = _("Answer yes or no.")
        elif q.kind == QuestionKind.TEXT and not isinstance(value, str):
            problems[field] = _("Answer in words.")
    return problems


def _clean_answers(questions: list[Question], answers: dict) -> dict:
    cleaned = {}
    for q in questions:
        value = answers.get(str(q.pk), answers.get(q.pk))
        if value is None or value == "" or value == []:
            continue
        cleaned[str(q.pk)] = value.strip() if isinstance(value, str) else value
    return cleaned


# -- registering ----------------------------------------------------------------------------


def _find_promo(activity, code: str) -> PromoCode | None:
    code = (code or "").strip()
    if not code:
        return None
    promo = PromoCode.objects.filter(activity=activity, code__iexact=code).first()
    if promo is None:
        raise ValidationError({"promo_code": _("There is no such promo code.")})
    return promo


def _register(
    activity,
    person,
    *,
    registration_type: RegistrationType,
    by,
    answers: dict | None,
    promo_code: str,
    share_with_companies: bool,
    group: RegistrationGroup | None,
    now: dt.datetime,
    require_answers: bool,
    credit_types: list[str] | None = None,
    identifiers: dict | None = None,
) -> Registration:
    answers = answers or {}
    credit_types = list(dict.fromkeys(credit_types or []))
    identifiers = identifiers or {}
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    # Everything that needs no seat count is checked before taking the activity's lock:
    # under a rush, requests queue on that lock, so it is held only for the seats.
    setup = RegistrationSetup.objects.filter(activity=activity).first()
    if setup is None:
        raise ValidationError(_("Registration has not been set up for this activity."))
    state = registration_state(setup, now)
    if state == "not_yet_open":
        add("__all__", _("Registration has not opened yet."))
    elif state == "closed":
        add("__all__", _("Registration has closed."))
    reg_type = registration_type
    if reg_type.activity_id != activity.pk:
        add("registration_type", _("This registration type belongs to another activity."))
    else:
        if not reg_type.is_active:
            add("registration_type", _("This registration type is not open for registration."))
        if reg_type.professions and person.profession not in reg_type.professions:
            add(
                "registration_type",
                _("This registration type is for other professions than yours."),
            )
    questions = list(Question.objects.filter(activity=activity))
    for field, message in answer_problems(questions, answers, require=require_answers).items():
        add(field, message)
    for field, message in identifier_problems(
        setup.credit_types, credit_types, identifiers
    ).items():
        add(field, message)
    tier = current_tier(reg_type, now)
    if tier is None and reg_type.prices.exists():
        add("registration_type", _("This registration type is no longer on sale."))
    promo = None
    try:
        promo = _find_promo(activity, promo_code)
    except ValidationError as e:
        for message in e.message_dict["promo_code"]:
            add("promo_code", message)
    if promo is not None:
        uses = promo.registrations.exclude(status=RegistrationStatus.CANCELLED).count()
        for message in promo_problems(promo, reg_type, now, uses):
            add("promo_code", message)
    if (
        Registration.objects.filter(activity=activity, person=person)
        .exclude(status=RegistrationStatus.CANCELLED)
        .exists()
    ):
        add("person", _("%(person)s is already registered.") % {"person": person})
    if errors:
        raise ValidationError(errors)

    # Seats: from here to the commit, one registration at a time for the activity.
    setup = _lock_setup(activity)
    reg_type = _lock_type(reg_type)
    if promo is not None:
        # Again under the code's lock: its last use must not go to two people at once.
        promo = PromoCode.objects.select_for_update().get(pk=promo.pk)
        uses = promo.registrations.exclude(status=RegistrationStatus.CANCELLED).count()
        problems = promo_problems(promo, reg_type, now, uses)
        if problems:
            raise ValidationError({"promo_code": problems})

    price = tier.amount if tier is not None else ZERO
    registration = Registration(
        activity=activity,
        person=person,
        registration_type=reg_type,
        price_label=tier.label if tier is not None else "",
        price=price,
        discount=price - apply_promo(price, promo),
        currency=setup.currency,
        promo_code=promo,
        group=group,
        registered_by=by,
        answers=_clean_answers(questions, answers),
        credit_types=credit_types,
        identifiers=clean_identifiers(identifiers),
        created=now,
    )
    # Nobody overtakes a person already waiting for this type, even if a seat looks free.
    waiting = Registration.objects.filter(
        registration_type=reg_type, status=RegistrationStatus.WAITLISTED
    ).exists()
    if _has_room(setup, reg_type) and not waiting:
        registration.status = (
            RegistrationStatus.CONFIRMED
            if registration.amount_due <= 0
            else RegistrationStatus.PENDING_PAYMENT
        )
        if registration.status == RegistrationStatus.CONFIRMED:
            registration.confirmed_at = now
    else:
        registration.status = RegistrationStatus.WAITLISTED
        registration.waitlisted_at = now
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError as e:
        # Two requests for the same person at once: the other one registered them.
        raise ValidationError(
            {"person": [_("%(person)s is already registered.") % {"person": person}]}
        ) from e
    # Optional and never a condition of registering [A4].
    if share_with_companies:
        give_consent(person, activity, source="registration")
    _record(
        "registration.created",
        activity,
        registration,
        by=by,
        after={
            "person": person.pk,
            "registration_type": reg_type.pk,
            "status": registration.status,
            "price": registration.price,
            "discount": registration.discount,
            "promo_code": promo.code if promo else "",
            "group": group.pk if group else None,
            "share_with_companies": share_with_companies,
            "credit_types": credit_types,
            # Which identifiers were given, not their values: the trail is read widely.
            "identifiers": sorted(registration.identifiers),
        },
    )
    _mail_later(
        person,
        "registered",
        {
            "person": person,
            "activity": activity,
            "registration": registration,
            "waitlisted": registration.status == RegistrationStatus.WAITLISTED,
            "pending": registration.status == RegistrationStatus.PENDING_PAYMENT,
            "url": _activity_url(activity),
        },
        # A seat held: the learner's calendar gets the activity; a waiting place does not.
        attachments=None
        if registration.status == RegistrationStatus.WAITLISTED
        else [ics_attachment(registration)],
    )
    return registration


def register(
    activity,
    person,
    *,
    registration_type: RegistrationType,
    by,
    answers: dict | None = None,
    promo_code: str = "",
    share_with_companies: bool = False,
    group: RegistrationGroup | None = None,
    credit_types: list[str] | None = None,
    identifiers: dict | None = None,
    now: dt.datetime | None = None,
) -> Registration:
    """Register `person`: a seat if one is free, otherwise a place on the waiting list.

    `answers` maps question ids to answers (text, one choice, a list of choices, or
    True/False). `credit_types` are the offered credit types the learner means to
    claim; `identifiers` the clinician identifiers those need (see
    registration.identifiers). Errors are a ValidationError keyed by field:
    "registration_type", "promo_code", "person", "question_<id>", "credit_types",
    an identifier's name, or "__all__".
    Side effects: the registration (CONFIRMED, PENDING_PAYMENT or WAITLISTED), the
    learner's consent when `share_with_companies` [A4], audit "registration.created",
    an e-mail to the person after commit.
    """
    _check_self_or_staff(activity, person, by)
    with transaction.atomic():
        return _register(
            activity,
            person,
            registration_type=registration_type,
            by=by,
            answers=answers,
            promo_code=promo_code,
            share_with_companies=share_with_companies,
            group=group,
            now=_now(now),
            require_answers=True,
            credit_types=credit_types,
            identifiers=identifiers,
        )


def register_group(
    activity,
    *,
    coordinator,
    name: str,
    people: list[tuple],
    by,
    now: dt.datetime | None = None,
) -> RegistrationGroup:
    """Register several people together: everyone gets a registration, or nobody does.

    The coordinator cannot answer the custom questions for everyone: required
    answers are not asked for here. Errors are collected for all people at once
    under "people". Side effects: as `register` for each person, audit
    "registration.group_created".
    """
    if getattr(by, "pk", None) != coordinator.pk:
        _check_staff(activity, by)
    if not (name or "").strip():
        raise ValidationError({"name": _("Give the group a name.")})
    if not people:
        raise ValidationError({"people": _("Add at least one person.")})
    now = _now(now)
    problems: list[str] = []
    with transaction.atomic():
        group = RegistrationGroup.objects.create(
            activity=activity, name=name.strip(), coordinator=coordinator
        )
        seen: set[int] = set()
        for person, reg_type in people:
            if person.pk in seen:
                problems.append(_("%(person)s is listed twice.") % {"person": person})
                continue
            seen.add(person.pk)
            try:
                with transaction.atomic():
                    _register(
                        activity,
                        person,
                        registration_type=reg_type,
                        by=by,
                        answers=None,
                        promo_code="",
                        share_with_companies=False,
                        group=group,
                        now=now,
                        require_answers=False,
                    )
            except ValidationError as e:
                messages = [m for ms in e.message_dict.values() for m in ms]
                problems.append(f"{person}: {' '.join(messages)}")
        if problems:
            # Raising leaves the outer transaction: every registration above is undone.
            raise ValidationError({"people": problems})
        _record(
            "registration.group_created",
            activity,
            group,
            by=by,
            after={"name": group.name, "coordinator": coordinator.pk, "people": sorted(seen)},
        )
    return group


def update_identifiers(
    registration: Registration,
    *,
    by,
    credit_types: list[str],
    identifiers: dict,
) -> Registration:
    """Change the credit types a learner will claim and the identifiers they need.

    For people registered by a coordinator, who could not give them, and for
    corrections. Errors as in `register`. Audit "registration.identifiers_changed"
    names the identifiers given, never their values.
    """
    activity = registration.activity
    _check_self_or_staff(activity, registration.person, by)
    credit_types = list(dict.fromkeys(credit_types or []))
    setup = RegistrationSetup.objects.filter(activity=activity).first()
    offered = setup.credit_types if setup is not None else []
    problems = identifier_problems(offered, credit_types, identifiers or {})
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        reg = Registration.objects.select_for_update().get(pk=registration.pk)
        if reg.status == RegistrationStatus.CANCELLED:
            raise ValidationError(_("This registration is cancelled."))
        reg.credit_types = credit_types
        reg.identifiers = clean_identifiers(identifiers or {})
        reg.save(update_fields=["credit_types", "identifiers"])
        _record(
            "registration.identifiers_changed",
            activity,
            reg,
            by=by,
            after={"credit_types": credit_types, "identifiers": sorted(reg.identifiers)},
        )
    registration.credit_types = reg.credit_types
    registration.identifiers = reg.identifiers
    return registration


# -- cancelling and the waiting list --------------------------------------------------------


def _fill_freed_seats(activity, reg_type: RegistrationType | None, now: dt.datetime) -> None:
    """Offer every seat that is free to the people waiting: same type first, then any."""
    if reg_type is not None:
        while offer_next(activity, reg_type, now=now) is not None:
            pass
    while offer_next(activity, None, now=now) is not None:
        pass


def cancel(
    registration: Registration, *, by, reason: str = "", now: dt.datetime | None = None
) -> Registration:
    """Cancel a registration; its seat (and its workshop seats) go to the next waiting.

    A learner cancelling their own registration gets the policy's refund
    (refunds.refund_on_cancel); when staff cancel, they refund separately.
    Side effects: status CANCELLED, its sign-ups cancelled, audit
    "registration.cancelled", offers to the waiting list; for the learner's own
    cancellation, refund payments (audit "payment.refunded"), sent to Stripe after commit.
    """
    # refunds builds on this module, so it is imported here, not at the top.
    from cmeconf.registration import refunds

    activity = registration.activity
    _check_self_or_staff(activity, registration.person, by)
    now = _now(now)
    with transaction.atomic():
        _lock_setup(activity)
        _lock_type(registration.registration_type)
        reg = Registration.objects.select_for_update().get(pk=registration.pk)
        if reg.status == RegistrationStatus.CANCELLED:
            raise ValidationError(_("This registration is already cancelled."))
        _cancel_locked(reg, by=by, now=now, action="registration.cancelled", reason=reason)
        if getattr(by, "pk", None) == reg.person_id:
            # Same transaction: cancelled and refund recorded together, or neither. Card
            # refunds reach Stripe only after the commit, safe to retry (see refunds).
            refunds.refund_on_cancel(reg, by=by, now=now)
    registration.refresh_from_db()
    return registration


def _cancel_locked(reg: Registration, *, by, now: dt.datetime, action: str, reason: str) -> None:
    before = reg.status
    reg.status = RegistrationStatus.CANCELLED
    reg.cancelled_at = now
    reg.offer_expires_at = None
    reg.save(update_fields=["status", "cancelled_at", "offer_expires_at"])
    _record(
        action,
        reg.activity,
        reg,
        by=by,
        after={"status": reg.status, "was": before},
        note=reason,
    )
    live = reg.workshop_signups.exclude(status=SignupStatus.CANCELLED).select_related("session")
    for signup in live:
        # Session row before sign-up row, the order every workshop change locks them in.
        _lock_session(signup.session)
        locked = WorkshopSignup.objects.select_for_update().get(pk=signup.pk)
        if locked.status != SignupStatus.CANCELLED:
            _cancel_signup_locked(locked, by=by, now=now, reason="registration cancelled")
    if before in SEAT_STATUSES:
        _fill_freed_seats(reg.activity, reg.registration_type, now)


def offer_next(
    activity, registration_type: RegistrationType | None, *, now: dt.datetime | None = None
) -> Registration | None:
    """Offer a free seat to the person waiting longest (of `registration_type`, if given).

    Returns the registration offered, or None when no seat is free or nobody waits.
    Side effects: status OFFERED with offer_expires_at, audit "registration.offered",
    an e-mail after commit.
    """
    now = _now(now)
    with transaction.atomic():
        setup = _lock_setup(activity)
        waiting = Registration.objects.filter(
            activity=activity, status=RegistrationStatus.WAITLISTED
        ).select_related("registration_type", "person")
        if registration_type is not None:
            waiting = waiting.filter(registration_type=registration_type)
        for candidate in waiting.order_by("waitlisted_at", "id"):
            reg_type = _lock_type(candidate.registration_type)
            if not _has_room(setup, reg_type):
                continue
            reg = Registration.objects.select_for_update().get(pk=candidate.pk)
            if reg.status != RegistrationStatus.WAITLISTED:
                continue
            reg.status = RegistrationStatus.OFFERED
            reg.offer_expires_at = now + dt.timedelta(hours=setup.offer_hours)
            reg.save(update_fields=["status", "offer_expires_at"])
            _record(
                "registration.offered",
                activity,
                reg,
                by=None,
                after={"status": reg.status, "offer_expires_at": reg.offer_expires_at},
            )
            _mail_later(
                reg.person,
                "offer",
                {
                    "person": reg.person,
                    "activity": activity,
                    "what": activity.title,
                    "expires": timezone.localtime(reg.offer_expires_at, activity.tz),
                    "url": _activity_url(activity),
                },
            )
            return reg
    return None


def accept_offer(registration: Registration, *, by, now: dt.datetime | None = None) -> Registration:
    """Take the offered seat: CONFIRMED if nothing is due, otherwise PENDING_PAYMENT.

    Refused once the offer has expired. Side effects: audit "registration.offer_accepted".
    """
    activity = registration.activity
    _check_self_or_staff(activity, registration.person, by)
    now = _now(now)
    with transaction.atomic():
        _lock_setup(activity)
        reg = Registration.objects.select_for_update().get(pk=registration.pk)
        if reg.status != RegistrationStatus.OFFERED:
            raise ValidationError(_("There is no seat on offer for this registration."))
        if reg.offer_expires_at is not None and now > reg.offer_expires_at:
            raise ValidationError(_("The offer has expired."))
        reg.status = _seat_status(reg)
        reg.offer_expires_at = None
        if reg.status == RegistrationStatus.CONFIRMED:
            reg.confirmed_at = now
        reg.save(update_fields=["status", "offer_expires_at", "confirmed_at"])
        _record("registration.offer_accepted", activity, reg, by=by, after={"status": reg.status})
        mail_confirmed(reg)
    registration.refresh_from_db()
    return registration


def decline_offer(
    registration: Registration, *, by, now: dt.datetime | None = None
) -> Registration:
    """Turn down the offered seat: the registration is cancelled, the next person gets it.

    Side effects: status CANCELLED, audit "registration.offer_declined", the next offer.
    """
    activity = registration.activity
    _check_self_or_staff(activity, registration.person, by)
    now = _now(now)
    with transaction.atomic():
        _lock_setup(activity)
        reg = Registration.objects.select_for_update().get(pk=registration.pk)
        if reg.status != RegistrationStatus.OFFERED:
            raise ValidationError(_("There is no seat on offer for this registration."))
        _cancel_locked(
            reg, by=by, now=now, action="registration.offer_declined", reason="offer declined"
        )
    registration.refresh_from_db()
    return registration


def expire_offers(*, now: dt.datetime | None = None) -> int:
    """Cancel every expired offer (seats and workshop seats) and offer the seat to the next.

    An expired offer is not put back on the list: a person who let it lapse would
    otherwise block the list again at the next free seat. Returns how many expired.
    Side effects: status CANCELLED, audit "registration.offer_expired" or
    "workshop.offer_expired", the next offers.
    """
    now = _now(now)
    count = 0
    expired = Registration.objects.filter(
        status=RegistrationStatus.OFFERED, offer_expires_at__lt=now
    ).values_list("pk", flat=True)
    for pk in list(expired):
        reg = Registration.objects.select_related("activity").get(pk=pk)
        with transaction.atomic():
            _lock_setup(reg.activity)
            reg = Registration.objects.select_for_update().get(pk=pk)
            # Another worker, or the person accepting just in time, may have been first.
            if reg.status != RegistrationStatus.OFFERED or reg.offer_expires_at >= now:
                continue
            _cancel_locked(
                reg, by=None, now=now, action="registration.offer_expired", reason="offer expired"
            )
            count += 1
    expired_signups = WorkshopSignup.objects.filter(
        status=SignupStatus.OFFERED, offer_expires_at__lt=now
    ).values_list("pk", flat=True)
    for pk in list(expired_signups):
        with transaction.atomic():
            signup = WorkshopSignup.objects.select_related("session").get(pk=pk)
            _lock_session(signup.session)
            signup = WorkshopSignup.objects.select_for_update().get(pk=pk)
            if signup.status != SignupStatus.OFFERED or signup.offer_expires_at >= now:
                continue
            _cancel_signup_locked(
                signup, by=None, now=now, reason="offer expired", action="workshop.offer_expired"
            )
            count += 1
    return count


# -- payments -------------------------------------------------------------------------------


def confirm_payment(
    registration: Registration,
    *,
    by,
    method: str,
    amount: Decimal,
    reference: str = "",
    now: dt.datetime | None = None,
) -> Payment:
    """Record money received by invoice or on site; confirm once the amount due is covered.

    Side effects: a PAID payment, audit "payment.recorded", and when covered status
    CONFIRMED with audit "registration.confirmed".
    """
    activity = registration.activity
    _check_staff(activity, by)
    now = _now(now)
    amount = Decimal(amount)
    with transaction.atomic():
        reg = Registration.objects.select_for_update().get(pk=registration.pk)
        if method not in MANUAL_METHODS:
            raise ValidationError({"method": _("Record invoice or on-site payments here.")})
        if reg.status != RegistrationStatus.PENDING_PAYMENT:
            raise ValidationError(_("Only a registration awaiting payment can be paid."))
        if amount <= 0:
            raise ValidationError({"amount": _("The amount must be more than zero.")})
        outstanding = reg.amount_due - _paid(reg)
        if amount > outstanding:
            raise ValidationError(
                {
                    "amount": _("That is more than the %(due)s %(currency)s still due.")
                    % {"due": outstanding, "currency": reg.currency}
                }
            )
        payment = Payment.objects.create(
            registration=reg,
            method=method,
            status=PaymentStatus.PAID,
            amount=amount,
            currency=reg.currency,
            reference=reference.strip(),
            created=now,
            paid_at=now,
            recorded_by=by,
        )
        _record(
            "payment.recorded",
            activity,
            payment,
            by=by,
            after={
                "registration": reg.pk,
                "method": method,
                "amount": amount,
                "reference": payment.reference,
            },
        )
        if amount == outstanding:
            reg.status = RegistrationStatus.CONFIRMED
            reg.confirmed_at = now
            reg.save(update_fields=["status", "confirmed_at"])
            _record("registration.confirmed", activity, reg, by=by, after={"status": reg.status})
            mail_confirmed(reg)
    registration.refresh_from_db()
    return payment


# -- seats ----------------------------------------------------------------------------------


def seats_left(activity, registration_type: RegistrationType | None = None) -> int | None:
    """Free seats for the activity (or for one type of it); None when there is no limit.

    Offered seats count as taken. Without a type and without an overall capacity,
    the activity is limited only when every active type is.
    """
    setup = RegistrationSetup.objects.filter(activity=activity).first()
    overall = None
    if setup is not None and setup.capacity is not None:
        overall = max(setup.capacity - _seats_taken(activity), 0)
    if registration_type is not None:
        limits = [overall]
        if registration_type.capacity is not None:
            taken = _seats_taken(activity, registration_type)
            limits.append(max(registration_type.capacity - taken, 0))
        known = [n for n in limits if n is not None]
        return min(known) if known else None
    if overall is not None:
        return overall
    types = list(activity.registration_types.filter(is_active=True))
    if not types or any(t.capacity is None for t in types):
        return None
    return sum(max(t.capacity - _seats_taken(activity, t), 0) for t in types)


def session_seats_left(session) -> int | None:
    """Free seats in a workshop; None when the session has no limit."""
    if session.capacity is None:
        return None
    taken = WorkshopSignup.objects.filter(session=session, status__in=SIGNUP_SEAT_STATUSES)
    return max(session.capacity - taken.count(), 0)


# -- workshops ------------------------------------------------------------------------------


def _lock_session(session):
    from cmeconf.activities.models import Session

    return Session.objects.select_for_update().get(pk=session.pk)


def sign_up(
    registration: Registration, session, *, by, now: dt.datetime | None = None
) -> WorkshopSignup:
    """Take a seat in a workshop, or a place on its waiting list when it is full.

    Side effects: the sign-up (CONFIRMED or WAITLISTED), audit "workshop.signed_up".
    """
    activity = registration.activity
    _check_self_or_staff(activity, registration.person, by)
    now = _now(now)
    with transaction.atomic():
        # Registration row before session row, as `cancel` locks them.
        reg = Registration.objects.select_for_update().get(pk=registration.pk)
        session = _lock_session(session)
        errors: dict[str, str] = {}
        if reg.status not in SIGNUP_ALLOWED:
            errors["__all__"] = _("Only a confirmed or pending registration can sign up.")
        if session.activity_id != reg.activity_id:
            errors["session"] = _("This session belongs to another activity.")
        elif not session.is_scheduled:
            errors["session"] = _("This session is not scheduled yet.")
        elif (
            WorkshopSignup.objects.filter(registration=reg, session=session)
            .exclude(status=SignupStatus.CANCELLED)
            .exists()
        ):
            errors["session"] = _("You have already signed up for this session.")
        else:
            clash = (
                WorkshopSignup.objects.filter(
                    registration=reg, session__start__lt=session.end, session__end__gt=session.start
                )
                .exclude(status=SignupStatus.CANCELLED)
                .select_related("session")
                .first()
            )
            if clash is not None:
                errors["session"] = _(
                    "This session overlaps %(other)s, which you signed up for."
                ) % {"other": clash.session.title}
        if errors:
            raise ValidationError(errors)
        signup = WorkshopSignup(registration=reg, session=session, created=now)
        waiting = WorkshopSignup.objects.filter(
            session=session, status=SignupStatus.WAITLISTED
        ).exists()
        left = session_seats_left(session)
        if left is None or (left > 0 and not waiting):
            signup.status = SignupStatus.CONFIRMED
        else:
            signup.status = SignupStatus.WAITLISTED
            signup.waitlisted_at = now
        try:
            with transaction.atomic():
                signup.save()
        except IntegrityError as e:
            raise ValidationError(
                {"session": [_("You have already signed up for this session.")]}
            ) from e
        _record(
            "workshop.signed_up",
            activity,
            signup,
            by=by,
            after={"session": session.pk, "registration": reg.pk, "status": signup.status},
        )
    return signup


def _offer_next_signup(session, now: dt.datetime) -> WorkshopSignup | None:
    left = session_seats_left(session)
    if left is not None and left <= 0:
        return None
    signup = (
        WorkshopSignup.objects.select_for_update()
        .filter(session=session, status=SignupStatus.WAITLISTED)
        .order_by("waitlisted_at", "id")
        .first()
    )
    if signup is None:
        return None
    activity = session.activity
    signup.status = SignupStatus.OFFERED
    signup.offer_expires_at = _offer_expiry(activity, now)
    signup.save(update_fields=["status", "offer_expires_at"])
    _record(
        "workshop.offered",
        activity,
        signup,
        by=None,
        after={"status": signup.status, "offer_expires_at": signup.offer_expires_at},
    )
    person = signup.registration.person
    _mail_later(
        person,
        "offer",
        {
            "person": person,
            "activity": activity,
            "what": session.title,
            "expires": timezone.localtime(signup.offer_expires_at, activity.tz),
            "url": _activity_url(activity),
        },
    )
    return signup


def _cancel_signup_locked(
    signup: WorkshopSignup,
    *,
    by,
    now: dt.datetime,
    reason: str = "",
    action: str = "workshop.cancelled",
) -> None:
    """Cancel a sign-up; the caller has locked its session row, then the sign-up row."""
    before = signup.status
    signup.status = SignupStatus.CANCELLED
    signup.cancelled_at = now
    signup.offer_expires_at = None
    signup.save(update_fields=["status", "cancelled_at", "offer_expires_at"])
    _record(
        action,
        signup.session.activity,
        signup,
        by=by,
        after={"status": signup.status, "was": before, "session": signup.session_id},
        note=reason,
    )
    if before in SIGNUP_SEAT_STATUSES:
        while _offer_next_signup(signup.session, now) is not None:
            pass


def cancel_signup(signup: WorkshopSignup, *, by, now: dt.datetime | None = None) -> WorkshopSignup:
    """Leave a workshop (or its waiting list); a freed seat is offered to the next waiting.

    Side effects: status CANCELLED, audit "workshop.cancelled", the next offer.
    """
    activity = signup.session.activity
    _check_self_or_staff(activity, signup.registration.person, by)
    now = _now(now)
    with transaction.atomic():
        _lock_session(signup.session)
        locked = WorkshopSignup.objects.select_for_update().get(pk=signup.pk)
        if locked.status == SignupStatus.CANCELLED:
            raise ValidationError(_("This sign-up is already cancelled."))
        _cancel_signup_locked(locked, by=by, now=now)
    signup.refresh_from_db()
    return signup


def _lock_offered_signup(signup: WorkshopSignup) -> WorkshopSignup:
    """The sign-up, locked with its session's seats, if a seat is on offer to it."""
    _lock_session(signup.session)
    locked = WorkshopSignup.objects.select_for_update().get(pk=signup.pk)
    if locked.status != SignupStatus.OFFERED:
        raise ValidationError(_("There is no seat on offer for this sign-up."))
    return locked


def accept_signup_offer(
    signup: WorkshopSignup, *, by, now: dt.datetime | None = None
) -> WorkshopSignup:
    """Take the offered workshop seat; refused after expiry. Audit "workshop.offer_accepted"."""
    activity = signup.session.activity
    _check_self_or_staff(activity, signup.registration.person, by)
    now = _now(now)
    with transaction.atomic():
        locked = _lock_offered_signup(signup)
        if locked.offer_expires_at is not None and now > locked.offer_expires_at:
            raise ValidationError(_("The offer has expired."))
        locked.status = SignupStatus.CONFIRMED
        locked.offer_expires_at = None
        locked.save(update_fields=["status", "offer_expires_at"])
        _record("workshop.offer_accepted", activity, locked, by=by, after={"status": locked.status})
    signup.refresh_from_db()
    return signup


def decline_signup_offer(
    signup: WorkshopSignup, *, by, now: dt.datetime | None = None
) -> WorkshopSignup:
    """Turn down the offered workshop seat; the next waiting person gets it."""
    activity = signup.session.activity
    _check_self_or_staff(activity, signup.registration.person, by)
    now = _now(now)
    with transaction.atomic():
        locked = _lock_offered_signup(signup)
        _cancel_signup_locked(
            locked, by=by, now=now, reason="offer declined", action="workshop.offer_declined"
        )
    signup.refresh_from_db()
    return signup
