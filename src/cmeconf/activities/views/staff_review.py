"""Staff pages of the planning review: checklist, comments thread, amendment history.

Shown on the Planning tab; the comment forms post here. Thin: the checklist
decides what is done, planning_review changes things.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cmeconf.activities import checklist as checklist_rules
from cmeconf.activities import lifecycle
from cmeconf.activities.forms import add_service_errors
from cmeconf.activities.models import ReviewComment
from cmeconf.activities.services import planning_review
from cmeconf.activities.views.staff import _display, render_planning
from cmeconf.providers.access import staff_required
from cmeconf.providers.models import Provider
from cmeconf.providers.permissions import Permission

# Who may comment and resolve: those who plan and those who review.
COMMENT_PERMISSIONS = frozenset({Permission.PROGRAM, Permission.REVIEW})


class CommentForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Comment"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Write the comment first.")},
    )


def can_comment(request: HttpRequest) -> bool:
    return bool(COMMENT_PERMISSIONS & request.perms)


def _check(request: HttpRequest) -> None:
    if not can_comment(request):
        raise PermissionDenied(_("Your teams do not allow this."))


def checklist_groups(activity) -> list[dict]:
    """The checklist by the lifecycle step each item is needed for, in lifecycle order."""
    items = checklist_rules.checklist(activity)
    groups = []
    for name in [*checklist_rules.ORDER, *sorted({i.required_for for i in items})]:
        members = [i for i in items if i.required_for == name]
        if not members or any(g["name"] == name for g in groups):
            continue
        step = lifecycle.TRANSITIONS.get(name)
        groups.append(
            {
                "name": name,
                "label": step.label if step else name,
                "items": members,
                "done": sum(1 for i in members if i.done),
            }
        )
    return groups


def amendment_rows(activity) -> list[dict]:
    """Amendments newest first, each with its changed fields as (field, before, after)."""
    rows = []
    for amendment in activity.amendments.select_related("made_by"):
        changes = amendment.changes or {}
        before, after = changes.get("before") or {}, changes.get("after") or {}
        names = list(dict.fromkeys([*before, *after]))
        rows.append(
            {
                "amendment": amendment,
                "changes": [
                    (name, _display(before.get(name)), _display(after.get(name)))
                    for name in names
                    if before.get(name) != after.get(name)
                ],
            }
        )
    return rows


def review_context(request: HttpRequest, activity, *, comment_form=None) -> dict:
    """What the Planning tab shows besides the planning record itself."""
    groups = checklist_groups(activity)
    return {
        "checklist": groups,
        "checklist_open": sum(len(g["items"]) - g["done"] for g in groups),
        "comments": list(
            ReviewComment.objects.filter(activity=activity).select_related("author", "resolved_by")
        ),
        "comment_form": comment_form or CommentForm(),
        "can_comment": can_comment(request),
        "comments_open": activity.state in planning_review.COMMENT_STATES,
        "amendments": amendment_rows(activity),
    }


def _planning_url(activity, anchor: str) -> str:
    url = reverse("staff:planning", args=[activity.provider.slug, activity.slug])
    return f"{url}#{anchor}"


@require_POST
@staff_required()
def comment_add(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    """Add a comment to the review thread (program or review permission)."""
    _check(request)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            planning_review.add_comment(activity, by=request.user, body=form.cleaned_data["body"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your comment was added."))
            return redirect(_planning_url(activity, "comments"))
    # Shown again with the text kept and the error beside it.
    return render_planning(request, activity, comment_form=form)


@require_POST
@staff_required()
def comment_resolve(request: HttpRequest, provider: Provider, activity, pk: int) -> HttpResponse:
    """Mark a comment as resolved (program or review permission)."""
    _check(request)
    comment = get_object_or_404(ReviewComment, activity=activity, pk=pk)
    try:
        planning_review.resolve_comment(comment, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The comment was marked resolved."))
    return redirect(_planning_url(activity, f"comment-{comment.pk}"))
