"""Staff find a registrant on the Registration tab, mark them paid, and see the counts move."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from cmeconf.registration import services
from tests.factories import UserFactory
from tests.registration.factories import (
    PriceTierFactory,
    RegistrationSetupFactory,
    RegistrationTypeFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_registrant_list_search_and_mark_paid(
    page, live_server, login, screenshot, admin_user, activity
):
    RegistrationSetupFactory(activity=activity, capacity=120)
    physician = RegistrationTypeFactory(
        activity=activity, code="physician", name="Member physician", capacity=80
    )
    PriceTierFactory(registration_type=physician, label="Regular", amount=Decimal("400.00"))
    resident = RegistrationTypeFactory(activity=activity, code="resident", name="Resident")
    people = [
        ("Ada", "Lovelace", "ada.lovelace@stmarys.org", physician),
        ("Grace", "Hopper", "ghopper@navy.example", physician),
        ("Bob", "Banner", "bob@gamma.example", resident),
        ("Marie", "Curie", "marie@radium.example", physician),
    ]
    regs = {}
    for first, last, email, reg_type in people:
        person = UserFactory(first_name=first, last_name=last, email=email)
        regs[last] = services.register(activity, person, registration_type=reg_type, by=person)
    services.cancel(regs["Curie"], by=regs["Curie"].person, reason="Cannot travel")

    login(page, admin_user)
    page.goto(f"{live_server.url}/staff/{activity.provider.slug}/{activity.slug}/")
    page.get_by_role("navigation", name="Activity").get_by_role("link", name="Registration").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Registration")
    table = page.locator("#registrants")
    expect(table.locator("tbody tr")).to_have_count(4)
    expect(page.locator("#status-counts")).to_contain_text("Awaiting payment")
    screenshot(page, "registration-staff-list")

    page.get_by_label("Name or e-mail").fill("stmarys")
    page.get_by_role("button", name="Search").click()
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("Lovelace, Ada")

    table.get_by_role("link", name="Lovelace, Ada").click()
    page.get_by_label("Paid by").select_option(label="Invoice / bank transfer")
    expect(page.get_by_label("Amount")).to_have_value("400.00")
    page.get_by_label("Reference").fill("INV-2027-001")
    page.get_by_role("button", name="Mark paid").click()
    expect(page.get_by_role("status").or_(page.locator(".messages"))).to_contain_text("Confirmed")
    expect(page.locator("#payments")).to_contain_text("INV-2027-001")
    screenshot(page, "registration-staff-paid")

    page.get_by_role("link", name="Back to the registrants").click()
    page.get_by_label("Status").select_option(label="Confirmed")
    page.get_by_role("button", name="Search").click()
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table).to_contain_text("Lovelace, Ada")
    expect(table).to_contain_text("Banner, Bob")
