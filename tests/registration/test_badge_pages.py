"""The badge pages: the learner's badge on the phone and as PDF; the staff badges page."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from cmeconf.registration import badge_services, services
from cmeconf.registration.badge_tokens import badge_code, badge_token, registration_for_token
from cmeconf.registration.choices import BatchStatus, RegistrationStatus
from cmeconf.registration.models import BadgeBatch
from tests.factories import ActivityFactory, ProviderFactory, TeamFactory, UserFactory
from tests.registration.factories import (
    PriceTierFactory,
    RegistrationSetupFactory,
    RegistrationTypeFactory,
)
from tests.registration.qr_reader import decode, matrix_from_pdf, matrix_from_svg, pdf_text

S = RegistrationStatus


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def setup(activity):
    return RegistrationSetupFactory(activity=activity)


@pytest.fixture
def in_person(activity, setup):
    return RegistrationTypeFactory(activity=activity, code="physician", name="Physician")


def register(activity, reg_type, person=None, **fields):
    person = person or UserFactory(**fields)
    return services.register(activity, person, registration_type=reg_type, by=person)


def learner_url(name: str, activity) -> str:
    return reverse(f"learner_badge:{name}", args=[activity.provider.slug, activity.slug])


def staff_url(name: str, activity, *args) -> str:
    return reverse(f"staff:{name}", args=[activity.provider.slug, activity.slug, *args])


@pytest.fixture
def mine(activity, in_person, learner):
    return register(activity, in_person, learner)


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return client


# --- the learner --------------------------------------------------------------------------


def test_the_badge_page_shows_a_qr_code_that_reads_as_the_token(learner_client, mine, activity):
    response = learner_client.get(learner_url("page", activity))
    assert response.status_code == 200
    html = response.content.decode()
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert decode(matrix_from_svg(svg)) == badge_token(mine)
    assert "Lee Learner" in html
    assert f'<strong id="badge-code">{badge_code(mine)}</strong>' in html
    assert "Physician" in html and activity.title in html
    assert learner_url("pdf", activity) in html
    # Strict CSP: no inline style or script on the page.
    assert "style=" not in html and "<script>" not in html
    assert "'unsafe-inline'" not in response["Content-Security-Policy"].split("style-src")[1]


def test_the_badge_pdf_is_the_learners_own(learner_client, mine, activity):
    response = learner_client.get(learner_url("pdf", activity))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert decode(matrix_from_pdf(response.content)) == badge_token(mine)
    assert "Lee Learner" in pdf_text(response.content)


def test_a_badge_page_shows_only_the_visitors_own_badge(client, mine, activity, in_person):
    other = register(activity, in_person, first_name="Olga", last_name="Other")
    client.force_login(other.person)
    html = client.get(learner_url("page", activity)).content.decode()
    assert "Olga Other" in html and "Lee Learner" not in html
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert registration_for_token(decode(matrix_from_svg(svg))) == other


def test_anonymous_visitors_are_sent_to_log_in(client, mine, activity):
    for name in ("page", "pdf"):
        response = client.get(learner_url(name, activity))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ("waitlisted", "You are on the waiting list: your badge appears here once you have a"),
        ("cancelled", "You are not registered for this activity"),
        ("virtual", "You attend online, so you need no badge."),
        ("none", "You are not registered for this activity"),
    ],
)
def test_no_badge_without_a_seat_in_person(
    learner_client, learner, activity, setup, state, message
):
    if state == "waitlisted":
        register(activity, RegistrationTypeFactory(activity=activity, capacity=0), learner)
    elif state == "cancelled":
        reg = register(activity, RegistrationTypeFactory(activity=activity), learner)
        services.cancel(reg, by=learner)
    elif state == "virtual":
        register(activity, RegistrationTypeFactory(activity=activity, mode="virtual"), learner)
    response = learner_client.get(learner_url("page", activity))
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert "<svg" not in html
    response = learner_client.get(learner_url("pdf", activity), follow=True)
    assert response.redirect_chain == [(learner_url("page", activity), 302)]
    assert response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()


def test_a_pending_registration_holds_its_seat_and_has_a_badge(learner_client, learner, activity):
    paid = RegistrationTypeFactory(activity=activity)
    RegistrationSetupFactory(activity=activity)
    PriceTierFactory(registration_type=paid, amount=Decimal("100.00"))
    reg = register(activity, paid, learner)
    assert reg.status == S.PENDING_PAYMENT
    assert learner_client.get(learner_url("pdf", activity))["Content-Type"] == "application/pdf"


def test_an_activity_without_registration_has_no_badge_page(learner_client):
    bare = ActivityFactory()
    assert learner_client.get(learner_url("page", bare)).status_code == 404


def test_my_registration_links_to_the_badge(learner_client, mine, activity):
    mine_url = reverse("learner_registration:mine", args=[activity.provider.slug, activity.slug])
    html = learner_client.get(mine_url).content.decode()
    links = re.search(r'<td id="badge-links">(.*?)</td>', html, re.S).group(1)
    assert learner_url("page", activity) in links and learner_url("pdf", activity) in links


def test_my_registration_says_when_there_is_no_badge(learner_client, learner, activity, setup):
    register(activity, RegistrationTypeFactory(activity=activity, capacity=0), learner)
    mine_url = reverse("learner_registration:mine", args=[activity.provider.slug, activity.slug])
    html = learner_client.get(mine_url).content.decode()
    links = re.search(r'<td id="badge-links">(.*?)</td>', html, re.S).group(1)
    assert links == "Your badge is here once you have a seat."


# --- staff --------------------------------------------------------------------------------


@pytest.fixture
def staff(activity):
    user = UserFactory()
    TeamFactory(provider=activity.provider, members=[user], permissions=["registration"])
    return user


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def test_the_badges_page_lists_seat_holders_with_print_and_reissue(
    staff_client, activity, in_person, mine
):
    waiting = register(
        activity, RegistrationTypeFactory(activity=activity, capacity=0), last_name="Waiting"
    )
    online = register(
        activity, RegistrationTypeFactory(activity=activity, mode="virtual"), last_name="Online"
    )
    code = badge_code(mine)  # shown once before: the list gives its code
    response = staff_client.get(staff_url("registration_badges", activity))
    html = response.content.decode()
    assert response.status_code == 200
    assert f"<code>{code}</code>" in html
    online.refresh_from_db()
    assert online.badge_key == ""  # listing makes no badge
    assert "not printed yet" in html
    assert "1 registrant holds a seat to attend in person and gets a badge." in html
    assert "Make all badges" in html
    rows = re.findall(r'<tr id="badge-registration-(\d+)">', html)
    assert sorted(int(r) for r in rows) == sorted([mine.pk, online.pk])
    assert str(waiting.pk) not in rows
    assert staff_url("registration_badge_pdf", activity, mine.pk) in html
    assert staff_url("registration_badge_reissue", activity, mine.pk) in html


def test_the_badges_page_searches_by_name(staff_client, activity, in_person, mine):
    other = register(activity, in_person, first_name="Zed", last_name="Zulu")
    html = staff_client.get(staff_url("registration_badges", activity), {"q": "zulu"}).content
    rows = re.findall(rb'<tr id="badge-registration-(\d+)">', html)
    assert rows == [str(other.pk).encode()]


def test_the_badges_page_queries_do_not_grow_with_registrants(staff_client, activity, in_person):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert staff_client.get(staff_url("registration_badges", activity)).status_code == 200
        return len(ctx.captured_queries)

    register(activity, in_person)
    one = count()
    register(activity, in_person)
    register(activity, in_person)
    assert count() == one


def test_make_all_badges_then_download_them(
    staff_client, activity, in_person, mine, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(staff_url("registration_badge_batch_start", activity))
    assert response.status_code == 302
    assert response["Location"] == staff_url("registration_badges", activity)
    batch = BadgeBatch.objects.get()
    assert (batch.status, batch.done, batch.total) == (BatchStatus.DONE, 1, 1)
    status = staff_client.get(staff_url("registration_badge_batch_status", activity, batch.pk))
    download = staff_url("registration_badge_batch_download", activity, batch.pk)
    assert status.json() == {
        "id": batch.pk,
        "status": "done",
        "label": "Ready",
        "text": "Ready: 1 of 1",
        "done": 1,
        "total": 1,
        "finished": True,
        "error": "",
        "download": download,
    }
    html = staff_client.get(staff_url("registration_badges", activity)).content.decode()
    assert download in html and "Making 1 badges" in html
    response = staff_client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="acp-annual-2027-badges')
    data = b"".join(response.streaming_content)
    assert decode(matrix_from_pdf(data)) == badge_token(mine)


def test_a_running_batch_shows_its_progress_and_blocks_another(
    staff_client, activity, in_person, mine, staff
):
    batch = badge_services.start_badge_batch(activity, by=staff)  # the task has not run yet
    status_url = staff_url("registration_badge_batch_status", activity, batch.pk)
    state = staff_client.get(status_url).json()
    assert (state["status"], state["finished"], state["download"]) == ("queued", False, "")
    html = staff_client.get(staff_url("registration_badges", activity)).content.decode()
    assert f'data-status-url="{status_url}"' in html
    assert '<progress class="badge-batch__bar" max="1" value="0"' in html
    assert "Make all badges" not in html
    assert "badge-batch.js" in html
    response = staff_client.post(staff_url("registration_badge_batch_start", activity), follow=True)
    assert "Badges are already being made" in response.content.decode()
    assert BadgeBatch.objects.count() == 1
    download = staff_client.get(staff_url("registration_badge_batch_download", activity, batch.pk))
    assert download.status_code == 404


def test_print_one_badge(staff_client, activity, in_person, mine):
    response = staff_client.get(staff_url("registration_badge_pdf", activity, mine.pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert decode(matrix_from_pdf(response.content)) == badge_token(mine)


def test_no_badge_for_the_waiting_list(staff_client, activity):
    RegistrationSetupFactory(activity=activity)
    waiting = register(activity, RegistrationTypeFactory(activity=activity, capacity=0))
    response = staff_client.get(staff_url("registration_badge_pdf", activity, waiting.pk))
    assert response.status_code == 404


def test_reissue_asks_first_then_voids_the_old_badge(staff_client, activity, mine):
    old = badge_token(mine)
    address = staff_url("registration_badge_reissue", activity, mine.pk)
    page = staff_client.get(address)
    assert "Reissue the badge of Lee Learner" in page.content.decode()
    assert registration_for_token(old) == mine  # asking changed nothing
    response = staff_client.post(address, follow=True)
    assert "badges printed before no longer work" in response.content.decode()
    mine.refresh_from_db()
    assert registration_for_token(old) is None
    assert registration_for_token(badge_token(mine)) == mine


def test_staff_pages_refuse_the_wrong_people(client, activity, in_person, mine, staff):
    batch = badge_services.start_badge_batch(activity, by=staff)
    addresses = [
        ("get", staff_url("registration_badges", activity)),
        ("post", staff_url("registration_badge_batch_start", activity)),
        ("get", staff_url("registration_badge_batch_status", activity, batch.pk)),
        ("get", staff_url("registration_badge_batch_download", activity, batch.pk)),
        ("get", staff_url("registration_badge_pdf", activity, mine.pk)),
        ("get", staff_url("registration_badge_reissue", activity, mine.pk)),
        ("post", staff_url("registration_badge_reissue", activity, mine.pk)),
    ]
    program_only = UserFactory()
    TeamFactory(provider=activity.provider, members=[program_only], permissions=["program"])
    outsider = UserFactory()
    TeamFactory(members=[outsider])  # every permission, at another provider
    key = mine.badge_key
    for who, status in ((program_only, 403), (outsider, 404), (mine.person, 404)):
        client.force_login(who)
        for method, address in addresses:
            response = getattr(client, method)(address)
            assert response.status_code == status, (who, address)
            assert b"%PDF" not in response.content[:10]
    mine.refresh_from_db()
    assert mine.badge_key == key
    assert BadgeBatch.objects.count() == 1


def test_another_providers_badges_are_not_reached(staff_client, activity, in_person, staff):
    """The same activity slug at another provider: its registrants and batches stay out."""
    other_provider = ProviderFactory(slug="other")
    twin = ActivityFactory(provider=other_provider, slug=activity.slug)
    RegistrationSetupFactory(activity=twin)
    theirs = register(twin, RegistrationTypeFactory(activity=twin))
    admin = UserFactory()
    TeamFactory(provider=other_provider, members=[admin])
    their_batch = badge_services.start_badge_batch(twin, by=admin)
    for address in (
        staff_url("registration_badge_pdf", activity, theirs.pk),
        staff_url("registration_badge_reissue", activity, theirs.pk),
        staff_url("registration_badge_batch_status", activity, their_batch.pk),
        staff_url("registration_badge_batch_download", activity, their_batch.pk),
    ):
        assert staff_client.get(address).status_code == 404
    reissue = staff_url("registration_badge_reissue", activity, theirs.pk)
    assert staff_client.post(reissue).status_code == 404
    theirs_key = type(theirs).objects.get(pk=theirs.pk).badge_key
    assert theirs_key == theirs.badge_key
