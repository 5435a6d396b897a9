"""A planner reads the checklist and comments; after approval a change needs a reason."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cmeconf.activities.choices import ActivityState
from cmeconf.activities.models import Amendment, ReviewComment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_checklist_comments_and_an_amendment(
    page, live_server, login, screenshot, admin_user, activity
):
    activity.state = ActivityState.PLANNING
    activity.save()
    planning_url = f"{live_server.url}/staff/{activity.provider.slug}/{activity.slug}/planning/"

    login(page, admin_user)
    page.goto(planning_url)
    expect(page.get_by_role("heading", name="Checklist")).to_be_visible()
    expect(page.get_by_text("To do").first).to_be_visible()
    page.locator("#comments textarea").fill(
        "The gap needs a source beyond expert opinion: add the chart audit."
    )
    page.get_by_role("button", name="Add comment").click()
    expect(page.get_by_text("add the chart audit.")).to_be_visible()
    assert ReviewComment.objects.get().author == admin_user
    screenshot(page, "planning-checklist")

    # Approved: the planning record cannot change without a reason; with one, it is kept.
    activity.state = ActivityState.APPROVED
    activity.save()
    page.goto(planning_url)
    gap = page.get_by_label("Professional practice gap")
    gap.fill("Hospitalists under-use early anticoagulation reversal, per our 2026 chart audit.")
    page.get_by_role("button", name="Save planning record").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    assert not Amendment.objects.exists()
    page.get_by_label("Reason for this change").fill("The chart audit results came in.")
    page.get_by_role("button", name="Save planning record").click()
    expect(page.get_by_text("The chart audit results came in.")).to_be_visible()
    assert Amendment.objects.get().reason == "The chart audit results came in."
    screenshot(page, "planning-amendment")
