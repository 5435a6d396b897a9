"""A regulator's continuing-education rules, typed: what one requirement-set file says.

The files (``requirements/*.json``, described by ``requirement-set.schema.json``)
are the source of truth; ``loader.load_requirement_sets`` validates them and
builds these objects. The engine (``engine.evaluate``) reads nothing else.

Amounts are Decimals in the set's unit (hours, credits, contact hours, MOC
credits or CME points). Every rule keeps its sources; ``confirmed`` is False
wherever the research could not verify the rule, and such a rule is never
shown as fact.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    title: str
    url: str
    # The date the source states for itself ("current through ..."), or None when undated.
    as_of: dt.date | None
    # The source's own words for its date, or "UNDATED (consulted 2026-11-26)".
    as_of_text: str
    kind: str  # regulation, statute, board_page, regulator_page, society_page, secondary, case_law
    # Where the source states its date (e.g. "'Current through Reg. 49, No. 38'"), if noted.
    as_of_basis: str = ""


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    country: str  # ISO 3166 alpha-2
    subdivision: str | None  # state or province code
    name: str


@dataclass(frozen=True, slots=True)
class Cycle:
    """How long a renewal cycle is and where it starts and ends."""

    length_months: int | None  # None: no general cycle (New York has no total)
    anchor: str  # a CycleAnchor value (vocabulary.CYCLE_ANCHORS)
    anchor_confirmed: bool
    anchor_detail: str
    window_rule: str
    # Fixed cycles: one known last day of a cycle; the others are every length_months from it.
    fixed_end: dt.date | None = None
    # A worked example from the source: (expiry, window start, window end).
    example: tuple[dt.date, dt.date, dt.date] | None = None


@dataclass(frozen=True, slots=True)
class Total:
    amount: Decimal | None  # None: no general total
    unit: str  # hour, credit, contact_hour, moc_credit, cme_point
    counted_credit_types: frozenset[str]
    source_refs: tuple[str, ...]
    notes: str = ""
    # False where the amount or the accepted credit types could not be verified (e.g. Georgia).
    confirmed: bool = True
    confidence_note: str = ""


@dataclass(frozen=True, slots=True)
class CreditTypeRule:
    """A minimum or a cap on the counted amount of some credit types.

    Hours above a cap are dropped from the total. A fraction cap is taken of the
    required total after proration.
    """

    id: str  # stable within the set, e.g. "formal-min"
    label: str
    credit_types: frozenset[str]
    min: Decimal | None = None
    max: Decimal | None = None
    max_fraction_of_total: Decimal | None = None
    min_per_calendar_year: Decimal | None = None
    rule: str = ""
    confirmed: bool = True
    confidence_note: str = ""
    source_refs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Recurrence:
    """When a topic mandate is due.

    ``kind`` is a RecurrenceKind value (vocabulary.RECURRENCE_KINDS); the other
    fields are the parameters that kind uses and are None otherwise.
    """

    kind: str
    n: int | None = None  # every n-th renewal; the first n renewals
    years: int | None = None  # every n years
    # every_nth_renewal: due when renewal_number % n == offset (offset 0: the n-th, 2n-th, ...)
    offset: int | None = None
    # What years are counted from: "licensure", "last_completion", "fixed" (with fixed_start).
    anchor: str | None = None
    fixed_start: dt.date | None = None
    # A second reading of the source (New York: fixed blocks by statute, per licensee by the
    # education department's guidance); when set, evaluate both and flag disagreement.
    alt_anchor: str | None = None
    # One-time mandates: due within so many years of first licensure, or by the n-th renewal,
    # whichever comes first; or by a fixed date.
    deadline_years_after_licensure: int | None = None
    deadline_renewal: int | None = None
    deadline_date: dt.date | None = None
    # A look-back window of its own (years before the renewal), instead of the cycle's.
    window_years: int | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class AppliesIf:
    """Who a topic mandate applies to. Every listed condition must hold."""

    # Facts the clinician states about their practice (vocabulary.CONDITIONS),
    # e.g. "dea_registration", "direct_patient_care".
    conditions: frozenset[str] = frozenset()
    specialties: frozenset[str] = frozenset()  # empty: any specialty
    exclude_specialties: frozenset[str] = frozenset()
    license_types: frozenset[str] = frozenset()  # empty: every licence type of the set
    text: str = ""  # the source's words


@dataclass(frozen=True, slots=True)
class TopicRequirement:
    id: str
    label: str
    topics_any: frozenset[str]
    # Exactly one way of saying how much, or none (e.g. New York infection control: a course).
    hours: Decimal | None
    hours_fraction_of_total: Decimal | None = None  # California geriatrics: 20% of required
    hours_per_year: Decimal | None = None  # Michigan implicit bias: 1 per licence year
    hours_text: str = ""
    credit_types_allowed: frozenset[str] | None = None  # None: any type counted in the total
    counts_toward_total: bool = True
    recurrence: Recurrence = field(default_factory=lambda: Recurrence("every_cycle"))
    applies_if: AppliesIf | None = None  # None: everyone holding the licence
    may_share_with: frozenset[str] = frozenset()
    may_not_share_with: frozenset[str] = frozenset()
    # Credits must carry one of these approvals (vocabulary.APPROVALS), e.g. "PA_DHS_APPROVED".
    approvals_required: frozenset[str] = frozenset()
    provider_restriction: str = ""
    # Credits must be of one of these formats (vocabulary.FORMATS); empty: any.
    formats_allowed: frozenset[str] = frozenset()
    format_restriction: str = ""
    confirmed: bool = True
    confidence_note: str = ""
    source_refs: tuple[str, ...] = ()
    notes: str = ""


@dataclass(frozen=True, slots=True)
class ProrationStep:
    """A reduced requirement for a first renewal after a short first licence term."""

    licensed_less_than_months: int | None  # None: any first renewal
    total: Decimal  # the required total instead


@dataclass(frozen=True, slots=True)
class Proration:
    kind: str  # a ProrationKind value (vocabulary.PRORATION_KINDS)
    rule: str
    steps: tuple[ProrationStep, ...] = ()
    # Ids of the set's topic requirements still due when the first renewal is exempt
    # (e.g. Florida HIV/AIDS). Steps apply in order; the first that matches wins.
    topics_still_due: frozenset[str] = frozenset()
    confirmed: bool = True
    source_refs: tuple[str, ...] = ()
    confidence_note: str = ""


@dataclass(frozen=True, slots=True)
class CarryOver:
    allowed: bool | None  # None: not confirmed either way (treated as not allowed)
    max_amount: Decimal | None = None
    to_periods: int | None = None
    # Carried hours count toward the total only, never a minimum or a topic mandate.
    total_only: bool = True
    restrictions: tuple[str, ...] = ()
    detail: str = ""
    source_refs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RequirementSet:
    id: str  # e.g. "US-CA-MD"
    version: str  # the file's own version, e.g. "2026-11-26"
    jurisdiction: Jurisdiction
    regulator: str
    profession: str
    license_types: frozenset[str]
    confidence: str  # HIGH, MEDIUM, LOW
    cycle: Cycle
    total: Total
    credit_type_rules: tuple[CreditTypeRule, ...]
    topic_requirements: tuple[TopicRequirement, ...]
    proration: Proration
    carry_over: CarryOver
    sources: dict[str, Source]
    # When the rules apply from / until (None: open).
    effective_from: dt.date | None = None
    effective_until: dt.date | None = None
    late_completion_days: int | None = None  # a remedy or grace period after the due date
    late_completion: str = ""
    equivalents: tuple[str, ...] = ()
    exemptions: tuple[str, ...] = ()
    # Jurisdiction-specific extras kept as text (provider_content_rules, sanctions, ...).
    extras: dict[str, str] = field(default_factory=dict)
    unconfirmed: tuple[str, ...] = ()
    notes: str = ""

    @property
    def as_of(self) -> dt.date | None:
        """The newest date any of its sources states for itself."""
        dates = [s.as_of for s in self.sources.values() if s.as_of is not None]
        return max(dates, default=None)
