"""The learner's licensure pages: licences, certifications, credits, the dashboard, gap fillers.

Thin: the state of each licence comes from services.reports, the sessions that
fill a gap from fill.fillers. Every object is looked up among the logged-in
person's own, so another person's id is a 404, never a page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from cmeconf.licensure import engine, fill, platform, services, vocabulary
from cmeconf.licensure.display import requirement_label
from cmeconf.licensure.forms import (
    BoardCertificationForm,
    CreditForm,
    CreditImportForm,
    LicenceForm,
)
from cmeconf.licensure.imports import CreditImportError, import_credits_csv
from cmeconf.licensure.models import BoardCertification, ExternalCredit, Licence

# Why a credit did not count, as a learner reads it.
REASONS: dict[engine.Reason, str] = {
    engine.Reason.OUTSIDE_WINDOW: gettext_lazy("completed before this renewal period began"),
    engine.Reason.AFTER_DUE: gettext_lazy("completed after the due date: counts next time"),
    engine.Reason.WRONG_CREDIT_TYPE: gettext_lazy("a credit type this requirement does not accept"),
    engine.Reason.OVER_CAP: gettext_lazy("above the most this kind of credit may count for"),
    engine.Reason.NOT_APPROVED_PROVIDER: gettext_lazy("the course lacks the approval required"),
    engine.Reason.WRONG_FORMAT: gettext_lazy("delivered in a format this topic does not accept"),
    engine.Reason.TOPIC_NOT_MATCHING: gettext_lazy("not on this topic"),
    engine.Reason.SHARED_NOT_ALLOWED: gettext_lazy(
        "already used for another mandate it may not be shared with"
    ),
    engine.Reason.SEPARATE_REQUIREMENT: gettext_lazy(
        "used for a mandate that is kept apart from the total"
    ),
}

# Reasons that say nothing new on a topic mandate: most credits are simply on other topics.
_QUIET_ON_TOPICS = {engine.Reason.TOPIC_NOT_MATCHING}


@dataclass(frozen=True)
class CreditLine:
    title: str
    date: dt.date | None
    amount: Decimal | None = None
    reason: str = ""


@dataclass(frozen=True)
class RequirementRow:
    status: engine.RequirementStatus
    label: str
    unit: str
    percent: int
    counted: list[CreditLine]
    not_counted: list[CreditLine]
    overdue: bool  # its deadline has passed with the gap still open


@dataclass(frozen=True)
class LicenceCard:
    report: services.LicenceReport
    label: str
    days_left: int | None
    rows: list[RequirementRow]
    as_of: dt.date | None
    checked_on: str
    confidence: str

    @property
    def days_overdue(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


def _amount(value: Decimal) -> str:
    """1.50 as "1.5", 10.00 as "10": certificates print amounts that way."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _credit_lines(person) -> dict[str, tuple[str, dt.date | None]]:
    lines: dict[str, tuple[str, dt.date | None]] = {
        services.CARRIED_IN: (_("Carried over from the last cycle"), None)
    }
    for pk, title, day in ExternalCredit.objects.filter(person=person).values_list(
        "pk", "title", "completed_on"
    ):
        lines[services.engine_credit_id(pk)] = (title, day)
    lines.update(platform.platform_credits(person.pk)[1])
    return lines


def _row(
    status: engine.RequirementStatus, unit: str, credits: dict, today: dt.date
) -> RequirementRow:
    if status.required:
        percent = min(100, int(status.counted * 100 / status.required))
    else:
        percent = 100 if status.met else 0
    counted = [
        CreditLine(*credits.get(cid, (cid, None)), amount=amount)
        for cid, amount in status.counted_from
    ]
    quiet = _QUIET_ON_TOPICS if status.kind == "topic" else set()
    not_counted = [
        CreditLine(*credits.get(cid, (cid, None)), reason=str(REASONS.get(why, why.value)))
        for cid, why in status.not_counted
        if why not in quiet
    ]
    overdue = services.is_open(status) and status.deadline is not None and status.deadline < today
    return RequirementRow(
        status, requirement_label(status), unit, percent, counted, not_counted, overdue
    )


def _card(report: services.LicenceReport, today: dt.date, credits: dict) -> LicenceCard:
    rs = report.requirement_set
    unit = str(vocabulary.UNITS.get(rs.total.unit, rs.total.unit))
    status = report.status
    rows = [
        _row(r, unit, credits, today)
        for r in (status.requirements if status else ())
        # A cap nobody reached is no news.
        if not (r.kind == "credit_type_cap" and r.met and not r.not_counted)
    ]
    return LicenceCard(
        report=report,
        label=services.set_label(rs),
        days_left=(status.due - today).days if status else None,
        rows=rows,
        as_of=rs.as_of,
        checked_on=rs.version,
        confidence=str(vocabulary.CONFIDENCE_LEVELS.get(rs.confidence, "")),
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def dashboard(request: HttpRequest) -> HttpResponse:
    person = request.user
    today = timezone.localdate()
    credits = _credit_lines(person)
    cards = [_card(r, today, credits) for r in services.reports(person, today=today)]
    return render(
        request,
        "licensure/dashboard.html",
        {
            "cards": cards,
            "today": today,
            "certifications": BoardCertification.objects.filter(person=person),
            "credit_count": len(credits) - 1,
            "nav": "licensure",
        },
    )


def _own_licence(request: HttpRequest, pk: int) -> Licence:
    return get_object_or_404(Licence, pk=pk, person=request.user)


def _form_page(request: HttpRequest, template: str, **context) -> HttpResponse:
    return render(request, template, {"nav": "licensure", **context})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def licence_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    licence = _own_licence(request, pk) if pk is not None else None
    form = LicenceForm(request.POST or None, instance=licence, person=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = form.save()
        except ValidationError as error:  # the same licence, saved a moment ago
            for field, problems in error.message_dict.items():
                for message in problems:
                    form.add_error(field if field in form.fields else None, message)
        else:
            label = services.set_label(services.requirement_sets()[saved.requirement_set])
            messages.success(request, _("Licence saved: %(licence)s.") % {"licence": label})
            return redirect("licensure:dashboard")
    return _form_page(request, "licensure/licence_form.html", form=form, licence=licence)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def licence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    licence = _own_licence(request, pk)
    if request.method == "POST":
        licence.delete()
        messages.success(request, _("The licence was removed."))
        return redirect("licensure:dashboard")
    return _form_page(
        request,
        "licensure/confirm_delete.html",
        what=_("the licence %(licence)s") % {"licence": licence},
        back=reverse("licensure:dashboard"),
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def licence_fill(request: HttpRequest, pk: int) -> HttpResponse:
    licence = _own_licence(request, pk)
    today = timezone.localdate()
    report = services.report(licence, today=today)
    if report is None:
        raise Http404  # its requirement set is no longer shipped
    rows = [
        {"filler": f, "closes": [requirement_label(g) for g in f.closes]}
        for f in fill.fillers(report, now=timezone.now())
    ]
    return _form_page(
        request,
        "licensure/fill.html",
        report=report,
        label=services.set_label(report.requirement_set),
        gaps=[{"status": g, "label": requirement_label(g)} for g in report.open_gaps],
        today=today,
        rows=rows,
        unit=str(vocabulary.UNITS.get(report.requirement_set.total.unit, "")),
        here=request.path,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def certification_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    cert = (
        get_object_or_404(BoardCertification, pk=pk, person=request.user)
        if pk is not None
        else None
    )
    form = BoardCertificationForm(request.POST or None, instance=cert, person=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Board certification saved."))
        return redirect("licensure:dashboard")
    return _form_page(request, "licensure/certification_form.html", form=form, cert=cert)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def certification_delete(request: HttpRequest, pk: int) -> HttpResponse:
    cert = get_object_or_404(BoardCertification, pk=pk, person=request.user)
    if request.method == "POST":
        cert.delete()
        messages.success(request, _("The board certification was removed."))
        return redirect("licensure:dashboard")
    return _form_page(
        request,
        "licensure/confirm_delete.html",
        what=_("the board certification %(cert)s") % {"cert": cert},
        back=reverse("licensure:dashboard"),
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def credit_list(request: HttpRequest) -> HttpResponse:
    credits = ExternalCredit.objects.filter(person=request.user).select_related("source_import")
    rows = [
        {
            "credit": c,
            "amounts": [
                (_amount(Decimal(a)), vocabulary.CREDIT_TYPES.get(code, code))
                for code, a in c.amounts.items()
            ],
            "topics": [vocabulary.TOPICS.get(t, t) for t in c.topics],
        }
        for c in credits
    ]
    return _form_page(request, "licensure/credits.html", rows=rows)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def credit_add(request: HttpRequest) -> HttpResponse:
    form = CreditForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        credit = form.save(request.user)
        if credit is not None:
            messages.success(request, _("Credit added: %(title)s.") % {"title": credit.title})
            return redirect("licensure:credits")
    return _form_page(request, "licensure/credit_form.html", form=form)


@login_required
@require_POST
def credit_delete(request: HttpRequest, pk: int) -> HttpResponse:
    credit = get_object_or_404(ExternalCredit, pk=pk, person=request.user)
    services.delete_credit(credit)
    messages.success(request, _("Credit removed: %(title)s.") % {"title": credit.title})
    return redirect("licensure:credits")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def credit_import(request: HttpRequest) -> HttpResponse:
    form = CreditImportForm(request.POST or None, request.FILES or None)
    row_errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            done = import_credits_csv(request.user, upload.read(), filename=upload.name)
        except CreditImportError as error:
            row_errors = error.errors
        else:
            messages.success(
                request,
                _("Imported %(n)s credits from %(file)s.")
                % {"n": done.rows, "file": done.filename},
            )
            return redirect("licensure:credits")
    return _form_page(
        request,
        "licensure/credit_import.html",
        form=form,
        row_errors=row_errors,
        credit_types=sorted(vocabulary.CREDIT_TYPES),
    )
