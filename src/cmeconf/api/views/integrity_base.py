"""Scoping shared by the integrity endpoints: pages allow one of several permissions.

The staff pages of disclosures, support and the activity file open to one of a few
team permissions (review or program; program, review or reports ...); these views
answer the same way: 404 outside the activity's teams, 403 to members lacking all of
them, 401 without credentials.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated

from cmeconf.api.permissions import MEMBER
from cmeconf.api.views.base import ActivityScopedView, ProviderScopedView
from cmeconf.providers.models import Provider
from cmeconf.providers.permissions import (
    is_provider_member,
    permission_set,
    staff_activities,
)


class TeamScopedView(ActivityScopedView):
    """An activity view that needs one of `read_any` to read and one of `write_any` to write."""

    read_permission = MEMBER
    write_permission = MEMBER
    read_any: frozenset[str] = frozenset()
    write_any: frozenset[str] = frozenset()

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        needed = self.read_any if request.method in SAFE_METHODS else self.write_any
        if needed and not needed & self.scope.perms:
            self.permission_denied(request, message=_("Your teams do not allow this."))

    def may(self, permission: str) -> bool:
        return permission in self.scope.perms


def has_anywhere(user, provider: Provider, permission: str) -> bool:
    """Whether a team of `user` grants `permission` for the provider or any of its activities."""
    if permission in permission_set(user, provider):
        return True
    # Teams limited to some activities: the few the person covers.
    return any(
        permission in permission_set(user, provider, activity)
        for activity in staff_activities(user, provider)
    )


class ProviderTeamView(ProviderScopedView):
    """A view of the provider's own records: its teams only (404 for everyone else)."""

    permission_classes = [IsAuthenticated]
    read_any: frozenset[str] = frozenset()
    write_any: frozenset[str] = frozenset()

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        if not is_provider_member(request.user, self.provider):
            raise Http404(_("No such provider."))
        needed = self.read_any if request.method in SAFE_METHODS else self.write_any
        if not any(has_anywhere(request.user, self.provider, p) for p in needed):
            self.permission_denied(request, message=_("Your teams do not allow this."))
