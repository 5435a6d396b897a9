"""A person's own disclosure: by their account, or by an invitation link without one.

There is no URL with a person's id: the logged-in user, or the person the signed
invitation names, is the only one these pages show or change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from cmeconf.integrity import companies, invitations, services
from cmeconf.integrity.choices import INELIGIBLE_COMPANY_DEFINITION
from cmeconf.integrity.forms import (
    COMPANY_LIST_ID,
    DisclosureForm,
    RelationshipFormSet,
    add_relationship_errors,
)

FORMSET_PREFIX = "rel"
SEARCH_LIMIT = 20


# --- the person's own pages ----------------------------------------------------------------


@login_required
@require_safe
def disclosure(request: HttpRequest) -> HttpResponse:
    """The current disclosure with its relationships; earlier ones below, read-only."""
    history = list(
        request.user.disclosures.order_by("-submitted_at", "-id").prefetch_related(
            "relationships__company"
        )
    )
    return render(
        request,
        "integrity/disclosure.html",
        {"current": history[0] if history else None, "earlier": history[1:]},
    )


@login_required
@never_cache
def disclosure_new(request: HttpRequest) -> HttpResponse:
    return _disclosure_form(
        request,
        request.user,
        urls={
            "companies": reverse("integrity:company_search"),
            "refuse": reverse("integrity:disclosure_refuse"),
        },
        on_success=lambda d: _saved(request, reverse("integrity:disclosure")),
    )


@login_required
@never_cache
def disclosure_refuse(request: HttpRequest) -> HttpResponse:
    return _refuse(
        request,
        request.user,
        back=reverse("integrity:disclosure_new"),
        done=reverse("integrity:disclosure"),
    )


@login_required
@require_safe
def company_search(request: HttpRequest) -> JsonResponse:
    return _company_results(request)


# --- invitations ---------------------------------------------------------------------------


def _invited(view: Callable) -> Callable:
    """Resolve the token to the person, or answer with a page that says what went wrong."""

    def wrapper(request: HttpRequest, token: str) -> HttpResponse:
        try:
            person = invitations.person_for_token(token)
        except invitations.InvitationExpiredError:
            return _bad_invitation(request, expired=True)
        except invitations.InvitationInvalidError:
            return _bad_invitation(request, expired=False)
        return view(request, person, token)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return never_cache(wrapper)


def _bad_invitation(request: HttpRequest, *, expired: bool) -> HttpResponse:
    return render(
        request,
        "integrity/invitation_invalid.html",
        {"expired": expired, "days": invitations.MAX_AGE.days},
        status=400 if expired else 404,
    )


@_invited
def invitation(request: HttpRequest, person, token: str) -> HttpResponse:
    """The same form as /disclosure/new/, for the person the link names, without logging in."""
    return _disclosure_form(
        request,
        person,
        urls={
            "companies": reverse("integrity:invitation_companies", args=[token]),
            "refuse": reverse("integrity:invitation_refuse", args=[token]),
        },
        on_success=lambda d: redirect("integrity:invitation_done", token),
        invited=True,
    )


@_invited
def invitation_refuse(request: HttpRequest, person, token: str) -> HttpResponse:
    return _refuse(
        request,
        person,
        back=reverse("integrity:invitation", args=[token]),
        done=reverse("integrity:invitation_done", args=[token]),
        invited=True,
    )


@_invited
def invitation_done(request: HttpRequest, person, token: str) -> HttpResponse:
    """What was recorded, and the way to an account: setting a password."""
    current = services.current_disclosure(person)
    if current is None:
        return redirect("integrity:invitation", token)
    reset = reverse("accounts:password_reset") + "?" + urlencode({"email": person.email})
    return render(
        request,
        "integrity/invitation_done.html",
        {
            "person": person,
            "current": current,
            "password_reset_url": reset,
            "again_url": reverse("integrity:invitation", args=[token]),
        },
    )


@_invited
def invitation_companies(request: HttpRequest, person, token: str) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
    return _company_results(request)


# --- shared --------------------------------------------------------------------------------


def _company_results(request: HttpRequest) -> JsonResponse:
    """Suggestions for the company input's datalist (the page works without them)."""
    found = companies.search_companies(request.GET.get("q", "")[:200], limit=SEARCH_LIMIT)
    return JsonResponse(
        {"results": [{"name": c.name, "aliases": [a.name for a in c.aliases.all()]} for c in found]}
    )


def _saved(request: HttpRequest, url: str) -> HttpResponse:
    messages.success(request, _("Your disclosure was recorded. Thank you."))
    return redirect(url)


def _form_context(person, form, formset, urls: dict[str, str], invited: bool) -> dict[str, Any]:
    return {
        "person": person,
        "form": form,
        "formset": formset,
        "definition": INELIGIBLE_COMPANY_DEFINITION,
        "company_list_id": COMPANY_LIST_ID,
        "urls": urls,
        "invited": invited,
    }


def _with_extra_row(form: DisclosureForm, formset: RelationshipFormSet, attestation: str):
    """The same answers, unbound, with one more blank row: adding a row validates nothing."""
    rows = [
        {name: f[name].value() for name in ("company", "nature", "start_date", "end_date")}
        | {"ongoing": bool(f["ongoing"].value())}
        for f in formset.forms
        if not (f["DELETE"].value() or False)
    ]
    # Rows left blank stay blank rather than piling up.
    rows = [r for r in rows if any(v for v in r.values())]
    new_formset = RelationshipFormSet(initial=rows, prefix=FORMSET_PREFIX)
    new_form = DisclosureForm(
        initial={"answer": form["answer"].value() or DisclosureForm.SOME},
        attestation=attestation,
    )
    return new_form, new_formset


def _disclosure_form(
    request: HttpRequest,
    person,
    *,
    urls: dict[str, str],
    on_success: Callable,
    invited: bool = False,
) -> HttpResponse:
    attestation = services.attestation_text()
    if request.method != "POST":
        form = DisclosureForm(attestation=attestation)
        formset = RelationshipFormSet(prefix=FORMSET_PREFIX)
        return render(
            request,
            "integrity/disclosure_form.html",
            _form_context(person, form, formset, urls, invited),
        )
    form = DisclosureForm(request.POST, attestation=attestation)
    formset = RelationshipFormSet(request.POST, prefix=FORMSET_PREFIX)
    if "add_row" in request.POST:
        form, formset = _with_extra_row(form, formset, attestation)
        return render(
            request,
            "integrity/disclosure_form.html",
            _form_context(person, form, formset, urls, invited),
        )
    leftover: list[str] = []
    form_ok, formset_ok = form.is_valid(), formset.is_valid()
    if form_ok and formset_ok:
        form.check_rows(formset)
    if not form.errors and formset_ok:
        rows = formset.filled_forms() if form.cleaned_data["answer"] == form.SOME else []
        try:
            saved = services.submit_disclosure(
                person,
                by=person,
                relationships=[row.relationship() for row in rows],
                attested=form.cleaned_data["attested"],
            )
        except ValidationError as exc:
            leftover = add_relationship_errors(formset, rows, exc)
            for field, errors in exc.message_dict.items():
                if field == "attested":
                    form.add_error("attested", errors)
                elif field != "relationships":
                    leftover.extend(errors)
            for message in leftover:
                form.add_error(None, message)
        else:
            return on_success(saved)
    return render(
        request,
        "integrity/disclosure_form.html",
        _form_context(person, form, formset, urls, invited),
        status=400,
    )


def _refuse(
    request: HttpRequest, person, *, back: str, done: str, invited: bool = False
) -> HttpResponse:
    """Ask first; refusing is recorded only from the confirmation's POST."""
    if request.method == "POST" and request.POST.get("confirm") == "refuse":
        services.refuse_disclosure(person, by=person)
        messages.info(request, _("Your refusal to disclose was recorded."))
        return redirect(done)
    return render(
        request,
        "integrity/refuse_confirm.html",
        {"person": person, "back": back, "invited": invited},
    )
