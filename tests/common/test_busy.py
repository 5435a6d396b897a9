"""A server whose database pool ran dry answers 503 with Retry-After, not a bare 500."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import RequestFactory
from psycopg_pool import PoolTimeout

from cmeconf.common.views import handler500


def answer(path: str, exc: BaseException):
    request = RequestFactory().post(path)
    try:
        raise exc
    except BaseException:
        return handler500(request)


def pool_timeout() -> OperationalError:
    # How Django wraps the pool's error when no connection comes in time.
    try:
        try:
            raise PoolTimeout("couldn't get a connection after 30.00 sec")
        except PoolTimeout as cause:
            raise OperationalError(str(cause)) from cause
    except OperationalError as wrapped:
        return wrapped


def test_pool_timeout_on_the_api_is_503_json_with_retry_after():
    response = answer("/api/v1/providers/p/activities/a/registration/", pool_timeout())
    assert response.status_code == 503
    assert response["Retry-After"] == "3"
    assert b"Nothing was saved" in response.content
    assert response["Content-Type"] == "application/json"


def test_pool_timeout_on_a_page_is_503_text():
    response = answer("/p/a/register/", pool_timeout())
    assert response.status_code == 503
    assert response["Retry-After"]


@pytest.mark.django_db
def test_other_errors_stay_500():
    response = answer("/p/a/register/", ValueError("bug"))
    assert response.status_code == 500
    assert "Retry-After" not in response
