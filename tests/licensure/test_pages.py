"""The learner's licensure pages: own data only, forms that explain, unconfirmed rules marked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cmeconf.licensure import services
from cmeconf.licensure.models import BoardCertification, ExternalCredit, Licence
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def california(person) -> Licence:
    # California renews at the end of the birth month: pick one a few months away.
    birthday = _in_days(100)
    return Licence.objects.create(
        person=person,
        requirement_set="US-CA-MD",
        license_type="MD",
        number="A123456",
        issued_on=dt.date(2010, 5, 1),
        birth_month=birthday.month,
        birth_day=12,
    )


def texas(person) -> Licence:
    return Licence.objects.create(
        person=person,
        requirement_set="US-TX-MD-DO",
        license_type="MD",
        number="T7788",
        issued_on=dt.date(2012, 3, 1),
        expires_on=_in_days(200),
        conditions=["direct_patient_care"],
    )


def credit(person, title: str, days_ago: int, amounts: dict, topics=()) -> ExternalCredit:
    return services.add_credit(
        person,
        title=title,
        provider_name="Some Society",
        completed_on=_in_days(-days_ago),
        amounts=amounts,
        topics=list(topics),
    )


@pytest.fixture
def person(db):
    return UserFactory(email="doc@example.org", first_name="Dana")


@pytest.fixture
def other(db):
    return UserFactory(email="other@example.org")


def test_dashboard_needs_login(client):
    response = client.get(reverse("licensure:dashboard"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_dashboard_empty_state_invites_to_add_a_licence(client, person):
    client.force_login(person)
    page = client.get(reverse("licensure:dashboard")).content.decode()
    assert "Add your first licence" in page
    assert reverse("licensure:licence_add") in page


def test_dashboard_shows_each_licence_with_gaps_reasons_and_verify_notice(client, person):
    client.force_login(person)
    california(person)
    texas(person)
    credit(person, "Heart failure update", 30, {"AMA_PRA_1": "10"})
    credit(person, "Old course", 4000, {"AMA_PRA_1": "5"})
    credit(person, "Journal club", 20, {"AMA_PRA_2": "3"})
    page = client.get(reverse("licensure:dashboard")).content.decode()
    assert "California: physician (MD)" in page
    assert "Texas: physician (DO, MD)" in page
    assert "A123456" in page and "T7788" in page
    # California needs 50 hours; 10 counted.
    assert "10 of 50 hours" in page
    assert "40 still needed" in page
    # Texas counts in credits and has a formal minimum of 24.
    assert "10 of 48 credits" in page
    assert "10 of 24 credits" in page
    # Why credits did not count, in words.
    assert "Old course" in page and "completed before this renewal period began" in page
    assert "a credit type this requirement does not accept" in page
    assert page.count("Verify with your board.") == 2
    assert "researched on 2026-11-26" in page
    assert page.count("What fills my gap") == 2
    assert "Minimum: Formal" in page and "Total CME" in page
    # California's one-time pain mandate fell due years after first licensure.
    assert "overdue: was due by May 1, 2014" in page
    assert "days left" in page


def test_unconfirmed_rule_is_marked_never_plain(client, person):
    client.force_login(person)
    texas(person)  # the opioid mandate for direct patient care is not verified
    page = client.get(reverse("licensure:dashboard")).content.decode()
    start = page.index("Safe and effective pain management")
    item = page[page.rindex("<li", 0, start) : page.index("</li>", start)]
    assert "requirement--unconfirmed" in item
    assert "Not verified — check with your board" in item


def test_confirmed_rule_has_no_unconfirmed_mark(client, person):
    client.force_login(person)
    texas(person)
    page = client.get(reverse("licensure:dashboard")).content.decode()
    start = page.index("Medical ethics and/or professional responsibility")
    item = page[page.rindex("<li", 0, start) : page.index("</li>", start)]
    assert "Not verified" not in item


def test_licence_missing_expiry_shows_the_problem_and_a_fix_link(client, person):
    client.force_login(person)
    licence = texas(person)
    Licence.objects.filter(pk=licence.pk).update(expires_on=None)
    page = client.get(reverse("licensure:dashboard")).content.decode()
    assert "give the expiry date printed on the licence." in page
    assert reverse("licensure:licence_edit", args=[licence.pk]) in page
    assert "What fills my gap" not in page


def test_add_licence(client, person):
    client.force_login(person)
    page = client.get(reverse("licensure:licence_add")).content.decode()
    assert "US-CA-MD" in page and "Texas: physician (DO, MD)" in page
    response = client.post(
        reverse("licensure:licence_add"),
        {
            "requirement_set": "US-TX-MD-DO",
            "license_type": "DO",
            "number": "X1",
            "expires_on": _in_days(300).isoformat(),
            "specialties": "family medicine, pediatrics ,",
            "conditions": ["direct_patient_care"],
        },
    )
    assert response.status_code == 302
    licence = Licence.objects.get(person=person)
    assert (licence.requirement_set, licence.license_type) == ("US-TX-MD-DO", "DO")
    assert licence.specialties == ["family medicine", "pediatrics"]
    assert licence.conditions == ["direct_patient_care"]


def test_licence_form_explains_what_is_wrong(client, person):
    client.force_login(person)
    response = client.post(
        reverse("licensure:licence_add"),
        {
            "requirement_set": "US-TX-MD-DO",
            "license_type": "RN",
            "birth_month": "2",
            "birth_day": "30",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "covers these licence types: DO, MD" in errors["license_type"][0]
    assert "That day does not exist in that month." in errors["birth_day"]
    assert "give the expiry date printed on the licence" in errors["expires_on"][0]
    assert not Licence.objects.exists()


def test_licence_form_refuses_a_second_copy(client, person):
    client.force_login(person)
    texas(person)
    response = client.post(
        reverse("licensure:licence_add"),
        {
            "requirement_set": "US-TX-MD-DO",
            "license_type": "MD",
            "expires_on": _in_days(300).isoformat(),
        },
    )
    assert "You already have this licence" in response.context["form"].errors["license_type"][0]
    assert Licence.objects.count() == 1


def test_edit_form_offers_only_the_sets_conditions(client, person):
    client.force_login(person)
    licence = texas(person)
    form = client.get(reverse("licensure:licence_edit", args=[licence.pk])).context["form"]
    codes = {code for code, _label in form.fields["conditions"].choices}
    assert "direct_patient_care" in codes
    assert "il_controlled_substance_licence" not in codes
    assert form.initial["specialties"] == ""


def test_edit_and_delete_licence(client, person):
    client.force_login(person)
    licence = texas(person)
    url = reverse("licensure:licence_edit", args=[licence.pk])
    client.post(
        url,
        {
            "requirement_set": "US-TX-MD-DO",
            "license_type": "MD",
            "number": "NEW-1",
            "expires_on": _in_days(250).isoformat(),
        },
    )
    licence.refresh_from_db()
    assert licence.number == "NEW-1"
    delete = reverse("licensure:licence_delete", args=[licence.pk])
    assert "This cannot be undone" in client.get(delete).content.decode()
    assert Licence.objects.filter(pk=licence.pk).exists()
    client.post(delete)
    assert not Licence.objects.filter(pk=licence.pk).exists()


def test_anothers_licence_certification_and_credit_are_404(client, person, other):
    licence = texas(other)
    cert = BoardCertification.objects.create(person=other, board="ABIM", specialty="IM")
    their_credit = credit(other, "Theirs", 10, {"AMA_PRA_1": "1"})
    client.force_login(person)
    for name, pk in [
        ("licensure:licence_edit", licence.pk),
        ("licensure:licence_delete", licence.pk),
        ("licensure:fill", licence.pk),
        ("licensure:certification_edit", cert.pk),
        ("licensure:certification_delete", cert.pk),
    ]:
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
        if name != "licensure:fill":
            assert client.post(reverse(name, args=[pk])).status_code == 404, name
    assert (
        client.post(reverse("licensure:credit_delete", args=[their_credit.pk])).status_code == 404
    )
    assert Licence.objects.filter(pk=licence.pk).exists()
    assert BoardCertification.objects.filter(pk=cert.pk).exists()
    assert ExternalCredit.objects.filter(pk=their_credit.pk).exists()
    # and nothing of theirs shows on one's own pages
    assert "T7788" not in client.get(reverse("licensure:dashboard")).content.decode()
    assert "Theirs" not in client.get(reverse("licensure:credits")).content.decode()


def test_board_certification_add_edit_delete(client, person):
    client.force_login(person)
    response = client.post(
        reverse("licensure:certification_add"),
        {"board": "ABIM", "specialty": "Internal Medicine", "in_moc": "on"},
    )
    assert response.status_code == 302
    cert = BoardCertification.objects.get(person=person)
    assert cert.in_moc
    bad = client.post(
        reverse("licensure:certification_edit", args=[cert.pk]),
        {
            "board": "ABIM",
            "specialty": "Internal Medicine",
            "certified_on": "2020-01-01",
            "expires_on": "2019-01-01",
        },
    )
    assert "must come after" in bad.context["form"].errors["expires_on"][0]
    assert "ABIM" in client.get(reverse("licensure:dashboard")).content.decode()
    client.post(reverse("licensure:certification_delete", args=[cert.pk]))
    assert not BoardCertification.objects.exists()


def test_add_credit_with_two_designations_and_topics(client, person):
    client.force_login(person)
    response = client.post(
        reverse("licensure:credit_add"),
        {
            "title": "Opioid prescribing update",
            "provider_name": "State Society",
            "completed_on": _in_days(-5).isoformat(),
            "credit_type_1": "AMA_PRA_1",
            "amount_1": "1.5",
            "credit_type_2": "AOA_2A",
            "amount_2": "1.5",
            "topics": ["opioid_prescribing", "pain_management"],
            "format": "live",
        },
    )
    assert response.status_code == 302
    saved = ExternalCredit.objects.get(person=person)
    assert saved.amounts == {"AMA_PRA_1": "1.50", "AOA_2A": "1.50"}
    assert saved.topics == ["opioid_prescribing", "pain_management"]
    assert saved.format == "live"
    page = client.get(reverse("licensure:credits")).content.decode()
    assert "1.5 AMA PRA Category 1 Credit™" in page
    assert "Opioid prescribing, Pain management" in page


def test_credit_form_explains_what_is_wrong(client, person):
    client.force_login(person)
    response = client.post(
        reverse("licensure:credit_add"),
        {
            "title": "Future course",
            "completed_on": _in_days(3).isoformat(),
            "credit_type_1": "AMA_PRA_1",
            "amount_1": "2",
            "credit_type_2": "AMA_PRA_1",
            "amount_2": "1",
            "amount_3": "4",
        },
    )
    errors = response.context["form"].errors
    assert "already listed" in errors["credit_type_2"][0]
    assert "Choose the credit type" in errors["credit_type_3"][0]
    assert not ExternalCredit.objects.exists()
    response = client.post(
        reverse("licensure:credit_add"),
        {
            "title": "Future course",
            "completed_on": _in_days(3).isoformat(),
            "credit_type_1": "AMA_PRA_1",
            "amount_1": "2",
        },
    )
    assert (
        "The completion date is in the future." in response.context["form"].errors["completed_on"]
    )
    assert not ExternalCredit.objects.exists()


def test_credit_delete_needs_post(client, person):
    client.force_login(person)
    mine = credit(person, "Mine", 10, {"AMA_PRA_1": "1"})
    url = reverse("licensure:credit_delete", args=[mine.pk])
    assert client.get(url).status_code == 405
    client.post(url)
    assert not ExternalCredit.objects.exists()


CSV_OK = (
    "title,provider,completed_on,credit_type,amount,topics\n"
    "Sepsis update,Society,2026-01-10,AMA_PRA_1,2,\n"
    "Ethics grand rounds,Hospital,2026-02-11,AMA_PRA_1,1,ethics\n"
)


def test_csv_import_adds_every_row(client, person):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(person)
    upload = SimpleUploadedFile("credits.csv", CSV_OK.encode(), content_type="text/csv")
    response = client.post(reverse("licensure:credit_import"), {"file": upload})
    assert response.status_code == 302
    titles = sorted(ExternalCredit.objects.filter(person=person).values_list("title", flat=True))
    assert titles == ["Ethics grand rounds", "Sepsis update"]


def test_csv_import_refuses_a_file_over_the_limit_before_reading_it(client, person):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cmeconf.licensure import imports

    client.force_login(person)
    big = CSV_OK.encode() + b"x" * imports.MAX_BYTES
    upload = SimpleUploadedFile("big.csv", big, content_type="text/csv")
    response = client.post(reverse("licensure:credit_import"), {"file": upload})
    assert response.status_code == 200
    assert "larger than 2 MB" in response.content.decode()
    assert not ExternalCredit.objects.exists()


def test_csv_import_lists_every_row_error_and_changes_nothing(client, person):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(person)
    bad = (
        "title,provider,completed_on,credit_type,amount\n"
        "Good row,Society,2026-01-10,AMA_PRA_1,2\n"
        "Bad type,Society,2026-01-11,NOPE,2\n"
        "Bad date,Society,not a date,AMA_PRA_1,1\n"
    )
    upload = SimpleUploadedFile("bad.csv", bad.encode(), content_type="text/csv")
    response = client.post(reverse("licensure:credit_import"), {"file": upload})
    assert response.status_code == 200
    rows = [(e.row, e.column) for e in response.context["row_errors"]]
    assert (2, "credit_type") in rows
    assert 3 in {r for r, _c in rows}
    page = response.content.decode()
    assert "Nothing was imported: 2 problems found." in page
    assert "NOPE" in page
    assert not ExternalCredit.objects.exists()


def test_navigation_links_the_dashboard_for_logged_in_people(client, person):
    assert reverse("licensure:dashboard") not in client.get("/").content.decode()
    client.force_login(person)
    assert reverse("licensure:dashboard") in client.get("/").content.decode()


def _queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_dashboard_and_credit_list_queries_do_not_grow(client, person):
    client.force_login(person)
    texas(person)
    credit(person, "One", 10, {"AMA_PRA_1": "1"})
    BoardCertification.objects.create(person=person, board="ABIM", specialty="IM")
    dashboard, credits = reverse("licensure:dashboard"), reverse("licensure:credits")
    one = (_queries(client, dashboard), _queries(client, credits))
    california(person)
    for i in range(3):
        credit(person, f"More {i}", 20 + i, {"AMA_PRA_1": "2"}, ["ethics"])
    BoardCertification.objects.create(person=person, board="ABFM", specialty="FM")
    assert (_queries(client, dashboard), _queries(client, credits)) == one


def test_licence_form_asks_for_the_date_the_boards_cycle_needs(client, person):
    client.force_login(person)
    page = client.get(reverse("licensure:licence_add")).content.decode()
    assert 'name="cycle_start"' in page and "the day your current cycle began" in page
    url = reverse("licensure:licence_add")
    response = client.post(url, {"requirement_set": "US-CA-MD", "license_type": "MD"})
    assert "give your birth month" in response.context["form"].errors["birth_month"][0]
    royal = {"requirement_set": "CA-RCPSC-MOC", "license_type": "FRCPC"}
    response = client.post(url, royal)
    assert "current cycle" in response.context["form"].errors["cycle_start"][0]
    assert not Licence.objects.exists()
    assert client.post(url, royal | {"cycle_start": "2024-01-01"}).status_code == 302
    assert Licence.objects.get(person=person).cycle_start == dt.date(2024, 1, 1)


def test_a_licence_saved_twice_at_once_explains_instead_of_failing(person):
    from django.core.exceptions import ValidationError

    from cmeconf.licensure.forms import LicenceForm

    data = {"requirement_set": "US-TX-MD-DO", "license_type": "MD", "expires_on": "2027-05-31"}
    form = LicenceForm(data, person=person)
    assert form.is_valid(), form.errors
    texas(person)  # the other request, between the check and the save
    with pytest.raises(ValidationError) as e:
        form.save()
    assert "already have this licence" in e.value.message_dict["license_type"][0]


def test_removing_the_last_credit_of_an_import_lets_the_file_in_again(client, person):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cmeconf.licensure.models import CreditImport

    client.force_login(person)

    def upload():
        file = SimpleUploadedFile("credits.csv", CSV_OK.encode(), content_type="text/csv")
        return client.post(reverse("licensure:credit_import"), {"file": file})

    assert upload().status_code == 302
    for pk in ExternalCredit.objects.filter(person=person).values_list("pk", flat=True):
        client.post(reverse("licensure:credit_delete", args=[pk]))
    assert not CreditImport.objects.filter(person=person).exists()
    assert upload().status_code == 302
    assert ExternalCredit.objects.filter(person=person).count() == 2


def test_the_same_credit_twice_is_refused_on_the_form(client, person):
    client.force_login(person)
    credit(person, "Sepsis update", 10, {"AMA_PRA_1": "2"})
    response = client.post(
        reverse("licensure:credit_add"),
        {
            "title": "Sepsis Update",
            "completed_on": _in_days(-10).isoformat(),
            "credit_type_1": "AMA_PRA_1",
            "amount_1": "2",
        },
    )
    assert response.status_code == 200
    assert "already recorded" in response.context["form"].errors["title"][0]
    assert ExternalCredit.objects.filter(person=person).count() == 1


def test_the_fill_page_reports_the_one_licence(client, person):
    client.force_login(person)
    licence = texas(person)
    california(person)
    response = client.get(reverse("licensure:fill", args=[licence.pk]))
    assert response.status_code == 200
    assert response.context["report"].licence == licence
    assert response.context["label"] == "Texas: physician (DO, MD)"
