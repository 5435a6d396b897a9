"""The badge on the phone: a learner registers with a promo code and opens the badge."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import TeamFactory, UserFactory
from tests.registration.factories import (
    PriceTierFactory,
    PromoCodeFactory,
    RegistrationSetupFactory,
    RegistrationTypeFactory,
)
from tests.registration.qr_reader import decode, matrix_from_svg

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_learner_registers_and_shows_the_badge_on_the_phone(
    phone_page, live_server, login, screenshot, activity, learner, settings, tmp_path
):
    from playwright.sync_api import expect

    from cmeconf.registration.badge_tokens import badge_code, badge_token
    from cmeconf.registration.models import Registration

    settings.MEDIA_ROOT = tmp_path
    learner.credentials = "MD"
    learner.save()
    RegistrationSetupFactory(activity=activity)
    physician = RegistrationTypeFactory(activity=activity, name="Physician", order=1)
    PriceTierFactory(registration_type=physician, label="Regular", amount=Decimal("400.00"))
    PromoCodeFactory(activity=activity, code="FACULTY100", percent_off=100)
    args = [activity.provider.slug, activity.slug]
    page = phone_page

    login(page, learner)
    page.goto(live_server.url + reverse("learner_registration:register", args=args))
    page.get_by_label(re.compile(r"Physician · Regular: 400\.00 USD")).check()
    page.get_by_label("Promo code").fill("FACULTY100")
    page.get_by_role("button", name="Register").click()
    expect(page).to_have_url(re.compile(r"/my-registration/$"))
    expect(page.get_by_role("heading", level=2, name=re.compile("Status"))).to_contain_text(
        "Confirmed"
    )

    page.get_by_role("link", name="Show my badge").click()
    expect(page).to_have_url(re.compile(r"/my-registration/badge/$"))
    reg = Registration.objects.get(person=learner)
    expect(page.get_by_role("heading", level=1)).to_have_text("Lee Learner")
    qr = page.get_by_role("img", name="QR code to scan at check-in")
    expect(qr).to_be_visible()
    expect(page.locator("#badge-code")).to_have_text(badge_code(reg))
    # Large enough to scan from the phone: most of the screen's width.
    box = qr.locator("svg").bounding_box()
    assert box["width"] >= 300 and abs(box["width"] - box["height"]) < 1
    svg = qr.inner_html()
    assert decode(matrix_from_svg(svg)) == badge_token(reg)
    # Nothing scrolls sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "badge_phone")

    response = page.request.get(live_server.url + reverse("learner_badge:pdf", args=args))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body()[:5] == b"%PDF-"


def test_staff_make_all_badges_and_download_them(
    page, live_server, login, screenshot, activity, settings, tmp_path
):
    from playwright.sync_api import expect

    from cmeconf.registration import services

    settings.MEDIA_ROOT = tmp_path
    RegistrationSetupFactory(activity=activity)
    physician = RegistrationTypeFactory(activity=activity, name="Physician")
    for first, last in (("Ada", "Lovelace"), ("Alan", "Turing"), ("Grace", "Hopper")):
        person = UserFactory(first_name=first, last_name=last)
        services.register(activity, person, registration_type=physician, by=person)
    staff = UserFactory(email="office@acp.example")
    TeamFactory(provider=activity.provider, members=[staff], permissions=["registration"])

    login(page, staff)
    page.goto(
        live_server.url
        + reverse("staff:registration_badges", args=[activity.provider.slug, activity.slug])
    )
    expect(page.get_by_text("3 registrants hold a seat to attend in person")).to_be_visible()
    page.get_by_role("button", name="Make all badges").click()
    expect(page.locator(".messages")).to_contain_text("Making 3 badges")
    row = page.locator(".badge-batch").first
    expect(row).to_contain_text("Ready: 3 of 3")
    with page.expect_download() as info:
        row.get_by_role("link", name="Download PDF").click()
    download = info.value
    assert download.suggested_filename.startswith("acp-annual-2027-badges-")
    assert download.path().read_bytes()[:5] == b"%PDF-"
    expect(page.get_by_role("link", name="Reissue badge Ada Lovelace")).to_be_visible()
    screenshot(page, "badges_staff")
