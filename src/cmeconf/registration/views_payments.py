"""Payment pages: the learner's (pay, invoice, receipt, return from Stripe), the staff's
(refund, documents) and Stripe's webhook.

Thin: gateways start payments, payments.services records what the gateway reports,
refunds.py refunds. Learners reach only their own registration (looked up by the
logged-in person, never by an id in the URL); staff pages need the registration permission.
"""

from __future__ import annotations

import json
import logging

import stripe
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cmeconf.common.middleware import STRICT
from cmeconf.providers.access import staff_required
from cmeconf.providers.forms import add_service_errors
from cmeconf.providers.permissions import Permission
from cmeconf.registration import receipts, refunds, views, views_staff
from cmeconf.registration.choices import PaymentStatus, RegistrationStatus
from cmeconf.registration.forms_payments import RefundForm
from cmeconf.registration.models import Payment, Registration
from cmeconf.registration.payments import registry, stripe_gateway
from cmeconf.registration.payments.base import invoice_number, outstanding
from cmeconf.registration.payments.manual import invoice_instructions, on_site_instructions
from cmeconf.registration.payments.services import handle_stripe_event

log = logging.getLogger(__name__)

REG = Permission.REGISTRATION
PDF = "application/pdf"
# The card form posts here and is answered with a redirect to Stripe's page, which a
# strict form-action would block.
PAY_PAGE_POLICY = STRICT.replace(
    "form-action 'self'", "form-action 'self' https://checkout.stripe.com"
)


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=PDF)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    # Personal and financial: no shared cache may keep it.
    response["Cache-Control"] = "private, no-store"
    return response


def _absolute(name: str, act) -> str:
    return settings.SITE_URL + reverse(name, args=[act.provider.slug, act.slug])


# --- the learner ---------------------------------------------------------------------------


def _own(request: HttpRequest, act) -> Registration:
    """The learner's live registration, else their last cancelled one, else 404."""
    registration = views._live(act, request.user)
    if registration is None:
        registration = (
            Registration.objects.filter(
                activity=act, person=request.user, status=RegistrationStatus.CANCELLED
            )
            .select_related("registration_type", "promo_code")
            .order_by("-cancelled_at", "-id")
            .first()
        )
    if registration is None:
        raise Http404
    registration.activity = act
    return registration


def _methods(act, registration: Registration) -> list[dict]:
    instructions = {
        "invoice": invoice_instructions(registration),
        "on_site": on_site_instructions(registration),
    }
    return [
        {
            "code": g.code,
            "label": g.label,
            "available": g.is_available(act),
            "message": g.unavailable_message(act),
            "instructions": instructions.get(g.code, ""),
        }
        for g in registry.all_gateways()
    ]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def pay(request: HttpRequest, provider: str, activity: str) -> HttpResponse:
    """The ways to pay what is due; the card form leaves for Stripe Checkout."""
    act = views._activity(provider, activity)
    registration = views._live(act, request.user)
    if registration is None:
        raise Http404
    registration.activity = act
    if request.method == "POST":
        gateway = registry.gateway(request.POST.get("method", ""), act)
        if gateway is None:
            messages.error(request, _("This way of paying is not available for this activity."))
            return redirect("learner_payments:pay", act.provider.slug, act.slug)
        try:
            start = gateway.start(
                registration,
                by=request.user,
                success_url=_absolute("learner_payments:stripe_return", act)
                + "?session_id={CHECKOUT_SESSION_ID}",
                cancel_url=_absolute("learner_payments:pay", act) + "?cancelled=1",
            )
        except ValidationError as e:
            views._show_errors(request, e)
            return redirect("learner_payments:pay", act.provider.slug, act.slug)
        if start.redirect_url:
            return redirect(start.redirect_url)
        messages.info(request, start.instructions)
        return redirect("learner_payments:pay", act.provider.slug, act.slug)
    if request.GET.get("cancelled"):
        messages.info(request, _("Card payment cancelled: nothing was charged."))
    pending = registration.status == RegistrationStatus.PENDING_PAYMENT
    response = views._page(
        request,
        act,
        "registration/pay.html",
        registration=registration,
        due=outstanding(registration) if pending else 0,
        can_pay=pending and outstanding(registration) > 0,
        methods=_methods(act, registration),
        card_message=stripe_gateway.not_available_message(),
        invoice_number=invoice_number(registration),
        invoice_url=reverse("learner_payments:invoice", args=[act.provider.slug, act.slug]),
    )
    response["Content-Security-Policy"] = PAY_PAGE_POLICY
    return response


@login_required
@require_safe
def stripe_return(request: HttpRequest, provider: str, activity: str) -> HttpResponse:
    """Where Stripe sends the learner back. It shows the state; only the webhook pays."""
    act = views._activity(provider, activity)
    registration = _own(request, act)
    waiting = registration.payments.filter(
        method="stripe", status=PaymentStatus.PENDING, refund_of=None
    ).exists()
    return views._page(
        request,
        act,
        "registration/pay_return.html",
        registration=registration,
        waiting=waiting,
        due=outstanding(registration),
        pay_url=reverse("learner_payments:pay", args=[act.provider.slug, act.slug]),
    )


@login_required
@require_safe
def invoice(request: HttpRequest, provider: str, activity: str) -> HttpResponse:
    act = views._activity(provider, activity)
    registration = _own(request, act)
    return _pdf(receipts.invoice_pdf(registration), f"invoice-{invoice_number(registration)}.pdf")


@login_required
@require_safe
def receipt(request: HttpRequest, provider: str, activity: str) -> HttpResponse:
    act = views._activity(provider, activity)
    registration = _own(request, act)
    return _pdf(receipts.receipt_pdf(registration), f"receipt-{invoice_number(registration)}.pdf")


# --- staff ---------------------------------------------------------------------------------


def _refund_page(request, provider, activity, reg, form, *, status=200) -> HttpResponse:
    return render(
        request,
        "registration/staff/refund.html",
        views_staff._context(
            request,
            provider,
            activity,
            "registrants",
            reg=reg,
            form=form,
            paid=refunds.net_paid(reg),
            quote=refunds.refund_quote(reg),
            card=stripe_gateway.is_configured(),
        ),
        status=status,
    )


@staff_required(REG)
@views_staff.in_activity_time
def refund(request: HttpRequest, provider, activity, registration: int) -> HttpResponse:
    """Refund part or all of what a registrant paid, with a reason."""
    reg = views_staff._registrant(activity, registration)
    if request.method != "POST":
        quote = refunds.refund_quote(reg)
        amount = quote.amount if quote.amount > 0 else refunds.net_paid(reg)
        form = RefundForm(initial={"amount": amount})
        return _refund_page(request, provider, activity, reg, form)
    form = RefundForm(request.POST)
    if form.is_valid():
        try:
            rows = refunds.refund(
                reg,
                by=request.user,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            stuck = [r for r in rows if r.status == PaymentStatus.PENDING]
            total = -sum(r.amount for r in rows)
            if stuck:
                messages.warning(
                    request,
                    _(
                        "Refund of %(amount)s %(currency)s recorded, but Stripe has not made "
                        "it yet: %(why)s Retry it from the payments below."
                    )
                    % {
                        "amount": total,
                        "currency": reg.currency,
                        "why": stuck[0].note.split(refunds.NOT_SENT)[-1],
                    },
                )
            else:
                messages.success(
                    request,
                    _("Refunded %(amount)s %(currency)s to %(name)s.")
                    % {"amount": total, "currency": reg.currency, "name": reg.person.display_name},
                )
            return redirect("staff:registration_registrant", provider.slug, activity.slug, reg.pk)
    return _refund_page(request, provider, activity, reg, form, status=400)


@require_POST
@staff_required(REG)
def refund_complete(
    request: HttpRequest, provider, activity, registration: int, payment: int
) -> HttpResponse:
    """Send a pending card refund to Stripe again, or record a manual refund as paid back."""
    reg = views_staff._registrant(activity, registration)
    row = Payment.objects.filter(pk=payment, registration=reg, refund_of__isnull=False).first()
    if row is None:
        raise Http404(_("No such refund for this registration."))
    try:
        refunds.complete_refund(row, by=request.user)
    except ValidationError as e:
        views._show_errors(request, e)
    else:
        messages.success(request, _("The refund is marked as sent."))
    return redirect("staff:registration_registrant", provider.slug, activity.slug, reg.pk)


@require_safe
@staff_required(REG)
def staff_invoice(request: HttpRequest, provider, activity, registration: int) -> HttpResponse:
    reg = views_staff._registrant(activity, registration)
    return _pdf(receipts.invoice_pdf(reg), f"invoice-{invoice_number(reg)}.pdf")


@require_safe
@staff_required(REG)
def staff_receipt(request: HttpRequest, provider, activity, registration: int) -> HttpResponse:
    reg = views_staff._registrant(activity, registration)
    return _pdf(receipts.receipt_pdf(reg), f"receipt-{invoice_number(reg)}.pdf")


# --- Stripe's webhook ----------------------------------------------------------------------


@csrf_exempt  # Stripe cannot send a CSRF token; the signature authenticates the request.
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Verify the signature, then let payments.services act on the event once."""
    if not settings.STRIPE_WEBHOOK_SECRET:
        return HttpResponse(
            "Card payment is not configured.", status=503, content_type="text/plain"
        )
    payload = request.body
    try:
        stripe.Webhook.construct_event(
            payload, request.headers.get("Stripe-Signature", ""), settings.STRIPE_WEBHOOK_SECRET
        )
        event = json.loads(payload)
        if not isinstance(event, dict) or not event.get("id") or not event.get("type"):
            raise ValueError("not a Stripe event")
    except (ValueError, TypeError, AttributeError, stripe.SignatureVerificationError) as e:
        # The library reads a few fields before checking: a payload that is not an
        # object fails there, and is refused like a bad signature.
        log.warning("Stripe webhook refused: %s", e)
        return HttpResponseBadRequest("Bad signature or payload.", content_type="text/plain")
    try:
        outcome = handle_stripe_event(event)
    except (KeyError, TypeError, AttributeError) as e:
        log.error("Stripe event %s has an unexpected shape: %r", event.get("id"), e)
        return HttpResponseBadRequest("Unexpected event shape.", content_type="text/plain")
    except ValidationError as e:
        log.error("Stripe event %s refused: %s", event.get("id"), e.messages)
        return HttpResponseBadRequest(" ".join(e.messages), content_type="text/plain")
    log.info("Stripe event %s (%s): %s", event.get("id"), event.get("type"), outcome)
    return HttpResponse(outcome, content_type="text/plain")
