"""The activity page offers "Register" once staff have set registration up."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cmeconf.registration import setup
from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db


def test_register_button_appears_when_registration_is_set_up(client, admin_user, activity):
    page_url = f"/{activity.provider.slug}/{activity.slug}/"
    register_url = reverse(
        "learner_registration:register", args=[activity.provider.slug, activity.slug]
    )
    assert register_url not in client.get(page_url).text
    setup.save_setup(activity, by=admin_user, capacity=500)
    # Saving the set-up changes the public page at once, cached or not.
    assert register_url in client.get(page_url).text


def test_no_register_button_without_set_up(client):
    activity = ActivityFactory()
    assert "/register/" not in client.get(f"/{activity.provider.slug}/{activity.slug}/").text
