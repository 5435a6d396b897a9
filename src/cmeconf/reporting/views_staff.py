"""Staff pages of reporting: the credit dashboard, the files for accreditors and boards.

Teams with the credit or the reports permission read them and download the files;
each file's check is shown before the download, and a file with blocking problems
is not served. Marking learner rows as reported goes through
`pars_learners.mark_reported`, which writes the audit trail.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cmeconf.providers.access import in_activity_time, staff_required
from cmeconf.providers.models import Provider
from cmeconf.providers.permissions import Permission
from cmeconf.reporting import (
    base,
    ce_broker,
    cpe_monitor,
    dashboard,
    ja_pars,
    pars_activity,
    pars_learners,
)

VIEW_PERMISSIONS = frozenset({Permission.REPORTS, Permission.CREDIT})


FORMATS = ("xml", "json")


def _can_view(request: HttpRequest) -> None:
    if not VIEW_PERMISSIONS & request.perms:
        raise PermissionDenied(_("Your teams do not allow this."))


def _format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Http404(_("No such file."))
    return fmt


def _accme_id(request: HttpRequest) -> str:
    return request.GET.get("accme_activity_id", "").strip()[:20]


def _checks(activity, accme_activity_id: str) -> dict:
    """Every file with its check, for the page."""
    record = pars_activity.build(activity)
    learners = pars_learners.select(activity)
    cpe = cpe_monitor.select(activity)
    roster = ce_broker.select(activity)
    files = {
        "pars_activity": pars_activity.check(activity, record),
        "pars_learners": pars_learners.check(
            activity, learners, accme_activity_id=accme_activity_id
        ),
        "cpe_monitor": cpe_monitor.check(activity, cpe),
        "ce_broker": ce_broker.check(activity, roster),
    }
    joint = base.is_jointly_accredited(activity)
    if joint:
        files["ja_pars"] = ja_pars.check(activity)
    return {
        "record": record,
        "learners": learners,
        "cpe": cpe,
        "roster": roster,
        "files": files,
        "blocked": {name: base.blocking(problems) for name, problems in files.items()},
        "joint": joint,
    }


@require_safe
@staff_required()
@in_activity_time
def credit_reports(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    _can_view(request)
    accme_activity_id = _accme_id(request)
    context = {
        "provider": provider,
        "activity": activity,
        "perms": request.perms,
        "tab": "credit_reports",
        "totals": dashboard.totals(activity),
        "charts": [
            dashboard.learners_by_profession(activity),
            dashboard.credits_by_type(activity),
            dashboard.claims_over_time(activity),
        ],
        "evaluation": dashboard.evaluation_summary(activity),
        "accme_activity_id": accme_activity_id,
        "learner_query": urlencode({"accme_activity_id": accme_activity_id}),
        **_checks(activity, accme_activity_id),
    }
    return render(request, "reporting/staff/credit_reports.html", context)


def _refuse(request, provider, activity, problems) -> HttpResponse:
    for problem in problems:
        if problem.blocks:
            messages.error(request, problem.message)
    url = redirect("staff:credit_reports", provider.slug, activity.slug).url
    query = request.GET.urlencode()
    return redirect(f"{url}?{query}" if query else url)


def _file(content: bytes | str, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _name(activity, stem: str, ext: str) -> str:
    return f"{activity.provider.slug}-{activity.slug}-{stem}.{ext}"


def _activity_file(request, provider, activity, fmt: str, builder, stem: str) -> HttpResponse:
    """The PARS activity record that `builder` (pars_activity or ja_pars) makes, as XML
    or JSON; refused back to the page while a check blocks it."""
    _can_view(request)
    _format(fmt)
    record = builder.build(activity)
    problems = builder.check(activity, record)
    if base.blocking(problems):
        return _refuse(request, provider, activity, problems)
    if fmt == "xml":
        return _file(
            pars_activity.xml_bytes([record]),
            _name(activity, stem, "xml"),
            "application/xml; charset=utf-8",
        )
    return _file(
        pars_activity.json_text([record]),
        _name(activity, stem, "json"),
        "application/json; charset=utf-8",
    )


@require_safe
@staff_required()
@in_activity_time
def pars_activity_file(request: HttpRequest, provider: Provider, activity, fmt: str):
    return _activity_file(request, provider, activity, fmt, pars_activity, "pars-activity")


@require_safe
@staff_required()
@in_activity_time
def ja_pars_file(request: HttpRequest, provider: Provider, activity, fmt: str):
    return _activity_file(request, provider, activity, fmt, ja_pars, "ja-pars-activity")


@require_safe
@staff_required()
@in_activity_time
def pars_learners_file(request: HttpRequest, provider: Provider, activity, fmt: str):
    _can_view(request)
    _format(fmt)
    accme_activity_id = _accme_id(request)
    selection = pars_learners.select(activity)
    problems = pars_learners.check(activity, selection, accme_activity_id=accme_activity_id)
    if base.blocking(problems):
        return _refuse(request, provider, activity, problems)
    # Downloading marks nothing: staff confirm the upload separately.
    if fmt == "xml":
        return _file(
            pars_learners.learners_xml(activity, selection, accme_activity_id=accme_activity_id),
            _name(activity, "pars-learners", "xml"),
            "application/xml; charset=utf-8",
        )
    return _file(
        pars_learners.learners_json(activity, selection, accme_activity_id=accme_activity_id),
        _name(activity, "pars-learners", "json"),
        "application/json; charset=utf-8",
    )


@require_safe
@staff_required()
@in_activity_time
def cpe_monitor_file(request: HttpRequest, provider: Provider, activity):
    _can_view(request)
    selection = cpe_monitor.select(activity)
    problems = cpe_monitor.check(activity, selection)
    if base.blocking(problems):
        return _refuse(request, provider, activity, problems)
    return _file(
        cpe_monitor.csv_text(selection),
        _name(activity, "cpe-monitor", "csv"),
        "text/csv; charset=utf-8",
    )


@require_safe
@staff_required()
@in_activity_time
def ce_broker_file(request: HttpRequest, provider: Provider, activity):
    _can_view(request)
    selection = ce_broker.select(activity)
    problems = ce_broker.check(activity, selection)
    if base.blocking(problems):
        return _refuse(request, provider, activity, problems)
    return _file(
        ce_broker.csv_text(activity, selection),
        _name(activity, "ce-broker", "csv"),
        "text/csv; charset=utf-8",
    )


@require_POST
@staff_required()
@in_activity_time
def mark_reported(request: HttpRequest, provider: Provider, activity):
    _can_view(request)
    try:
        ids = [int(v) for v in request.POST.getlist("claim") if v.strip().isdigit()]
        count = pars_learners.mark_reported(activity, ids, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(n)d rows marked as reported to PARS.") % {"n": count},
        )
    return redirect("staff:credit_reports", provider.slug, activity.slug)
