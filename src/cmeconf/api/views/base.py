"""What every API view shares: scoping by the URL's provider and activity."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import generics
from rest_framework.permissions import SAFE_METHODS, IsAuthenticatedOrReadOnly

from cmeconf.activities import rules
from cmeconf.activities.models import Activity, Session
from cmeconf.api.permissions import (
    MEMBER,
    ActivityScope,
    allows,
    resolve_activity,
    resolve_provider,
)
from cmeconf.providers.models import Provider
from cmeconf.providers.permissions import Permission


class ProviderScopedView(generics.GenericAPIView):
    """A view under providers/{provider}/; `self.provider` is set before the handler runs."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    provider: Provider

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)  # authentication; anonymous writes end here (401)
        self.provider = resolve_provider(kwargs["provider"])


class ActivityScopedView(ProviderScopedView):
    """A view under providers/{provider}/activities/{activity}/.

    `read_permission` and `write_permission` name what the caller needs: None
    (anyone who can see the activity), MEMBER (a team covering it) or a team
    permission.
    """

    read_permission: str | None = None
    write_permission: str | None = Permission.PROGRAM
    scope: ActivityScope
    activity: Activity

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        self.scope = resolve_activity(request.user, self.provider, kwargs["activity"])
        self.activity = self.scope.activity
        needed = self.read_permission if request.method in SAFE_METHODS else self.write_permission
        if not allows(self.scope, needed):
            # Answers 401 when no credentials came with the request, 403 otherwise.
            self.permission_denied(request, message=_("Your teams do not allow this."))

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False) and hasattr(self, "scope"):
            context["activity"] = self.activity
            context["show_email"] = allows(self.scope, MEMBER)
        return context


def warnings_for(activity: Activity, session: Session | None = None) -> list[dict]:
    """Schedule warnings of the activity (or those concerning one session), sessions by code."""
    sessions = list(activity.sessions.select_related("room").prefetch_related("faculty__person"))
    codes = {s.pk: s.code for s in sessions}
    return [
        {"kind": w.kind, "sessions": [codes[pk] for pk in w.session_ids], "message": w.message}
        for w in rules.schedule_warnings(activity, sessions)
        if session is None or session.pk in w.session_ids
    ]
