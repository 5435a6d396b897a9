"""Staff read a learner's certificate only after their second factor."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cmeconf.credits import certificates
from tests.accounts.conftest import enrolled  # noqa: F401 (fixture)
from tests.credits.certificate_fixtures import designate, make_claim
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_certificate_pdf_asks_staff_for_the_two_factor_code(
    client,
    activity,
    admin_user,
    enrolled,  # noqa: F811
):
    staff, _device, _codes = enrolled
    TeamFactory(provider=activity.provider, members=[staff], permissions=["credit"])
    learner = UserFactory(first_name="Ann", last_name="Able")
    cert = certificates.issue_certificate(make_claim(designate(activity, admin_user), learner))
    client.force_login(staff)  # password only: the session owes a code
    for url in (
        reverse("open_badges:credential_jwt", args=[cert.number]),
        reverse("certificates:pdf", args=[cert.number]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login_code"))
