"""Commercial support (Standard 4): supporters, written agreements, the ledger, the accounting.

Rules, with their source keys:

- A supporter is an ineligible company of the registry that gives money or goods and
  services [A11][A22]; the provider makes every decision about receiving and spending [A14].
- A written agreement states the terms, conditions and purposes, names any joint provider
  receiving the funds, and is signed by the provider and the supporter before the activity
  starts (SCS-era guidance) [A15][A14]. A supporter may join an agreement already in place
  by accepting its terms and amount [A19]. Signed late, the agreement is kept but flagged.
- Support may not pay learners' travel, lodging, honoraria or personal expenses; it may
  lower the cost for all learners [A11].
- The provider accounts for the amount or kind of support and how it was used, and produces
  that on request [A11]; in-kind support is reported by its nature, without a dollar
  estimate [A22].

An activity's cash support is accounted in one currency, so that totals add up.
"""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cmeconf.activities.services.activities import bump_program_version
from cmeconf.common import audit
from cmeconf.integrity.choices import (
    FORBIDDEN_SUPPORT_EXPENSES,
    ExpenseCategory,
    LedgerEntryKind,
    SupportKind,
)
from cmeconf.integrity.models import (
    CommercialSupporter,
    IneligibleCompany,
    LedgerEntry,
    SupportAgreement,
)

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
DEFAULT_CURRENCY = "USD"
PARTIES = ("provider", "supporter")
AMOUNT_MAX_DIGITS = SupportAgreement._meta.get_field("amount").max_digits

# Fields of an agreement that are its terms: none may change once both parties signed.
TERMS_FIELDS = (
    "supporter",
    "kind",
    "purpose",
    "terms",
    "amount",
    "currency",
    "in_kind_description",
    "joint_provider_recipient",
    "joins_existing",
)
EDITABLE_FIELDS = (*TERMS_FIELDS, "reference")
# What learners are told about the support: the supporter and the nature of in-kind
# support [A21][A22]. A change to these changes the activity's disclosure.
LEARNER_FIELDS = frozenset({"supporter", "kind", "in_kind_description"})
SNAPSHOT_FIELDS = (
    *EDITABLE_FIELDS,
    "provider_signatory",
    "provider_signed_on",
    "supporter_signatory",
    "supporter_signed_on",
)
FORBIDDEN_MESSAGE = gettext_lazy(
    "Commercial support may not pay for learners' travel, lodging, honoraria or personal "
    "expenses [A11]. It may lower the cost for all learners (choose “Lower registration fees "
    "for all learners”)."
)


# --- values --------------------------------------------------------------------------------


def _money(value: Any, field_name: str) -> Decimal:
    """A positive amount with at most two decimals, as Decimal; ValidationError otherwise."""
    if isinstance(value, float):
        value = repr(value)  # the digits the person typed, not the binary fraction
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (decimal.InvalidOperation, ValueError):
        raise ValidationError({field_name: _("Enter the amount as a number.")}) from None
    if not amount.is_finite():
        raise ValidationError({field_name: _("Enter the amount as a number.")})
    if amount <= 0:
        raise ValidationError({field_name: _("The amount must be more than zero.")})
    if amount != amount.quantize(CENT):
        raise ValidationError({field_name: _("Give the amount to the cent at most.")})
    amount = amount.quantize(CENT)
    if len(amount.as_tuple().digits) > AMOUNT_MAX_DIGITS:
        raise ValidationError({field_name: _("The amount is too large.")})
    return amount


def _today(activity) -> dt.date:
    return timezone.localdate(timezone=activity.tz)


def _record(action: str, activity, obj, *, by, before=None, after=None, note: str = "") -> None:
    audit.record(
        action,
        actor=by,
        obj=obj,
        provider_id=activity.provider_id,
        activity_id=activity.pk,
        before=before,
        after=after,
        note=note,
    )


# --- supporters ----------------------------------------------------------------------------


@transaction.atomic
def add_supporter(
    provider, *, company: IneligibleCompany, by, contact_name: str = "", contact_email: str = ""
) -> CommercialSupporter:
    """The provider's supporter for `company`, added if new [A11].

    Idempotent per provider and company: an existing supporter is returned, its contact
    updated where one is given. Side effects: audit "support.supporter_added" or
    "support.supporter_updated".
    """
    if not isinstance(company, IneligibleCompany) or company.pk is None:
        # A supporter is always a company of the registry of ineligible companies [A2].
        raise ValidationError({"company": _("Choose the company from the registry.")})
    contact_name = " ".join((contact_name or "").split())
    contact_email = (contact_email or "").strip()
    errors: dict[str, list[str]] = {}
    max_name = CommercialSupporter._meta.get_field("contact_name").max_length
    if len(contact_name) > max_name:
        errors["contact_name"] = [
            _("The name is longer than %(max)s characters.") % {"max": max_name}
        ]
    if contact_email:
        try:
            validate_email(contact_email)
        except ValidationError:
            errors["contact_email"] = [_("Enter a valid e-mail address.")]
    if errors:
        raise ValidationError(errors)

    supporter = (
        CommercialSupporter.objects.select_for_update()
        .filter(provider=provider, company=company)
        .first()
    )
    if supporter is None:
        try:
            with transaction.atomic():
                supporter = CommercialSupporter.objects.create(
                    provider=provider,
                    company=company,
                    contact_name=contact_name,
                    contact_email=contact_email,
                )
        except IntegrityError:
            # Added by someone else a moment ago: carry on with theirs.
            supporter = CommercialSupporter.objects.select_for_update().get(
                provider=provider, company=company
            )
        else:
            audit.record(
                "support.supporter_added",
                actor=by,
                obj=supporter,
                provider_id=provider.pk,
                after={
                    "company": company.name,
                    "contact_name": contact_name,
                    "contact_email": contact_email,
                },
            )
            return supporter
    before = audit.snapshot(supporter, ("contact_name", "contact_email"))
    if contact_name:
        supporter.contact_name = contact_name
    if contact_email:
        supporter.contact_email = contact_email
    after = audit.snapshot(supporter, ("contact_name", "contact_email"))
    if after != before:
        supporter.save(update_fields=["contact_name", "contact_email"])
        audit.record(
            "support.supporter_updated",
            actor=by,
            obj=supporter,
            provider_id=provider.pk,
            before=before,
            after=after,
        )
    return supporter


# --- agreements ----------------------------------------------------------------------------


def _clean_agreement(activity, values: dict[str, Any], *, exclude_pk: int | None) -> dict:
    """Checked and normalised agreement fields; ValidationError by field."""
    errors: dict[str, list[str]] = {}
    data = dict(values)
    supporter = data.get("supporter")
    if not isinstance(supporter, CommercialSupporter):
        errors["supporter"] = [_("Choose one of the provider's commercial supporters.")]
    elif supporter.provider_id != activity.provider_id:
        errors["supporter"] = [_("This supporter belongs to another provider.")]

    kind = data.get("kind")
    if kind not in SupportKind.values:
        errors["kind"] = [_("Choose cash or in-kind support.")]

    for name, message in (
        ("purpose", _("State the purpose of the support.")),
        ("terms", _("State the terms and conditions of the agreement.")),
    ):
        data[name] = (data.get(name) or "").strip()
        if not data[name]:
            errors[name] = [message]
    for name in ("in_kind_description", "joint_provider_recipient", "reference"):
        data[name] = (data.get(name) or "").strip()
    for name in ("joint_provider_recipient", "reference"):
        limit = SupportAgreement._meta.get_field(name).max_length
        if len(data[name]) > limit:
            errors[name] = [_("This is longer than %(max)s characters.") % {"max": limit}]
    data["joins_existing"] = bool(data.get("joins_existing"))

    amount = data.get("amount")
    if amount in (None, ""):
        data["amount"] = None
    else:
        try:
            data["amount"] = _money(amount, "amount")
        except ValidationError as exc:
            errors.update(exc.message_dict)

    currency = (data.get("currency") or DEFAULT_CURRENCY).strip().upper()
    data["currency"] = currency
    if len(currency) != 3 or not currency.isalpha() or not currency.isascii():
        errors["currency"] = [_("Give the currency as its three-letter code, e.g. USD or EUR.")]
    else:
        others = (
            SupportAgreement.objects.filter(activity=activity, kind=SupportKind.CASH)
            .exclude(pk=exclude_pk)
            .exclude(currency=currency)
            .values_list("currency", flat=True)
            .first()
        )
        if kind == SupportKind.CASH and others:
            # Totals of one activity only add up in one currency.
            errors["currency"] = [
                _(
                    "This activity's cash support is accounted in %(currency)s; record this "
                    "agreement in %(currency)s too."
                )
                % {"currency": others}
            ]

    if kind == SupportKind.CASH and data["in_kind_description"]:
        errors["in_kind_description"] = [
            _("Only in-kind support is described by its nature; leave this empty for cash.")
        ]
    if kind == SupportKind.IN_KIND and data["amount"] is not None:
        # In-kind support is reported by its nature, no dollar value is asked [A22].
        errors["amount"] = [
            _("In-kind support is recorded by its nature, without an amount; leave it empty.")
        ]
    if kind == SupportKind.IN_KIND and not data["in_kind_description"]:
        errors["in_kind_description"] = [_("Describe the equipment, supplies or services given.")]
    if errors:
        raise ValidationError(errors)
    return data


def _snapshot(agreement: SupportAgreement) -> dict[str, Any]:
    return audit.snapshot(agreement, SNAPSHOT_FIELDS)


@transaction.atomic
def create_agreement(
    activity,
    *,
    by,
    supporter: CommercialSupporter,
    kind: str,
    purpose: str,
    terms: str,
    amount: Decimal | str | int | None = None,
    currency: str = DEFAULT_CURRENCY,
    in_kind_description: str = "",
    joint_provider_recipient: str = "",
    joins_existing: bool = False,
    reference: str = "",
) -> SupportAgreement:
    """Record the written agreement of one supporter for the activity [A14][A15][A19].

    Cash support may be recorded before its amount is settled (the status flags it and it
    cannot be signed without one); in-kind support is described by its nature [A22].
    Side effects: audit "support.agreement_created"; the activity's program version is
    bumped (learners are told who supports the activity [A21]).
    """
    data = _clean_agreement(
        activity,
        {
            "supporter": supporter,
            "kind": kind,
            "purpose": purpose,
            "terms": terms,
            "amount": amount,
            "currency": currency,
            "in_kind_description": in_kind_description,
            "joint_provider_recipient": joint_provider_recipient,
            "joins_existing": joins_existing,
            "reference": reference,
        },
        exclude_pk=None,
    )
    agreement = SupportAgreement.objects.create(activity=activity, created_by=by, **data)
    bump_program_version(activity)
    _record("support.agreement_created", activity, agreement, by=by, after=_snapshot(agreement))
    return agreement


@transaction.atomic
def update_agreement(agreement: SupportAgreement, *, by, **fields: Any) -> SupportAgreement:
    """Change an agreement's terms or reference.

    Once both parties have signed, its terms cannot change [A15]: a new agreement records
    what was agreed since. When only one party has signed and the terms change, that
    signature is withdrawn, as it was given to other terms. Side effects: audit
    "support.agreement_updated"; the program version is bumped when what learners are
    told changes (supporter, kind, nature of in-kind support).
    """
    agreement = SupportAgreement.objects.select_for_update().get(pk=agreement.pk)
    activity = agreement.activity
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError({name: _("This cannot be changed here.") for name in unknown})
    values = {name: getattr(agreement, name) for name in EDITABLE_FIELDS}
    values.update(fields)
    data = _clean_agreement(activity, values, exclude_pk=agreement.pk)
    changed = [name for name in EDITABLE_FIELDS if data[name] != getattr(agreement, name)]
    if not changed:
        return agreement
    terms_changed = [name for name in changed if name in TERMS_FIELDS]
    both_signed = agreement.provider_signed_on and agreement.supporter_signed_on
    if terms_changed and both_signed:
        message = _(
            "Both parties have signed this agreement, so its terms cannot change. Record a "
            "new agreement for what was agreed since."
        )
        raise ValidationError({name: message for name in terms_changed})
    before = _snapshot(agreement)
    withdrawn = []
    if terms_changed:
        for party in PARTIES:
            if getattr(agreement, f"{party}_signed_on"):
                setattr(agreement, f"{party}_signed_on", None)
                setattr(agreement, f"{party}_signatory", "")
                withdrawn.append(party)
    for name in changed:
        setattr(agreement, name, data[name])
    agreement.save()
    if LEARNER_FIELDS & set(changed):
        bump_program_version(activity)
    note = ""
    if withdrawn:
        note = _("Signature withdrawn (%(party)s): it was given to other terms.") % {
            "party": ", ".join(withdrawn)
        }
    _record(
        "support.agreement_updated",
        activity,
        agreement,
        by=by,
        before=before,
        after=_snapshot(agreement),
        note=note,
    )
    return agreement


@transaction.atomic
def sign_agreement(
    agreement: SupportAgreement, *, by, party: str, signatory: str, signed_on: dt.date
) -> SupportAgreement:
    """Record the signature of the provider or of the supporter [A15][A14].

    The date may not lie in the future (in the activity's time zone); a date after the
    activity's start is accepted and flagged as late. Cash support must state its amount
    before anyone signs. Side effects: audit "support.agreement_signed".
    """
    agreement = SupportAgreement.objects.select_for_update().get(pk=agreement.pk)
    activity = agreement.activity
    errors: dict[str, list[str]] = {}
    if party not in PARTIES:
        raise ValidationError({"party": _("Sign for the provider or for the supporter.")})
    signatory = " ".join((signatory or "").split())
    if not signatory:
        errors["signatory"] = [_("Name the person who signed.")]
    elif len(signatory) > SupportAgreement._meta.get_field(f"{party}_signatory").max_length:
        errors["signatory"] = [_("The name is too long.")]
    if not isinstance(signed_on, dt.date) or isinstance(signed_on, dt.datetime):
        errors["signed_on"] = [_("Give the date of the signature.")]
    elif signed_on > _today(activity):
        errors["signed_on"] = [_("The date of a signature cannot be in the future.")]
    if getattr(agreement, f"{party}_signed_on"):
        errors.setdefault("party", []).append(
            _("Already signed for the %(party)s by %(name)s on %(date)s.")
            % {
                "party": party,
                "name": getattr(agreement, f"{party}_signatory"),
                "date": getattr(agreement, f"{party}_signed_on").isoformat(),
            }
        )
    if agreement.kind == SupportKind.CASH and agreement.amount is None:
        errors.setdefault("party", []).append(
            _("State the amount of cash support in the agreement before it is signed.")
        )
    if errors:
        raise ValidationError(errors)
    before = _snapshot(agreement)
    setattr(agreement, f"{party}_signatory", signatory)
    setattr(agreement, f"{party}_signed_on", signed_on)
    agreement.save(update_fields=[f"{party}_signatory", f"{party}_signed_on", "updated"])
    late = signed_on > activity.start_date
    _record(
        "support.agreement_signed",
        activity,
        agreement,
        by=by,
        before=before,
        after=_snapshot(agreement),
        note=_("Signed after the activity started.") if late else "",
    )
    return agreement


@dataclass(frozen=True)
class AgreementStatus:
    signed: bool  # by both parties
    late: bool  # a signature dated after the activity's first day [A15][A14]
    problems: list[str]
    label: str
    provider_late: bool = False
    supporter_late: bool = False


def signed_late(signed_on: dt.date | None, activity) -> bool:
    """A signature dated after the activity's first day: both sign before it [A15][A14]."""
    return signed_on is not None and signed_on > activity.start_date


def agreement_status(agreement: SupportAgreement) -> AgreementStatus:
    """Where the agreement stands: signed, signed late, or what it still lacks. No query
    beyond the activity (select it along with the agreement in lists)."""
    start = agreement.activity.start_date
    provider_on, supporter_on = agreement.provider_signed_on, agreement.supporter_signed_on
    signed = bool(provider_on and supporter_on)
    problems: list[str] = []
    if not provider_on:
        problems.append(_("Not signed for the provider."))
    if not supporter_on:
        problems.append(_("Not signed by the supporter."))
    provider_late = signed_late(provider_on, agreement.activity)
    supporter_late = signed_late(supporter_on, agreement.activity)
    for who, day, late_one in (
        (_("the provider"), provider_on, provider_late),
        (_("the supporter"), supporter_on, supporter_late),
    ):
        if late_one:
            problems.append(
                _(
                    "Signed for %(who)s on %(day)s, after the activity started on %(start)s; "
                    "the agreement must be signed before the activity [A15]."
                )
                % {"who": who, "day": day.isoformat(), "start": start.isoformat()}
            )
    if agreement.kind == SupportKind.CASH and agreement.amount is None:
        problems.append(_("Cash support without an amount."))
    if agreement.kind == SupportKind.IN_KIND and not agreement.in_kind_description.strip():
        problems.append(_("In-kind support without a description of what is given."))
    late = provider_late or supporter_late
    if signed:
        label = _("Signed late") if late else _("Signed")
    elif provider_on:
        label = _("Awaiting the supporter's signature")
    elif supporter_on:
        label = _("Awaiting the provider's signature")
    else:
        label = _("Not signed")
    return AgreementStatus(
        signed=signed,
        late=late,
        problems=problems,
        label=label,
        provider_late=provider_late,
        supporter_late=supporter_late,
    )


# --- ledger --------------------------------------------------------------------------------


@transaction.atomic
def record_entry(
    activity,
    *,
    by,
    kind: str,
    date: dt.date,
    amount: Decimal | str | int,
    agreement: SupportAgreement | None = None,
    category: str = "",
    payee: str = "",
    description: str = "",
) -> LedgerEntry:
    """Record money received from a supporter or spent from commercial support [A11][A14].

    A receipt needs a cash agreement of this activity. An expense needs what it paid for,
    and never learners' travel, lodging, honoraria or personal expenses [A11]; it may name
    the agreement whose money it spends. Side effects: audit "support.entry_recorded".
    """
    errors: dict[str, list[str]] = {}
    if kind not in LedgerEntryKind.values:
        raise ValidationError({"kind": _("Choose receipt or expense.")})
    try:
        amount = _money(amount, "amount")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        errors["date"] = [_("Give the date.")]
    if agreement is not None and agreement.activity_id != activity.pk:
        errors["agreement"] = [_("This agreement belongs to another activity.")]
    category = (category or "").strip()
    payee = " ".join((payee or "").split())
    description = " ".join((description or "").split())
    for name, value in (("payee", payee), ("description", description)):
        limit = LedgerEntry._meta.get_field(name).max_length
        if len(value) > limit:
            errors[name] = [_("This is longer than %(max)s characters.") % {"max": limit}]

    if kind == LedgerEntryKind.RECEIPT:
        if agreement is None:
            errors.setdefault("agreement", []).append(
                _("Every receipt is money given under a written agreement [A14]: choose it.")
            )
        elif "agreement" not in errors and agreement.kind != SupportKind.CASH:
            errors["agreement"] = [
                _(
                    "This is an agreement for in-kind support; money is received only under cash "
                    "agreements."
                )
            ]
        if category:
            errors["category"] = [_("A receipt is not spent on anything; leave this empty.")]
    else:
        if not category:
            errors["category"] = [_("Say what the money paid for.")]
        elif category in FORBIDDEN_SUPPORT_EXPENSES:
            errors["category"] = [str(FORBIDDEN_MESSAGE)]
        elif category not in ExpenseCategory.values:
            errors["category"] = [_("Choose what the money paid for from the list.")]
        if (
            agreement is not None
            and "agreement" not in errors
            and agreement.kind != SupportKind.CASH
        ):
            errors["agreement"] = [
                _("In-kind support brings no money to spend; choose a cash agreement or none.")
            ]
    if errors:
        raise ValidationError(errors)
    entry = LedgerEntry.objects.create(
        activity=activity,
        agreement=agreement,
        kind=kind,
        date=date,
        amount=amount,
        category=category,
        payee=payee,
        description=description,
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    _record(
        "support.entry_recorded",
        activity,
        entry,
        by=by,
        after=audit.snapshot(
            entry, ("agreement", "kind", "date", "amount", "category", "payee", "description")
        ),
    )
    return entry


@transaction.atomic
def void_entry(entry: LedgerEntry, *, by, reason: str) -> LedgerEntry:
    """Cancel a ledger entry recorded in error. It stays in the ledger, out of every total.

    Side effects: audit "support.entry_voided".
    """
    entry = LedgerEntry.objects.select_for_update().select_related("activity").get(pk=entry.pk)
    reason = (reason or "").strip()
    if entry.voided_at is not None:
        raise ValidationError(_("This entry was already voided."))
    if not reason:
        raise ValidationError({"reason": _("Say why the entry is voided.")})
    entry.voided_at = timezone.now()
    entry.voided_by = by
    entry.void_reason = reason
    entry.save(update_fields=["voided_at", "voided_by", "void_reason"])
    _record(
        "support.entry_voided",
        entry.activity,
        entry,
        by=by,
        after={"voided_at": entry.voided_at, "reason": reason},
    )
    return entry


# --- accounting ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryAmount:
    category: str
    label: str
    amount: Decimal


@dataclass
class AgreementAccount:
    """One agreement: what was committed, received and spent under it."""

    agreement: SupportAgreement
    supporter: str
    kind: str
    kind_label: str
    committed: Decimal | None
    received: Decimal
    spent: Decimal
    spent_by_category: list[CategoryAmount]
    balance: Decimal
    status: AgreementStatus


@dataclass(frozen=True)
class InKindItem:
    supporter: str
    description: str
    status: AgreementStatus


@dataclass
class AccountingReport:
    """The accounting of an activity's commercial support [A11][A22]."""

    activity: Any
    currency: str
    agreements: list[AgreementAccount]
    in_kind: list[InKindItem]
    committed: Decimal
    received: Decimal
    spent: Decimal
    balance: Decimal
    spent_by_category: list[CategoryAmount]
    # Expenses paid from the activity's support without naming an agreement.
    unallocated_spent: Decimal
    unallocated_by_category: list[CategoryAmount]
    entries: list[LedgerEntry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _by_category(entries: list[LedgerEntry]) -> list[CategoryAmount]:
    sums: dict[str, Decimal] = {}
    for e in entries:
        sums[e.category] = sums.get(e.category, ZERO) + e.amount
    labels = dict(ExpenseCategory.choices)
    order = list(ExpenseCategory.values)
    return [
        CategoryAmount(c, str(labels.get(c, c)), sums[c])
        for c in sorted(sums, key=lambda c: order.index(c) if c in order else len(order))
    ]


def _total(entries: list[LedgerEntry]) -> Decimal:
    return sum((e.amount for e in entries), ZERO)


def _fmt(amount: Decimal, currency: str) -> str:
    return f"{currency} {amount:,.2f}"


def agreements_of(activity) -> list[SupportAgreement]:
    """The activity's agreements with what lists and reports show of them (one query)."""
    return list(
        SupportAgreement.objects.filter(activity=activity)
        .select_related("supporter__company", "activity")
        .order_by("supporter__company__name", "id")
    )


def accounting_report(activity) -> AccountingReport:
    """Committed, received, spent and the balance per agreement and in all; in-kind support
    by its nature; and every problem of the activity's commercial support. Two queries."""
    agreements = agreements_of(activity)
    for a in agreements:
        a.activity = activity  # one activity object for all: no query per agreement
    entries = list(
        LedgerEntry.objects.filter(activity=activity)
        .select_related("agreement__supporter__company", "recorded_by", "voided_by")
        .order_by("date", "id")
    )
    live = [e for e in entries if e.voided_at is None]
    cash = [a for a in agreements if a.kind == SupportKind.CASH]
    currency = cash[0].currency if cash else DEFAULT_CURRENCY
    problems: list[str] = []
    accounts: list[AgreementAccount] = []
    in_kind: list[InKindItem] = []
    for a in agreements:
        name = a.supporter.company.name
        status = agreement_status(a)
        problems += [f"{name}: {p}" for p in status.problems]
        mine = [e for e in live if e.agreement_id == a.pk]
        receipts = [e for e in mine if e.kind == LedgerEntryKind.RECEIPT]
        expenses = [e for e in mine if e.kind == LedgerEntryKind.EXPENSE]
        received, spent = _total(receipts), _total(expenses)
        if a.kind == SupportKind.IN_KIND:
            in_kind.append(InKindItem(name, a.in_kind_description, status))
        if a.amount is not None and received > a.amount:
            problems.append(
                _("%(name)s: received %(received)s, more than the %(committed)s agreed.")
                % {
                    "name": name,
                    "received": _fmt(received, a.currency),
                    "committed": _fmt(a.amount, a.currency),
                }
            )
        if spent > received:
            problems.append(
                _("%(name)s: spent %(spent)s of its support, more than the %(received)s received.")
                % {
                    "name": name,
                    "spent": _fmt(spent, a.currency),
                    "received": _fmt(received, a.currency),
                }
            )
        if receipts and not status.signed:
            problems.append(
                _("%(name)s: money was received before the agreement was signed by both.")
                % {"name": name}
            )
        accounts.append(
            AgreementAccount(
                agreement=a,
                supporter=name,
                kind=a.kind,
                kind_label=a.get_kind_display(),
                committed=a.amount,
                received=received,
                spent=spent,
                spent_by_category=_by_category(expenses),
                balance=received - spent,
                status=status,
            )
        )
    expenses = [e for e in live if e.kind == LedgerEntryKind.EXPENSE]
    unallocated = [e for e in expenses if e.agreement_id is None]
    received = _total([e for e in live if e.kind == LedgerEntryKind.RECEIPT])
    spent = _total(expenses)
    if spent > received:
        problems.append(
            _(
                "Spending from commercial support (%(spent)s) is more than was received "
                "(%(received)s)."
            )
            % {"spent": _fmt(spent, currency), "received": _fmt(received, currency)}
        )
    return AccountingReport(
        activity=activity,
        currency=currency,
        agreements=accounts,
        in_kind=in_kind,
        committed=sum((a.amount for a in cash if a.amount is not None), ZERO),
        received=received,
        spent=spent,
        balance=received - spent,
        spent_by_category=_by_category(expenses),
        unallocated_spent=_total(unallocated),
        unallocated_by_category=_by_category(unallocated),
        entries=entries,
        problems=problems,
    )


# Columns of the CSV, in order; one per expense category that support may pay.
ALLOWED_CATEGORIES = [c for c in ExpenseCategory if c not in FORBIDDEN_SUPPORT_EXPENSES]
ROW_COLUMNS = (
    "supporter",
    "reference",
    "kind",
    "in_kind_description",
    "currency",
    "committed",
    "received",
    "spent",
    "balance",
    *(f"spent_{c.value}" for c in ALLOWED_CATEGORIES),
    "provider_signed_on",
    "supporter_signed_on",
    "status",
    "problems",
)


def _money_cell(amount: Decimal | None) -> str:
    return "" if amount is None else f"{amount:.2f}"


def _category_cells(items: list[CategoryAmount]) -> dict[str, str]:
    sums = {i.category: i.amount for i in items}
    return {f"spent_{c.value}": _money_cell(sums.get(c.value, ZERO)) for c in ALLOWED_CATEGORIES}


def accounting_rows(activity) -> list[dict[str, str]]:
    """The accounting report as rows for a CSV: one per agreement, one for expenses that
    name no agreement (when there are any), and the total. Keys are ROW_COLUMNS."""
    report = accounting_report(activity)
    rows: list[dict[str, str]] = []
    for acc in report.agreements:
        a = acc.agreement
        rows.append(
            {
                "supporter": acc.supporter,
                "reference": a.reference,
                "kind": a.kind,
                "in_kind_description": a.in_kind_description,
                "currency": a.currency if a.kind == SupportKind.CASH else "",
                "committed": _money_cell(acc.committed),
                "received": _money_cell(acc.received),
                "spent": _money_cell(acc.spent),
                "balance": _money_cell(acc.balance),
                **_category_cells(acc.spent_by_category),
                "provider_signed_on": a.provider_signed_on.isoformat()
                if a.provider_signed_on
                else "",
                "supporter_signed_on": a.supporter_signed_on.isoformat()
                if a.supporter_signed_on
                else "",
                "status": str(acc.status.label),
                "problems": " ".join(str(p) for p in acc.status.problems),
            }
        )
    blank = {name: "" for name in ROW_COLUMNS}
    if report.unallocated_spent:
        rows.append(
            blank
            | {
                "supporter": _("Not charged to one agreement"),
                "currency": report.currency,
                "spent": _money_cell(report.unallocated_spent),
                "balance": _money_cell(-report.unallocated_spent),
                **_category_cells(report.unallocated_by_category),
            }
        )
    rows.append(
        blank
        | {
            "supporter": _("Total"),
            "currency": report.currency,
            "committed": _money_cell(report.committed),
            "received": _money_cell(report.received),
            "spent": _money_cell(report.spent),
            "balance": _money_cell(report.balance),
            **_category_cells(report.spent_by_category),
            "problems": " ".join(str(p) for p in report.problems),
        }
    )
    return rows


def support_problems(activity) -> list[str]:
    """What keeps the activity's commercial support from being in order, in short sentences
    (the planning checklist shows them). Empty when there is no support or all is well."""
    return [str(p) for p in accounting_report(activity).problems]
