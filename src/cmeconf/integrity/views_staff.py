"""Staff page of an activity's disclosures: who controls content, where each stands, invitations.

Open to teams with disclosure review or program permission; relationships themselves
are shown to reviewers only, the others see the standing and what blocks it.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from cmeconf.integrity import invitations, roster
from cmeconf.providers.access import staff_required
from cmeconf.providers.models import Provider
from cmeconf.providers.permissions import Permission, permission_set

PAGE_PERMISSIONS = frozenset({Permission.REVIEW, Permission.PROGRAM})


def _check(request: HttpRequest) -> None:
    if not PAGE_PERMISSIONS & request.perms:
        raise PermissionDenied(_("Your teams do not allow this."))


@require_safe
@staff_required()
def disclosures(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    _check(request)
    members = roster.content_controllers(activity)
    return render(
        request,
        "integrity/staff_disclosures.html",
        {
            "provider": provider,
            "activity": activity,
            "perms": request.perms,
            "provider_perms": permission_set(request.user, provider),
            "tab": "disclosures",
            "members": members,
            "can_review": Permission.REVIEW in request.perms,
            "to_invite": sum(1 for m in members if m.needs_invitation),
        },
    )


@require_POST
@staff_required()
def disclosure_invite(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    """E-mail a link to everyone whose disclosure is missing, expired or too short."""
    _check(request)
    invited = []
    for member in roster.content_controllers(activity):
        if member.needs_invitation:
            invitations.invite_to_disclose(
                member.person,
                by=request.user,
                activity=activity,
                role_start=member.role_start,
                reasons=member.blockers,
            )
            invited.append(member.person.full_name or member.person.email)
    if invited:
        messages.success(
            request,
            ngettext(
                "Invitation sent to %(count)d person: %(names)s.",
                "Invitations sent to %(count)d people: %(names)s.",
                len(invited),
            )
            % {"count": len(invited), "names": ", ".join(invited)},
        )
    else:
        messages.info(
            request, _("Nobody needs an invitation: no disclosure is missing or out of date.")
        )
    return redirect("staff:disclosures", provider.slug, activity.slug)
