"""The learner's claim page: what they attended, what it supports, and the claim itself.

Thin: `credits.claims` decides. Every page works on the logged-in person's own
claims, never on a person named in the URL; a claim id in the URL that is not
theirs is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cmeconf.activities import schedule
from cmeconf.activities.models import Activity
from cmeconf.activities.views.public import public_activity
from cmeconf.credits import claims
from cmeconf.credits.forms_claims import ClaimForm
from cmeconf.credits.models import Claim, ClaimStatus
from cmeconf.providers.forms import add_service_errors
from cmeconf.registration.identifiers import NEEDS


def _evaluation_link(act: Activity) -> str:
    # The evaluation pages may not be installed in every version: no link then.
    try:
        return reverse("evaluations:activity_form", args=[act.provider.slug, act.slug])
    except NoReverseMatch:
        return ""


def _current_certificates(options: claims.ClaimOptions) -> dict[int, list]:
    return {
        c.pk: [
            cert
            for cert in c.certificates.all()
            if cert.revoked_at is None and cert.superseded_at is None
        ]
        for c in options.claims
    }


def _page(request: HttpRequest, act: Activity, options, form, status: int = 200) -> HttpResponse:
    links = schedule.activity_links(act.provider.slug, act.slug)
    certificates = _current_certificates(options)
    context = {
        "activity": act,
        "nav": "credit",
        "links": links,
        "options": options,
        "form": form,
        "evaluation_url": _evaluation_link(act),
        "claimed": [(c, _unit(c), certificates.get(c.pk, [])) for c in options.claims],
        "needs_reasons": _needs_reasons(options),
        "registration_url": _registration_url(act),
    }
    with timezone.override(act.tz):
        return render(request, "credits/claim.html", context, status=status)


def _unit(claim: Claim) -> str:
    credit_rule = claims.REGISTRY.get(claim.credit_type)
    return credit_rule.unit_plural if credit_rule else claim.credit_type


def _registration_url(act: Activity) -> str:
    try:
        return reverse("learner_registration:register", args=[act.provider.slug, act.slug])
    except NoReverseMatch:
        return ""


def _needs_reasons(options: claims.ClaimOptions) -> list[tuple[str, str]]:
    """(credit label, why we ask) for each claimable type that needs identifiers."""
    seen: set[str] = set()
    reasons = []
    for offer in options.offers:
        if offer.claimable and offer.needs and offer.needs_reason not in seen:
            seen.add(offer.needs_reason)
            label = str(NEEDS[offer.rule.code].label) if offer.rule.code in NEEDS else offer.label
            reasons.append((label, offer.needs_reason))
    return reasons


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def claim_page(request: HttpRequest, provider: str, activity: str) -> HttpResponse:
    act = public_activity(provider, activity)
    options = claims.claim_options(act, request.user)
    form = ClaimForm(request.POST or None, options=options)
    if request.method == "POST":
        if form.is_valid():
            try:
                made = claims.submit_claim(act, request.user, **form.service_kwargs())
            except ValidationError as exc:
                add_service_errors(form, exc, form.field_map())
            else:
                messages.success(
                    request,
                    _("Your claim is recorded: %(what)s.")
                    % {
                        "what": ", ".join(
                            f"{c.amount:.2f} {claims.REGISTRY[c.credit_type].unit_plural}"
                            for c in made
                        )
                    },
                )
                return redirect("credit:claim", act.provider.slug, act.slug)
        return _page(request, act, options, form, status=400)
    return _page(request, act, options, form)


@login_required
@require_POST
def withdraw(request: HttpRequest, provider: str, activity: str, pk: int) -> HttpResponse:
    act = public_activity(provider, activity)
    claim = Claim.objects.filter(
        pk=pk, activity=act, person=request.user, status=ClaimStatus.CLAIMED
    ).first()
    if claim is None:
        raise Http404
    try:
        claims.withdraw_claim(claim, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        for message in getattr(exc, "messages", [str(exc)]):
            messages.error(request, message)
    else:
        messages.success(request, _("Your claim is withdrawn. You can claim again below."))
    return redirect("credit:claim", act.provider.slug, act.slug)
