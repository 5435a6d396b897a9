"""A reviewer finds a relevant relationship on the Review tab and documents its mitigation."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from cmeconf.integrity import services
from cmeconf.integrity.models import Mitigation
from tests.factories import (
    IneligibleCompanyFactory,
    SessionFactory,
    SessionFacultyFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_reviewer_decides_relevance_and_mitigates(
    page, phone_page, live_server, login, screenshot, admin_user, activity
):
    speaker = UserFactory(first_name="Ada", last_name="Okafor")
    talk = SessionFactory(activity=activity, title="New anticoagulants")
    SessionFacultyFactory(session=talk, person=speaker)
    services.submit_disclosure(
        speaker,
        by=speaker,
        attested=True,
        relationships=[
            {
                "company": IneligibleCompanyFactory(name="Quillon Pharma Inc."),
                "nature": "speaker",
                "start_date": dt.date(2024, 3, 1),
                "end_date": None,
            }
        ],
    )

    login(page, admin_user)
    page.goto(f"{live_server.url}/staff/{activity.provider.slug}/{activity.slug}/")
    page.get_by_role("navigation", name="Activity").get_by_role("link", name="Review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Conflict-of-interest review")
    expect(page.locator("#open-items")).to_have_text(
        "1 relationship still needs a decision or a mitigation."
    )
    expect(page.get_by_text("has not been reviewed")).to_be_visible()

    decide = page.get_by_role("form", name="Decide relevance")
    decide.get_by_label("Relevant", exact=True).check()
    decide.get_by_label("Reason").fill("She speaks on the company's anticoagulant.")
    decide.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Decision recorded on Quillon Pharma Inc.")).to_be_visible()
    expect(page.get_by_text("Relevant, not mitigated", exact=True)).to_be_visible()

    # Peer review without the peer: the service's messages next to the fields, nothing saved.
    mitigate = page.get_by_role("form", name="Mitigate")
    mitigate.get_by_label("Method").select_option("peer_review_content")
    mitigate.get_by_role("button", name="Record mitigation").click()
    mitigate = page.get_by_role("form", name="Mitigate")
    expect(mitigate.get_by_text("Name the peer who reviewed.")).to_be_visible()
    assert not Mitigation.objects.exists()
    screenshot(page, "coi-review-error")

    mitigate.get_by_label("Peer reviewer").fill("Dr. Grace Lee")
    mitigate.get_by_label("Date of the peer review").fill("2027-03-01")
    mitigate.get_by_role("button", name="Record mitigation").click()
    expect(page.get_by_text("Mitigation recorded on Quillon Pharma Inc.")).to_be_visible()
    expect(page.get_by_text("Mitigated", exact=True)).to_be_visible()
    expect(page.locator("#open-items")).to_have_text(
        "0 relationships still need a decision or a mitigation."
    )
    assert Mitigation.objects.get().peer_name == "Dr. Grace Lee"
    screenshot(page, "coi-review")

    # Learners see the generated disclosure on the session page at once.
    page.goto(f"{live_server.url}/{activity.provider.slug}/{activity.slug}/sessions/{talk.code}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("New anticoagulants")
    expect(
        page.get_by_text("has relevant financial relationships with: Quillon Pharma Inc.")
    ).to_be_visible()
    expect(
        page.get_by_text("All relevant financial relationships have been mitigated.")
    ).to_be_visible()
    screenshot(page, "coi-review-learner-disclosure")

    login(phone_page, admin_user)
    phone_page.goto(f"{live_server.url}/staff/{activity.provider.slug}/{activity.slug}/review/")
    expect(phone_page.get_by_text("New anticoagulants")).to_be_visible()
    screenshot(phone_page, "coi-review-phone")
