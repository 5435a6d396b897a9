"""Invitations to disclose, for faculty and planners who may have no account yet.

The link carries a signed token naming the person; whoever holds it may submit that
person's disclosure until it expires, and nothing else (not log in, not read history).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from cmeconf.common import audit
from cmeconf.common.mail import send_templated_email

SALT = "cmeconf.integrity.invitation"
MAX_AGE = dt.timedelta(days=30)


class InvitationExpiredError(Exception):
    """The token was genuine but is older than MAX_AGE."""


class InvitationInvalidError(Exception):
    """The token was altered, truncated, or names nobody who may disclose."""


def _address_tag(email: str) -> str:
    # A keyed digest, not the address: signed tokens are readable, and links end up in logs.
    return salted_hmac(SALT + ".address", email.lower()).hexdigest()[:16]


def make_token(person) -> str:
    # The address is bound to the id: changing the address on the account (a mistyped
    # invitation corrected by staff) retires the links sent to the old one.
    return signing.dumps({"p": person.pk, "a": _address_tag(person.email)}, salt=SALT)


def person_for_token(token: str):
    """The active person the token names, or InvitationExpiredError, InvitationInvalidError."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.SignatureExpired as exc:
        raise InvitationExpiredError from exc
    except signing.BadSignature as exc:
        raise InvitationInvalidError from exc
    if not isinstance(data, dict):
        raise InvitationInvalidError
    person = get_user_model().objects.filter(pk=data.get("p"), is_active=True).first()
    if person is None or not constant_time_compare(_address_tag(person.email), data.get("a", "")):
        raise InvitationInvalidError
    return person


def invitation_url(person) -> str:
    """The absolute link for an e-mail, on the configured public address."""
    return settings.SITE_URL + reverse("integrity:invitation", args=[make_token(person)])


def invite_to_disclose(person, *, by, activity, role_start: dt.date, reasons: list[str]) -> None:
    """E-mail `person` a link to disclose, for their role in `activity` starting `role_start`.

    Side effects: audit "disclosure.invited" (with the reasons), one e-mail.
    """
    audit.record(
        "disclosure.invited",
        actor=by,
        obj=person,
        provider_id=activity.provider_id,
        activity_id=activity.pk,
        after={"email": person.email, "role_start": role_start, "reasons": reasons},
    )
    send_templated_email(
        person.email,
        "integrity/email/invitation_subject.txt",
        "integrity/email/invitation.txt",
        {
            "person": person,
            "activity": activity,
            "provider": activity.provider,
            "role_start": role_start,
            "reasons": reasons,
            "url": invitation_url(person),
            "days": MAX_AGE.days,
        },
        reply_to=[activity.provider.contact_email] if activity.provider.contact_email else None,
    )
