"""Who may open a staff page: one decorator, used by every staff view.

A person who is in no team of the provider (or of the activity) gets 404,
so that staff areas do not reveal which providers or activities exist; a team
member without the page's permission gets 403.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from cmeconf.accounts.twofactor import session_needs_code
from cmeconf.providers.models import Provider
from cmeconf.providers.permissions import is_provider_member, permission_set, staff_activities


def staff_required(permission: str | None = None) -> Callable:
    """Decorate a view taking `provider` (slug) and optionally `activity` (slug) kwargs.

    The view receives the Provider and Activity objects instead of the slugs;
    `request.perms` holds the permission set that applies.
    """

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, provider: str, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if session_needs_code(request):
                # Two-factor is on for this person but this session has not given a code.
                code_url = reverse("accounts:login_code")
                return redirect(f"{code_url}?{urlencode({'next': request.get_full_path()})}")
            prov = get_object_or_404(Provider, slug=provider)
            if not is_provider_member(request.user, prov):
                raise Http404(_("No such provider."))
            activity = None
            if "activity" in kwargs:
                activity = (
                    staff_activities(request.user, prov).filter(slug=kwargs["activity"]).first()
                )
                if activity is None:
                    raise Http404(_("No such activity."))
                kwargs["activity"] = activity
            perms = permission_set(request.user, prov, activity)
            if permission is not None and permission not in perms:
                raise PermissionDenied(_("Your teams do not allow this."))
            request.provider = prov
            request.activity = activity
            request.perms = perms
            return view(request, *args, provider=prov, **kwargs)

        return wrapper

    return decorator


def in_activity_time(view: Callable) -> Callable:
    """Dates typed and shown by an activity's staff view are in the activity's time zone.

    Goes below `staff_required`, which passes the activity in.
    """

    @functools.wraps(view)
    def wrapper(request, *args, activity, **kwargs):
        with timezone.override(activity.tz):
            return view(request, *args, activity=activity, **kwargs)

    return wrapper
