"""Shared pieces of the payment tests: Stripe at the edge of the network.

No request reaches Stripe: the library's HTTP client is replaced by one that records
each request and answers with Stripe-shaped JSON, and webhook payloads are signed
here the way Stripe documents (HMAC-SHA256 of "<timestamp>.<payload>").
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from urllib.parse import parse_qsl, urlsplit

import stripe
from django.urls import reverse

from tests.factories import UserFactory

SECRET_KEY = "sk_test_cmeconf"
WEBHOOK_SECRET = "whsec_cmeconf_test"


class RecordingClient(stripe.HTTPClient):
    """Answers Stripe API calls from a script of (status, body) and records every request."""

    name = "recording"

    def __init__(self, *answers: tuple[int, dict]):
        super().__init__()
        self.answers = list(answers)
        self.requests: list[dict] = []

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        parts = urlsplit(url)
        body = post_data.decode() if isinstance(post_data, bytes) else (post_data or "")
        self.requests.append(
            {
                "method": method.upper(),
                "path": parts.path,
                "params": dict(parse_qsl(body or parts.query)),
                "headers": dict(headers or {}),
            }
        )
        if not self.answers:
            raise AssertionError(f"unexpected Stripe request {method} {url}")
        status, answer = self.answers.pop(0)
        return json.dumps(answer), status, {"Request-Id": f"req_{len(self.requests)}"}

    def close(self):
        pass


def checkout_session(session_id: str = "cs_test_1", **extra) -> dict:
    return {
        "id": session_id,
        "object": "checkout.session",
        "url": f"https://checkout.stripe.com/c/pay/{session_id}",
        "status": "open",
        "mode": "payment",
        **extra,
    }


def stripe_error(status: int, message: str, kind: str = "invalid_request_error") -> dict:
    return {"error": {"type": kind, "message": message}}


def sign(payload: str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(
        secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={digest}"


def event(
    kind: str,
    session_id: str,
    *,
    registration,
    amount_minor: int,
    event_id: str = "evt_1",
    currency: str = "usd",
    payment_status: str = "paid",
    payment_intent: str = "pi_test_1",
) -> dict:
    return {
        "id": event_id,
        "object": "event",
        "type": kind,
        "data": {
            "object": {
                "id": session_id,
                "object": "checkout.session",
                "mode": "payment",
                "amount_total": amount_minor,
                "currency": currency,
                "client_reference_id": str(registration.pk),
                "metadata": {"cmeconf_registration": str(registration.pk)},
                "payment_status": payment_status,
                "payment_intent": payment_intent,
                "status": "complete",
            }
        },
    }


def post_event(client, body: dict | str, *, signature: str | None = None):
    payload = body if isinstance(body, str) else json.dumps(body)
    return client.post(
        reverse("payment_webhooks:stripe"),
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature if signature is not None else sign(payload),
    )


def other_learner():
    return UserFactory(email="other@example.org")
