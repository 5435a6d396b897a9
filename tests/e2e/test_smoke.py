import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_activity_home_renders_in_chromium(page, live_server, screenshot):
    from tests.factories import ActivityFactory

    activity = ActivityFactory(title="Annual Meeting of Internists")
    page.goto(live_server.url + activity.get_absolute_url())
    assert page.get_by_role("heading", level=1).inner_text() == "Annual Meeting of Internists"
    screenshot(page, "smoke-activity-home")
