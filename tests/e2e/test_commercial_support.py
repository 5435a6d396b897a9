"""Staff record a commercial support agreement and its money; learners see the supporter."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from cmeconf.integrity import support
from cmeconf.integrity.models import LedgerEntry, SupportAgreement
from tests.factories import IneligibleCompanyFactory, SessionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_agreement_signed_late_is_flagged_and_learner_expenses_are_refused(
    page, live_server, login, screenshot, admin_user, activity
):
    # The activity started three days ago, so that a signature can come after its start.
    today = dt.date.today()
    activity.start_date, activity.end_date = (
        today - dt.timedelta(days=3),
        today + dt.timedelta(days=1),
    )
    activity.save()
    company = IneligibleCompanyFactory(name="Quillon Pharma Inc.")
    support.add_supporter(activity.provider, company=company, by=admin_user)
    SessionFactory(activity=activity, title="New anticoagulants")
    base = f"{live_server.url}/staff/{activity.provider.slug}/{activity.slug}/support/"

    login(page, admin_user)
    page.goto(f"{live_server.url}/staff/{activity.provider.slug}/{activity.slug}/")
    page.get_by_role("navigation", name="Activity").get_by_role("link", name="Support").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Commercial support")
    page.get_by_role("link", name="New agreement").click()
    page.get_by_label("Supporter", exact=True).select_option(label="Quillon Pharma Inc.")
    page.get_by_label("Cash (monetary)").check()
    page.get_by_role("spinbutton", name="Amount").fill("20000")
    page.get_by_label("Purpose").fill("Educational grant for the annual meeting.")
    page.get_by_label("Terms and conditions").fill(
        "The provider alone decides content and faculty; no learner travel or lodging."
    )
    page.get_by_role("button", name="Record agreement").click()
    agreement = SupportAgreement.objects.get()
    expect(
        page.get_by_text(
            "Agreement with Quillon Pharma Inc. recorded. Record both signatures next."
        )
    ).to_be_visible()

    # Both parties sign; the supporter after the activity has started: flagged, kept.
    late = activity.start_date + dt.timedelta(days=2)
    for party, name, day in (
        ("provider", "Dr. Renee Castellanos", activity.start_date - dt.timedelta(days=30)),
        ("supporter", "Jordan Blake, Quillon Pharma", late),
    ):
        form = page.get_by_role("region", name=f"For the {party}")
        form.get_by_label("Signed by").fill(name)
        form.get_by_label("Signed on").fill(day.isoformat())
        form.get_by_role("button", name="Record signature").click()
    agreement.refresh_from_db()
    assert agreement.supporter_signed_on == late
    expect(page.get_by_text("Late", exact=True).first).to_be_visible()
    screenshot(page, "support-agreement-late")

    # The ledger refuses paying learners' lodging from support, and loses nothing typed.
    page.goto(f"{base}ledger/")
    page.get_by_label("Receipt").check()
    page.get_by_label("Date", exact=True).fill(
        (activity.start_date - dt.timedelta(days=20)).isoformat()
    )
    page.get_by_role("spinbutton", name="Amount").fill("20000")
    page.get_by_label("Agreement").select_option(index=1)
    page.get_by_role("button", name="Record entry").click()
    expect(page.get_by_role("cell", name="20,000.00").first).to_be_visible()

    page.get_by_label("Expense").check()
    page.get_by_label("Date", exact=True).fill(
        (activity.start_date - dt.timedelta(days=10)).isoformat()
    )
    page.get_by_role("spinbutton", name="Amount").fill("1800")
    page.get_by_label("Agreement").select_option(index=1)
    page.get_by_label("Paid for").select_option(label="Learners' lodging")
    page.get_by_label("Paid to / received from").fill("Lakeside Hotel")
    page.get_by_role("button", name="Record entry").click()
    expect(page.get_by_text("learners", exact=False).first).to_be_visible()
    expect(page.get_by_label("Paid to / received from")).to_have_value("Lakeside Hotel")
    assert LedgerEntry.objects.count() == 1
    assert LedgerEntry.objects.get().amount == Decimal("20000.00")
    screenshot(page, "support-ledger-refused")

    # Learners see the supporter by name on the activity page, never the amount.
    page.goto(f"{live_server.url}/{activity.provider.slug}/{activity.slug}/")
    section = page.locator("section", has_text="Disclosure of financial relationships").first
    expect(section).to_contain_text("Quillon Pharma Inc.")
    expect(section).not_to_contain_text("20,000")
    screenshot(page, "activity-disclosure")
