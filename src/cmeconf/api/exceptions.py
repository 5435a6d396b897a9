"""Turning what services raise into API responses with a clear, per-field body.

Services raise Django's ValidationError (by field) and PermissionDenied; the
API answers 400 with `{"field": ["message", ...]}` (errors that belong to no
single field under "non_field_errors", as DRF's own validation does) and 403
with `{"detail": "..."}`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback


def validation_error_body(exc: DjangoValidationError) -> dict[str, list[str]]:
    """The per-field body of a Django ValidationError."""
    non_field_key = api_settings.NON_FIELD_ERRORS_KEY
    if hasattr(exc, "error_dict"):
        body: dict[str, list[str]] = {}
        for field, messages in exc.message_dict.items():
            key = non_field_key if field == NON_FIELD_ERRORS else field
            body.setdefault(key, []).extend(messages)
        return body
    return {non_field_key: list(exc.messages)}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus Django ValidationError as 400 by field."""
    if isinstance(exc, DjangoValidationError):
        # The service's transaction is already rolled back; the request's one too.
        set_rollback()
        return Response(validation_error_body(exc), status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)
