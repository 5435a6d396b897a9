import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from cmeconf.common.models import AuditEntry

pytestmark = pytest.mark.django_db

URL = reverse("accounts:api_token")


def test_create_shows_the_key_once_then_regenerate_and_revoke(client, learner):
    client.force_login(learner)
    assert "No token" in client.get(URL).content.decode()

    response = client.post(URL, {"action": "create"}, follow=True)
    token = Token.objects.get(user=learner)
    html = response.content.decode()
    assert f'value="{token.key}"' in html
    assert response["Cache-Control"] == "no-store"
    again = client.get(URL).content.decode()
    assert token.key not in again
    assert "Active" in again

    client.post(URL, {"action": "create"})
    new = Token.objects.get(user=learner)
    assert new.key != token.key

    client.post(URL, {"action": "revoke"})
    assert not Token.objects.filter(user=learner).exists()
    actions = list(
        AuditEntry.objects.filter(actor=learner).order_by("id").values_list("action", "note")
    )
    assert actions == [
        ("person.api_token_created", ""),
        ("person.api_token_created", "replaced the earlier token"),
        ("person.api_token_revoked", ""),
    ]
    assert all(new.key not in str(e.note) for e in AuditEntry.objects.all())


def test_token_authenticates_api_requests(client, learner):
    client.force_login(learner)
    client.post(URL, {"action": "create"})
    key = Token.objects.get(user=learner).key
    from rest_framework.authentication import TokenAuthentication
    from rest_framework.test import APIRequestFactory

    request = APIRequestFactory().get("/api/v1/", HTTP_AUTHORIZATION=f"Token {key}")
    user, _auth = TokenAuthentication().authenticate(request)
    assert user == learner


def test_token_page_needs_login(client):
    assert client.get(URL)["Location"].startswith(reverse("accounts:login"))
