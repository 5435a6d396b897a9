"""Staff pages of credit designation: the provider's credit types, an activity's credit.

- The provider's credit types: teams with the credit permission for all of the
  provider's activities switch types on and off and set the IDs and options.
- An activity's credit page: credit or reports staff read it; only credit staff
  designate, lower, withdraw and set the claim window. Everything goes through
  credits.provider_types, credits.designation and credits.setup, which write the
  audit trail.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cmeconf.credits import designation as services
from cmeconf.credits import provider_types, setup
from cmeconf.credits.forms_designation import (
    ClaimWindowForm,
    CreditTypeForm,
    DesignationForm,
    WithdrawForm,
)
from cmeconf.credits.models import Designation
from cmeconf.credits.types import REGISTRY
from cmeconf.providers.access import in_activity_time, staff_required
from cmeconf.providers.forms import add_service_errors
from cmeconf.providers.models import Provider
from cmeconf.providers.permissions import Permission

VIEW_PERMISSIONS = frozenset({Permission.CREDIT, Permission.REPORTS})


# --- the provider's credit types -----------------------------------------------------------


def _type_rows(provider: Provider, bound: dict | None = None) -> list[dict]:
    rows = []
    for choice in provider_types.choices(provider):
        form = (bound or {}).get(choice.rule.code) or CreditTypeForm(
            rule=choice.rule, setting=choice.setting
        )
        rows.append({"choice": choice, "form": form})
    return rows


def _types_page(request: HttpRequest, provider: Provider, *, bound=None, status=200):
    return render(
        request,
        "credits/staff/provider_types.html",
        {
            "provider": provider,
            "provider_perms": request.perms,
            "section": "credit_types",
            "rows": _type_rows(provider, bound),
        },
        status=status,
    )


@staff_required(Permission.CREDIT)
def provider_credit_types(request: HttpRequest, provider: Provider) -> HttpResponse:
    """Every credit type the platform knows, which the provider may offer, and its settings."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    if request.method != "POST":
        return _types_page(request, provider)
    code = request.POST.get("credit_type", "")
    if code not in REGISTRY:
        raise Http404(_("No such credit type."))
    choice = next(c for c in provider_types.choices(provider) if c.rule.code == code)
    form = CreditTypeForm(request.POST, rule=choice.rule, setting=choice.setting)
    if form.is_valid():
        try:
            provider_types.configure(provider, code, by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc, form.field_map())
        else:
            messages.success(
                request, _("%(label)s: the settings were saved.") % {"label": choice.rule.label}
            )
            return redirect("staff:provider_credit_types", provider.slug)
    return _types_page(request, provider, bound={code: form}, status=400)


# --- an activity's credit ------------------------------------------------------------------


def _can_view(request: HttpRequest) -> None:
    if not VIEW_PERMISSIONS & request.perms:
        raise PermissionDenied(_("Your teams do not allow this."))


def _can_change(request: HttpRequest) -> None:
    if Permission.CREDIT not in request.perms:
        raise PermissionDenied(_("Only credit staff may change the credit of an activity."))


def _prefix(code: str, board: str) -> str:
    return f"{code}-{board or 'new'}"


def _window_form(activity) -> ClaimWindowForm:
    current = setup.current(activity)
    return ClaimWindowForm(
        initial={
            "claims_open_at": current.claims_open_at,
            "claims_close_at": current.claims_close_at,
            "evaluation_required": current.evaluation_required,
        }
    )


def _credit_page(
    request: HttpRequest,
    provider: Provider,
    activity,
    *,
    bound: dict | None = None,
    window_form: ClaimWindowForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The page, with the form that failed (keyed by its prefix) bound to what was sent."""
    bound = bound or {}
    minutes, rows, orphans = services.overview(activity)
    can_change = Permission.CREDIT in request.perms
    types = []
    for row in rows:
        entries = []
        for d in row.designations:
            prefix = _prefix(row.code, d.board)
            entries.append(
                {
                    "designation": d,
                    "form": bound.get(prefix)
                    or DesignationForm(rule=row.rule, designation=d, prefix=prefix),
                    "withdraw": bound.get(f"withdraw-{d.pk}")
                    or WithdrawForm(prefix=f"withdraw-{d.pk}"),
                    "supports_more": d.computed_maximum > d.maximum,
                    "claims": d.claims.count(),
                }
            )
        new_form = None
        if row.computed > 0 and (row.rule.per_board or not row.designations):
            prefix = _prefix(row.code, "")
            new_form = bound.get(prefix) or DesignationForm(rule=row.rule, prefix=prefix)
        types.append({"row": row, "entries": entries, "new_form": new_form})
    current = setup.current(activity)
    return render(
        request,
        "credits/staff/designation.html",
        {
            "provider": provider,
            "activity": activity,
            "perms": request.perms,
            "tab": "credit",
            "can_change": can_change,
            "started": services.has_started(activity),
            "minutes": minutes,
            "types": types,
            "orphans": orphans,
            "setup": current,
            "window_form": window_form or _window_form(activity),
            "default_open_at": setup.default_open_at(activity),
        },
        status=status,
    )


@require_safe
@staff_required()
@in_activity_time
def credit(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    _can_view(request)
    return _credit_page(request, provider, activity)


@require_POST
@staff_required()
@in_activity_time
def designate(request: HttpRequest, provider: Provider, activity, code: str) -> HttpResponse:
    _can_change(request)
    if code not in REGISTRY:
        raise Http404(_("No such credit type."))
    credit_rule = REGISTRY[code]
    board = request.POST.get("existing_board", "")
    existing = None
    if board or not credit_rule.per_board:
        existing = Designation.objects.filter(
            activity=activity, credit_type=code, board=board
        ).first()
        if board and existing is None:
            raise Http404(_("No such designation."))
    prefix = _prefix(code, existing.board if existing else "")
    form = DesignationForm(request.POST, rule=credit_rule, designation=existing, prefix=prefix)
    if form.is_valid():
        kwargs = form.service_kwargs()
        if existing is not None and credit_rule.per_board:
            kwargs["board"] = existing.board
        try:
            services.designate(activity, code, by=request.user, **kwargs)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("%(label)s: the designation was saved.") % {"label": credit_rule.label}
            )
            return redirect("staff:credit", provider.slug, activity.slug)
    return _credit_page(request, provider, activity, bound={prefix: form}, status=400)


@require_POST
@staff_required()
@in_activity_time
def withdraw(request: HttpRequest, provider: Provider, activity, pk: int) -> HttpResponse:
    _can_change(request)
    found = Designation.objects.filter(activity=activity, pk=pk).select_related("activity").first()
    if found is None:
        raise Http404(_("No such designation."))
    prefix = f"withdraw-{pk}"
    form = WithdrawForm(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            services.withdraw(found, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The designation was withdrawn."))
            return redirect("staff:credit", provider.slug, activity.slug)
    return _credit_page(request, provider, activity, bound={prefix: form}, status=400)


@require_POST
@staff_required()
@in_activity_time
def recompute(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    _can_change(request)
    changed = services.recompute(activity, by=request.user)
    lowered = [c for c in changed if c.lowered]
    if lowered:
        messages.warning(
            request,
            _("The program supports less than before: %(n)s designation(s) were lowered.")
            % {"n": len(lowered)},
        )
    else:
        messages.success(request, _("The designations are in line with the program."))
    return redirect("staff:credit", provider.slug, activity.slug)


@require_POST
@staff_required()
@in_activity_time
def claim_window(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    _can_change(request)
    form = ClaimWindowForm(request.POST)
    if form.is_valid():
        try:
            setup.set_claim_window(activity, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The claim window was saved."))
            return redirect("staff:credit", provider.slug, activity.slug)
    return _credit_page(request, provider, activity, window_form=form, status=400)
