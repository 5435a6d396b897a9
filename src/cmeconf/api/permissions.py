"""Who may see and change what through the API.

Every request is scoped by the provider and activity named in its URL:

- an activity that is not public is visible only to members of a team that
  covers it; everyone else gets 404, exactly as for an activity that does not
  exist, so that the API does not reveal drafts;
- a visible activity answers 403 (401 without credentials) to a request
  that needs a team permission the caller lacks.

Permissions are read only through `cmeconf.providers.permissions.permission_set`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404
from django.utils.translation import gettext as _

from cmeconf.activities.models import Activity
from cmeconf.providers.models import Provider
from cmeconf.providers.permissions import (
    is_provider_member,
    permission_set,
    staff_activities,
)

# Pseudo-permission: any member of a team that covers the activity.
MEMBER = "member"


@dataclass(frozen=True)
class ActivityScope:
    """The activity a request is about, and what the caller may do there."""

    provider: Provider
    activity: Activity
    is_staff: bool  # a team of the caller covers this activity
    perms: frozenset[str]


def resolve_provider(slug: str) -> Provider:
    provider = Provider.objects.filter(slug=slug).first()
    if provider is None:
        raise Http404(_("No such provider."))
    return provider


def covers(user, provider: Provider, activity: Activity) -> bool:
    """A team of `user` covers `activity` (so it sees the activity in any state)."""
    if not is_provider_member(user, provider):
        return False
    return staff_activities(user, provider).filter(pk=activity.pk).exists()


def resolve_activity(user, provider: Provider, slug: str) -> ActivityScope:
    """The activity at `slug` as `user` may see it, or 404 when hidden or missing."""
    activity = Activity.objects.filter(provider=provider, slug=slug).first()
    if activity is None:
        raise Http404(_("No such activity."))
    activity.provider = provider  # spare a query wherever the activity names its provider
    is_staff = covers(user, provider, activity)
    if not is_staff and not activity.is_public:
        raise Http404(_("No such activity."))
    perms = permission_set(user, provider, activity) if is_staff else frozenset()
    return ActivityScope(provider=provider, activity=activity, is_staff=is_staff, perms=perms)


def allows(scope: ActivityScope, needed: str | None) -> bool:
    """Whether the scope grants `needed` (None: anyone who sees the activity)."""
    if needed is None:
        return True
    if not scope.is_staff:
        return False
    return needed == MEMBER or needed in scope.perms
