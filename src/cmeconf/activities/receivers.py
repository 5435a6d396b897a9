"""Reactions to events of other apps that change what the public program shows."""

from __future__ import annotations

from cmeconf.activities.models import Activity
from cmeconf.activities.services.activities import bump_program_version


def faculty_profile_changed(sender, user, **kwargs) -> None:
    """A faculty member's name, credentials or bio changed: every program naming them is stale."""
    for activity in Activity.objects.filter(sessions__faculty__person=user).distinct():
        bump_program_version(activity)


def connect() -> bool:
    """Connect the receivers; False when the accounts app does not send the signal (yet)."""
    try:
        from cmeconf.accounts.signals import profile_changed
    except ImportError:
        return False
    profile_changed.connect(
        faculty_profile_changed, dispatch_uid="cmeconf.activities.faculty_profile_changed"
    )
    return True
