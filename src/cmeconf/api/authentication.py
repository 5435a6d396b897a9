"""Session authentication that honours two-factor login.

A session of a person who uses two-factor but has not entered a code in it
(one that began before they turned two-factor on, say) is not a full login on
the site; the API must not treat it as one either. API tokens are unaffected:
they are made on a page that already required the code.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.authentication import SessionScheme
from rest_framework import authentication, exceptions

from cmeconf.accounts.twofactor import needs_verification


class VerifiedSessionAuthentication(authentication.SessionAuthentication):
    def authenticate(self, request) -> tuple | None:
        result = super().authenticate(request)
        if result is not None and needs_verification(result[0]):
            raise exceptions.AuthenticationFailed(
                _("Enter your two-factor code on the site first, or use an API token.")
            )
        return result


class VerifiedSessionScheme(SessionScheme):
    """The same cookie as Django's session, in the OpenAPI schema."""

    target_class = "cmeconf.api.authentication.VerifiedSessionAuthentication"
