"""A learner's personal agenda: bookmarks. Personal, not accreditation data: not audited."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from cmeconf.activities.models import Bookmark, Session


def bookmark(session: Session, *, user) -> Bookmark:
    """Add a session to the user's agenda; a second call changes nothing."""
    try:
        with transaction.atomic():
            return Bookmark.objects.create(user=user, session=session)
    except IntegrityError:
        return Bookmark.objects.get(user=user, session=session)


def unbookmark(session: Session, *, user) -> None:
    Bookmark.objects.filter(user=user, session=session).delete()


def agenda(activity, *, user):
    """The user's bookmarked sessions of one activity, in time order."""
    return (
        Session.objects.filter(activity=activity, bookmarks__user=user)
        .select_related("room", "track")
        .order_by("start", "title")
    )
