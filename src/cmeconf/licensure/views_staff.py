"""Staff page of an activity's audience needs: the licensure topics registrants still need.

Teams with the registration or reports permission read it. It shows counts only,
never who; see needs.py.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from cmeconf.licensure import needs, services
from cmeconf.providers.access import in_activity_time, staff_required
from cmeconf.providers.models import Provider
from cmeconf.providers.permissions import Permission

VIEW_PERMISSIONS = frozenset({Permission.REGISTRATION, Permission.REPORTS})


@require_safe
@staff_required()
@in_activity_time
def needs_page(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    if not VIEW_PERMISSIONS & request.perms:
        raise PermissionDenied(_("Your teams do not allow this."))
    today = timezone.localdate()
    summary, worked_out = needs.cached_summary(activity, today=today)
    # The rules' dates: when they were last researched, and the newest date a source states.
    sets = services.requirement_sets().values()
    checked = max((rs.version for rs in sets), default="")
    return render(
        request,
        "licensure/staff/needs.html",
        {
            "provider": provider,
            "activity": activity,
            "perms": request.perms,
            "tab": "licensure_needs",
            "summary": summary,
            "today": today,
            "worked_out": worked_out,
            "cache_minutes": needs.CACHE_SECONDS // 60,
            "checked": checked,
            "with_licences": needs.shown(summary.with_licences),
            "not_evaluated": needs.shown(summary.not_evaluated) if summary.not_evaluated else "",
            "small": needs.SMALL,
        },
    )
