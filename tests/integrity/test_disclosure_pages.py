"""The disclosure pages: a person's own disclosure, invitations, and the staff overview."""

from __future__ import annotations

import datetime as dt
import html
import re
import time

import pytest
from django.core import mail, signing
from django.urls import get_resolver, reverse
from django.utils import timezone
from django.utils.formats import date_format

from cmeconf.activities.models import PlanningRole
from cmeconf.common.models import AuditEntry
from cmeconf.integrity import invitations, services
from cmeconf.integrity.choices import DisclosureState
from cmeconf.integrity.models import Disclosure
from tests.factories import (
    IneligibleCompanyFactory,
    SessionFactory,
    SessionFacultyFactory,
    TeamFactory,
    UserFactory,
    at,
)

pytestmark = pytest.mark.django_db

D = dt.date
NEW = reverse("integrity:disclosure_new")
MINE = reverse("integrity:disclosure")


@pytest.fixture
def quillon(db):
    company = IneligibleCompanyFactory(name="Quillon Pharma Inc.")
    company.aliases.create(name="Wyvern Biologics", key="wyvern biologics")
    return company


@pytest.fixture
def borealis(db):
    return IneligibleCompanyFactory(name="Borealis Devices plc", kind="device")


def post_data(answer="some", rows=(), attested=True, **extra):
    """The form as a browser posts it: management form, rows, answer, attestation."""
    data = {
        "rel-TOTAL_FORMS": str(max(len(rows), 1)),
        "rel-INITIAL_FORMS": "0",
        "rel-MIN_NUM_FORMS": "0",
        "rel-MAX_NUM_FORMS": "50",
        "answer": answer,
    }
    if attested:
        data["attested"] = "on"
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"rel-{i}-{key}"] = value
    data.update(extra)
    return data


def row(company="Quillon Pharma", nature="consultant", start="2025-02-01", end="", ongoing=True):
    data = {"company": company, "nature": nature, "start_date": start, "end_date": end}
    if ongoing:
        data["ongoing"] = "on"
    return data


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


# --- the person's own disclosure ----------------------------------------------------------


def test_pages_need_a_login(client):
    for url in (MINE, NEW, reverse("integrity:disclosure_refuse")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_form_shows_the_definition_and_the_attestation(client, learner):
    client.force_login(learner)
    page = text(client.get(NEW))
    assert "An ineligible company is one whose primary business is producing" in page
    assert "I have had no financial relationships with ineligible companies in the past 24" in page
    assert "I have disclosed all financial relationships I have had with ineligible" in page
    assert "I refuse to disclose" in page


def test_submit_no_relationships(client, learner):
    client.force_login(learner)
    response = client.post(NEW, post_data(answer="none"))
    assert response.status_code == 302 and response["Location"] == MINE
    d = Disclosure.objects.get(person=learner)
    assert (d.state, d.has_relationships, d.relationships.count()) == ("submitted", False, 0)
    today = timezone.localdate()
    assert d.valid_until == D(today.year + 1, today.month, today.day)
    page = text(client.get(MINE))
    assert "No financial relationships with ineligible companies" in page
    assert "Your disclosure was recorded" in page


def test_submit_with_relationships_matches_any_spelling_of_the_company(
    client, learner, quillon, borealis
):
    client.force_login(learner)
    rows = [
        row(company="QUILLON PHARMA, INC", nature="consultant", start="2024-03-01"),
        row(
            company="Wyvern Biologics",
            nature="speaker",
            start="2023-06-01",
            end="2024-01-31",
            ongoing=False,
        ),
        row(company="Borealis Devices", nature="stock", start="2022-01-10"),
    ]
    response = client.post(NEW, post_data(rows=rows))
    assert response.status_code == 302
    d = Disclosure.objects.get(person=learner)
    assert d.has_relationships
    saved = sorted(
        (r.company.name, r.nature, r.start_date, r.end_date) for r in d.relationships.all()
    )
    assert saved == [
        ("Borealis Devices plc", "stock", D(2022, 1, 10), None),
        ("Quillon Pharma Inc.", "consultant", D(2024, 3, 1), None),
        ("Quillon Pharma Inc.", "speaker", D(2023, 6, 1), D(2024, 1, 31)),
    ]
    page = text(client.get(MINE))
    assert (
        "Quillon Pharma Inc. Speaker (speakers' bureau) June 1, 2023 \u2013 Jan. 31, 2024" in page
    )
    assert (
        "Borealis Devices plc Individual stocks or stock options Jan. 10, 2022 \u2013 ongoing"
        in page
    )


def test_company_not_in_the_registry_is_refused_and_nothing_saved(client, learner, quillon):
    client.force_login(learner)
    response = client.post(NEW, post_data(rows=[row(company="Mercy Hospital")]))
    assert response.status_code == 400
    page = text(response)
    assert "Nothing was saved." in page
    assert "“Mercy Hospital” is not an ineligible company in the registry." in page
    assert not Disclosure.objects.exists()


def test_a_near_miss_suggests_registry_names(client, learner, quillon):
    client.force_login(learner)
    response = client.post(NEW, post_data(rows=[row(company="Quillon Phar")]))
    assert "Did you mean: Quillon Pharma Inc.?" in text(response)


def test_end_before_start_shows_the_service_message_on_the_row(client, learner, quillon):
    client.force_login(learner)
    bad = row(start="2024-05-01", end="2024-04-01", ongoing=False)
    response = client.post(NEW, post_data(rows=[row(start="2023-01-01"), bad]))
    assert response.status_code == 400
    page = response.content.decode()
    # On the second row (the one at fault), without the "Relationship 2:" prefix.
    second = page.split("Relationship 2</legend>")[1]
    assert "It ends (April 1, 2024) before it starts (May 1, 2024)." in second
    assert "It ends" not in page.split("Relationship 2</legend>")[0].split("Relationship 1")[1]
    assert not Disclosure.objects.exists()


def test_the_answer_and_the_rows_must_agree(client, learner, quillon):
    client.force_login(learner)
    response = client.post(NEW, post_data(answer="none", rows=[row()]))
    assert "You said you had no financial relationships but listed 1 below" in text(response)
    response = client.post(NEW, post_data(answer="some"))
    assert "List at least one relationship" in text(response)
    response = client.post(NEW, post_data(answer="none", attested=False))
    assert "Please confirm the attestation to submit." in text(response)
    response = client.post(NEW, post_data(rows=[row(end="2024-01-01")]))
    assert "Either give the end date or tick “ongoing”, not both." in text(response)
    assert not Disclosure.objects.exists()


def test_add_another_row_without_javascript_keeps_the_answers(client, learner, quillon):
    client.force_login(learner)
    response = client.post(NEW, post_data(rows=[row(company="Quillon Pharma")], add_row="1"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="rel-TOTAL_FORMS" value="2"' in page
    assert 'name="rel-0-company" value="Quillon Pharma"' in page
    assert 'name="rel-1-company"' in page
    assert "Relationship 2</legend>" in page
    assert "errorlist" not in page  # adding a row validates nothing
    assert not Disclosure.objects.exists()
    # The blank second row is ignored on submit.
    rows = [
        row(company="Quillon Pharma"),
        {"company": "", "nature": "", "start_date": "", "end_date": ""},
    ]
    assert client.post(NEW, post_data(rows=rows)).status_code == 302
    assert Disclosure.objects.get().relationships.count() == 1


def test_a_removed_row_is_not_saved(client, learner, quillon, borealis):
    client.force_login(learner)
    rows = [row(company="Quillon Pharma"), row(company="Borealis Devices") | {"DELETE": "on"}]
    assert client.post(NEW, post_data(rows=rows)).status_code == 302
    assert [r.company.name for r in Disclosure.objects.get().relationships.all()] == [
        "Quillon Pharma Inc."
    ]


def test_refusing_needs_a_confirmation(client, learner):
    client.force_login(learner)
    url = reverse("integrity:disclosure_refuse")
    page = text(client.get(url))
    assert (
        "Refusing to disclose disqualifies you from planning, teaching or reviewing "
        "accredited education." in page
    )
    client.post(url, {})  # the button without the confirmation's value
    assert not Disclosure.objects.exists()
    response = client.post(url, {"confirm": "refuse"})
    assert response["Location"] == MINE
    d = Disclosure.objects.get(person=learner)
    assert d.state == DisclosureState.REFUSED
    assert AuditEntry.objects.filter(action="disclosure.refused", actor=learner).count() == 1
    assert "Refused to disclose" in text(client.get(MINE))


def test_history_is_kept_and_shown_read_only(client, learner, quillon):
    client.force_login(learner)
    client.post(NEW, post_data(rows=[row()]))
    client.post(NEW, post_data(answer="none"))
    assert learner.disclosures.count() == 2
    page = text(client.get(MINE))
    current, earlier = page.split("Earlier disclosures")
    assert "No financial relationships" in current
    assert "Quillon Pharma Inc. Consultant" in earlier
    assert "Kept as they were submitted" in earlier


def test_a_person_sees_only_their_own_disclosure(client, learner, quillon):
    other = UserFactory(first_name="Olga", last_name="Other")
    services.submit_disclosure(
        other,
        by=other,
        attested=True,
        relationships=[
            {
                "company": quillon,
                "nature": "employee",
                "start_date": D(2020, 1, 1),
                "end_date": None,
            }
        ],
    )
    client.force_login(learner)
    page = text(client.get(MINE))
    assert "You have not submitted a disclosure yet." in page
    assert "Quillon" not in page and "Employee" not in page
    # No page of this app takes a person's id: only the login or a signed token says who.
    from cmeconf.integrity import urls

    for pattern in urls.urlpatterns:
        assert "<int:" not in str(pattern.pattern)
    assert "disclosure/" in [str(p.pattern) for p in get_resolver().url_patterns]


def test_company_search_for_the_datalist(client, learner, quillon, borealis):
    client.force_login(learner)
    data = client.get(reverse("integrity:company_search"), {"q": "wyvern"}).json()
    assert data == {"results": [{"name": "Quillon Pharma Inc.", "aliases": ["Wyvern Biologics"]}]}
    client.logout()
    assert client.get(reverse("integrity:company_search"), {"q": "wyvern"}).status_code == 302


# --- invitations ---------------------------------------------------------------------------


def test_invitation_link_works_without_login(client, quillon):
    faculty = UserFactory(first_name="Ada", last_name="Okafor", password=None)
    token = invitations.make_token(faculty)
    url = reverse("integrity:invitation", args=[token])
    page = text(client.get(url))
    assert "This disclosure is for Ada Okafor" in page
    assert "An ineligible company is one" in page
    response = client.post(url, post_data(rows=[row()]))
    assert response["Location"] == reverse("integrity:invitation_done", args=[token])
    d = Disclosure.objects.get(person=faculty)
    assert [r.company.name for r in d.relationships.all()] == ["Quillon Pharma Inc."]
    entry = AuditEntry.objects.get(action="disclosure.submitted")
    assert entry.actor_id == faculty.pk
    done = client.get(response["Location"])
    assert "Quillon Pharma Inc. Consultant" in text(done)
    reset = f"{reverse('accounts:password_reset')}?email={faculty.email.replace('@', '%40')}"
    assert reset in done.content.decode()
    assert f'value="{faculty.email}"' in client.get(reset).content.decode()
    # The token never logs the person in.
    assert client.get(MINE).status_code == 302


def test_invitation_refusal_with_confirmation(client):
    faculty = UserFactory()
    token = invitations.make_token(faculty)
    url = reverse("integrity:invitation_refuse", args=[token])
    assert "disqualifies you from planning, teaching or reviewing" in text(client.get(url))
    client.post(url, {"confirm": "refuse"})
    assert Disclosure.objects.get(person=faculty).state == DisclosureState.REFUSED


def test_bad_tokens_get_a_clear_page(client):
    faculty = UserFactory()
    token = invitations.make_token(faculty)
    tampered = client.get(reverse("integrity:invitation", args=[token[:-3] + "xyz"]))
    assert tampered.status_code == 404
    assert "This invitation link is not valid" in text(tampered)

    class Old(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - 31 * 24 * 3600)

    genuine = signing.loads(token, salt=invitations.SALT)
    old = Old(salt=invitations.SALT).sign_object(genuine)
    expired = client.get(reverse("integrity:invitation", args=[old]))
    assert expired.status_code == 400
    assert "This invitation link has expired" in text(expired)
    # A token for a changed address, or another salt's signature, names nobody.
    other_salt = signing.dumps(genuine, salt="something else")
    assert faculty.email not in signing.b64_decode(token.split(":")[0].encode()).decode()
    assert client.get(reverse("integrity:invitation", args=[other_salt])).status_code == 404
    faculty.email = "new@example.org"
    faculty.save()
    assert client.get(reverse("integrity:invitation", args=[token])).status_code == 404
    assert client.post(reverse("integrity:invitation", args=[token]), {}).status_code == 404
    assert not Disclosure.objects.exists()


# --- staff ---------------------------------------------------------------------------------


@pytest.fixture
def program(activity, quillon):
    """Four faculty and a planner, each standing differently on disclosure."""
    people = {
        name: UserFactory(first_name=name.capitalize(), last_name="Doe", email=f"{name}@x.org")
        for name in ("missing", "valid", "expired", "refused", "employee", "planner")
    }
    s1 = SessionFactory(activity=activity, start=at(activity.start_date, 9))
    s2 = SessionFactory(activity=activity, start=at(activity.end_date, 14))
    SessionFacultyFactory(session=s2, person=people["missing"], role="speaker")
    SessionFacultyFactory(session=s1, person=people["missing"], role="moderator")
    for name in ("valid", "expired", "refused", "employee"):
        SessionFacultyFactory(session=s2, person=people[name])
    PlanningRole.objects.create(activity=activity, person=people["planner"], role="planner")
    services.submit_disclosure(people["valid"], by=people["valid"], attested=True, relationships=[])
    services.submit_disclosure(
        people["expired"],
        by=people["expired"],
        attested=True,
        relationships=[],
        now=timezone.now() - dt.timedelta(days=500),
    )
    services.refuse_disclosure(people["refused"], by=people["refused"])
    services.submit_disclosure(
        people["employee"],
        by=people["employee"],
        attested=True,
        relationships=[
            {
                "company": quillon,
                "nature": "employee",
                "start_date": D(2020, 1, 1),
                "end_date": None,
            }
        ],
    )
    return people


def staff_url(activity, name="staff:disclosures"):
    return reverse(name, args=[activity.provider.slug, activity.slug])


def rows_by_email(response) -> dict[str, str]:
    page = response.content.decode()
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    found = {}
    for tr in body.split("<tr>")[1:]:
        cells = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", tr)).split())
        email = re.search(r"\S+@x\.org", cells).group(0)
        found[email] = cells
    return found


def test_staff_page_lists_everyone_in_control_of_content(client, admin_user, activity, program):
    client.force_login(admin_user)
    response = client.get(staff_url(activity))
    rows = rows_by_email(response)
    assert set(rows) == {f"{n}@x.org" for n in program}
    # Two roles, the role starting with the first session.
    assert "Moderator, Speaker" in rows["missing@x.org"]
    assert "April 14, 2027 Missing" in rows["missing@x.org"]
    assert "No disclosure on file" in rows["missing@x.org"]
    assert "Submitted" in rows["valid@x.org"] and "Nothing" in rows["valid@x.org"]
    assert "Submitted, blocked" in rows["expired@x.org"]
    assert "The disclosure expires on" in rows["expired@x.org"]
    assert "Refused" in rows["refused@x.org"] and "Refused to disclose" in rows["refused@x.org"]
    assert "Quillon Pharma Inc.: Employee" in rows["employee@x.org"]
    assert "Employee of Quillon Pharma Inc.: owners and employees" in rows["employee@x.org"]
    # A planner's role starts the day they joined the planning (planning had not started).
    added = PlanningRole.objects.get(person__email="planner@x.org").added_on
    assert "Planner" in rows["planner@x.org"]
    assert date_format(added, "DATE_FORMAT") in rows["planner@x.org"]
    assert "3 people need an invitation." in text(response)
    assert 'aria-current="page">Disclosures</a>' in response.content.decode()


def test_staff_page_agrees_with_the_service_and_honours_exceptions(
    client, admin_user, activity, program
):
    from cmeconf.integrity import review, roster
    from cmeconf.integrity.models import FinancialRelationship

    employment = FinancialRelationship.objects.get(disclosure__person=program["employee"])
    review.record_exception(
        activity,
        employment,
        reviewer=admin_user,
        exception="unrelated",
        reason="The talk is on research ethics, not the employer's products.",
    )
    members = roster.content_controllers(activity)
    for m in members:
        assert m.blockers == services.role_blockers(m.person, m.role_start, activity=activity)
    client.force_login(admin_user)
    rows = rows_by_email(client.get(staff_url(activity)))
    assert "Employee of" not in rows["employee@x.org"]
    assert "Nothing" in rows["employee@x.org"]


def test_program_team_sees_standing_but_not_the_relationships(client, activity, program):
    programmer = UserFactory()
    TeamFactory(provider=activity.provider, permissions=["program"], members=[programmer])
    client.force_login(programmer)
    rows = rows_by_email(client.get(staff_url(activity)))
    assert "1 financial relationship" in rows["employee@x.org"]
    assert "Quillon Pharma Inc.: Employee" not in rows["employee@x.org"]
    # The blocker still names the company: confirming the person depends on it.
    assert "Employee of Quillon Pharma Inc." in rows["employee@x.org"]


def test_team_without_review_or_program_gets_403(client, activity, program):
    clerk = UserFactory()
    TeamFactory(provider=activity.provider, permissions=["registration"], members=[clerk])
    client.force_login(clerk)
    response = client.get(staff_url(activity))
    assert response.status_code == 403
    assert b"missing@x.org" not in response.content
    assert client.post(staff_url(activity, "staff:disclosure_invite")).status_code == 403
    assert not mail.outbox


def test_invitations_go_to_missing_and_out_of_date_only(client, admin_user, activity, program):
    client.force_login(admin_user)
    response = client.post(staff_url(activity, "staff:disclosure_invite"), follow=True)
    # Not the valid one, not the refusal, not the employee (a reviewer's call, not a form's).
    assert sorted(m.to[0] for m in mail.outbox) == [
        "expired@x.org",
        "missing@x.org",
        "planner@x.org",
    ]
    assert "Invitations sent to" in text(response)
    entries = AuditEntry.objects.filter(action="disclosure.invited")
    assert sorted(e.after["email"] for e in entries) == sorted(m.to[0] for m in mail.outbox)
    assert {e.activity_id for e in entries} == {activity.pk}
    assert {e.actor_id for e in entries} == {admin_user.pk}


def test_invitation_email_link_lets_the_person_disclose(client, admin_user, activity, program):
    client.force_login(admin_user)
    client.post(staff_url(activity, "staff:disclosure_invite"))
    message = next(m for m in mail.outbox if m.to == ["missing@x.org"])
    assert activity.title in message.subject
    assert "your role starts on April 14, 2027" in message.body
    assert "No disclosure on file" in message.body
    link = re.search(r"https?://\S+/disclosure/invite/\S+/", message.body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    client.logout()
    response = client.post("/" + path, post_data(answer="none"))
    assert response.status_code == 302
    missing = program["missing"]
    assert services.current_disclosure(missing).state == DisclosureState.SUBMITTED
    assert services.role_blockers(missing, activity.start_date) == []


@pytest.mark.parametrize("count", [1, 3])
def test_staff_page_query_count_is_constant(
    client, admin_user, activity, quillon, django_assert_num_queries, count
):
    session = SessionFactory(activity=activity)
    for i in range(count):
        person = UserFactory()
        SessionFacultyFactory(session=session, person=person)
        PlanningRole.objects.create(activity=activity, person=UserFactory(), role="planner")
        services.submit_disclosure(
            person,
            by=person,
            attested=True,
            relationships=[
                {
                    "company": quillon,
                    "nature": "consultant",
                    "start_date": D(2024, 1, 1 + i),
                    "end_date": None,
                }
            ],
        )
    client.force_login(admin_user)
    client.get(staff_url(activity))  # warm the per-process caches (content types, sessions)
    with django_assert_num_queries(QUERIES):
        response = client.get(staff_url(activity))
    assert len(rows_by_email_any(response)) == 2 * count


QUERIES = 15


def rows_by_email_any(response) -> list[str]:
    body = response.content.decode().split("<tbody>")[1].split("</tbody>")[0]
    return body.split("<tr>")[1:]
