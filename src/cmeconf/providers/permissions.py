"""The fixed set of team permissions, and the one place that reads them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from cmeconf.activities.models import Activity
    from cmeconf.providers.models import Provider


class Permission(models.TextChoices):
    PROGRAM = "program", _("Activities and program")
    REGISTRATION = "registration", _("Registration and check-in")
    REVIEW = "review", _("Disclosure review and approval")
    CREDIT = "credit", _("Credit")
    REPORTS = "reports", _("Reports and audit trail")
    TEAMS = "teams", _("Provider settings and teams")


ALL_PERMISSIONS = frozenset(Permission.values)


def _cache(user) -> dict:
    # Per-request memo: a page asks several times, the answer cannot change mid-request.
    cache = getattr(user, "_cmeconf_perm_cache", None)
    if cache is None:
        cache = {}
        user._cmeconf_perm_cache = cache
    return cache


def permission_set(user, provider: Provider, activity: Activity | None = None) -> frozenset[str]:
    """What `user` may do for `provider`, or for one of its activities.

    Without an activity: the permissions of teams that apply to all activities
    of the provider. With one: those plus teams that name the activity.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return ALL_PERMISSIONS
    key = (provider.pk, activity.pk if activity else None)
    cache = _cache(user)
    if key not in cache:
        from cmeconf.providers.models import Team

        teams = Team.objects.filter(provider=provider, members=user)
        if activity is None:
            teams = teams.filter(all_activities=True)
        else:
            teams = teams.filter(models.Q(all_activities=True) | models.Q(activities=activity))
        perms: set[str] = set()
        for team_perms in teams.values_list("permissions", flat=True).distinct():
            perms.update(team_perms or [])
        cache[key] = frozenset(perms & ALL_PERMISSIONS)
    return cache[key]


def is_provider_member(user, provider: Provider) -> bool:
    """Belongs to any team of the provider (sees its staff area at all)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    key = ("member", provider.pk)
    cache = _cache(user)
    if key not in cache:
        cache[key] = provider.teams.filter(members=user).exists()
    return cache[key]


def staff_activities(user, provider: Provider) -> models.QuerySet:
    """The provider's activities this user's teams apply to."""
    from cmeconf.activities.models import Activity

    qs = Activity.objects.filter(provider=provider)
    if user.is_superuser:
        return qs
    if provider.teams.filter(members=user, all_activities=True).exists():
        return qs
    return qs.filter(teams__members=user).distinct()
