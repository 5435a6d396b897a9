"""Staff pages of an activity's commercial support: agreements, supporters, ledger, report.

Teams with program, disclosure review or reports permission see them; only program
changes anything. Every change goes through integrity.support.
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cmeconf.common.spreadsheet import safe_cell
from cmeconf.integrity import support
from cmeconf.integrity.choices import INELIGIBLE_COMPANY_DEFINITION
from cmeconf.integrity.forms import COMPANY_LIST_ID
from cmeconf.integrity.forms_support import (
    AgreementForm,
    EntryForm,
    SignForm,
    SupporterForm,
    VoidForm,
)
from cmeconf.integrity.models import CommercialSupporter, LedgerEntry, SupportAgreement
from cmeconf.providers.access import staff_required
from cmeconf.providers.forms import add_service_errors
from cmeconf.providers.models import Provider
from cmeconf.providers.permissions import Permission

VIEW_PERMISSIONS = frozenset({Permission.PROGRAM, Permission.REVIEW, Permission.REPORTS})


def _can_view(request: HttpRequest) -> None:
    if not VIEW_PERMISSIONS & request.perms:
        raise PermissionDenied(_("Your teams do not allow this."))


def _can_change(request: HttpRequest) -> None:
    if Permission.PROGRAM not in request.perms:
        raise PermissionDenied(_("Only teams with program permission change commercial support."))


def _context(request: HttpRequest, provider, activity, section: str, **extra) -> dict:
    return {
        "provider": provider,
        "activity": activity,
        "perms": request.perms,
        "tab": "support",
        "section": section,
        "can_change": Permission.PROGRAM in request.perms,
        **extra,
    }


def _agreement(activity, pk: int) -> SupportAgreement:
    """The agreement, if it is one of this activity's."""
    agreement = (
        SupportAgreement.objects.filter(activity=activity, pk=pk)
        .select_related("supporter__company", "activity", "created_by")
        .first()
    )
    if agreement is None:
        raise Http404(_("No such agreement in this activity."))
    return agreement


def _back(provider, activity, name: str = "staff:support") -> HttpResponse:
    return redirect(name, provider.slug, activity.slug)


# --- the Support tab -----------------------------------------------------------------------


@require_safe
@staff_required()
def support_index(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    _can_view(request)
    agreements = support.agreements_of(activity)
    for a in agreements:
        a.activity = activity
    rows = [{"agreement": a, "status": support.agreement_status(a)} for a in agreements]
    supporters = list(
        CommercialSupporter.objects.filter(provider=provider).select_related("company")
    )
    return render(
        request,
        "integrity/support/index.html",
        _context(
            request,
            provider,
            activity,
            "agreements",
            rows=rows,
            supporters=supporters,
            problems=support.support_problems(activity),
        ),
    )


@staff_required()
def supporter_add(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    """Add an ineligible company of the registry as one of the provider's supporters."""
    _can_change(request)
    form = SupporterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            supporter = support.add_supporter(
                provider,
                company=form.cleaned_data["company"],
                by=request.user,
                contact_name=form.cleaned_data["contact_name"],
                contact_email=form.cleaned_data["contact_email"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(company)s is a commercial supporter of %(provider)s.")
                % {"company": supporter.company.name, "provider": provider.name},
            )
            return _back(provider, activity)
    return render(
        request,
        "integrity/support/supporter_form.html",
        _context(
            request,
            provider,
            activity,
            "agreements",
            form=form,
            definition=INELIGIBLE_COMPANY_DEFINITION,
            company_list_id=COMPANY_LIST_ID,
            companies_url=reverse("integrity:company_search"),
        ),
        status=400 if form.errors else 200,
    )


# --- agreements ----------------------------------------------------------------------------


@staff_required()
def agreement_create(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    _can_change(request)
    form = AgreementForm(request.POST or None, provider=provider)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = support.create_agreement(activity, by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Agreement with %(company)s recorded. Record both signatures next.")
                % {"company": agreement.supporter.company.name},
            )
            return redirect("staff:support_agreement", provider.slug, activity.slug, agreement.pk)
    return render(
        request,
        "integrity/support/agreement_form.html",
        _context(request, provider, activity, "agreements", form=form, agreement=None),
        status=400 if form.errors else 200,
    )


@staff_required()
def agreement_edit(
    request: HttpRequest, provider: Provider, activity, agreement: int
) -> HttpResponse:
    _can_change(request)
    obj = _agreement(activity, agreement)
    form = AgreementForm(
        request.POST or None, provider=provider, initial=AgreementForm.initial_from(obj)
    )
    if request.method == "POST" and form.is_valid():
        try:
            support.update_agreement(obj, by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The agreement was saved."))
            return redirect("staff:support_agreement", provider.slug, activity.slug, obj.pk)
    status = support.agreement_status(obj)
    return render(
        request,
        "integrity/support/agreement_form.html",
        _context(
            request, provider, activity, "agreements", form=form, agreement=obj, status=status
        ),
        status=400 if form.errors else 200,
    )


def _agreement_page(request, provider, activity, obj, bound: SignForm | None = None, party=""):
    forms = {p: SignForm.make(p) for p in support.PARTIES}
    if bound is not None:
        forms[party] = bound
    return render(
        request,
        "integrity/support/agreement.html",
        _context(
            request,
            provider,
            activity,
            "agreements",
            agreement=obj,
            status=support.agreement_status(obj),
            sign_forms=forms,
            entries=list(obj.ledger_entries.filter(voided_at__isnull=True).order_by("date", "id")),
        ),
        status=400 if bound is not None else 200,
    )


@require_safe
@staff_required()
def agreement_detail(
    request: HttpRequest, provider: Provider, activity, agreement: int
) -> HttpResponse:
    _can_view(request)
    return _agreement_page(request, provider, activity, _agreement(activity, agreement))


@require_POST
@staff_required()
def agreement_sign(
    request: HttpRequest, provider: Provider, activity, agreement: int, party: str
) -> HttpResponse:
    _can_change(request)
    obj = _agreement(activity, agreement)
    if party not in support.PARTIES:
        raise Http404(_("An agreement is signed by the provider or the supporter."))
    form = SignForm.make(party, request.POST)
    if form.is_valid():
        try:
            support.sign_agreement(
                obj,
                by=request.user,
                party=party,
                signatory=form.cleaned_data["signatory"],
                signed_on=form.cleaned_data["signed_on"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            obj.refresh_from_db()
            status = support.agreement_status(obj)
            if status.late:
                messages.warning(
                    request,
                    _(
                        "Signature recorded. It is dated after the activity started: the "
                        "agreement is flagged as signed late."
                    ),
                )
            else:
                messages.success(request, _("Signature recorded."))
            return redirect("staff:support_agreement", provider.slug, activity.slug, obj.pk)
    return _agreement_page(request, provider, activity, obj, bound=form, party=party)


# --- ledger --------------------------------------------------------------------------------


def _ledger_page(request, provider, activity, form: EntryForm, void_bound=None, status=200):
    report = support.accounting_report(activity)
    void_forms = {e.pk: VoidForm.make(e.pk) for e in report.entries if e.voided_at is None}
    if void_bound is not None:
        void_forms[void_bound[0]] = void_bound[1]
    rows = [{"entry": e, "void_form": void_forms.get(e.pk)} for e in report.entries]
    return render(
        request,
        "integrity/support/ledger.html",
        _context(request, provider, activity, "ledger", form=form, rows=rows, report=report),
        status=status,
    )


@staff_required()
def ledger(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    """The receipts and expenses of the activity's support; program adds entries here."""
    _can_view(request)
    if request.method == "POST":
        _can_change(request)
    elif request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    form = EntryForm(request.POST or None, activity=activity)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = support.record_entry(
                activity,
                by=request.user,
                kind=data["kind"],
                date=data["date"],
                amount=data["amount"],
                agreement=data["agreement"],
                category=data["category"],
                payee=data["payee"],
                description=data["description"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(kind)s of %(amount)s recorded.")
                % {"kind": entry.get_kind_display(), "amount": f"{entry.amount:,.2f}"},
            )
            return _back(provider, activity, "staff:support_ledger")
    return _ledger_page(request, provider, activity, form, status=400 if form.errors else 200)


@require_POST
@staff_required()
def entry_void(request: HttpRequest, provider: Provider, activity, entry: int) -> HttpResponse:
    _can_change(request)
    obj = LedgerEntry.objects.filter(activity=activity, pk=entry).first()
    if obj is None:
        raise Http404(_("No such entry in this activity's ledger."))
    form = VoidForm.make(obj.pk, request.POST)
    if form.is_valid():
        try:
            support.void_entry(obj, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The entry was voided; it stays in the ledger."))
            return _back(provider, activity, "staff:support_ledger")
    return _ledger_page(
        request,
        provider,
        activity,
        EntryForm(activity=activity),
        void_bound=(obj.pk, form),
        status=400,
    )


# --- accounting report ---------------------------------------------------------------------


@require_safe
@staff_required()
def report(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    _can_view(request)
    return render(
        request,
        "integrity/support/report.html",
        _context(request, provider, activity, "report", report=support.accounting_report(activity)),
    )


@require_safe
@staff_required()
def report_csv(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    _can_view(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{provider.slug}-{activity.slug}-commercial-support.csv"'
    )
    writer = csv.DictWriter(response, fieldnames=support.ROW_COLUMNS)
    writer.writeheader()
    for row in support.accounting_rows(activity):
        writer.writerow({k: safe_cell(v) for k, v in row.items()})
    return response
