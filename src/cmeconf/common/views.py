"""Answers of last resort: a server too busy to take the request says so, and when to retry."""

from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import server_error
from psycopg_pool import PoolTimeout

RETRY_AFTER_SECONDS = 3


def _pool_exhausted(exc: BaseException | None) -> bool:
    """Every pooled database connection stayed busy past CMECONF_DB_POOL_TIMEOUT."""
    while exc is not None:
        if isinstance(exc, PoolTimeout):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def handler500(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After when the database pool ran dry (a rush), 500 otherwise.

    Nothing was saved: the request never got a connection, or its transaction
    was rolled back. Apps and browsers are told to try again shortly.
    """
    if not _pool_exhausted(sys.exc_info()[1]):
        return server_error(request)
    message = "The server is very busy. Nothing was saved; please try again in a moment."
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message}, status=503)
    else:
        response = HttpResponse(message, content_type="text/plain; charset=utf-8", status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
