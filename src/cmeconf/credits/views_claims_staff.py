"""Staff pages of an activity's credit claims: totals, search, one claim, corrections, CSV.

Teams with the credit or reports permission read them; only credit changes a
claim, through `credits.claims`, which checks again and writes the audit trail.
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cmeconf.activities.models import Session
from cmeconf.common.spreadsheet import safe_cell
from cmeconf.credits import claims
from cmeconf.credits.forms_claims import CorrectForm, RecomputeForm, SearchForm, StaffWithdrawForm
from cmeconf.credits.models import Claim, ClaimStatus
from cmeconf.credits.types import REGISTRY
from cmeconf.providers.access import in_activity_time, staff_required
from cmeconf.providers.forms import add_service_errors
from cmeconf.providers.models import Provider
from cmeconf.providers.permissions import Permission

VIEW_PERMISSIONS = frozenset({Permission.CREDIT, Permission.REPORTS})
PAGE_SIZE = 100

CSV_COLUMNS = [
    "claim_id",
    "last_name",
    "first_name",
    "email",
    "profession",
    "credit_type",
    "board",
    "status",
    "amount",
    "designated_maximum",
    "measured_minutes",
    "claimed_at",
    "consent_to_report",
    "reported_at",
    "corrections",
]


def _can_view(request: HttpRequest) -> None:
    if not VIEW_PERMISSIONS & request.perms:
        raise PermissionDenied(_("Your teams do not allow this."))


def _can_change(request: HttpRequest) -> None:
    if Permission.CREDIT not in request.perms:
        raise PermissionDenied(_("Only credit staff may change claims."))


def _context(request: HttpRequest, provider, activity, **extra) -> dict:
    return {
        "provider": provider,
        "activity": activity,
        "perms": request.perms,
        "tab": "claims",
        "can_change": Permission.CREDIT in request.perms,
        **extra,
    }


def _label(credit_type: str, board: str = "") -> str:
    credit_rule = REGISTRY.get(credit_type)
    label = credit_rule.label if credit_rule else credit_type
    return f"{label} ({board})" if board else label


def _filtered(activity, search: SearchForm) -> QuerySet[Claim]:
    qs = Claim.objects.filter(activity=activity)
    text = ""
    include_withdrawn = False
    if search.is_valid():
        text = search.cleaned_data["q"].strip()
        include_withdrawn = search.cleaned_data["include_withdrawn"]
    if not include_withdrawn:
        qs = qs.filter(status=ClaimStatus.CLAIMED)
    for word in text.split():
        qs = qs.filter(
            Q(person__first_name__icontains=word)
            | Q(person__last_name__icontains=word)
            | Q(person__email__icontains=word)
        )
    return qs


def _totals(activity) -> list[dict]:
    rows = (
        Claim.objects.filter(activity=activity, status=ClaimStatus.CLAIMED)
        .values("credit_type", "board")
        .annotate(claims=Count("id"), total=Sum("amount"))
        .order_by("credit_type", "board")
    )
    return [{**row, "label": _label(row["credit_type"], row["board"])} for row in rows]


@require_safe
@staff_required()
@in_activity_time
def claim_list(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    _can_view(request)
    search = SearchForm(request.GET or None)
    qs = (
        _filtered(activity, search)
        .select_related("person")
        .annotate(n_corrections=Count("corrections"))
        .order_by("person__last_name", "person__first_name", "person_id", "credit_type", "board")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(c, _label(c.credit_type, c.board)) for c in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "credits/staff/claims.html",
        _context(
            request,
            provider,
            activity,
            search=search,
            searched=bool(request.GET.get("q", "").strip()),
            totals=_totals(activity),
            rows=rows,
            page=page,
            query=query.urlencode(),
        ),
    )


@require_safe
@staff_required()
@in_activity_time
def claim_csv(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    """The claims as the list shows them (the same search), one row per claim."""
    _can_view(request)
    search = SearchForm(request.GET or None)
    qs = (
        _filtered(activity, search)
        .select_related("person", "designation")
        .annotate(n_corrections=Count("corrections"))
        .order_by("person__last_name", "person__first_name", "person_id", "credit_type", "board")
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{provider.slug}-{activity.slug}-claims.csv"'
    )
    writer = csv.DictWriter(response, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for c in qs:
        row = {
            "claim_id": c.pk,
            "last_name": c.person.last_name,
            "first_name": c.person.first_name,
            "email": c.person.email,
            "profession": c.person.profession,
            "credit_type": c.credit_type,
            "board": c.board,
            "status": c.status,
            "amount": f"{c.amount:.2f}",
            "designated_maximum": f"{c.designation.maximum:.2f}",
            "measured_minutes": c.measured_minutes,
            "claimed_at": c.attested_at.isoformat(),
            "consent_to_report": "yes" if c.consent_to_report else "no",
            "reported_at": c.reported_at.isoformat() if c.reported_at else "",
            "corrections": c.n_corrections,
        }
        writer.writerow({k: safe_cell(v) for k, v in row.items()})
    return response


def _claim(activity, pk: int) -> Claim:
    claim = (
        Claim.objects.filter(pk=pk, activity=activity)
        .select_related("person", "designation")
        .first()
    )
    if claim is None:
        raise Http404(_("No such claim in this activity."))
    claim.activity = activity
    return claim


def _detail(
    request,
    provider,
    activity,
    claim: Claim,
    *,
    correct_form=None,
    recompute_form=None,
    withdraw_form=None,
    status=200,
):
    ids = [int(k) for k in claim.sessions]
    sessions = {s.pk: s for s in Session.objects.filter(pk__in=ids, activity=activity)}
    measured = claims.measure(claim) if claim.credit_type in REGISTRY else None
    now_minutes = measured.sessions if measured else {}
    session_rows = []
    for sid in sorted(
        set(ids) | {int(k) for k in now_minutes}, key=lambda i: (sessions.get(i) is None, i)
    ):
        session = sessions.get(sid)
        if session is None:
            session = Session.objects.filter(pk=sid, activity=activity).first()
        session_rows.append(
            {
                "session": session,
                "at_claim": claim.sessions.get(str(sid)),
                "now": now_minutes.get(str(sid)),
            }
        )
    corrections = claim.corrections.select_related("corrected_by").order_by("corrected_at", "id")
    return render(
        request,
        "credits/staff/claims_detail.html",
        _context(
            request,
            provider,
            activity,
            claim=claim,
            label=_label(claim.credit_type, claim.board),
            session_rows=session_rows,
            measured=measured,
            corrections=corrections,
            correct_form=correct_form or CorrectForm(initial={"amount": claim.amount}),
            recompute_form=recompute_form or RecomputeForm(),
            withdraw_form=withdraw_form or StaffWithdrawForm(),
            is_live=claim.status == ClaimStatus.CLAIMED,
        ),
        status=status,
    )


@require_safe
@staff_required()
@in_activity_time
def claim_detail(request: HttpRequest, provider: Provider, activity, pk: int) -> HttpResponse:
    _can_view(request)
    return _detail(request, provider, activity, _claim(activity, pk))


def _back(provider, activity, claim) -> HttpResponse:
    return redirect("staff:claim", provider.slug, activity.slug, claim.pk)


@require_POST
@staff_required()
@in_activity_time
def correct(request: HttpRequest, provider: Provider, activity, pk: int) -> HttpResponse:
    _can_change(request)
    claim = _claim(activity, pk)
    form = CorrectForm(request.POST)
    if form.is_valid():
        try:
            claims.correct_claim(claim, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The claim is corrected."))
            return _back(provider, activity, claim)
    return _detail(request, provider, activity, claim, correct_form=form, status=400)


@require_POST
@staff_required()
@in_activity_time
def recompute(request: HttpRequest, provider: Provider, activity, pk: int) -> HttpResponse:
    _can_change(request)
    claim = _claim(activity, pk)
    form = RecomputeForm(request.POST)
    if form.is_valid():
        try:
            correction = claims.recompute_claim(claim, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Recomputed: %(before)s to %(after)s.")
                % {
                    "before": f"{correction.before_amount:.2f}",
                    "after": f"{correction.after_amount:.2f}",
                },
            )
            return _back(provider, activity, claim)
    return _detail(request, provider, activity, claim, recompute_form=form, status=400)


@require_POST
@staff_required()
@in_activity_time
def withdraw(request: HttpRequest, provider: Provider, activity, pk: int) -> HttpResponse:
    _can_change(request)
    claim = _claim(activity, pk)
    form = StaffWithdrawForm(request.POST)
    if form.is_valid():
        try:
            claims.withdraw_claim(claim, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The claim is withdrawn."))
            return _back(provider, activity, claim)
    return _detail(request, provider, activity, claim, withdraw_form=form, status=400)
