"""Session authentication that honours two-factor login.

A session of a person who uses two-factor but has not entered a code in it
(one that began before they turned two-factor on, say) is not a full login on
the site; the API must not treat it as one either. API tokens are unaffected:
they are made on a page that already required the code.
"""

from __future__ import annotations

import copy
import time

from django.utils.translation import gettext as _
from drf_spectacular.authentication import SessionScheme, TokenScheme
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


class RememberedTokenAuthentication(authentication.TokenAuthentication):
    """Token authentication that remembers a token's user for a few seconds, per process.

    Devices call some endpoints many times a second (badge scanners): the
    token's row is read once per TTL instead of on every request. A token
    deleted or a user deactivated stops working within TTL seconds.
    """

    TTL = 5.0
    MAX_ENTRIES = 10_000
    _remembered: dict[str, tuple[float, object, object]] = {}

    def authenticate_credentials(self, key: str) -> tuple:
        now = time.monotonic()
        hit = self._remembered.get(key)
        if hit is not None and hit[0] > now:
            # A fresh copy per request: per-request memos on the user must not outlive it.
            user = copy.copy(hit[1])
            user.__dict__.pop("_cmeconf_perm_cache", None)
            return user, hit[2]
        user, token = super().authenticate_credentials(key)
        if len(self._remembered) >= self.MAX_ENTRIES:
            self._remembered.clear()
        self._remembered[key] = (now + self.TTL, copy.copy(user), token)
        return user, token


class RememberedTokenScheme(TokenScheme):
    """The same "Authorization: Token ..." header, in the OpenAPI schema."""

    target_class = "cmeconf.api.authentication.RememberedTokenAuthentication"
