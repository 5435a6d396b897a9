"""The learner's registration pages: the form, and the learner's own registration.

Thin: every change goes through registration.services, which checks that learners act
only for themselves and writes the audit trail. Each page looks up the logged-in
person's own registration, never one named in the URL, so nobody reaches another's.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cmeconf.activities import schedule
from cmeconf.activities.models import Activity, Session
from cmeconf.activities.views.public import public_activity
from cmeconf.registration import services
from cmeconf.registration.choices import RegistrationStatus, SignupStatus
from cmeconf.registration.forms import GroupForm, IdentifiersForm, RegistrationForm
from cmeconf.registration.models import Registration, RegistrationSetup, WorkshopSignup

S = RegistrationStatus


def _activity(provider: str, activity: str) -> Activity:
    """A public activity that takes registrations, or 404."""
    act = public_activity(provider, activity)
    if not RegistrationSetup.objects.filter(activity=act).exists():
        raise Http404
    return act


def _links(act: Activity) -> dict[str, str]:
    links = schedule.activity_links(act.provider.slug, act.slug)
    args = [act.provider.slug, act.slug]
    for name in ("register", "mine", "cancel", "accept", "decline", "credit", "group"):
        links[name] = reverse(f"learner_registration:{name}", args=args)
    return links


def _page(request: HttpRequest, act: Activity, template: str, **context) -> HttpResponse:
    context = {"activity": act, "nav": "registration", "links": _links(act), **context}
    with timezone.override(act.tz):
        return render(request, template, context)


def _live(act: Activity, person) -> Registration | None:
    return (
        Registration.objects.filter(activity=act, person=person)
        .exclude(status=S.CANCELLED)
        .select_related("registration_type", "promo_code")
        .first()
    )


def _mine(request: HttpRequest, act: Activity) -> HttpResponse:
    return redirect("learner_registration:mine", act.provider.slug, act.slug)


def _show_errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def register_page(request: HttpRequest, provider: str, activity: str) -> HttpResponse:
    act = _activity(provider, activity)
    if _live(act, request.user) is not None:
        messages.info(request, _("You are already registered for this activity."))
        return _mine(request, act)
    form = RegistrationForm(request.POST or None, activity=act, person=request.user)
    if request.method == "POST" and form.is_valid():
        registration = form.submit(by=request.user)
        if registration is not None:
            if registration.status == S.WAITLISTED:
                messages.warning(
                    request,
                    _(
                        "This registration type is full. You are on the waiting list: we will "
                        "e-mail you when a seat is offered to you."
                    ),
                )
            else:
                messages.success(request, _("Thank you, you are registered."))
            return _mine(request, act)
    return _page(request, act, "registration/register.html", form=form)


def _workshops(act: Activity, registration: Registration | None) -> list[dict]:
    """The activity's scheduled sessions with limited seats, with the learner's sign-up."""
    sessions = Session.objects.filter(
        activity=act, capacity__isnull=False, start__isnull=False
    ).select_related("room")
    signups = {}
    if registration is not None:
        live = registration.workshop_signups.exclude(status=SignupStatus.CANCELLED)
        signups = {s.session_id: s for s in live}
    return [
        {
            "session": s,
            "signup": signups.get(s.pk),
            "seats_left": services.session_seats_left(s),
        }
        for s in sessions
    ]


@login_required
@require_http_methods(["GET", "HEAD"])
def my_registration(request: HttpRequest, provider: str, activity: str) -> HttpResponse:
    act = _activity(provider, activity)
    registration = _live(act, request.user)
    last_cancelled = None
    if registration is None:
        last_cancelled = (
            Registration.objects.filter(activity=act, person=request.user, status=S.CANCELLED)
            .order_by("-cancelled_at")
            .first()
        )
    can_sign_up = registration is not None and registration.status in services.SIGNUP_ALLOWED
    return _page(
        request,
        act,
        "registration/my_registration.html",
        registration=registration,
        last_cancelled=last_cancelled,
        workshops=_workshops(act, registration),
        can_sign_up=can_sign_up,
        awaiting_payment=registration is not None and registration.status == S.PENDING_PAYMENT,
    )


def _own_registration(request: HttpRequest, act: Activity) -> Registration:
    registration = _live(act, request.user)
    if registration is None:
        raise Http404
    return registration


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def cancel_registration(request: HttpRequest, provider: str, activity: str) -> HttpResponse:
    """Ask first (GET), cancel on the confirmation's POST."""
    act = _activity(provider, activity)
    registration = _own_registration(request, act)
    if request.method == "POST":
        try:
            services.cancel(registration, by=request.user, reason="cancelled by the learner")
        except ValidationError as e:
            _show_errors(request, e)
        else:
            messages.success(request, _("Your registration is cancelled."))
        return _mine(request, act)
    return _page(request, act, "registration/cancel_confirm.html", registration=registration)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def register_group_page(request: HttpRequest, provider: str, activity: str) -> HttpResponse:
    """A coordinator registers colleagues together: everyone, or nobody."""
    act = _activity(provider, activity)
    form = GroupForm(request.POST or None, activity=act)
    if request.method == "POST" and form.is_valid():
        group = form.submit(by=request.user)
        if group is not None:
            registrations = group.registrations.select_related("person", "registration_type")
            messages.success(
                request,
                _("%(n)s people are registered in “%(group)s”.")
                % {"n": registrations.count(), "group": group.name},
            )
            return _page(
                request,
                act,
                "registration/group_done.html",
                group=group,
                registrations=registrations.order_by("id"),
            )
    return _page(request, act, "registration/group.html", form=form)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def credit_identifiers(request: HttpRequest, provider: str, activity: str) -> HttpResponse:
    """The credit types the learner will claim and the identifiers they need."""
    act = _activity(provider, activity)
    registration = _own_registration(request, act)
    form = IdentifiersForm(request.POST or None, registration=registration)
    if request.method == "POST" and form.is_valid() and form.submit(by=request.user):
        messages.success(request, _("Your credit details are saved."))
        return _mine(request, act)
    return _page(
        request, act, "registration/credit_identifiers.html", form=form, registration=registration
    )


@login_required
@require_POST
def accept_offer(request: HttpRequest, provider: str, activity: str) -> HttpResponse:
    act = _activity(provider, activity)
    try:
        services.accept_offer(_own_registration(request, act), by=request.user)
    except ValidationError as e:
        _show_errors(request, e)
    else:
        messages.success(request, _("You have accepted the seat."))
    return _mine(request, act)


@login_required
@require_POST
def decline_offer(request: HttpRequest, provider: str, activity: str) -> HttpResponse:
    act = _activity(provider, activity)
    try:
        services.decline_offer(_own_registration(request, act), by=request.user)
    except ValidationError as e:
        _show_errors(request, e)
    else:
        messages.success(request, _("You have declined the seat; your registration is cancelled."))
    return _mine(request, act)


def _own_signup(registration: Registration, session: Session) -> WorkshopSignup:
    signup = (
        WorkshopSignup.objects.filter(registration=registration, session=session)
        .exclude(status=SignupStatus.CANCELLED)
        .select_related("session__activity", "registration__person")
        .first()
    )
    if signup is None:
        raise Http404
    return signup


@login_required
@require_POST
def workshop_action(
    request: HttpRequest, provider: str, activity: str, code: str, action: str
) -> HttpResponse:
    """Sign up for a workshop, leave it, or accept or decline a seat offered in it."""
    act = _activity(provider, activity)
    registration = _own_registration(request, act)
    session = get_object_or_404(Session, activity=act, code=code)
    title = session.title
    notify = messages.success
    try:
        if action == "sign-up":
            signup = services.sign_up(registration, session, by=request.user)
            if signup.status == SignupStatus.WAITLISTED:
                notify = messages.warning
                message = _("“%(title)s” is full: you are on its waiting list.")
            else:
                message = _("You have a seat in “%(title)s”.")
        elif action == "cancel":
            services.cancel_signup(_own_signup(registration, session), by=request.user)
            message = _("You have left “%(title)s”.")
        elif action == "accept":
            services.accept_signup_offer(_own_signup(registration, session), by=request.user)
            message = _("You have accepted the seat in “%(title)s”.")
        elif action == "decline":
            services.decline_signup_offer(_own_signup(registration, session), by=request.user)
            message = _("You have declined the seat in “%(title)s”.")
        else:
            raise Http404
    except ValidationError as e:
        _show_errors(request, e)
    else:
        notify(request, message % {"title": title})
    return _mine(request, act)
