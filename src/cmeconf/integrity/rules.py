"""Rules of disclosure, from the ACCME Standards for Integrity and Independence (2020).

Plain functions on plain values. Source keys: [A5] the 24-month look-back and the
natures of relationships, [A6][A7b] exclusion of owners and employees and its
three exceptions, [A11] disclosing the absence of relevant relationships,
[A17] refusal disqualifies, [A18] the look-back runs from the start of the role.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cmeconf.integrity.choices import OWNER_EMPLOYEE_NATURES, DisclosureState

LOOKBACK_MONTHS = 24  # [A5][A18]


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier (29 Feb falls back to the 28th)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def months_after(day: dt.date, months: int) -> dt.date:
    return months_before(day, -months)


def lookback_start(role_start: dt.date) -> dt.date:
    """First day whose relationships must be disclosed for a role starting on `role_start`."""
    return months_before(role_start, LOOKBACK_MONTHS)


@dataclass(frozen=True)
class Relationship:
    """What the rules need of a financial relationship."""

    company: str
    nature: str
    start: dt.date
    end: dt.date | None  # None: ongoing


def in_scope(rel: Relationship, role_start: dt.date) -> bool:
    """Active at some time in the 24 months before the role starts [A5][A18]."""
    return rel.start <= role_start and (rel.end is None or rel.end >= lookback_start(role_start))


def relationships_in_scope(rels: Iterable[Relationship], role_start: dt.date) -> list[Relationship]:
    return [r for r in rels if in_scope(r, role_start)]


def owner_or_employee(rels: Iterable[Relationship], role_start: dt.date) -> list[Relationship]:
    """Relationships that make the person an owner or employee when the role starts.

    Owners and employees may not control content unless a reviewer records one of
    the three exceptions [A6][A7b]. An employment that ended before the role is
    a past relationship to mitigate, not an exclusion (derived from [A6]).
    """
    return [
        r
        for r in rels
        if r.nature in OWNER_EMPLOYEE_NATURES
        and r.start <= role_start
        and (r.end is None or r.end >= role_start)
    ]


@dataclass(frozen=True)
class DisclosureFacts:
    """What the rules need of a disclosure on file."""

    state: str
    submitted: dt.date
    covers_from: dt.date
    valid_until: dt.date


def role_blockers(disclosure: DisclosureFacts | None, role_start: dt.date) -> list[str]:
    """Why a person cannot be confirmed in a role starting on `role_start`; empty if they can."""
    if disclosure is None:
        return [_("No disclosure on file: everyone in control of content must disclose first.")]
    if disclosure.state == DisclosureState.REFUSED:
        return [
            _(
                "Refused to disclose: a person who does not disclose cannot control "
                "content of accredited education."
            )
        ]
    problems = []
    if disclosure.valid_until < role_start:
        problems.append(
            _("The disclosure expires on %(expiry)s, before the role starts on %(start)s.")
            % {
                "expiry": date_format(disclosure.valid_until),
                "start": date_format(role_start),
            }
        )
    needed = lookback_start(role_start)
    if disclosure.covers_from > needed:
        problems.append(
            _(
                "The disclosure covers relationships since %(covers)s; a role starting on "
                "%(start)s needs them since %(needed)s."
            )
            % {
                "covers": date_format(disclosure.covers_from),
                "start": date_format(role_start),
                "needed": date_format(needed),
            }
        )
    return problems


@dataclass(frozen=True)
class LearnerLine:
    name: str
    text: str


def learner_disclosure(name: str, relevant: Iterable[tuple[str, str]]) -> LearnerLine:
    """The line learners are shown about one person [A6][A11].

    `relevant` holds (company name, nature label) of the relationships found
    relevant and mitigated. Company names only, never logos or products [A6].
    With none, learners are still told so: silence is not compliant [A11].
    """
    relevant = sorted(set(relevant))
    if not relevant:
        return LearnerLine(
            name,
            _("%(name)s has no relevant financial relationships with ineligible companies.")
            % {"name": name},
        )
    parts = "; ".join(f"{company} ({nature})" for company, nature in relevant)
    return LearnerLine(
        name,
        _(
            "%(name)s has relevant financial relationships with: %(parts)s. All relevant "
            "financial relationships have been mitigated."
        )
        % {"name": name, "parts": parts},
    )
