from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cmeconf.common.models import AuditEntry

# The activity is published: each write is an amendment and gives its reason.
REASON = "Rescheduled"


def test_token_authenticates_writes(api, base, admin_user, activity):
    token = Token.objects.create(user=admin_user)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.patch(f"{base}/", {"reason": REASON, "venue_name": "Hall C"}, format="json")
    assert response.status_code == 200
    assert response.json()["venue_name"] == "Hall C"
    assert AuditEntry.objects.get(action="activity.updated").actor == admin_user


def test_wrong_token_is_401_with_a_challenge(api, base):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = api.get(f"{base}/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}
    assert response["WWW-Authenticate"] == "Token"


def test_token_of_a_deactivated_account_stops_working(api, base, admin_user):
    token = Token.objects.create(user=admin_user)
    admin_user.is_active = False
    admin_user.save()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.get("/api/v1/providers/")
    assert response.status_code == 401
    assert response.json() == {"detail": "User inactive or deleted."}


def test_anonymous_write_asks_for_credentials(api, base, activity):
    response = api.patch(f"{base}/", {"reason": REASON, "title": "X"}, format="json")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    activity.refresh_from_db()
    assert activity.title == "Annual Meeting 2027"


def test_session_auth_writes_need_the_csrf_token(base, admin_user, activity):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.patch(f"{base}/", {"reason": REASON, "title": "X"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"].startswith("CSRF Failed")
    activity.refresh_from_db()
    assert activity.title == "Annual Meeting 2027"
    # A token needs no CSRF token: it is not sent by browsers on their own.
    token = Token.objects.create(user=admin_user)
    client.logout()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert (
        client.patch(f"{base}/", {"reason": REASON, "title": "X"}, format="json").json()["title"]
        == "X"
    )


def test_session_without_the_two_factor_code_is_refused(base, admin_user, activity):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=admin_user, name="phone", confirmed=True)
    client = APIClient()
    client.force_login(admin_user)  # password only: the code was never entered
    response = client.patch(f"{base}/", {"reason": REASON, "title": "X"}, format="json")
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Enter your two-factor code on the site first, or use an API token."
    }
    activity.refresh_from_db()
    assert activity.title == "Annual Meeting 2027"
    # A token still works: it was made on a page that needed the code.
    client.logout()
    token = Token.objects.create(user=admin_user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert (
        client.patch(f"{base}/", {"reason": REASON, "title": "X"}, format="json").status_code == 200
    )


def test_a_deleted_token_is_forgotten_at_once_in_this_process(db):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from tests.factories import UserFactory

    token = Token.objects.create(user=UserFactory())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/me/consents/").status_code == 200
    token.delete()
    assert client.get("/api/v1/me/consents/").status_code == 401
