"""Staff pages of registration: set-up, types and prices, promo codes, questions, registrants.

Every page needs the team permission "registration". Changes go through
registration.setup (the set-up) and registration.services (registrations, payments).
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cmeconf.common.spreadsheet import safe_cell
from cmeconf.providers.access import in_activity_time, staff_required
from cmeconf.providers.forms import add_service_errors
from cmeconf.providers.models import Provider
from cmeconf.providers.permissions import Permission
from cmeconf.registration import services, setup
from cmeconf.registration.choices import PaymentStatus, RegistrationStatus
from cmeconf.registration.forms_staff import (
    CancelForm,
    PaidForm,
    PromoForm,
    QuestionForm,
    RegistrantFilterForm,
    SetupForm,
    TierForm,
    TypeForm,
)
from cmeconf.registration.models import (
    PriceTier,
    PromoCode,
    Question,
    Registration,
    RegistrationSetup,
    RegistrationType,
)

REG = Permission.REGISTRATION

CSV_COLUMNS = [
    "registration",
    "last_name",
    "first_name",
    "email",
    "type",
    "status",
    "price_label",
    "price",
    "discount",
    "paid",
    "currency",
    "promo_code",
    "group",
    "registered",
    "confirmed",
    "cancelled",
]


def _context(request: HttpRequest, provider, activity, section: str, **extra) -> dict:
    return {
        "provider": provider,
        "activity": activity,
        "perms": request.perms,
        "tab": "registration",
        "section": section,
        **extra,
    }


def _back(name: str, provider, activity, *args) -> HttpResponse:
    return redirect(f"staff:{name}", provider.slug, activity.slug, *args)


def _one(model, pk: int, **lookup):
    """The object if the lookup (which names the activity) finds it; never another's."""
    obj = model.objects.filter(pk=pk, **lookup).first()
    if obj is None:
        raise Http404(_("Not found in this activity."))
    return obj


def _paid(registration: Registration) -> object:
    return registration.paid_total or 0


# --- registrants ---------------------------------------------------------------------------


def _registrants(activity, form: RegistrantFilterForm):
    regs = (
        Registration.objects.filter(activity=activity)
        .select_related("person", "registration_type", "promo_code", "group")
        .annotate(paid_total=Sum("payments__amount", filter=Q(payments__status=PaymentStatus.PAID)))
        .order_by("person__last_name", "person__first_name", "id")
    )
    if form.is_valid():
        text = form.cleaned_data["q"].strip()
        if text:
            for word in text.split():
                regs = regs.filter(
                    Q(person__first_name__icontains=word)
                    | Q(person__last_name__icontains=word)
                    | Q(person__email__icontains=word)
                )
        if form.cleaned_data["type"] is not None:
            regs = regs.filter(registration_type=form.cleaned_data["type"])
        if form.cleaned_data["status"]:
            regs = regs.filter(status=form.cleaned_data["status"])
    return regs


# A page the desk can scroll; the CSV has everyone.
REGISTRANTS_PER_PAGE = 100


@require_safe
@staff_required(REG)
@in_activity_time
def registrants(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    form = RegistrantFilterForm(request.GET or None, activity=activity)
    page = Paginator(_registrants(activity, form), REGISTRANTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    filters = request.GET.copy()
    filters.pop("page", None)
    by_status = dict(
        Registration.objects.filter(activity=activity)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    counts = [
        (value, label, by_status.get(value, 0)) for value, label in RegistrationStatus.choices
    ]
    types = [
        {"type": t, "seats_left": services.seats_left(activity, t)}
        for t in RegistrationType.objects.filter(activity=activity)
    ]
    return render(
        request,
        "registration/staff/registrants.html",
        _context(
            request,
            provider,
            activity,
            "registrants",
            form=form,
            rows=page.object_list,
            page=page,
            filters=filters.urlencode(),
            counts=counts,
            total=sum(by_status.values()),
            types=types,
            seats_left=services.seats_left(activity),
            has_setup=RegistrationSetup.objects.filter(activity=activity).exists(),
            query=request.GET.urlencode(),
        ),
    )


@require_safe
@staff_required(REG)
@in_activity_time
def registrants_csv(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    """The registrants as the list shows them (the same search and filters)."""
    form = RegistrantFilterForm(request.GET or None, activity=activity)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{provider.slug}-{activity.slug}-registrants.csv"'
    )
    writer = csv.DictWriter(response, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for r in _registrants(activity, form):
        row = {
            "registration": r.pk,
            "last_name": r.person.last_name,
            "first_name": r.person.first_name,
            "email": r.person.email,
            "type": r.registration_type.name,
            "status": r.get_status_display(),
            "price_label": r.price_label,
            "price": r.price,
            "discount": r.discount,
            "paid": _paid(r),
            "currency": r.currency,
            "promo_code": r.promo_code.code if r.promo_code else "",
            "group": r.group.name if r.group else "",
            "registered": r.created.isoformat(),
            "confirmed": r.confirmed_at.isoformat() if r.confirmed_at else "",
            "cancelled": r.cancelled_at.isoformat() if r.cancelled_at else "",
        }
        writer.writerow({k: safe_cell(v) for k, v in row.items()})
    return response


def _registrant(activity, pk: int) -> Registration:
    reg = (
        Registration.objects.filter(activity=activity, pk=pk)
        .select_related("person", "registration_type", "promo_code", "group", "activity")
        .annotate(paid_total=Sum("payments__amount", filter=Q(payments__status=PaymentStatus.PAID)))
        .first()
    )
    if reg is None:
        raise Http404(_("No such registration in this activity."))
    return reg


def _registrant_page(
    request, provider, activity, reg, *, paid_form=None, cancel_form=None, status=200
):
    due = max(reg.amount_due - _paid(reg), 0)
    return render(
        request,
        "registration/staff/registrant.html",
        _context(
            request,
            provider,
            activity,
            "registrants",
            reg=reg,
            due=due,
            payments=list(reg.payments.order_by("created", "id")),
            can_pay=reg.status == RegistrationStatus.PENDING_PAYMENT and due > 0,
            can_cancel=reg.status != RegistrationStatus.CANCELLED,
            paid_form=paid_form or PaidForm(initial={"amount": due}, prefix="paid"),
            cancel_form=cancel_form or CancelForm(prefix="cancel"),
        ),
        status=status,
    )


@require_safe
@staff_required(REG)
@in_activity_time
def registrant(request: HttpRequest, provider: Provider, activity, registration: int):
    reg = _registrant(activity, registration)
    return _registrant_page(request, provider, activity, reg)


@require_POST
@staff_required(REG)
@in_activity_time
def registrant_paid(request: HttpRequest, provider: Provider, activity, registration: int):
    """Record an invoice or on-site payment; the registration is confirmed once covered."""
    reg = _registrant(activity, registration)
    form = PaidForm(request.POST, prefix="paid")
    if form.is_valid():
        try:
            services.confirm_payment(
                reg,
                by=request.user,
                method=form.cleaned_data["method"],
                amount=form.cleaned_data["amount"],
                reference=form.cleaned_data["reference"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            reg.refresh_from_db()
            messages.success(
                request,
                _("Payment recorded for %(name)s: %(status)s.")
                % {"name": reg.person.display_name, "status": reg.get_status_display()},
            )
            return _back("registration_registrant", provider, activity, reg.pk)
    return _registrant_page(request, provider, activity, reg, paid_form=form, status=400)


@require_POST
@staff_required(REG)
@in_activity_time
def registrant_cancel(request: HttpRequest, provider: Provider, activity, registration: int):
    reg = _registrant(activity, registration)
    form = CancelForm(request.POST, prefix="cancel")
    if form.is_valid():
        try:
            services.cancel(reg, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The registration of %(name)s is cancelled.") % {"name": reg.person.display_name},
            )
            return _back("registration_registrant", provider, activity, reg.pk)
    return _registrant_page(request, provider, activity, reg, cancel_form=form, status=400)


# --- set-up --------------------------------------------------------------------------------


@staff_required(REG)
@in_activity_time
def setup_edit(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    current = RegistrationSetup.objects.filter(activity=activity).first()
    initial = {f: getattr(current, f) for f in setup.SETUP_FIELDS} if current else None
    form = SetupForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            setup.save_setup(activity, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Registration set-up saved."))
            return _back("registration_setup", provider, activity)
    return render(
        request,
        "registration/staff/setup.html",
        _context(request, provider, activity, "setup", form=form, current=current),
        status=400 if form.errors else 200,
    )


# --- types and prices ----------------------------------------------------------------------


def _tier_form(reg_type: RegistrationType, data=None) -> TierForm:
    # One form per type on the page: the same field names, ids of their own.
    return TierForm(data, prefix="tier", auto_id=f"id_type{reg_type.pk}_%s")


def _types_page(request, provider, activity, *, form=None, tier_forms=None, status=200):
    types = list(RegistrationType.objects.filter(activity=activity).prefetch_related("prices"))
    tier_forms = tier_forms or {}
    rows = [
        {
            "type": t,
            "seats_left": services.seats_left(activity, t),
            "tier_form": tier_forms.get(t.pk) or _tier_form(t),
        }
        for t in types
    ]
    return render(
        request,
        "registration/staff/types.html",
        _context(
            request,
            provider,
            activity,
            "types",
            rows=rows,
            form=form or TypeForm(prefix="type"),
            currency=getattr(
                RegistrationSetup.objects.filter(activity=activity).first(), "currency", ""
            ),
        ),
        status=status,
    )


@staff_required(REG)
@in_activity_time
def types(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    """The types with their prices; the form below adds a type."""
    if request.method != "POST":
        return _types_page(request, provider, activity)
    form = TypeForm(request.POST, prefix="type")
    if form.is_valid():
        try:
            reg_type = setup.create_type(activity, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Registration type “%(name)s” added.") % {"name": reg_type.name}
            )
            return _back("registration_types", provider, activity)
    return _types_page(request, provider, activity, form=form, status=400)


@staff_required(REG)
@in_activity_time
def type_edit(request: HttpRequest, provider: Provider, activity, type: int) -> HttpResponse:
    reg_type = _one(RegistrationType, type, activity=activity)
    initial = {f: getattr(reg_type, f) for f in setup.TYPE_FIELDS}
    form = TypeForm(request.POST or None, initial=initial, prefix="type")
    if request.method == "POST" and form.is_valid():
        try:
            setup.update_type(reg_type, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Registration type saved."))
            return _back("registration_types", provider, activity)
    return render(
        request,
        "registration/staff/type_form.html",
        _context(request, provider, activity, "types", form=form, reg_type=reg_type),
        status=400 if form.errors else 200,
    )


@require_POST
@staff_required(REG)
@in_activity_time
def tier_add(request: HttpRequest, provider: Provider, activity, type: int) -> HttpResponse:
    reg_type = _one(RegistrationType, type, activity=activity)
    form = _tier_form(reg_type, request.POST)
    if form.is_valid():
        try:
            setup.add_tier(reg_type, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Price added to %(name)s.") % {"name": reg_type.name})
            return _back("registration_types", provider, activity)
    return _types_page(request, provider, activity, tier_forms={reg_type.pk: form}, status=400)


@require_POST
@staff_required(REG)
@in_activity_time
def tier_remove(request: HttpRequest, provider: Provider, activity, tier: int) -> HttpResponse:
    price = _one(PriceTier, tier, registration_type__activity=activity)
    setup.remove_tier(price, by=request.user)
    messages.success(request, _("Price “%(label)s” removed.") % {"label": price.label})
    return _back("registration_types", provider, activity)


# --- promo codes ---------------------------------------------------------------------------


def _promos_page(request, provider, activity, *, form=None, status=200):
    promos = list(
        PromoCode.objects.filter(activity=activity)
        .prefetch_related("registration_types")
        .annotate(
            used=Count(
                "registrations", filter=~Q(registrations__status=RegistrationStatus.CANCELLED)
            )
        )
        .order_by("code")
    )
    return render(
        request,
        "registration/staff/promos.html",
        _context(
            request,
            provider,
            activity,
            "promos",
            promos=promos,
            form=form or PromoForm(activity=activity, prefix="promo"),
        ),
        status=status,
    )


@staff_required(REG)
@in_activity_time
def promos(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    if request.method != "POST":
        return _promos_page(request, provider, activity)
    form = PromoForm(request.POST, activity=activity, prefix="promo")
    if form.is_valid():
        try:
            promo = setup.create_promo(activity, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Promo code %(code)s added.") % {"code": promo.code})
            return _back("registration_promos", provider, activity)
    return _promos_page(request, provider, activity, form=form, status=400)


@staff_required(REG)
@in_activity_time
def promo_edit(request: HttpRequest, provider: Provider, activity, promo: int) -> HttpResponse:
    code = _one(PromoCode, promo, activity=activity)
    initial = {f: getattr(code, f) for f in setup.PROMO_FIELDS if f != "registration_types"}
    initial["registration_types"] = list(code.registration_types.all())
    form = PromoForm(request.POST or None, initial=initial, activity=activity, prefix="promo")
    if request.method == "POST" and form.is_valid():
        try:
            setup.update_promo(code, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Promo code %(code)s saved.") % {"code": code.code})
            return _back("registration_promos", provider, activity)
    return render(
        request,
        "registration/staff/promo_form.html",
        _context(request, provider, activity, "promos", form=form, promo=code),
        status=400 if form.errors else 200,
    )


# --- questions -----------------------------------------------------------------------------


@staff_required(REG)
@in_activity_time
def questions(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    form = QuestionForm(request.POST or None, prefix="question")
    if request.method == "POST" and form.is_valid():
        try:
            question = setup.add_question(activity, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Question “%(q)s” added.") % {"q": question.label})
            return _back("registration_questions", provider, activity)
    return render(
        request,
        "registration/staff/questions.html",
        _context(
            request,
            provider,
            activity,
            "questions",
            form=form,
            questions=list(Question.objects.filter(activity=activity)),
        ),
        status=400 if form.errors else 200,
    )


@require_POST
@staff_required(REG)
@in_activity_time
def question_remove(
    request: HttpRequest, provider: Provider, activity, question: int
) -> HttpResponse:
    q = _one(Question, question, activity=activity)
    setup.remove_question(q, by=request.user)
    messages.success(request, _("Question “%(q)s” removed.") % {"q": q.label})
    return _back("registration_questions", provider, activity)
