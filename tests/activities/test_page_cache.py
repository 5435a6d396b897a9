"""Whole pages cached for visitors who are not logged in."""

import re

from django.core.cache import cache

from cmeconf.activities import page_cache
from cmeconf.activities.choices import ActivityState
from cmeconf.activities.services import activities as activity_services
from cmeconf.activities.services import program as program_services
from tests.factories import ActivityFactory, SessionFactory, at

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

# The activity is published: each change is an amendment and needs a reason.
REASON = "Program change after publication"


def _schedule(activity) -> str:
    return f"/{activity.provider.slug}/{activity.slug}/schedule/"


def test_visitors_get_the_cached_page_with_their_own_token(
    client, activity, django_assert_num_queries
):
    SessionFactory(activity=activity, title="Sepsis Bundles Revisited")
    first = client.get(_schedule(activity))
    assert "Sepsis Bundles Revisited" in first.text
    with django_assert_num_queries(0):
        second = client.get(_schedule(activity))
    assert second.text.count("Sepsis Bundles Revisited") == first.text.count(
        "Sepsis Bundles Revisited"
    )
    assert page_cache.CSRF_PLACEHOLDER not in second.text
    other_visitor = client.__class__()
    third = other_visitor.get(_schedule(activity))
    tokens = {TOKEN.search(r.text).group(1) for r in (first, second, third)}
    assert len(tokens) == 3  # masked per request, never one visitor's token for another


def test_a_program_change_is_shown_to_visitors_at_once(client, activity, admin_user):
    session = SessionFactory(activity=activity, title="Old Title")
    assert "Old Title" in client.get(_schedule(activity)).text
    program_services.update_session(session, by=admin_user, reason=REASON, title="New Title")
    page = client.get(_schedule(activity)).text
    assert "New Title" in page and "Old Title" not in page


def test_logged_in_people_never_get_the_visitors_page(client, activity, learner):
    SessionFactory(activity=activity)
    client.get(_schedule(activity))  # fills the visitors' cache
    client.force_login(learner)
    page = client.get(_schedule(activity)).text
    assert "Log out" in page and 'id="agenda-ids"' in page


def test_drafts_are_not_served_from_the_cache(client, provider, admin_user):
    draft = ActivityFactory(provider=provider, state=ActivityState.DRAFT)
    assert client.get(_schedule(draft)).status_code == 404
    assert client.get(_schedule(draft)).status_code == 404


def test_renaming_an_activity_drops_pages_under_the_old_address(client, activity, admin_user):
    SessionFactory(activity=activity, start=at(activity.start_date, 9))
    old = _schedule(activity)
    assert client.get(old).status_code == 200
    activity_services.update_activity(
        activity, by=admin_user, reason=REASON, slug="annual-meeting-2027"
    )
    assert client.get(old).status_code == 404
    assert client.get(_schedule(activity)).status_code == 200


def test_another_processs_change_is_seen_after_the_version_ttl(client, activity, monkeypatch):
    SessionFactory(activity=activity, title="Before")
    client.get(_schedule(activity))
    # Another server process changed the program: only the shared version key tells,
    # and this process trusts the version it saw for at most VERSION_TTL.
    type(activity).objects.filter(pk=activity.pk).update(program_version=99)
    cache.delete(page_cache.version_key(activity.provider.slug, activity.slug))
    activity.sessions.update(title="After")
    monkeypatch.setattr(page_cache, "VERSION_TTL", 0.0)
    assert "After" in client.get(_schedule(activity)).text


def test_memory_of_each_process_is_bounded(monkeypatch):
    monkeypatch.setattr(page_cache, "LOCAL_BYTES", 10)
    for i in range(5):
        page_cache._remember(("p", "a"), f"k{i}", 1, "abcd", "text/html")
    assert list(page_cache._local_pages) == ["k3", "k4"]  # oldest dropped first
    assert page_cache._local_size == 8
