"""Exhibitors and supporters' contacts never see disclosures under review.

They are people with an account and no team of the provider: every staff page of
disclosures and review is a 404 for them, and public pages say only "under review"
until a reviewer has decided, never the relationships themselves.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import get_resolver

from cmeconf.integrity import services
from cmeconf.integrity.models import CommercialSupporter
from tests.factories import (
    IneligibleCompanyFactory,
    SessionFactory,
    SessionFacultyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def under_review(activity):
    company = IneligibleCompanyFactory(name="Quillon Pharma Inc.")
    speaker = UserFactory(first_name="Ada", last_name="Okafor", credentials="MD")
    talk = SessionFactory(activity=activity, title="New anticoagulants")
    SessionFacultyFactory(session=talk, person=speaker)
    disclosure = services.submit_disclosure(
        speaker,
        by=speaker,
        attested=True,
        relationships=[
            {
                "company": company,
                "nature": "consultant",
                "start_date": dt.date(2025, 6, 1),
                "end_date": None,
            }
        ],
    )
    return talk, disclosure.relationships.get()


@pytest.fixture
def exhibitor(activity, under_review):
    """The contact of a company that supports and exhibits at the activity."""
    _talk, relationship = under_review
    contact = UserFactory(email="booth@quillon.example")
    CommercialSupporter.objects.create(
        provider=activity.provider,
        company=relationship.company,
        contact_name="Booth staff",
        contact_email=contact.email,
    )
    return contact


def _integrity_staff_urls(activity, relationship) -> list[str]:
    from cmeconf.integrity import urls_staff

    urls = []
    for pattern in urls_staff.urlpatterns:
        route = str(pattern.pattern)
        route = route.replace("<slug:provider>", activity.provider.slug)
        route = route.replace("<slug:activity>", activity.slug)
        route = route.replace("<int:relationship>", str(relationship.pk))
        urls.append(f"/staff/{route}")
    return urls


def test_exhibitor_gets_404_on_every_disclosure_and_review_page(client, activity, under_review,
                                                                exhibitor):  # fmt: skip
    _talk, relationship = under_review
    client.force_login(exhibitor)
    urls = _integrity_staff_urls(activity, relationship)
    assert len(urls) >= 6
    for url in urls:
        # The method is checked first (405 reveals nothing); the method a page takes is 404.
        codes = {client.get(url).status_code, client.post(url, {}).status_code}
        assert codes <= {404, 405} and 404 in codes, (url, codes)


def test_exhibitor_sees_only_under_review_on_the_session_page(client, activity, under_review,
                                                              exhibitor):  # fmt: skip
    talk, _relationship = under_review
    client.force_login(exhibitor)
    page = client.get(f"/{activity.provider.slug}/{activity.slug}/sessions/{talk.code}/").text
    assert "Ada Okafor, MD: disclosure under review." in page
    assert "Quillon" not in page and "onsultant" not in page


def test_exhibitor_cannot_open_a_faculty_members_disclosure(client, under_review, exhibitor):
    client.force_login(exhibitor)
    # The own-disclosure page shows the logged-in person only; there is no URL with an id.
    page = client.get("/disclosure/").text
    assert "Quillon" not in page
    assert not any("<int:" in str(p.pattern) for p in get_resolver().url_patterns
                   if "disclosure" in str(p.pattern))  # fmt: skip
