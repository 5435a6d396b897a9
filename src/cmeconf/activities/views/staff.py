"""Staff backend for activities: list, dashboard, details, planning, lifecycle, audit trail.

Thin: every change goes through a service, every decision through rules or lifecycle.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cmeconf.activities import checklist, hooks, lifecycle, rules
from cmeconf.activities.choices import ActivityState
from cmeconf.activities.forms import (
    ActivityForm,
    AuditFilterForm,
    PlanningForm,
    TransitionForm,
    add_service_errors,
)
from cmeconf.activities.models import PlanningRecord
from cmeconf.activities.services import activities as activity_services
from cmeconf.activities.services import planning_review
from cmeconf.common.models import AuditEntry
from cmeconf.providers.access import staff_required
from cmeconf.providers.models import Provider
from cmeconf.providers.permissions import Permission, permission_set, staff_activities

AUDIT_PAGE_SIZE = 50


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The providers this person works for."""
    providers = (
        Provider.objects.all()
        if request.user.is_superuser
        else Provider.objects.filter(teams__members=request.user).distinct()
    )
    return render(request, "staff/index.html", {"providers": providers})


@staff_required()
def provider_home(request: HttpRequest, provider: Provider) -> HttpResponse:
    """The provider's activities this person's teams cover."""
    activities = staff_activities(request.user, provider).order_by("-start_date", "title")
    return render(
        request,
        "staff/provider.html",
        {
            "provider": provider,
            "activities": activities,
            "can_create": Permission.PROGRAM in request.perms,
            "provider_perms": request.perms,
            "section": "activities",
        },
    )


@staff_required(Permission.PROGRAM)
def activity_create(request: HttpRequest, provider: Provider) -> HttpResponse:
    """Only a team covering all activities may start a new one: a limited team would lose it."""
    form = ActivityForm(request.POST or None, initial={"time_zone": provider.time_zone})
    if request.method == "POST" and form.is_valid():
        try:
            activity = activity_services.create_activity(
                provider, by=request.user, **form.service_kwargs()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The activity was created as a draft."))
            return redirect("staff:activity", provider.slug, activity.slug)
    return render(
        request,
        "staff/activity_form.html",
        {
            "provider": provider,
            "form": form,
            "creating": True,
            "provider_perms": request.perms,
            "section": "activities",
        },
        status=400 if form.errors else 200,
    )


def _activity_context(request: HttpRequest, activity, tab: str) -> dict:
    return {
        "provider": activity.provider,
        "activity": activity,
        "perms": request.perms,
        "provider_perms": permission_set(request.user, activity.provider),
        "tab": tab,
        # Removal buttons then ask for the reason too: changes are amendments.
        "amendment_required": planning_review.amendment_required(activity),
    }


@staff_required()
def dashboard(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    """State, the next lifecycle steps with what still blocks them, counts and warnings."""
    today = timezone.localdate(timezone=activity.tz)
    items = checklist.checklist(activity)
    steps = []
    for step in lifecycle.available(activity):
        # The activity's own blockers are few and listed; those of later apps (one line per
        # person and relationship) can run long: counted, with the checklist linked.
        later = hooks.transition_blockers(activity, step.name)
        steps.append(
            {
                "transition": step,
                "allowed": step.permission in request.perms,
                "blockers": lifecycle.rule_blockers(activity, step, today=today),
                "other_blockers": len(later),
                "checklist_open": len(checklist.open_items(items, step.name)),
            }
        )
    sessions = list(activity.sessions.select_related("room").prefetch_related("faculty__person"))
    warnings = rules.schedule_warnings(activity, sessions)
    faculty = {f.person_id for s in sessions for f in s.faculty.all()}
    counts = {
        "sessions": len(sessions),
        "scheduled": sum(1 for s in sessions if s.is_scheduled),
        "faculty": len(faculty),
        "rooms": activity.rooms.count(),
        "objectives": activity.objectives.count(),
    }
    return render(
        request,
        "staff/dashboard.html",
        _activity_context(request, activity, "dashboard")
        | {
            "steps": steps,
            "states": ActivityState.choices,
            "counts": counts,
            "warnings": warnings,
            "warning_kinds": _count_by_kind(warnings),
            "transition_form": TransitionForm(),
        },
    )


def _count_by_kind(warnings) -> list[tuple[str, int]]:
    labels = {
        "room": _("Double-booked rooms"),
        "person": _("People in two places"),
        "dates": _("Outside the dates"),
        "capacity": _("Room too small"),
        "ancillary": _("Ancillary too close to education"),
    }
    counts: dict[str, int] = {}
    for warning in warnings:
        counts[warning.kind] = counts.get(warning.kind, 0) + 1
    return [(labels.get(kind, kind), n) for kind, n in counts.items()]


@staff_required(Permission.PROGRAM)
def activity_edit(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    form = ActivityForm(
        request.POST or None,
        initial=ActivityForm.initial_for(activity),
        editing=True,
        activity=activity,
    )
    if request.method == "POST" and form.is_valid():
        try:
            activity_services.update_activity(activity, by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            # The service changed the object in memory before refusing it.
            activity.refresh_from_db()
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The activity's details were saved."))
            return redirect("staff:activity", provider.slug, activity.slug)
    return render(
        request,
        "staff/activity_form.html",
        _activity_context(request, activity, "edit") | {"form": form, "creating": False},
        status=400 if form.errors else 200,
    )


def _planning_record(activity) -> tuple[PlanningRecord, list[str]]:
    record = PlanningRecord.objects.filter(activity=activity).first() or PlanningRecord(
        activity=activity
    )
    return record, list(activity.objectives.values_list("text", flat=True))


def render_planning(request: HttpRequest, activity, *, form=None, comment_form=None):
    """The Planning tab: record, checklist, comments and amendments (400 if a form failed)."""
    from cmeconf.activities.views.staff_review import review_context

    record, objectives = _planning_record(activity)
    form = form or PlanningForm(
        initial=PlanningForm.initial_for(record, objectives), activity=activity
    )
    failed = form.errors or (comment_form is not None and comment_form.errors)
    return render(
        request,
        "staff/planning.html",
        _activity_context(request, activity, "planning")
        | {
            "form": form,
            "record": record,
            "objectives": objectives,
            "can_edit": Permission.PROGRAM in request.perms,
            "gaps": lifecycle.planning_gaps(activity),
        }
        | review_context(request, activity, comment_form=comment_form),
        status=400 if failed else 200,
    )


@staff_required()
def planning(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    """The planning record and objectives; read-only for members without the program permission."""
    record, objectives = _planning_record(activity)
    can_edit = Permission.PROGRAM in request.perms
    if request.method == "POST" and not can_edit:
        raise PermissionDenied(_("Your teams do not allow this."))
    form = PlanningForm(
        request.POST or None,
        initial=PlanningForm.initial_for(record, objectives),
        activity=activity,
    )
    if request.method == "POST" and form.is_valid():
        try:
            # Both or neither: a half-saved planning record would mislead the reviewer.
            with transaction.atomic():
                activity_services.update_planning_record(
                    activity, by=request.user, reason=form.reason, **form.planning_kwargs()
                )
                activity_services.set_objectives(
                    activity, form.objective_list(), by=request.user, reason=form.reason
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The planning record was saved."))
            return redirect("staff:planning", provider.slug, activity.slug)
    return render_planning(request, activity, form=form)


@require_POST
@staff_required()
def activity_transition(request: HttpRequest, provider: Provider, activity, name: str):
    """One lifecycle step; the service checks the permission and the rules."""
    if name not in lifecycle.TRANSITIONS:
        raise Http404(_("No such step."))
    form = TransitionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        activity = activity_services.transition(activity, name, by=request.user, note=note)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Done: the activity is now %(state)s.") % {"state": activity.get_state_display()},
        )
    return redirect("staff:activity", provider.slug, activity.slug)


def _display(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(_display(v) for v in value) or "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


@require_safe
@staff_required(Permission.REPORTS)
def audit(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    """The activity's audit trail, newest first. Read only: the table is append-only."""
    entries = AuditEntry.objects.for_activity(activity.pk)
    actions = list(entries.order_by("action").values_list("action", flat=True).distinct())
    form = AuditFilterForm(request.GET or None, actions=actions)
    action = form.cleaned_data["action"] if form.is_valid() else ""
    if action:
        entries = entries.filter(action=action)
    entries = entries.select_related("content_type").order_by("-created", "-id")
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "entry": entry,
            "object_type": entry.content_type.name if entry.content_type else "",
            "changes": [
                (field, _display(before), _display(after))
                for field, before, after in entry.changed_fields
            ],
        }
        for entry in page.object_list
    ]
    query = urlencode({"action": action}) + "&" if action else ""
    return render(
        request,
        "staff/audit.html",
        _activity_context(request, activity, "audit")
        | {"form": form, "page": page, "rows": rows, "query": query},
    )
