"""Commercial support rules and services (Standard 4) [A11][A14][A15][A19][A22]."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cmeconf.common.models import AuditEntry
from cmeconf.integrity import support
from cmeconf.integrity.choices import FORBIDDEN_SUPPORT_EXPENSES, ExpenseCategory
from cmeconf.integrity.models import CommercialSupporter, LedgerEntry
from tests.factories import ActivityFactory, IneligibleCompanyFactory, ProviderFactory

pytestmark = pytest.mark.django_db


def past(days: int = 30) -> dt.date:
    """A day safely before today wherever the activity is."""
    return timezone.localdate() - dt.timedelta(days=days)


@pytest.fixture
def activity(provider):
    """Starts in two months, so that signatures dated in the past are on time."""
    start = timezone.localdate() + dt.timedelta(days=60)
    return ActivityFactory(
        provider=provider, slug="annual", start_date=start, end_date=start + dt.timedelta(days=2)
    )


@pytest.fixture
def pharma(provider, admin_user):
    company = IneligibleCompanyFactory(name="Acme Pharma")
    return support.add_supporter(provider, company=company, by=admin_user)


def cash(activity, supporter, by, amount="10000.00", **kw):
    return support.create_agreement(
        activity,
        by=by,
        supporter=supporter,
        kind="cash",
        purpose="Unrestricted educational grant",
        terms="The provider makes all decisions on content, faculty and spending.",
        amount=amount,
        **kw,
    )


def signed(agreement, by, on=None, supporter_on=None):
    on = on or past()
    support.sign_agreement(
        agreement, by=by, party="provider", signatory="Dr. Pat Provider", signed_on=on
    )
    return support.sign_agreement(
        agreement,
        by=by,
        party="supporter",
        signatory="Sam Supporter",
        signed_on=supporter_on or on,
    )


def errors(exc: pytest.ExceptionInfo) -> dict[str, list[str]]:
    return exc.value.message_dict


# --- supporters ----------------------------------------------------------------------------


def test_a_supporter_is_one_per_provider_and_company_and_keeps_its_contact(provider, admin_user):
    company = IneligibleCompanyFactory(name="Acme Pharma")
    first = support.add_supporter(provider, company=company, by=admin_user, contact_name="Ann")
    again = support.add_supporter(
        provider, company=company, by=admin_user, contact_email="ann@acme.example"
    )
    assert again.pk == first.pk
    again.refresh_from_db()
    assert (again.contact_name, again.contact_email) == ("Ann", "ann@acme.example")
    assert CommercialSupporter.objects.filter(provider=provider).count() == 1
    actions = list(
        AuditEntry.objects.filter(action__startswith="support.supporter").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["support.supporter_added", "support.supporter_updated"]
    # Another provider gets its own supporter for the same company.
    other = support.add_supporter(ProviderFactory(), company=company, by=admin_user)
    assert other.pk != first.pk


def test_a_supporter_must_be_a_company_of_the_registry(provider, admin_user):
    with pytest.raises(ValidationError) as exc:
        support.add_supporter(provider, company=None, by=admin_user)
    assert "company" in errors(exc)
    with pytest.raises(ValidationError) as exc:
        support.add_supporter(
            provider,
            company=IneligibleCompanyFactory(),
            by=admin_user,
            contact_email="not an address",
        )
    assert "contact_email" in errors(exc)


# --- agreements ----------------------------------------------------------------------------


def test_an_agreement_records_amount_terms_and_bumps_what_learners_see(
    activity, pharma, admin_user
):
    version = activity.program_version
    a = cash(activity, pharma, admin_user, amount="12500.5", reference="GR-1")
    assert a.amount == Decimal("12500.50")
    assert a.currency == "USD"
    activity.refresh_from_db()
    assert activity.program_version == version + 1
    entry = AuditEntry.objects.get(action="support.agreement_created")
    assert entry.activity_id == activity.pk
    assert entry.after["amount"] == "12500.50"
    assert entry.after["terms"].startswith("The provider makes all decisions")


def test_an_agreement_needs_purpose_and_terms(activity, pharma, admin_user):
    with pytest.raises(ValidationError) as exc:
        support.create_agreement(
            activity, by=admin_user, supporter=pharma, kind="cash", purpose=" ", terms=""
        )
    assert set(errors(exc)) == {"purpose", "terms"}


def test_a_supporter_of_another_provider_cannot_sign_for_this_activity(activity, admin_user):
    foreign = support.add_supporter(
        ProviderFactory(), company=IneligibleCompanyFactory(), by=admin_user
    )
    with pytest.raises(ValidationError) as exc:
        cash(activity, foreign, admin_user)
    assert errors(exc)["supporter"] == ["This supporter belongs to another provider."]


@pytest.mark.parametrize("amount", ["0", "-5", "12.345", "abc"])
def test_an_amount_is_positive_and_to_the_cent(activity, pharma, admin_user, amount):
    with pytest.raises(ValidationError) as exc:
        cash(activity, pharma, admin_user, amount=amount)
    assert list(errors(exc)) == ["amount"]


def test_in_kind_support_is_described_by_its_nature_without_a_value(activity, pharma, admin_user):
    """PARS asks for in-kind support by its nature, no dollar estimate [A22]."""
    base = {
        "by": admin_user,
        "supporter": pharma,
        "kind": "in_kind",
        "purpose": "Hands-on workshop",
        "terms": "Provider decides.",
    }
    with pytest.raises(ValidationError) as exc:
        support.create_agreement(activity, **base)
    assert "in_kind_description" in errors(exc)
    with pytest.raises(ValidationError) as exc:
        support.create_agreement(
            activity, **base, in_kind_description="Ultrasound machines", amount="5000"
        )
    assert "amount" in errors(exc)
    a = support.create_agreement(activity, **base, in_kind_description="Two ultrasound machines")
    assert a.amount is None
    assert support.agreement_status(a).problems == [
        "Not signed for the provider.",
        "Not signed by the supporter.",
    ]


def test_cash_of_one_activity_is_accounted_in_one_currency(activity, pharma, admin_user):
    cash(activity, pharma, admin_user, currency="eur")
    other = support.add_supporter(
        activity.provider, company=IneligibleCompanyFactory(), by=admin_user
    )
    with pytest.raises(ValidationError) as exc:
        cash(activity, other, admin_user, currency="USD")
    assert "EUR" in errors(exc)["currency"][0]


def test_cash_without_an_amount_is_flagged_and_cannot_be_signed(activity, pharma, admin_user):
    a = cash(activity, pharma, admin_user, amount=None)
    assert "Cash support without an amount." in support.agreement_status(a).problems
    with pytest.raises(ValidationError) as exc:
        support.sign_agreement(
            a, by=admin_user, party="provider", signatory="Pat", signed_on=past(10)
        )
    assert "amount" in errors(exc)["party"][0]


def test_joining_an_existing_agreement_is_recorded(activity, pharma, admin_user):
    """A supporter may join an agreement in place by accepting its terms and amount [A19]."""
    a = cash(
        activity, pharma, admin_user, joins_existing=True, joint_provider_recipient="Heart Assn"
    )
    assert a.joins_existing is True
    assert a.joint_provider_recipient == "Heart Assn"


# --- signatures ----------------------------------------------------------------------------


def test_an_agreement_signed_by_both_before_the_activity_is_in_order(activity, pharma, admin_user):
    a = signed(cash(activity, pharma, admin_user), admin_user, on=past())
    status = support.agreement_status(a)
    assert status == support.AgreementStatus(signed=True, late=False, problems=[], label="Signed")
    assert support.support_problems(activity) == []


def test_signed_on_the_first_day_is_not_late(activity, pharma, admin_user):
    activity.start_date, activity.end_date = past(5), past(3)
    activity.save()
    a = signed(cash(activity, pharma, admin_user), admin_user, on=activity.start_date)
    assert support.agreement_status(a).late is False


def test_an_agreement_signed_after_the_activity_starts_is_kept_and_flagged_late(
    activity, pharma, admin_user
):
    """Signed by both before the activity (SCS-era guidance) [A15][A14]."""
    activity.start_date = timezone.localdate() - dt.timedelta(days=10)
    activity.end_date = activity.start_date + dt.timedelta(days=2)
    activity.save()
    a = cash(activity, pharma, admin_user)
    late_day = activity.start_date + dt.timedelta(days=1)
    a = signed(a, admin_user, on=activity.start_date - dt.timedelta(days=3), supporter_on=late_day)
    status = support.agreement_status(a)
    assert status.signed is True
    assert status.late is True
    assert status.label == "Signed late"
    assert len(status.problems) == 1
    assert "the supporter" in status.problems[0]
    assert late_day.isoformat() in status.problems[0]
    assert any(
        "Acme Pharma" in p and "after the activity" in p for p in support.support_problems(activity)
    )
    note = AuditEntry.objects.filter(action="support.agreement_signed").order_by("id").last().note
    assert note == "Signed after the activity started."


def test_unsigned_agreements_are_named_by_party(activity, pharma, admin_user):
    a = cash(activity, pharma, admin_user)
    support.sign_agreement(a, by=admin_user, party="provider", signatory="Pat", signed_on=past(10))
    a.refresh_from_db()
    status = support.agreement_status(a)
    assert status.signed is False
    assert status.problems == ["Not signed by the supporter."]
    assert status.label == "Awaiting the supporter's signature"
    assert support.support_problems(activity) == ["Acme Pharma: Not signed by the supporter."]


def test_a_signature_cannot_be_dated_in_the_future_nor_given_twice(activity, pharma, admin_user):
    a = cash(activity, pharma, admin_user)
    tomorrow = timezone.localdate(timezone=activity.tz) + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        support.sign_agreement(
            a, by=admin_user, party="supporter", signatory="Sam", signed_on=tomorrow
        )
    assert errors(exc) == {"signed_on": ["The date of a signature cannot be in the future."]}
    with pytest.raises(ValidationError) as exc:
        support.sign_agreement(
            a, by=admin_user, party="witness", signatory="Sam", signed_on=past(10)
        )
    assert "party" in errors(exc)
    support.sign_agreement(a, by=admin_user, party="supporter", signatory="Sam", signed_on=past(10))
    with pytest.raises(ValidationError) as exc:
        support.sign_agreement(
            a, by=admin_user, party="supporter", signatory="Other", signed_on=past(9)
        )
    assert "Already signed for the supporter by Sam" in errors(exc)["party"][0]


def test_terms_cannot_change_once_both_parties_signed(activity, pharma, admin_user):
    a = signed(cash(activity, pharma, admin_user), admin_user)
    with pytest.raises(ValidationError) as exc:
        support.update_agreement(a, by=admin_user, amount="20000", terms="New terms")
    assert set(errors(exc)) == {"amount", "terms"}
    assert "cannot change" in errors(exc)["terms"][0]
    a.refresh_from_db()
    assert a.amount == Decimal("10000.00")
    # The reference is bookkeeping, not a term.
    support.update_agreement(a, by=admin_user, reference="GR-2027-7")
    a.refresh_from_db()
    assert a.reference == "GR-2027-7"


def test_changing_terms_after_one_signature_withdraws_it(activity, pharma, admin_user):
    a = cash(activity, pharma, admin_user)
    support.sign_agreement(a, by=admin_user, party="provider", signatory="Pat", signed_on=past(10))
    a = support.update_agreement(a, by=admin_user, amount="15000")
    assert a.amount == Decimal("15000.00")
    assert a.provider_signed_on is None and a.provider_signatory == ""
    entry = AuditEntry.objects.get(action="support.agreement_updated")
    assert entry.before["provider_signed_on"] == past(10).isoformat()
    assert entry.after["provider_signed_on"] is None
    assert "withdrawn" in entry.note


def test_update_refuses_unknown_fields_and_does_nothing_without_change(
    activity, pharma, admin_user
):
    a = cash(activity, pharma, admin_user)
    with pytest.raises(ValidationError) as exc:
        support.update_agreement(a, by=admin_user, provider_signed_on=past(10))
    assert "provider_signed_on" in errors(exc)
    before = AuditEntry.objects.count()
    support.update_agreement(a, by=admin_user, amount="10000")
    assert AuditEntry.objects.count() == before


# --- ledger --------------------------------------------------------------------------------


@pytest.mark.parametrize("category", sorted(FORBIDDEN_SUPPORT_EXPENSES))
def test_support_never_pays_learners_travel_lodging_honoraria_or_personal_expenses(
    activity, pharma, admin_user, category
):
    """[A11]: refused whether or not the expense names an agreement."""
    a = cash(activity, pharma, admin_user)
    for agreement in (a, None):
        with pytest.raises(ValidationError) as exc:
            support.record_entry(
                activity,
                by=admin_user,
                kind="expense",
                date=dt.date(2027, 3, 1),
                amount="500",
                agreement=agreement,
                category=category,
            )
        assert "[A11]" in errors(exc)["category"][0]
        assert "learners' travel" in errors(exc)["category"][0]
    assert not LedgerEntry.objects.exists()


def test_support_may_lower_the_fee_for_all_learners(activity, pharma, admin_user):
    a = cash(activity, pharma, admin_user)
    entry = support.record_entry(
        activity,
        by=admin_user,
        kind="expense",
        date=dt.date(2027, 3, 1),
        amount=Decimal("2500"),
        agreement=a,
        category=ExpenseCategory.LEARNER_FEES,
    )
    assert entry.amount == Decimal("2500.00")
    assert AuditEntry.objects.filter(action="support.entry_recorded", object_id=str(entry.pk))


def test_a_receipt_needs_a_cash_agreement_of_this_activity(activity, pharma, admin_user):
    def receipt(**kw):
        return support.record_entry(
            activity, by=admin_user, kind="receipt", date=dt.date(2027, 2, 1), **kw
        )

    with pytest.raises(ValidationError) as exc:
        receipt(amount="100")
    assert "agreement" in errors(exc)
    elsewhere = cash(ActivityFactory(provider=activity.provider), pharma, admin_user)
    with pytest.raises(ValidationError) as exc:
        receipt(amount="100", agreement=elsewhere)
    assert errors(exc)["agreement"] == ["This agreement belongs to another activity."]
    in_kind = support.create_agreement(
        activity,
        by=admin_user,
        supporter=pharma,
        kind="in_kind",
        purpose="Workshop",
        terms="Provider decides.",
        in_kind_description="Simulators",
    )
    with pytest.raises(ValidationError) as exc:
        receipt(amount="100", agreement=in_kind)
    assert "in-kind" in errors(exc)["agreement"][0]
    with pytest.raises(ValidationError) as exc:
        receipt(amount="0", agreement=cash(activity, pharma, admin_user))
    assert "amount" in errors(exc)


def test_an_expense_says_what_it_paid_for(activity, admin_user):
    with pytest.raises(ValidationError) as exc:
        support.record_entry(
            activity, by=admin_user, kind="expense", date=dt.date(2027, 3, 1), amount="10"
        )
    assert list(errors(exc)) == ["category"]


def test_a_voided_entry_stays_but_counts_in_no_total(activity, pharma, admin_user):
    a = signed(cash(activity, pharma, admin_user), admin_user)
    kept = support.record_entry(
        activity,
        by=admin_user,
        kind="receipt",
        date=dt.date(2027, 2, 1),
        amount="4000",
        agreement=a,
    )
    wrong = support.record_entry(
        activity, by=admin_user, kind="receipt", date=dt.date(2027, 2, 1), amount="400", agreement=a
    )
    with pytest.raises(ValidationError) as exc:
        support.void_entry(wrong, by=admin_user, reason="  ")
    assert "reason" in errors(exc)
    support.void_entry(wrong, by=admin_user, reason="Typed twice")
    wrong.refresh_from_db()
    assert wrong.voided_at is not None and wrong.void_reason == "Typed twice"
    with pytest.raises(ValidationError):
        support.void_entry(wrong, by=admin_user, reason="Again")
    report = support.accounting_report(activity)
    assert report.received == Decimal("4000.00")
    assert [e.pk for e in report.entries] == [kept.pk, wrong.pk]
    assert AuditEntry.objects.get(action="support.entry_voided").after["reason"] == "Typed twice"


# --- accounting ----------------------------------------------------------------------------


def test_the_accounting_report_adds_up_per_agreement_and_in_all(activity, pharma, admin_user):
    device = support.add_supporter(
        activity.provider, company=IneligibleCompanyFactory(name="Beta Devices"), by=admin_user
    )
    a = signed(cash(activity, pharma, admin_user, amount="10000"), admin_user)
    b = signed(cash(activity, device, admin_user, amount="5000"), admin_user)
    support.create_agreement(
        activity,
        by=admin_user,
        supporter=device,
        kind="in_kind",
        purpose="Workshop",
        terms="Provider decides.",
        in_kind_description="Six ultrasound machines for the workshop",
    )

    def entry(kind, amount, agreement=None, category=""):
        return support.record_entry(
            activity,
            by=admin_user,
            kind=kind,
            date=dt.date(2027, 3, 1),
            amount=amount,
            agreement=agreement,
            category=category,
        )

    entry("receipt", "10000", a)
    entry("receipt", "2500", b)
    entry("expense", "3000", a, "faculty_honoraria")
    entry("expense", "1200.50", a, "venue")
    entry("expense", "800", a, "venue")
    entry("expense", "1000", b, "catering")
    entry("expense", "250", None, "audiovisual")

    report = support.accounting_report(activity)
    assert report.currency == "USD"
    assert (report.committed, report.received, report.spent, report.balance) == (
        Decimal("15000.00"),
        Decimal("12500.00"),
        Decimal("6250.50"),
        Decimal("6249.50"),
    )
    acme = next(x for x in report.agreements if x.supporter == "Acme Pharma")
    assert (acme.committed, acme.received, acme.spent, acme.balance) == (
        Decimal("10000.00"),
        Decimal("10000.00"),
        Decimal("5000.50"),
        Decimal("4999.50"),
    )
    assert [(c.category, c.amount) for c in acme.spent_by_category] == [
        ("faculty_honoraria", Decimal("3000.00")),
        ("venue", Decimal("2000.50")),
    ]
    assert report.unallocated_spent == Decimal("250.00")
    assert [(i.supporter, i.description) for i in report.in_kind] == [
        ("Beta Devices", "Six ultrasound machines for the workshop")
    ]
    # Only the unsigned in-kind agreement is out of order.
    assert report.problems == [
        "Beta Devices: Not signed for the provider.",
        "Beta Devices: Not signed by the supporter.",
    ]

    rows = support.accounting_rows(activity)
    assert [r["supporter"] for r in rows] == [
        "Acme Pharma",
        "Beta Devices",
        "Beta Devices",
        "Not charged to one agreement",
        "Total",
    ]
    assert all(tuple(r) == support.ROW_COLUMNS for r in rows)
    assert rows[0]["spent_venue"] == "2000.50"
    assert rows[0]["received"] == "10000.00"
    assert rows[2]["kind"] == "in_kind" and rows[2]["committed"] == ""
    assert rows[-1]["balance"] == "6249.50"
    assert rows[-1]["spent_audiovisual"] == "250.00"
    assert not any(k.startswith("spent_learner_travel") for k in rows[0])


def test_receiving_more_than_committed_is_a_problem(activity, pharma, admin_user):
    a = signed(cash(activity, pharma, admin_user, amount="1000"), admin_user)
    support.record_entry(
        activity,
        by=admin_user,
        kind="receipt",
        date=dt.date(2027, 3, 1),
        amount="1500",
        agreement=a,
    )
    assert support.support_problems(activity) == [
        "Acme Pharma: received USD 1,500.00, more than the USD 1,000.00 agreed."
    ]


def test_spending_beyond_receipts_is_a_problem(activity, pharma, admin_user):
    a = signed(cash(activity, pharma, admin_user, amount="1000"), admin_user)
    support.record_entry(
        activity, by=admin_user, kind="receipt", date=dt.date(2027, 3, 1), amount="600", agreement=a
    )
    support.record_entry(
        activity,
        by=admin_user,
        kind="expense",
        date=dt.date(2027, 3, 2),
        amount="700",
        agreement=a,
        category="venue",
    )
    problems = support.support_problems(activity)
    assert problems == [
        "Acme Pharma: spent USD 700.00 of its support, more than the USD 600.00 received.",
        "Spending from commercial support (USD 700.00) is more than was received (USD 600.00).",
    ]


def test_money_received_before_both_signed_is_a_problem(activity, pharma, admin_user):
    a = cash(activity, pharma, admin_user, amount="1000")
    support.record_entry(
        activity,
        by=admin_user,
        kind="receipt",
        date=dt.date(2027, 3, 1),
        amount="1000",
        agreement=a,
    )
    assert (
        "Acme Pharma: money was received before the agreement was signed by both."
        in support.support_problems(activity)
    )


def test_an_activity_without_support_has_no_problems(activity):
    assert support.support_problems(activity) == []
    report = support.accounting_report(activity)
    assert report.agreements == []
    assert (report.committed, report.received, report.spent) == (0, 0, 0)
    assert [r["supporter"] for r in support.accounting_rows(activity)] == ["Total"]


def test_the_report_takes_the_same_queries_for_one_or_three_agreements(
    activity, admin_user, django_assert_num_queries
):
    for n in range(3):
        s = support.add_supporter(
            activity.provider, company=IneligibleCompanyFactory(), by=admin_user
        )
        a = cash(activity, s, admin_user)
        support.record_entry(
            activity,
            by=admin_user,
            kind="receipt",
            date=dt.date(2027, 3, 1),
            amount="10",
            agreement=a,
        )
        if n == 0:
            with django_assert_num_queries(2):
                support.accounting_report(activity)
    with django_assert_num_queries(2):
        support.accounting_report(activity)


def test_signed_late_means_after_the_first_day_not_on_it():
    from types import SimpleNamespace

    activity = SimpleNamespace(start_date=dt.date(2027, 4, 14))
    assert not support.signed_late(None, activity)
    assert not support.signed_late(dt.date(2027, 4, 14), activity)
    assert support.signed_late(dt.date(2027, 4, 15), activity)
