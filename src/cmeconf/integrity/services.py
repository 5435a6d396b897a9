"""Submitting disclosures. Each submission is kept whole; a newer one replaces it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cmeconf.activities.models import Activity
from cmeconf.activities.services.activities import bump_program_version
from cmeconf.common import audit
from cmeconf.integrity import rules
from cmeconf.integrity.choices import (
    INELIGIBLE_COMPANY_DEFINITION,
    DisclosureState,
    RelationshipNature,
)
from cmeconf.integrity.models import (
    Disclosure,
    FinancialRelationship,
    IneligibleCompany,
    OwnerEmployeeException,
)


def attestation_text() -> str:
    """What the person attests to, kept with each disclosure as it was shown."""
    return _(
        "I have disclosed all financial relationships I have had with ineligible companies "
        "in the past 24 months, in any amount, whether or not I think them relevant. %(definition)s"
    ) % {"definition": INELIGIBLE_COMPANY_DEFINITION}


def _refresh_learner_pages(person) -> None:
    """The person's activities show learners a line about them: let those pages be rebuilt."""
    activities = Activity.objects.filter(
        Q(sessions__faculty__person=person) | Q(planners__person=person)
    ).distinct()
    for activity in activities.select_related("provider"):
        bump_program_version(activity)


def _validity(submitted: dt.date) -> tuple[dt.date, dt.date]:
    covers_from = rules.months_before(submitted, rules.LOOKBACK_MONTHS)
    valid_until = rules.months_after(submitted, settings.DISCLOSURE_VALID_MONTHS)
    return covers_from, valid_until


def _clean_relationships(items: Iterable[dict[str, Any]], today: dt.date) -> list[dict]:
    errors: list[str] = []
    cleaned: list[dict] = []
    seen: set[tuple] = set()
    for n, item in enumerate(items, start=1):
        company, nature = item.get("company"), item.get("nature")
        start, end = item.get("start_date"), item.get("end_date")
        prefix = _("Relationship %(n)s: ") % {"n": n}
        if not isinstance(company, IneligibleCompany):
            errors.append(prefix + _("choose the company from the list of ineligible companies."))
        if nature not in RelationshipNature.values:
            errors.append(prefix + _("choose the nature of the relationship from the list."))
        if not isinstance(start, dt.date):
            errors.append(prefix + _("give the date the relationship started."))
        elif start > today:
            errors.append(prefix + _("the start date is in the future."))
        if end is not None and isinstance(start, dt.date) and end < start:
            errors.append(
                prefix
                + _("it ends (%(end)s) before it starts (%(start)s).")
                % {"end": date_format(end), "start": date_format(start)}
            )
        key = (getattr(company, "pk", None), nature, start, end)
        if key in seen:
            errors.append(prefix + _("the same relationship is listed twice."))
        seen.add(key)
        cleaned.append({"company": company, "nature": nature, "start_date": start, "end_date": end})
    if errors:
        raise ValidationError({"relationships": errors})
    return cleaned


@transaction.atomic
def submit_disclosure(
    person,
    *,
    by,
    relationships: Iterable[dict[str, Any]],
    attested: bool,
    now: dt.datetime | None = None,
) -> Disclosure:
    """Record a disclosure: every relationship of the past 24 months, or none [A5].

    `relationships` holds dicts of company (IneligibleCompany), nature, start_date,
    end_date (None if ongoing). Without the attestation nothing is saved.
    Side effects: audit "disclosure.submitted" with the relationships.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    if not attested:
        raise ValidationError({"attested": _("Please confirm the attestation to submit.")})
    cleaned = _clean_relationships(relationships, today)
    covers_from, valid_until = _validity(today)
    disclosure = Disclosure.objects.create(
        person=person,
        state=DisclosureState.SUBMITTED,
        submitted_at=now,
        covers_from=covers_from,
        valid_until=valid_until,
        has_relationships=bool(cleaned),
        attestation=attestation_text(),
    )
    FinancialRelationship.objects.bulk_create(
        FinancialRelationship(disclosure=disclosure, **item) for item in cleaned
    )
    audit.record(
        "disclosure.submitted",
        actor=by,
        obj=disclosure,
        after={
            "person": person.pk,
            "valid_until": valid_until,
            "relationships": [
                {
                    "company": item["company"].name,
                    "nature": item["nature"],
                    "start_date": item["start_date"],
                    "end_date": item["end_date"],
                }
                for item in cleaned
            ],
        },
    )
    _refresh_learner_pages(person)
    return disclosure


@transaction.atomic
def refuse_disclosure(person, *, by, now: dt.datetime | None = None) -> Disclosure:
    """Record that the person refuses to disclose: it disqualifies them [A17].

    Side effects: audit "disclosure.refused".
    """
    now = now or timezone.now()
    covers_from, valid_until = _validity(timezone.localdate(now))
    disclosure = Disclosure.objects.create(
        person=person,
        state=DisclosureState.REFUSED,
        submitted_at=now,
        covers_from=covers_from,
        valid_until=valid_until,
    )
    audit.record("disclosure.refused", actor=by, obj=disclosure, after={"person": person.pk})
    _refresh_learner_pages(person)
    return disclosure


def current_disclosure(person) -> Disclosure | None:
    """The person's latest disclosure (or refusal), whatever its age."""
    return (
        Disclosure.objects.filter(person=person)
        .prefetch_related("relationships__company")
        .order_by("-submitted_at", "-id")
        .first()
    )


def facts(disclosure: Disclosure | None) -> rules.DisclosureFacts | None:
    if disclosure is None:
        return None
    return rules.DisclosureFacts(
        state=disclosure.state,
        submitted=timezone.localdate(disclosure.submitted_at),
        covers_from=disclosure.covers_from,
        valid_until=disclosure.valid_until,
    )


def as_fact(rel: FinancialRelationship) -> rules.Relationship:
    """A stored relationship as the plain value the rules take."""
    return rules.Relationship(rel.company.name, rel.nature, rel.start_date, rel.end_date)


def relationships(disclosure: Disclosure, *, excepted: set[int] = frozenset()) -> list:
    """The disclosure's relationships for the rules, leaving out those in `excepted` (ids)."""
    return [as_fact(r) for r in disclosure.relationships.all() if r.pk not in excepted]


def disclosure_blockers(
    disclosure: Disclosure | None, role_start: dt.date, *, excepted: set[int] = frozenset()
) -> list[str]:
    """Why the holder of `disclosure` cannot be confirmed in a role starting on `role_start`.

    The record's validity [A5][A17][A18], then owners and employees [A6], leaving out
    relationships (ids in `excepted`) for which a reviewer recorded an exception for
    the activity [A7b]. Runs no query when the disclosure's relationships are loaded.
    """
    problems = rules.role_blockers(facts(disclosure), role_start)
    if disclosure is not None and disclosure.state == DisclosureState.SUBMITTED:
        for rel in rules.owner_or_employee(
            relationships(disclosure, excepted=excepted), role_start
        ):
            problems.append(
                _(
                    "%(nature)s of %(company)s: owners and employees of ineligible companies "
                    "cannot control content unless a reviewer records one of the exceptions."
                )
                % {"nature": RelationshipNature(rel.nature).label, "company": rel.company}
            )
    return problems


def role_blockers(person, role_start: dt.date, *, activity=None) -> list[str]:
    """Why `person` cannot yet be confirmed in a content role starting on `role_start`.

    Missing, refused, expired or too-late disclosures block [A5][A17][A18]; so does
    an owner or employee relationship, until a reviewer records an exception for the
    activity [A6][A7b].
    """
    disclosure = current_disclosure(person)
    excepted: set[int] = set()
    if activity is not None and disclosure is not None:
        excepted = set(
            OwnerEmployeeException.objects.filter(
                activity=activity, relationship__disclosure=disclosure
            ).values_list("relationship_id", flat=True)
        )
    return disclosure_blockers(disclosure, role_start, excepted=excepted)
