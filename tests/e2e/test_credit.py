"""A physician who attended a past activity evaluates it, claims credit and checks the
certificate, in a real Chromium: the claim waits for the evaluation [E3][B3], a claim above
attendance is refused [M1][M5], the certificate shows the credit awarded and the exact
AMA designation statement [M5][M6], and its QR code leads to a page that confirms it."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from tests.credits.certificate_fixtures import flat, pdftotext
from tests.credits.claim_fixtures import (
    DAY,
    attend,
    designate,
    past_activity,
    program,
    register,
    window,
)
from tests.factories import UserFactory, at
from tests.registration.qr_reader import decode, matrix_from_pdf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BIAS_COMMENT = "The breakout on anticoagulants showed only one company's drug."


@pytest.fixture
def physician(db):
    return UserFactory(
        email="ada@example.org",
        first_name="Ada",
        last_name="Lovelace",
        credentials="MD",
        profession="physician",
    )


@pytest.fixture
def attended(provider, admin_user, physician):
    """Ten days ago: a 90-minute plenary and two parallel breakouts (3.00 credits at most).
    The physician was at the plenary and left breakout A after an hour: 150 minutes."""
    activity = past_activity(provider, title="Autumn Medicine Update")
    sessions = program(activity)
    designation = designate(activity, admin_user, "AMA_PRA_1", "3.00")
    window(activity, evaluation_required=True)
    register(activity, physician)
    attend(sessions["plenary"], physician, at(DAY, 9), at(DAY, 10, 30))
    attend(sessions["room_a"], physician, at(DAY, 11), at(DAY, 12))
    return activity, designation


def test_learner_evaluates_claims_downloads_and_verifies_the_certificate(
    page, live_server, login, screenshot, physician, attended
):
    from playwright.sync_api import expect

    from cmeconf.credits.certificate_tokens import verification_url
    from cmeconf.credits.models import Certificate
    from cmeconf.credits.statements import statements

    activity, designation = attended
    claim_url = live_server.url + reverse(
        "credit:claim", args=[activity.provider.slug, activity.slug]
    )
    login(page, physician)

    # 1. The claim page: attendance shown, the evaluation comes first.
    page.goto(claim_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Claim credit")
    expect(page.locator("#claim-total-minutes")).to_have_text("150")
    blockers = page.locator("#claim-blockers")
    expect(blockers.locator('[data-blocker="evaluation"]')).to_contain_text(
        "Complete the evaluation first"
    )
    expect(page.locator("#claim-form")).to_have_count(0)
    screenshot(page, "credit-1-claim-waits-for-evaluation")

    # 2. The evaluation, with "No" to free of bias and where it was seen [A4].
    blockers.get_by_role("link", name="Go to the evaluation").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Evaluation")
    page.get_by_role("radio", name="4", exact=True).check()
    page.get_by_label("What will you change in your practice").fill(
        "Check kidney function before every anticoagulant refill."
    )
    bias = page.get_by_role("group", name="Was the content free of commercial bias?")
    bias.get_by_role("radio", name="No", exact=True).check()
    comment = page.get_by_label("Where did you see commercial bias?")
    expect(comment).to_be_visible()
    comment.fill(BIAS_COMMENT)
    screenshot(page, "credit-2-evaluation-filled")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("#evaluation-thanks")).to_be_visible()
    screenshot(page, "credit-3-evaluation-done")

    # 3. Back to the claim page: first more than attendance supports, then a valid amount.
    page.get_by_role("link", name="Claim your credit").click()
    assert page.url == claim_url
    expect(page.get_by_text("Claiming opened")).to_be_visible()
    expect(page.locator("#claim-blockers")).to_have_count(0)
    form = page.locator("#claim-form")
    form.get_by_label("Claim AMA PRA Category 1 Credit").check()
    amount = form.get_by_label("Amount of")
    amount.fill("3.00")
    form.get_by_label("I confirm the attestation above.").check()
    form.get_by_role("button", name="Claim credit").click()
    expect(page.locator("#claim-errors")).to_contain_text("Nothing was claimed.")
    expect(
        page.get_by_text("You attended 150 minutes, which supports at most 2.50")
    ).to_be_visible()
    screenshot(page, "credit-4-claim-above-attendance")
    form = page.locator("#claim-form")
    form.get_by_label("Claim AMA PRA Category 1 Credit").check()
    form.get_by_label("Amount of").fill("2.50")
    form.get_by_label("I confirm the attestation above.").check()
    form.get_by_role("button", name="Claim credit").click()
    claim_list = page.locator("#claim-list")
    expect(claim_list).to_contain_text("2.50")
    expect(claim_list.get_by_role("link", name="download the PDF")).to_be_visible()
    screenshot(page, "credit-5-claimed-with-certificate")

    # 4. The certificate PDF: the learner's name, the credit awarded, the exact statement.
    link = claim_list.get_by_role("link", name="download the PDF")
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    data = response.body()
    text = flat(pdftotext(data))
    assert "Ada Lovelace" in text
    assert "2.50" in text
    designation.refresh_from_db()
    ama_statement = statements(designation)[1]
    assert ama_statement.startswith(f"{activity.provider.name} designates this live activity")
    assert flat(ama_statement) in text

    # 5. The QR code holds the verification address; it confirms the certificate.
    cert = Certificate.objects.get(claim__person=physician, superseded_at__isnull=True)
    qr = decode(matrix_from_pdf(data))
    assert qr == verification_url(cert)
    page.goto(live_server.url + urlsplit(qr).path)
    expect(page.locator("#certificate-status")).to_have_text(
        "This is a genuine certificate, issued here. It says:"
    )
    content = page.locator("#certificate-content")
    expect(content).to_contain_text("Ada Lovelace")
    expect(content).to_contain_text(cert.number)
    expect(content).to_contain_text("Autumn Medicine Update")
    screenshot(page, "credit-6-certificate-verified")
