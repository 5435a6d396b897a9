"""Reactions to Django's own authentication events."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from cmeconf.accounts import twofactor


@receiver(user_logged_in, dispatch_uid="cmeconf.accounts.remember_two_factor")
def remember_two_factor(sender, request, user, **kwargs) -> None:
    # Every way in (this site's login, the admin's, a test's force_login) records whether
    # the session will owe a code; see twofactor.session_needs_code.
    if request is not None and hasattr(request, "session"):
        twofactor.remember_in_session(request, twofactor.has_two_factor(user))
