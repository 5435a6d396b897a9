"""The staff Registration tab: set-up forms, registrant list, CSV, mark paid, cancel."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cmeconf.common.models import AuditEntry
from cmeconf.registration import services
from cmeconf.registration.choices import PaymentStatus, RegistrationStatus
from cmeconf.registration.models import (
    PriceTier,
    PromoCode,
    Question,
    Registration,
    RegistrationSetup,
    RegistrationType,
)
from tests.factories import ActivityFactory, ProviderFactory, TeamFactory, UserFactory
from tests.registration.factories import (
    PriceTierFactory,
    RegistrationSetupFactory,
    RegistrationTypeFactory,
)

UTC = dt.UTC


def url(activity, name: str, *args) -> str:
    return reverse(f"staff:{name}", args=[activity.provider.slug, activity.slug, *args])


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def types(activity):
    RegistrationSetupFactory(activity=activity, capacity=50)
    physician = RegistrationTypeFactory(
        activity=activity, code="physician", name="Physician", capacity=10
    )
    PriceTierFactory(registration_type=physician, label="Regular", amount=Decimal("400.00"))
    resident = RegistrationTypeFactory(activity=activity, code="resident", name="Resident")
    return physician, resident


def register(activity, reg_type, **person):
    learner = UserFactory(**person)
    return services.register(activity, learner, registration_type=reg_type, by=learner)


@pytest.fixture
def registrants(activity, types):
    physician, resident = types
    ada = register(activity, physician, first_name="Ada", last_name="Lovelace", email="ada@x.org")
    bob = register(activity, resident, first_name="Bob", last_name="Banner", email="bob@hulk.org")
    cy = register(activity, physician, first_name="Cy", last_name="Young", email="cy@x.org")
    return ada, bob, cy


def names(response) -> list[str]:
    return [r.person.last_name for r in response.context["rows"]]


# -- set-up ---------------------------------------------------------------------------------


def test_setup_bad_input_shows_errors_keeps_input_and_saves_nothing(staff, activity):
    response = staff.post(
        url(activity, "registration_setup"),
        {
            "opens_at": "2027-04-01T09:00",
            "closes_at": "2027-01-01T09:00",
            "currency": "usd",
            "refund_percent": "50",
            "offer_hours": "24",
            "reminder_days": "3",
            "capacity": "120",
        },
    )
    assert response.status_code == 400
    assert "Registration must close after it opens." in response.content.decode()
    assert 'value="120"' in response.content.decode()
    assert not RegistrationSetup.objects.filter(activity=activity).exists()


def test_setup_saves_in_the_activity_time_zone(staff, activity):
    response = staff.post(
        url(activity, "registration_setup"),
        {
            "opens_at": "2027-01-05T09:00",
            "currency": "eur",
            "refund_percent": "50",
            "offer_hours": "24",
            "reminder_days": "3",
        },
    )
    assert response.status_code == 302
    saved = RegistrationSetup.objects.get(activity=activity)
    # 09:00 in New York is 14:00 UTC in January.
    assert saved.opens_at == dt.datetime(2027, 1, 5, 14, tzinfo=UTC)
    assert (saved.currency, saved.refund_percent, saved.capacity) == ("EUR", 50, None)
    page = staff.get(url(activity, "registration_setup")).content.decode()
    assert 'value="2027-01-05T09:00"' in page


# -- types, prices, promo codes, questions --------------------------------------------------


def test_add_type_then_a_duplicate_is_refused(staff, activity):
    data = {"type-name": "Nurse", "type-code": "nurse", "type-mode": "in_person"}
    assert staff.post(url(activity, "registration_types"), data).status_code == 302
    response = staff.post(url(activity, "registration_types"), {**data, "type-name": "Other"})
    assert response.status_code == 400
    assert "Another registration type has this short name." in response.content.decode()
    assert list(RegistrationType.objects.values_list("name", flat=True)) == ["Nurse"]


def test_edit_type(staff, activity, types):
    physician, _ = types
    response = staff.post(
        url(activity, "registration_type", physician.pk),
        {
            "type-name": "Member physician",
            "type-code": "physician",
            "type-mode": "virtual",
            "type-capacity": "",
            "type-professions": ["physician"],
        },
    )
    assert response.status_code == 302
    physician.refresh_from_db()
    assert (physician.name, physician.mode, physician.capacity, physician.is_active) == (
        "Member physician",
        "virtual",
        None,
        False,
    )
    assert physician.professions == ["physician"]


def test_price_errors_show_beside_their_type(staff, activity, types):
    physician, resident = types
    response = staff.post(
        url(activity, "registration_tier_add", physician.pk),
        {"tier-label": "Late", "tier-amount": "500"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "This type already has a price without a date." in page
    # The typed values stay in the form of the type they were typed for.
    assert f'id="id_type{physician.pk}_tier-label"' in page and 'value="Late"' in page
    assert PriceTier.objects.filter(registration_type=physician).count() == 1
    response = staff.post(
        url(activity, "registration_tier_add", resident.pk),
        {
            "tier-label": "Early bird",
            "tier-amount": "150",
            "tier-available_until": "2027-03-01T00:00",
        },
    )
    assert response.status_code == 302
    tier = PriceTier.objects.get(registration_type=resident)
    assert (tier.label, tier.amount) == ("Early bird", Decimal("150.00"))
    assert staff.post(url(activity, "registration_tier_remove", tier.pk)).status_code == 302
    assert not PriceTier.objects.filter(registration_type=resident).exists()


def test_promo_code_in_small_letters_is_stored_in_capitals(staff, activity, types):
    physician, _ = types
    response = staff.post(
        url(activity, "registration_promos"),
        {
            "promo-code": "early10",
            "promo-percent_off": "10",
            "promo-registration_types": [physician.pk],
            "promo-is_active": "on",
        },
    )
    assert response.status_code == 302
    promo = PromoCode.objects.get(activity=activity)
    assert promo.code == "EARLY10" and list(promo.registration_types.all()) == [physician]
    response = staff.post(
        url(activity, "registration_promos"), {"promo-code": "Early10", "promo-amount_off": "5"}
    )
    assert response.status_code == 400
    assert "This activity already has this code." in response.content.decode()
    assert PromoCode.objects.count() == 1
    page = staff.get(url(activity, "registration_promos")).content.decode()
    assert "EARLY10" in page and "Physician" in page


def test_choice_question_without_choices_is_refused(staff, activity):
    data = {"question-label": "Meal", "question-kind": "choice", "question-purpose": "dietary"}
    response = staff.post(url(activity, "registration_questions"), data)
    assert response.status_code == 400
    assert "Give at least two choices, one a line." in response.content.decode()
    assert not Question.objects.exists()
    data["question-choices"] = "Vegetarian\r\nVegan\r\n"
    assert staff.post(url(activity, "registration_questions"), data).status_code == 302
    assert Question.objects.get().choices == ["Vegetarian", "Vegan"]


# -- the registrant list --------------------------------------------------------------------


def test_list_counts_and_seats_left(staff, activity, types, registrants):
    cy = registrants[2]
    services.cancel(cy, by=cy.person, reason="Cannot come")
    response = staff.get(url(activity, "registration"))
    assert response.status_code == 200
    counts = {value: n for value, _label, n in response.context["counts"]}
    assert counts[RegistrationStatus.PENDING_PAYMENT] == 1  # Ada pays 400
    assert counts[RegistrationStatus.CONFIRMED] == 1  # Bob's type is free
    assert counts[RegistrationStatus.CANCELLED] == 1
    assert response.context["total"] == 3
    seats = {row["type"].code: row["seats_left"] for row in response.context["types"]}
    assert seats == {"physician": 9, "resident": 48}
    assert response.context["seats_left"] == 48
    assert names(response) == ["Banner", "Lovelace", "Young"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "love"}, ["Lovelace"]),
        ({"q": "HULK.org"}, ["Banner"]),
        ({"q": "ada lovelace"}, ["Lovelace"]),
        ({"q": "nobody"}, []),
        ({"status": "confirmed"}, ["Banner"]),
        ({"status": "pending", "q": "young"}, ["Young"]),
    ],
)
def test_search_and_filter(staff, activity, registrants, query, expected):
    assert names(staff.get(url(activity, "registration"), query)) == expected


def test_filter_by_type(staff, activity, types, registrants):
    physician, _ = types
    response = staff.get(url(activity, "registration"), {"type": physician.pk})
    assert names(response) == ["Lovelace", "Young"]
    assert (
        "Nobody matches this search."
        in staff.get(url(activity, "registration"), {"q": "zzz"}).content.decode()
    )


def test_a_type_of_another_activity_is_no_filter(staff, activity, registrants):
    theirs = RegistrationTypeFactory(activity=ActivityFactory(provider=activity.provider))
    response = staff.get(url(activity, "registration"), {"type": theirs.pk})
    # An invalid filter filters nothing and says so beside the field.
    assert names(response) == ["Banner", "Lovelace", "Young"]
    assert response.context["form"].errors["type"]


def test_list_queries_do_not_grow_with_registrants(staff, activity, types):
    physician, _ = types
    register(activity, physician)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert staff.get(url(activity, "registration")).status_code == 200
        return len(ctx.captured_queries)

    one = count()
    register(activity, physician)
    register(activity, physician)
    assert count() == one


# -- CSV ------------------------------------------------------------------------------------


def test_csv_lists_the_filtered_registrants_and_defuses_formulas(staff, activity, types):
    physician, resident = types
    register(
        activity,
        physician,
        first_name='=HYPERLINK("http://evil")',
        last_name="+Plus",
        email="x@x.org",
    )
    register(activity, resident, first_name="Bob", last_name="Banner", email="bob@x.org")
    response = staff.get(url(activity, "registration_csv"), {"type": physician.pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "acp-annual-2027-registrants.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 1
    row = rows[0]
    assert row["first_name"] == '\'=HYPERLINK("http://evil")'
    assert row["last_name"] == "'+Plus"
    assert (row["type"], row["status"], row["price"], row["paid"]) == (
        "Physician",
        "Awaiting payment",
        "400.00",
        "0",
    )


# -- mark paid and cancel -------------------------------------------------------------------


def test_mark_paid_confirms(staff, activity, registrants, admin_user):
    ada = registrants[0]
    page = staff.get(url(activity, "registration_registrant", ada.pk)).content.decode()
    assert "Mark paid" in page and 'value="400.00"' in page
    response = staff.post(
        url(activity, "registration_paid", ada.pk),
        {"paid-method": "invoice", "paid-amount": "400.00", "paid-reference": "INV-7"},
    )
    assert response.status_code == 302
    ada.refresh_from_db()
    assert ada.status == RegistrationStatus.CONFIRMED
    payment = ada.payments.get()
    assert (payment.method, payment.status, payment.amount, payment.reference) == (
        "invoice",
        PaymentStatus.PAID,
        Decimal("400.00"),
        "INV-7",
    )
    assert payment.recorded_by == admin_user
    listing = staff.get(url(activity, "registration"), {"status": "confirmed"})
    assert "Lovelace" in names(listing)


def test_paying_too_much_shows_the_error_and_records_nothing(staff, activity, registrants):
    ada = registrants[0]
    response = staff.post(
        url(activity, "registration_paid", ada.pk),
        {"paid-method": "on_site", "paid-amount": "900"},
    )
    assert response.status_code == 400
    assert "still due" in response.content.decode()
    assert 'value="900"' in response.content.decode()
    ada.refresh_from_db()
    assert ada.status == RegistrationStatus.PENDING_PAYMENT and not ada.payments.exists()


def test_card_payments_cannot_be_marked_here(staff, activity, registrants):
    ada = registrants[0]
    response = staff.post(
        url(activity, "registration_paid", ada.pk), {"paid-method": "stripe", "paid-amount": "400"}
    )
    assert response.status_code == 400
    assert not ada.payments.exists()


def test_cancel_needs_a_reason_and_is_audited(staff, activity, registrants):
    bob = registrants[1]
    response = staff.post(url(activity, "registration_cancel", bob.pk), {"cancel-reason": ""})
    assert response.status_code == 400
    bob.refresh_from_db()
    assert bob.status == RegistrationStatus.CONFIRMED
    response = staff.post(
        url(activity, "registration_cancel", bob.pk), {"cancel-reason": "Duplicate"}
    )
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.status == RegistrationStatus.CANCELLED
    entry = AuditEntry.objects.get(action="registration.cancelled", object_id=str(bob.pk))
    assert entry.note == "Duplicate"


# -- permissions ----------------------------------------------------------------------------


def test_team_without_registration_permission_is_refused(client, provider, activity, registrants):
    user = UserFactory()
    TeamFactory(provider=provider, permissions=["program", "reports"], members=[user])
    client.force_login(user)
    assert client.get(url(activity, "registration")).status_code == 403
    ada = registrants[0]
    response = client.post(
        url(activity, "registration_paid", ada.pk), {"paid-method": "invoice", "paid-amount": "400"}
    )
    assert response.status_code == 403
    ada.refresh_from_db()
    assert ada.status == RegistrationStatus.PENDING_PAYMENT
    # The tab is not shown to them.
    page = client.get(url(activity, "activity")).content.decode()
    assert url(activity, "registration") not in page


def test_the_tab_shows_for_the_registration_team(staff, activity):
    page = staff.get(url(activity, "activity")).content.decode()
    assert url(activity, "registration") in page


def test_outsiders_get_404_and_other_activities_registrations_404(
    client, staff, activity, registrants
):
    other = ProviderFactory(slug="other")
    twin = ActivityFactory(provider=other, slug=activity.slug)
    RegistrationSetupFactory(activity=twin)
    theirs = register(twin, RegistrationTypeFactory(activity=twin), last_name="Secret")
    # The admin of this provider, through this activity, never reaches the twin's registrant.
    assert staff.get(url(activity, "registration_registrant", theirs.pk)).status_code == 404
    response = staff.post(
        url(activity, "registration_cancel", theirs.pk), {"cancel-reason": "Mine now"}
    )
    assert response.status_code == 404
    assert Registration.objects.get(pk=theirs.pk).status == RegistrationStatus.CONFIRMED
    outsider = UserFactory()
    TeamFactory(provider=other, members=[outsider])
    client.force_login(outsider)
    assert client.get(url(activity, "registration")).status_code == 404
    assert client.get(url(activity, "registration_csv")).status_code == 404


def test_long_lists_come_in_pages_that_keep_the_search(staff, activity, types, monkeypatch):
    from cmeconf.registration import views_staff

    monkeypatch.setattr(views_staff, "REGISTRANTS_PER_PAGE", 2)
    _physician, resident = types
    for i in range(5):
        register(activity, resident, first_name="Res", last_name=f"Ident{i}")
    register(activity, resident, first_name="Other", last_name="Person")
    first = staff.get(url(activity, "registration"), {"q": "Ident"})
    assert len(first.context["rows"]) == 2
    page = first.content.decode()
    assert "5 registrants found" in page
    assert "Page 1 of 3" in page
    assert "q=Ident&amp;page=2" in page
    last = staff.get(url(activity, "registration"), {"q": "Ident", "page": "3"})
    assert len(last.context["rows"]) == 1
