"""Staff invite a speaker without an account; the speaker follows the link and discloses."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from cmeconf.integrity.choices import DisclosureState
from cmeconf.integrity.models import Disclosure
from tests.factories import (
    IneligibleCompanyFactory,
    SessionFactory,
    SessionFacultyFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_invited_faculty_discloses_one_relationship(
    browser, page, live_server, login, screenshot, admin_user, activity
):
    IneligibleCompanyFactory(name="Quillon Pharma Inc.")
    speaker = UserFactory(
        email="ada.okafor@example.org", first_name="Ada", last_name="Okafor", password=None
    )
    SessionFacultyFactory(session=SessionFactory(activity=activity), person=speaker)

    login(page, admin_user)
    page.goto(f"{live_server.url}/staff/{activity.provider.slug}/{activity.slug}/")
    page.get_by_role("navigation", name="Activity").get_by_role("link", name="Disclosures").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Disclosures")
    expect(page.get_by_role("row", name=re.compile("Ada Okafor"))).to_contain_text("Missing")
    page.get_by_role("button", name="Send invitations").click()
    expect(page.get_by_text("Invitation sent to 1 person: Ada Okafor.")).to_be_visible()
    screenshot(page, "disclosure-staff")

    [message] = mail.outbox
    link = re.search(r"https?://\S+/disclosure/invite/\S+/", message.body).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]

    # The speaker has no account and is not logged in: a fresh browser context.
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    faculty = context.new_page()
    faculty.set_default_timeout(10_000)
    faculty.goto(live_server.url + path)
    expect(faculty.get_by_text("This disclosure is for")).to_contain_text("Ada Okafor")
    expect(faculty.locator("#definition")).to_contain_text(
        "An ineligible company is one whose primary business"
    )

    faculty.get_by_label("I have had the financial relationships listed below").check()
    company = faculty.get_by_role("combobox", name="Ineligible company")
    # First a name that is not in the registry: refused next to the field, nothing saved.
    company.fill("Mercy Hospital")
    faculty.get_by_label("Nature of the relationship").select_option("consultant")
    faculty.get_by_label("From").fill("2025-02-01")
    faculty.get_by_label("Ongoing").check()
    faculty.get_by_label(re.compile("I have disclosed all financial relationships")).check()
    faculty.get_by_role("button", name="Submit my disclosure").click()
    expect(faculty.get_by_role("alert").first).to_contain_text("Nothing was saved.")
    expect(faculty.locator("#id_rel-0-company_errors")).to_contain_text(
        "“Mercy Hospital” is not an ineligible company in the registry."
    )
    screenshot(faculty, "disclosure-form-error")
    assert not Disclosure.objects.exists()

    company = faculty.get_by_role("combobox", name="Ineligible company")
    company.fill("")
    company.press_sequentially("Quillon", delay=30)
    # The datalist fills from the registry as the person types (the script is optional).
    expect(
        faculty.locator("#ineligible-companies option[value='Quillon Pharma Inc.']")
    ).to_be_attached()
    company.fill("Quillon Pharma Inc.")
    faculty.get_by_label("Nature of the relationship").select_option("consultant")
    faculty.get_by_label("From").fill("2025-02-01")
    faculty.get_by_label("Ongoing").check()
    faculty.get_by_label(re.compile("I have disclosed all financial relationships")).check()
    screenshot(faculty, "disclosure-form")
    faculty.get_by_role("button", name="Submit my disclosure").click()

    expect(faculty.get_by_role("heading", level=1)).to_have_text("Thank you")
    expect(faculty.get_by_role("row", name=re.compile("Quillon Pharma Inc."))).to_contain_text(
        "Consultant"
    )
    expect(faculty.get_by_role("link", name="Set a password")).to_be_visible()
    screenshot(faculty, "disclosure-done")
    context.close()

    d = Disclosure.objects.get(person=speaker)
    assert d.state == DisclosureState.SUBMITTED
    assert [(r.company.name, r.nature) for r in d.relationships.all()] == [
        ("Quillon Pharma Inc.", "consultant")
    ]
    page.reload()
    expect(page.get_by_role("row", name=re.compile("Ada Okafor"))).to_contain_text("Submitted")
