"""A person signs up, logs out and in, turns on two-factor and logs in with a code."""

import base64
import re

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "saffron-lantern-63"


def current_code(secret: str, steps_ahead: int = 0) -> str:
    from django_otp.oath import totp

    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key, drift=steps_ahead):06d}"


def test_sign_up_log_in_and_two_factor(page, phone_page, live_server, screenshot):
    from cmeconf.accounts.models import User

    page.goto(f"{live_server.url}/accounts/sign-up/")
    page.get_by_label("First name").fill("Rosalind")
    page.get_by_label("Last name").fill("Franklin")
    page.get_by_label("E-mail address").fill("Rosalind.Franklin@Example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_label("Profession").select_option("physician")
    page.get_by_label("Credentials").fill("MD, PhD")
    page.get_by_label("Specialty").fill("Pathology")
    page.get_by_label("Country").fill("gb")
    screenshot(page, "accounts-sign-up")
    page.get_by_role("button", name="Create account").click()

    page.wait_for_url(re.compile(r"/accounts/profile/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Rosalind Franklin, MD, PhD"
    assert "Your account is ready" in page.locator(".messages").inner_text()
    user = User.objects.get()
    assert (user.email, user.country) == ("rosalind.franklin@example.org", "GB")
    screenshot(page, "accounts-profile")

    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Log in").is_visible()

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail address").fill("rosalind.franklin@example.org")
    page.get_by_label("Password").fill("not-my-password")
    page.get_by_role("button", name="Log in").click()
    assert "do not match an account" in page.locator(".errorlist").inner_text()
    screenshot(page, "accounts-login-error")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="My account").is_visible()

    # Turn on two-factor: the test plays the authenticator app.
    page.get_by_role("link", name="My account").click()
    page.get_by_role("link", name="Two-factor authentication").click()
    page.get_by_role("button", name="Set up two-factor authentication").click()
    qr = page.get_by_role("img", name="QR code for your authenticator app")
    assert qr.is_visible() and qr.evaluate("img => img.naturalWidth") > 0
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    screenshot(page, "accounts-two-factor-setup")
    page.get_by_label("Code").fill(current_code(secret))
    page.get_by_role("button", name="Turn on two-factor").click()
    page.wait_for_load_state()
    codes = page.locator(".backup-codes code").all_inner_texts()
    assert len(codes) == 10
    assert "Two-factor authentication is on." in page.locator(".messages").inner_text()
    screenshot(page, "accounts-two-factor-on")

    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/accounts/login/?next=/accounts/api-token/")
    page.get_by_label("E-mail address").fill("rosalind.franklin@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/accounts/login/code/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Enter your code"
    # The password alone is not a login.
    assert page.get_by_role("link", name="Log in").is_visible()
    screenshot(page, "accounts-login-code")
    # The setup used this period's code; an app would show the next one in a moment.
    page.get_by_label("Code").fill(current_code(secret, steps_ahead=1))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(re.compile(r"/accounts/api-token/$"))
    assert page.get_by_role("link", name="My account").is_visible()

    page.get_by_role("button", name="Create a token").click()
    page.wait_for_load_state()
    key = page.get_by_label("New API token").input_value()
    assert len(key) == 40
    screenshot(page, "accounts-api-token")

    phone_page.goto(f"{live_server.url}/accounts/sign-up/")
    assert phone_page.get_by_label("E-mail address").is_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    screenshot(phone_page, "accounts-sign-up-phone")
