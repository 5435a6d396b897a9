import pytest
from django.contrib.auth import get_user
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cmeconf.accounts import services, twofactor
from cmeconf.common.models import AuditEntry
from tests.accounts.conftest import PASSWORD, code_for

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
CODE = reverse("accounts:login_code")
SETUP = reverse("accounts:two_factor")


def log_in_with_password(client, user, next_url=""):
    data = {"username": user.email, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data)


def test_setup_shows_qr_and_secret_then_confirm_gives_ten_backup_codes(client, learner):
    client.force_login(learner)
    html = client.get(SETUP).content.decode()
    assert "Set up two-factor authentication" in html
    client.post(SETUP, {"action": "start"})
    device = TOTPDevice.objects.get(user=learner, confirmed=False)
    html = client.get(SETUP).content.decode()
    assert 'src="data:image/svg+xml' in html
    assert twofactor.secret_for_reading(device) in html
    assert "otpauth" not in html  # only inside the QR image, not as readable text

    wrong = client.post(SETUP, {"action": "confirm", "code": "000000"})
    assert "That code is not right" in wrong.content.decode()
    assert not twofactor.has_two_factor(learner)

    device.refresh_from_db()
    device.throttle_reset()
    response = client.post(SETUP, {"action": "confirm", "code": code_for(device)}, follow=True)
    html = response.content.decode()
    assert twofactor.has_two_factor(learner)
    codes = list(StaticToken.objects.filter(device__user=learner).values_list("token", flat=True))
    assert len(codes) == 10
    assert all(f"<code>{c}</code>" in html for c in codes)
    # Shown once only.
    assert codes[0] not in client.get(SETUP).content.decode()
    # This session proved the code: it is verified and may use staff pages at once.
    assert get_user(client).is_authenticated
    assert AuditEntry.objects.filter(action="person.two_factor_enabled", actor=learner).exists()


def test_provisioning_uri_names_site_and_person(learner, settings):
    settings.SITE_URL = "https://cme.example.org"
    device = services.start_two_factor(learner, by=learner)
    uri = twofactor.provisioning_uri(device)
    assert uri.startswith("otpauth://totp/cme.example.org%3Alearner%40example.org?")
    assert f"secret={twofactor.secret(device)}" in uri and "issuer=cme.example.org" in uri


def test_login_requires_the_code_after_the_password(client, enrolled):
    user, device, _codes = enrolled
    response = log_in_with_password(client, user, next_url="/somewhere/")
    assert response["Location"] == CODE
    # Password alone is not a login.
    assert not get_user(client).is_authenticated
    assert client.get(reverse("accounts:profile"))["Location"].startswith(LOGIN)

    page = client.get(CODE).content.decode()
    assert "Enter your code" in page and '<label for="id_code">' in page
    response = client.post(CODE, {"code": code_for(device, steps_ahead=1)})
    assert response["Location"] == "/somewhere/"
    logged_in = get_user(client)
    assert logged_in.pk == user.pk


def test_wrong_codes_are_refused_and_too_many_restart_the_login(client, enrolled):
    user, _device, _codes = enrolled
    log_in_with_password(client, user)
    for _i in range(4):
        response = client.post(CODE, {"code": "abcdefgh"})
        assert "That code is not right" in response.content.decode()
    response = client.post(CODE, {"code": "abcdefgh"})
    assert response["Location"] == LOGIN
    assert client.get(CODE)["Location"] == LOGIN
    assert not get_user(client).is_authenticated


def test_code_page_without_a_password_step_goes_to_login(client):
    assert client.get(CODE)["Location"] == LOGIN


def test_backup_code_works_once(client, enrolled):
    user, _device, codes = enrolled
    log_in_with_password(client, user)
    response = client.post(CODE, {"code": codes[0].upper()}, follow=True)
    assert get_user(client).pk == user.pk
    assert "You used a backup code; 9 are left." in response.content.decode()

    client.post(reverse("accounts:logout"))
    log_in_with_password(client, user)
    response = client.post(CODE, {"code": codes[0]})
    assert "That code is not right, or was already used" in response.content.decode()
    assert not get_user(client).is_authenticated
    assert twofactor.backup_codes_left(user) == 9


def test_disable_needs_a_current_code(client, enrolled):
    user, device, codes = enrolled
    log_in_with_password(client, user)
    client.post(CODE, {"code": codes[1]})
    response = client.post(SETUP, {"action": "disable", "code": "nonsense"})
    assert "That code is not right" in response.content.decode()
    assert twofactor.has_two_factor(user)
    client.post(SETUP, {"action": "disable", "code": code_for(device, steps_ahead=1)})
    assert not twofactor.has_two_factor(user)
    assert twofactor.backup_codes_left(user) == 0
    assert AuditEntry.objects.filter(action="person.two_factor_disabled").count() == 1


def test_new_backup_codes_replace_the_old(client, enrolled):
    user, device, codes = enrolled
    log_in_with_password(client, user)
    client.post(CODE, {"code": code_for(device, steps_ahead=1)})
    response = client.post(SETUP, {"action": "backup_codes"}, follow=True)
    fresh = list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(fresh) == 10 and not set(fresh) & set(codes)
    assert all(c in response.content.decode() for c in fresh)


@pytest.mark.urls("tests.accounts.staff_probe_urls")
def test_staff_page_redirects_until_the_session_is_verified(client, provider, enrolled):
    user, device, _codes = enrolled
    from tests.factories import TeamFactory

    TeamFactory(provider=provider, members=[user], permissions=["program"])
    staff_url = f"/staff-probe/{provider.slug}/"
    # A session logged in with the password only (as the Django admin's login would).
    client.force_login(user)
    response = client.get(staff_url)
    assert response["Location"] == f"{CODE}?next=%2Fstaff-probe%2Facp%2F"
    # Account pages that could hand out lasting access ask too.
    assert client.get(reverse("accounts:api_token"))["Location"].startswith(CODE)

    response = client.post(
        f"{CODE}?next={staff_url}", {"code": code_for(device, steps_ahead=1), "next": staff_url}
    )
    assert response["Location"] == staff_url
    response = client.get(staff_url)
    assert response.content.decode() == "staff page of acp"


@pytest.mark.urls("tests.accounts.staff_probe_urls")
def test_staff_without_two_factor_are_not_asked(client, provider, admin_user):
    client.force_login(admin_user)
    response = client.get(f"/staff-probe/{provider.slug}/")
    assert response.content.decode() == "staff page of acp"


@pytest.mark.urls("tests.accounts.staff_probe_urls")
def test_two_factor_check_adds_no_query_to_staff_pages(
    client, provider, admin_user, django_assert_num_queries
):
    client.force_login(admin_user)
    client.get(f"/staff-probe/{provider.slug}/")
    # Session, user, provider, membership, permissions; none for two-factor: the flag set
    # at login is in the session.
    with django_assert_num_queries(5):
        client.get(f"/staff-probe/{provider.slug}/")
