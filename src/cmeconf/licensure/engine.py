"""The compliance engine: one licence's renewal against its requirement set.

``evaluate(licence, credits, today=...)`` works out the licence's cycle window
and, for every requirement (the total, credit-type minimums and caps, annual
minimums, topic mandates), what was counted, what is missing and why a credit
did not count. It reads only the typed rules (``rules.RequirementSet``) and the
credits it is given: no database, no Django.

Amounts are Decimals at the boundary and whole hundredths inside, so sums are
exact and cheap. What can be worked out once per requirement set (accepted
credit types, caps, conflicts between mandates) is compiled once and cached.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from cmeconf.licensure import windows
from cmeconf.licensure.rules import RequirementSet, TopicRequirement

ZERO = Decimal(0)
# The id under which credit carried over from the last cycle is counted.
CARRIED_IN = "carried_in"
_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")
_FAR_PAST = dt.date.min


class Reason(enum.Enum):
    """Why a credit did not count toward a requirement."""

    OUTSIDE_WINDOW = "outside_window"  # dated before the window opens
    AFTER_DUE = "after_due"  # dated after the due date: belongs to the next cycle
    WRONG_CREDIT_TYPE = "wrong_credit_type"  # carries no designation this rule accepts
    OVER_CAP = "over_cap"  # above a cap on its credit type
    NOT_APPROVED_PROVIDER = "not_approved_provider"  # the provider lacks a required approval
    WRONG_FORMAT = "wrong_format"  # delivered in a format the mandate does not accept
    TOPIC_NOT_MATCHING = "topic_not_matching"  # tagged, but with none of the mandate's topics
    SHARED_NOT_ALLOWED = "shared_not_allowed"  # used for a mandate this one may not share with
    SEPARATE_REQUIREMENT = "separate_requirement"  # used for a mandate kept outside the total


def _cents(amount: Decimal | int | float | str) -> int:
    value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    return int((value * _HUNDRED).to_integral_value())


_CENTS: dict[Decimal, int] = {}


def _cents_cached(amount: Decimal) -> int:
    # For the rules' own amounts, which are few.
    value = _CENTS.get(amount)
    if value is None:
        value = _CENTS[amount] = _cents(amount)
    return value


_DECIMALS: dict[int, Decimal] = {}


def _dec(cents: int) -> Decimal:
    # The same few amounts come back again and again: keep their Decimals.
    value = _DECIMALS.get(cents)
    if value is None:
        if cents % 100:
            value = (Decimal(cents) / _HUNDRED).quantize(_CENT)
        else:
            value = Decimal(cents // 100)
        if len(_DECIMALS) < 100_000:
            _DECIMALS[cents] = value
    return value


@dataclass(frozen=True, slots=True)
class Credit:
    """One completed activity with every designation it carries.

    ``amounts`` maps a credit type to its amount (a session may be 1.5 AMA PRA
    Category 1 and 1.5 AOA 2A); each requirement set counts the credit once, by
    the best designation it accepts. ``approvals`` and ``format`` describe the
    activity's provider and delivery, which some mandates restrict.
    """

    id: str
    date: dt.date
    amounts: Mapping[str, Decimal]
    topics: frozenset[str] = frozenset()
    approvals: frozenset[str] = frozenset()
    format: str = ""
    title: str = ""
    # The amounts in hundredths, worked out once: the engine's loops read only this.
    cents: tuple[tuple[str, int], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "cents", tuple((t, _cents(a)) for t, a in self.amounts.items()))


@dataclass(frozen=True, slots=True)
class Licence:
    requirement_set: RequirementSet
    license_type: str
    expires_on: dt.date | None = None
    issued_on: dt.date | None = None
    birth_date: dt.date | None = None
    renewal_number: int | None = None  # 1: the first renewal; worked out from issue when None
    specialties: frozenset[str] = frozenset()
    conditions: frozenset[str] = frozenset()  # vocabulary.CONDITIONS that hold
    carried_in: Decimal = ZERO  # excess credit carried from the previous cycle
    cycle_start: dt.date | None = None  # for sets where the licence states its period


@dataclass(frozen=True, slots=True)
class RequirementStatus:
    id: str
    label: str
    kind: str  # total, credit_type_min, credit_type_cap, annual_min, topic
    required: Decimal | None  # None: a course of no stated length
    counted: Decimal
    gap: Decimal
    met: bool
    deadline: dt.date | None
    confirmed: bool  # False: the rule or the cycle anchor is not verified; never show as fact
    source_refs: tuple[str, ...]
    counted_from: tuple[tuple[str, Decimal], ...] = ()
    not_counted: tuple[tuple[str, Reason], ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LicenceStatus:
    licence: Licence
    window_start: dt.date | None  # None: no general cycle (each mandate has its own clock)
    window_end: dt.date | None
    due: dt.date
    renewal_number: int | None
    requirements: tuple[RequirementStatus, ...]
    compliant: bool
    # The least new credit that closes every gap that can still be closed.
    min_additional: Decimal
    exempt_reason: str | None = None
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def requirement(self, requirement_id: str) -> RequirementStatus:
        for status in self.requirements:
            if status.id == requirement_id:
                return status
        raise KeyError(requirement_id)


# --- compiled form of a requirement set ------------------------------------------------------


@dataclass(slots=True)
class _Compiled:
    # Credit types that count at all, with a preference when a credit carries several
    # (higher is better): uncapped before capped, types with a minimum first.
    preference: dict[str, int]
    caps: tuple[tuple[str, str, frozenset[str], int | None, Decimal | None], ...]
    mins: tuple[tuple[int, frozenset[str]], ...]  # (index into rules, types)
    annual: tuple[tuple[int, frozenset[str], int], ...]
    conflicts: dict[str, frozenset[str]]
    # Topic mandates in the order they take credits they may not share: narrowest first.
    topic_order: tuple[int, ...]
    allowed: tuple[frozenset[str] | None, ...]  # per topic mandate: accepted types
    # A credit's designations -> what this set makes of them (see _profile): keyed by value,
    # so credits of the same session share an entry.
    profiles: dict[tuple[tuple[str, int], ...], _Profile] = field(default_factory=dict)


def _compile_set(rs: RequirementSet) -> _Compiled:
    rules = rs.credit_type_rules
    capped: set[str] = set()
    caps = []
    for rule in rules:
        if rule.max is not None or rule.max_fraction_of_total is not None:
            capped |= rule.credit_types
            cap = _cents(rule.max) if rule.max is not None else None
            caps.append((rule.id, rule.label, rule.credit_types, cap, rule.max_fraction_of_total))
    in_min = set()
    for rule in rules:
        if rule.min is not None:
            in_min |= rule.credit_types
    accepted = set(rs.total.counted_credit_types)
    for rule in rules:
        accepted |= rule.credit_types
    preference = {t: (0 if t in capped else 2) + (1 if t in in_min else 0) for t in accepted}
    mins = tuple((i, r.credit_types) for i, r in enumerate(rules) if r.min is not None)
    annual = tuple(
        (i, r.credit_types, _cents(r.min_per_calendar_year))
        for i, r in enumerate(rules)
        if r.min_per_calendar_year is not None
    )
    ids = {t.id for t in rs.topic_requirements}
    conflicts: dict[str, set[str]] = {t.id: set() for t in rs.topic_requirements}
    for t in rs.topic_requirements:
        for other in t.may_not_share_with & ids:
            if other != t.id:
                conflicts[t.id].add(other)
                conflicts[other].add(t.id)
    topics = rs.topic_requirements
    order = sorted(range(len(topics)), key=lambda i: (len(topics[i].topics_any), topics[i].id))
    allowed = tuple(
        t.credit_types_allowed
        if t.credit_types_allowed is not None
        else (frozenset(accepted) or None)  # a set with no total (New York) takes any type
        for t in topics
    )
    return _Compiled(
        preference=preference,
        caps=tuple(caps),
        mins=mins,
        annual=annual,
        conflicts={k: frozenset(v) for k, v in conflicts.items()},
        topic_order=tuple(order),
        allowed=allowed,
    )


# id(set) -> (set, compiled). Sets are frozen and loaded once; keeping the set alive in the
# entry means its id cannot be reused by another set. (Sets hold dicts, so they cannot be
# hashed for functools.cache.)
_COMPILED: dict[int, tuple[RequirementSet, _Compiled]] = {}


def _compile(rs: RequirementSet) -> _Compiled:
    entry = _COMPILED.get(id(rs))
    if entry is None or entry[0] is not rs:
        entry = _COMPILED[id(rs)] = (rs, _compile_set(rs))
    return entry[1]


# --- topic mandates: are they due, over which dates, how much ----------------------------


@dataclass(slots=True)
class _Topic:
    index: int
    req: TopicRequirement
    required: int | None  # hundredths; None: a course of no stated length
    start: dt.date  # qualifying credits dated from ...
    end: dt.date  # ... to (inclusive)
    preferred_end: dt.date | None  # one-time mandates: credits by the deadline first
    deadline: dt.date | None
    confirmed: bool
    notes: list[str]
    reading: str = ""  # "fixed" or "rolling" for mandates on their own clock
    # Filled by allocation.
    counted: int = 0
    counted_from: list[tuple[str, int]] = field(default_factory=list)
    not_counted: list[tuple[str, Reason]] = field(default_factory=list)


def _applies(req: TopicRequirement, licence: Licence) -> bool:
    cond = req.applies_if
    if cond is None:
        return True
    if cond.license_types and licence.license_type not in cond.license_types:
        return False
    if cond.specialties and cond.specialties.isdisjoint(licence.specialties):
        return False
    if cond.exclude_specialties and not cond.exclude_specialties.isdisjoint(licence.specialties):
        return False
    return cond.conditions <= licence.conditions


def _one_time_deadline(
    req: TopicRequirement, licence: Licence, length: int | None
) -> dt.date | None:
    rec = req.recurrence
    candidates = []
    if rec.deadline_date is not None:
        candidates.append(rec.deadline_date)
    if rec.deadline_years_after_licensure is not None and licence.issued_on is not None:
        candidates.append(windows.add_years(licence.issued_on, rec.deadline_years_after_licensure))
    if rec.deadline_renewal is not None and licence.issued_on is not None and length:
        # The n-th renewal comes at the latest n cycles after issue.
        candidates.append(windows.add_months(licence.issued_on, rec.deadline_renewal * length))
    return min(candidates) if candidates else None


def _topic_plan(
    index: int,
    req: TopicRequirement,
    licence: Licence,
    *,
    due: dt.date,
    window: tuple[dt.date, dt.date] | None,
    renewal: int | None,
    required_total: int | None,
    total_ok: bool,
    length: int | None,
    warnings: list[str],
    notes: list[str],
) -> list[_Topic]:
    """How a due mandate is checked: its window and amount (two readings when ambiguous).

    Returns nothing when the mandate is not due at this renewal.
    """
    rec = req.recurrence
    kind = rec.kind
    confirmed = req.confirmed
    own: list[str] = []
    if req.hours is not None:
        required: int | None = _cents_cached(req.hours)
    elif req.hours_fraction_of_total is not None and required_total is not None:
        required = _cents(req.hours_fraction_of_total * _dec(required_total))
        # A share of the total is only as sure as the total (and its first-renewal step).
        confirmed = confirmed and total_ok
    elif req.hours_per_year is not None and length:
        required = _cents(req.hours_per_year * length / 12)
    else:
        required = None
    if kind == "annual" and req.hours_per_year is None and required is not None and length:
        # So much every year: over the cycle, that many times (not checked year by year).
        required = required * length // 12
        own.append("due every year; checked over the whole cycle")
    start, end = window if window is not None else (_FAR_PAST, due)
    if rec.window_years is not None:
        start = windows.add_years(due, -rec.window_years) + windows.ONE_DAY
        end = due

    def need_renewal() -> int | None:
        if renewal is None:
            warnings.append(
                f"{req.label}: which renewal this is is unknown, so it is shown as due."
            )
        return renewal

    def plan(s: dt.date, e: dt.date, *, preferred=None, deadline=None, reading="") -> _Topic:
        return _Topic(
            index, req, required, s, e, preferred, deadline, confirmed, list(own), reading
        )

    if kind == "every_cycle" or kind == "board_designated_per_biennium" or kind == "annual":
        if kind == "board_designated_per_biennium":
            own.append("due only in a period the board designates")
        return [plan(start, end, deadline=due)]
    if kind == "one_time":
        deadline = _one_time_deadline(req, licence, length)
        if deadline is not None and deadline > due:
            notes.append(f"{req.id}: not yet due (deadline {deadline.isoformat()})")
            return []
        return [plan(_FAR_PAST, due, preferred=deadline, deadline=deadline or due)]
    if kind in ("first_renewal_only", "every_nth_renewal", "first_renewal_then_every_nth_renewal"):
        r = need_renewal()
        if r is not None:
            n = rec.n or 1
            if kind == "first_renewal_only":
                due_now = r == 1
            elif kind == "every_nth_renewal":
                due_now = r % n == (rec.offset or 0) % n
            else:
                offset = rec.offset if rec.offset is not None else 1
                due_now = r == 1 or r % n == offset % n
            if not due_now:
                return []
        return [plan(start, end, deadline=due)]
    if kind == "first_n_renewals_then_every_n_years":
        r = need_renewal()
        if r is not None and rec.n is not None and r > rec.n and rec.years:
            s = windows.add_years(due, -rec.years) + windows.ONE_DAY
            return [plan(s, due, deadline=due)]
        return [plan(start, end, deadline=due)]
    if kind == "every_n_years" and rec.years:
        plans = []
        if rec.fixed_start is not None and "fixed" in (rec.anchor, rec.alt_anchor):
            # Fixed blocks of `years` from fixed_start (the first block's first day); the last
            # block ended by `due` must hold a completion (a late one still counts).
            k = 1
            while windows.add_years(rec.fixed_start, (k + 1) * rec.years) - windows.ONE_DAY <= due:
                k += 1
            block_start = windows.add_years(rec.fixed_start, (k - 1) * rec.years)
            block_end = windows.add_years(rec.fixed_start, k * rec.years) - windows.ONE_DAY
            plans.append(plan(block_start, due, deadline=block_end, reading="fixed"))
        if rec.anchor != "fixed" or rec.alt_anchor in ("licensure", "last_completion") or not plans:
            s = windows.add_years(due, -rec.years) + windows.ONE_DAY
            plans.append(plan(s, due, deadline=due, reading="rolling"))
        return plans
    warnings.append(f"{req.id}: recurrence {kind!r} not understood; checked as every cycle")
    confirmed = False
    return [plan(start, end, deadline=due)]


def _qualifying(
    topic: _Topic, comp: _Compiled, credits: Iterable[Credit]
) -> list[tuple[Credit, int]]:
    req = topic.req
    index = topic.index
    wanted = req.topics_any
    approvals = req.approvals_required
    formats = req.formats_allowed
    start, end = topic.start, topic.end
    out = []
    reasons = topic.not_counted
    for c in credits:
        if wanted.isdisjoint(c.topics):
            if c.topics and start <= c.date <= end:
                reasons.append((c.id, Reason.TOPIC_NOT_MATCHING))
            continue
        amount = _profile(comp, c.cents)[3][index]
        if amount < 0:
            reasons.append((c.id, Reason.WRONG_CREDIT_TYPE))
            continue
        if approvals and approvals.isdisjoint(c.approvals):
            reasons.append((c.id, Reason.NOT_APPROVED_PROVIDER))
            continue
        if formats and c.format not in formats:
            reasons.append((c.id, Reason.WRONG_FORMAT))
            continue
        if c.date < start:
            reasons.append((c.id, Reason.OUTSIDE_WINDOW))
            continue
        if c.date > end:
            reasons.append((c.id, Reason.AFTER_DUE))
            continue
        out.append((c, amount))
    if topic.preferred_end is not None and out:
        early = [(c, a) for c, a in out if c.date <= topic.preferred_end]
        need = topic.required
        if early and (need is None or sum(a for _, a in early) >= need):
            out = early
        elif len(early) < len(out):
            topic.notes.append("completed after its deadline")
    return out


def _allocate(topics: list[_Topic], comp: _Compiled, credits: list[Credit]) -> None:
    """Count credits toward topic mandates.

    An hour may count toward several mandates, except two that may not share. Those
    take it in a fixed order (the mandate with fewer topics first: a child-abuse course
    serves the child-abuse mandate before a broad patient-safety one), each only up to
    what it still needs, so the rest stays for the other.
    """
    ids_due = {t.req.id for t in topics}
    if not any(comp.conflicts.get(rid) for rid in ids_due):
        # No pair that may not share: every mandate counts every qualifying credit.
        for topic in topics:
            for credit, amount in _qualifying(topic, comp, credits):
                topic.counted += amount
                topic.counted_from.append((credit.id, amount))
        return
    qualifying = {id(t): _qualifying(t, comp, credits) for t in topics}
    taken: dict[tuple[str, str], int] = {}  # (credit id, mandate id) -> hours used
    done: set[str] = set()
    order = sorted(topics, key=lambda t: (comp.topic_order.index(t.index), t.start))
    for topic in order:
        rid = topic.req.id
        rivals = comp.conflicts.get(rid, frozenset()) & ids_due
        pairs = qualifying[id(topic)]
        if rivals:
            # Use first the credits no later rival could use.
            later = [t for t in topics if t.req.id in rivals and t.req.id not in done]
            pairs = sorted(
                pairs,
                key=lambda p: (
                    any(not t.req.topics_any.isdisjoint(p[0].topics) for t in later),
                    p[0].date,
                ),
            )
        need = topic.required if topic.required is not None else 1 << 60
        for credit, amount in pairs:
            if rivals:
                used = sum(taken.get((credit.id, r), 0) for r in rivals)
                amount -= used
                if amount <= 0:
                    topic.not_counted.append((credit.id, Reason.SHARED_NOT_ALLOWED))
                    continue
                # Only what it still needs: the rest stays free for the rivals.
                amount = min(amount, max(need, 0))
                if amount <= 0:
                    continue
                taken[(credit.id, rid)] = amount
                need -= amount
            topic.counted += amount
            topic.counted_from.append((credit.id, amount))
        done.add(rid)


# --- evaluation ------------------------------------------------------------------------------


def _window(licence: Licence, today: dt.date, warnings: list[str]):
    rs = licence.requirement_set
    cycle = rs.cycle
    if cycle.length_months is None:
        return None, licence.expires_on or today
    expiry = licence.expires_on
    if expiry is None:
        expiry = windows.next_expiry(
            cycle,
            today=today,
            birth_date=licence.birth_date,
            issued_on=licence.issued_on,
            cycle_start=licence.cycle_start,
        )
        warnings.append(
            f"Due date worked out from the board's renewal rule: {expiry.isoformat()}. "
            "Check it against your licence, or enter the expiry date it shows."
        )
    if not cycle.anchor_confirmed:
        warnings.append(
            "How this board sets renewal dates is not confirmed: the credit window rests on "
            "the dates entered for the licence."
        )
    window = windows.cycle_window(cycle, expiry, cycle_start=licence.cycle_start)
    # A cycle of whole calendar years ends on 31 December, whatever date was entered.
    return window, max(expiry, window[1])


def _status(
    gaps: list[int],
    rid: str,
    label: str,
    kind: str,
    required: int | None,
    counted: int,
    *,
    deadline: dt.date | None,
    confirmed: bool,
    refs: tuple[str, ...],
    counted_from: Iterable[tuple[str, int]] = (),
    not_counted: Iterable[tuple[str, Reason]] = (),
    notes: Iterable[str] = (),
    met: bool | None = None,
) -> RequirementStatus:
    # A cap is a limit, never a shortfall.
    gap = 0 if required is None or kind == "credit_type_cap" else max(0, required - counted)
    gaps.append(gap)  # in hundredths, beside the statuses, for the least additional credit
    return RequirementStatus(
        id=rid,
        label=label,
        kind=kind,
        required=None if required is None else _dec(required),
        counted=_dec(counted),
        gap=_dec(gap),
        met=(gap == 0) if met is None else met,
        deadline=deadline,
        confirmed=confirmed,
        source_refs=refs,
        counted_from=tuple([(cid, _dec(a)) for cid, a in counted_from]),
        not_counted=tuple(not_counted),
        notes=tuple(notes),
    )


def evaluate(licence: Licence, credits: Iterable[Credit], *, today: dt.date) -> LicenceStatus:
    """The state of one licence's renewal on ``today``.

    Raises ``windows.ExpiryRequiredError`` when the set's anchor does not give an expiry
    and the licence does not state one.
    """
    rs = licence.requirement_set
    comp = _compile(rs)
    credits = list(credits)
    warnings: list[str] = []
    notes: list[str] = []
    window, due = _window(licence, today, warnings)
    anchor_ok = rs.cycle.anchor_confirmed
    length = rs.cycle.length_months
    renewal = licence.renewal_number
    if renewal is None and licence.issued_on is not None and length:
        renewal = windows.renewal_number(licence.issued_on, due, length)
    if (rs.effective_from and due < rs.effective_from) or (
        rs.effective_until and due > rs.effective_until
    ):
        warnings.append("these rules were not in force on the due date")

    # Required total, after proration and exemption.
    total = rs.total
    has_total = total.amount is not None and total.amount > 0 and window is not None
    required_total = _cents(total.amount) if has_total else None
    exempt_reason = None
    prorate = rs.proration
    only_topics: frozenset[str] | None = None
    total_ok = anchor_ok and total.confirmed
    # Whether what is checked at all (an exemption keeps only some mandates) rests on
    # confirmed rules: every status left under an unconfirmed exemption is unconfirmed.
    topics_ok = anchor_ok
    if renewal == 1:
        exempt_reason, only_topics, reduced = _first_renewal(licence, due, warnings)
        if reduced is not None and required_total is not None:
            required_total = reduced
            notes.append(f"first renewal: {_dec(reduced)} required")
        if (exempt_reason or reduced is not None) and not prorate.confirmed:
            total_ok = False
            if exempt_reason:
                topics_ok = False
            warnings.append("the first-renewal rule applied here is not confirmed")
    elif renewal is None and prorate.kind not in ("none", "unknown"):
        warnings.append(
            "Which renewal this is is unknown (give the issue date or the renewal number): "
            "first-renewal rules were not applied."
        )

    # Topic mandates that are due.
    plans: list[_Topic] = []
    for i, req in enumerate(rs.topic_requirements):
        if only_topics is not None and req.id not in only_topics:
            continue
        if not _applies(req, licence):
            continue
        plans.extend(
            _topic_plan(
                i,
                req,
                licence,
                due=due,
                window=window,
                renewal=renewal,
                required_total=required_total,
                total_ok=total_ok,
                length=length,
                warnings=warnings,
                notes=notes,
            )
        )
    # A mandate read two ways (fixed and rolling) is allocated once per reading.
    # Credits without topic tags never serve a mandate: leave them out of those loops.
    tagged = [c for c in credits if c.topics]
    seen = [p.index for p in plans]
    twins = {i for i in seen if seen.count(i) > 1} if len(plans) > 1 else set()
    _allocate([p for p in plans if p.index not in twins], comp, tagged)
    for p in plans:
        if p.index in twins:
            _allocate([p], comp, tagged)

    statuses: list[RequirementStatus] = []
    gaps: list[int] = []
    ws, we = window if window is not None else (None, None)

    # The total: each credit once, by its best accepted designation. Parallel lists, one
    # entry per credit inside the window: id, profile, hundredths counted, date.
    in_ids: list[str] = []
    in_prof: list[_Profile] = []
    in_amt: list[int] = []
    in_date: list[dt.date] = []
    total_not: list[tuple[str, Reason]] = []
    if window is not None and exempt_reason is None and (has_total or comp.mins or comp.annual):
        profiles = comp.profiles
        for c in credits:
            prof = profiles.get(c.cents) or _profile(comp, c.cents)
            if prof[0] is None:
                total_not.append((c.id, Reason.WRONG_CREDIT_TYPE))
                continue
            d = c.date
            if d < ws:
                total_not.append((c.id, Reason.OUTSIDE_WINDOW))
            elif d > we:
                total_not.append((c.id, Reason.AFTER_DUE))
            else:
                in_ids.append(c.id)
                in_prof.append(prof)
                in_amt.append(prof[1])
                in_date.append(d)
        # Hours used for a mandate kept outside the total do not count toward it. A mandate
        # read two ways takes its hours once, by the reading its status shows.
        separate: dict[str, int] = {}
        shown = {i: _shown([p for p in plans if p.index == i]) for i in twins}
        for p in plans:
            if p.req.counts_toward_total or shown.get(p.index, p) is not p:
                continue
            left = p.required if p.required is not None else 1 << 60
            for cid, a in p.counted_from:
                use = min(a, left)
                if use > 0:
                    separate[cid] = separate.get(cid, 0) + use
                    left -= use
        if separate:
            for k, cid in enumerate(in_ids):
                cut = min(separate.get(cid, 0), in_amt[k])
                if cut:
                    in_amt[k] -= cut
                    total_not.append((cid, Reason.SEPARATE_REQUIREMENT))
        # Caps: hours of the capped types above the cap are dropped, latest first.
        for rid, label, types, cap, fraction in comp.caps:
            limit = cap
            cap_ok = anchor_ok
            if fraction is not None and required_total is not None:
                frac_cap = _cents(fraction * _dec(required_total))
                limit = frac_cap if limit is None else min(limit, frac_cap)
                # A share of the total is only as sure as the total.
                cap_ok = total_ok
            if limit is None:
                continue
            rows = sorted(
                (k for k, prof in enumerate(in_prof) if prof[0] in types), key=in_date.__getitem__
            )
            used = 0
            dropped = []
            for k in rows:
                keep = max(0, min(in_amt[k], limit - used))
                if keep < in_amt[k]:
                    dropped.append((in_ids[k], Reason.OVER_CAP))
                    total_not.append((in_ids[k], Reason.OVER_CAP))
                in_amt[k] = keep
                used += keep
            rule = next(r for r in rs.credit_type_rules if r.id == rid)
            statuses.append(
                _status(
                    gaps,
                    rid,
                    label or rule.rule,
                    "credit_type_cap",
                    limit,
                    used,
                    deadline=due,
                    confirmed=cap_ok and rule.confirmed,
                    refs=rule.source_refs,
                    counted_from=[(in_ids[k], in_amt[k]) for k in rows if in_amt[k]],
                    not_counted=dropped,
                    met=True,
                )
            )
        if has_total:
            carried = 0
            carry = rs.carry_over
            if licence.carried_in:
                if carry.allowed is True:
                    carried = _cents(licence.carried_in)
                    if carry.max_amount is not None:
                        carried = min(carried, _cents(carry.max_amount))
                    notes.append(f"{_dec(carried)} carried in from the previous cycle")
                else:
                    warnings.append(
                        "carry-over not allowed (or not confirmed): carried hours ignored"
                    )
            total_sum = sum(in_amt) + carried
            statuses.append(
                _status(
                    gaps,
                    "total",
                    f"Total ({total.unit})",
                    "total",
                    required_total,
                    total_sum,
                    deadline=due,
                    confirmed=total_ok,
                    refs=total.source_refs,
                    counted_from=[(cid, a) for cid, a in zip(in_ids, in_amt, strict=True) if a]
                    + ([(CARRIED_IN, carried)] if carried else []),
                    not_counted=total_not,
                )
            )
        # Minimums on credit types.
        cut: dict[str, Reason] | None = None
        for m, (i, _types) in enumerate(comp.mins):
            rule = rs.credit_type_rules[i]
            got = 0
            rows = []
            wrong = []
            for k, cid in enumerate(in_ids):
                # A credit counts toward a minimum if it carries one of its types, whichever
                # designation the total counted it by (never more than the total counted).
                carried = in_prof[k][2][m]
                part = min(carried, in_amt[k])
                if part > 0:
                    got += part
                    rows.append((cid, part))
                elif carried < 0:
                    wrong.append((cid, Reason.WRONG_CREDIT_TYPE))
                elif carried > 0:
                    # Of the right type, but a cap or a separate mandate took all its hours.
                    if cut is None:
                        cut = {c: why for c, why in total_not if why in _CUT_REASONS}
                    wrong.append((cid, cut.get(cid, Reason.OVER_CAP)))
                # A credit of zero hours is simply left out.
            statuses.append(
                _status(
                    gaps,
                    rule.id,
                    rule.label or rule.rule,
                    "credit_type_min",
                    _cents(rule.min),
                    got,
                    deadline=due,
                    confirmed=anchor_ok and rule.confirmed,
                    refs=rule.source_refs,
                    counted_from=rows,
                    not_counted=wrong,
                )
            )
        # Minimums per calendar year (Royal College).
        for i, types, per_year in comp.annual:
            rule = rs.credit_type_rules[i]
            years: dict[int, list] = {y: [] for y in range(ws.year, we.year + 1)}
            for k, cid in enumerate(in_ids):
                if in_prof[k][0] in types and in_amt[k]:
                    years[in_date[k].year].append((cid, in_amt[k]))
            for year, rows in years.items():
                got = sum(a for _, a in rows)
                year_notes = []
                if got < per_year and year < today.year:
                    year_notes.append("past year: can no longer be made up")
                statuses.append(
                    _status(
                        gaps,
                        f"{rule.id}:{year}",
                        f"{rule.label or rule.rule} ({year})",
                        "annual_min",
                        per_year,
                        got,
                        deadline=min(dt.date(year, 12, 31), due),
                        confirmed=anchor_ok and rule.confirmed,
                        refs=rule.source_refs,
                        counted_from=rows,
                        notes=year_notes,
                    )
                )
    elif exempt_reason is not None:
        notes.append("exempt from the general requirement at this renewal")

    # Topic mandates, one status each; two readings are merged (the stricter wins).
    dates = {c.id: c.date for c in credits} if any(p.reading for p in plans) else {}
    by_req: dict[int, list[_Topic]] = {}
    for p in plans:
        by_req.setdefault(p.index, []).append(p)
    for group in by_req.values():
        req = group[0].req
        results = []
        for p in group:
            met = _met(p)
            if p.reading:
                p.deadline = _clock_deadline(p, met, dates)
            results.append((met, p))
        met_all = all(m for m, _ in results)
        worst = _shown(group)
        extra = list(worst.notes)
        confirmed = topics_ok and worst.confirmed
        deadline = worst.deadline
        if len(results) > 1:
            if len({m for m, _ in results}) > 1:
                warnings.append(f"{req.id}: the fixed and rolling readings disagree")
                confirmed = False
            deadline = min(p.deadline for _, p in results if p.deadline is not None)
            extra = [
                f"{p.reading} reading: {'met' if m else 'not met'}, due {p.deadline.isoformat()}"
                for m, p in results
            ]
        if worst.required is None:
            extra.append("a course of no stated length")
        statuses.append(
            _status(
                gaps,
                req.id,
                req.label,
                "topic",
                worst.required,
                worst.counted,
                deadline=deadline,
                confirmed=confirmed,
                refs=req.source_refs,
                counted_from=worst.counted_from,
                # Credits on other topics only explain something while a gap remains.
                not_counted=worst.not_counted
                if not met_all
                else [n for n in worst.not_counted if n[1] is not Reason.TOPIC_NOT_MATCHING],
                notes=extra,
                met=met_all,
            )
        )

    compliant = all(s.met for s in statuses)
    minimum = _min_additional(statuses, gaps, comp, plans, today=today, warnings=warnings)
    return LicenceStatus(
        licence=licence,
        window_start=ws,
        window_end=we,
        due=due,
        renewal_number=renewal,
        requirements=tuple(statuses),
        compliant=compliant,
        min_additional=minimum,
        exempt_reason=exempt_reason,
        notes=tuple(notes),
        warnings=tuple(warnings),
    )


_EXEMPT_KINDS = ("exempt_first_renewal", "exempt_first_registration")
# Why a credit's hours can be taken off the total although its type counts.
_CUT_REASONS = (Reason.OVER_CAP, Reason.SEPARATE_REQUIREMENT)


def _first_renewal(
    licence: Licence, due: dt.date, warnings: list[str]
) -> tuple[str | None, frozenset[str] | None, int | None]:
    """At the first renewal: (exemption, the only mandates still due, a reduced total).

    A step of the proration table chosen by the length of the first term; a step of zero
    is an exemption from the general requirement, with only the mandates the regulator
    keeps (``topics_still_due``) left to check.
    """
    prorate = licence.requirement_set.proration
    reason = prorate.rule or prorate.kind
    if prorate.kind in _EXEMPT_KINDS and not prorate.steps:
        return reason, prorate.topics_still_due, None
    if not prorate.steps:
        if prorate.kind not in ("none", "unknown"):
            warnings.append(f"first renewal: rule not applied automatically ({prorate.kind})")
        return None, None, None
    steps = sorted(prorate.steps, key=lambda s: s.licensed_less_than_months or 10**6)
    if any(s.licensed_less_than_months is not None for s in steps):
        if licence.issued_on is None:
            warnings.append(
                "first renewal: issue date unknown, so the first-term rule is not applied"
            )
            return None, None, None
        term = windows.months_between(licence.issued_on, due)
        step = next(
            (
                s
                for s in steps
                if s.licensed_less_than_months is None or term < s.licensed_less_than_months
            ),
            None,
        )
    else:
        step = steps[0]
    if step is None:
        return None, None, None
    if step.total == 0:
        return reason, prorate.topics_still_due, None
    return None, None, _cents(step.total)


def _met(plan: _Topic) -> bool:
    return plan.counted >= plan.required if plan.required is not None else plan.counted > 0


def _shown(readings: list[_Topic]) -> _Topic:
    """The reading a mandate's status reports: the first not met (the stricter), else the first."""
    return next((p for p in readings if not _met(p)), readings[0])


def _clock_deadline(plan: _Topic, met: bool, dates: dict[str, dt.date]) -> dt.date | None:
    """When a mandate on its own clock (every n years) is next due, or was due if overdue."""
    years = plan.req.recurrence.years or 0
    if plan.reading == "fixed":
        return windows.add_years(plan.deadline, years) if met else plan.deadline
    if met:
        # Met without a completion (a mandate of zero hours): the clock stays at the due date.
        last = max((dates[cid] for cid, _ in plan.counted_from), default=None)
        return windows.add_years(last, years) if last is not None else plan.deadline
    earlier = [dates[cid] for cid, why in plan.not_counted if why is Reason.OUTSIDE_WINDOW]
    return windows.add_years(max(earlier), years) if earlier else plan.deadline


_Profile = tuple[str | None, int, tuple[int, ...], tuple[int, ...]]


def _profile(comp: _Compiled, cents: tuple[tuple[str, int], ...]) -> _Profile:
    """What a set makes of a credit's designations, worked out once per combination.

    (the designation counted in the total: the largest amount, then the preferred type;
    its amount; per type minimum, the amount carried in its types, -1 if none; per topic
    mandate, the amount in its accepted types, -1 if none).
    """
    profile = comp.profiles.get(cents)
    if profile is not None:
        return profile
    best_t = None
    best_a = best_p = -1
    pref = comp.preference
    for t, a in cents:
        p = pref.get(t)
        if p is not None and (a > best_a or (a == best_a and p > best_p)):
            best_t, best_a, best_p = t, a, p
    mins = tuple(max((a for t, a in cents if t in types), default=-1) for _, types in comp.mins)
    topics = tuple(
        max((a for _, a in cents), default=0)
        if allowed is None
        else max((a for t, a in cents if t in allowed), default=-1)
        for allowed in comp.allowed
    )
    profile = (best_t, best_a, mins, topics)
    if len(comp.profiles) > 50_000:  # a bound, far above the variety real credits have
        comp.profiles.clear()
    comp.profiles[cents] = profile
    return profile


def _cover(gaps: list[tuple[str, int]], conflicts: dict[str, frozenset[str]]) -> int:
    """New hours to close topic gaps: shareable mandates share hours, others need their own."""
    groups: list[list[tuple[str, int]]] = []
    for rid, gap in sorted(gaps, key=lambda g: -g[1]):
        rivals = conflicts.get(rid, frozenset())
        for group in groups:
            if all(other not in rivals for other, _ in group):
                group.append((rid, gap))
                break
        else:
            groups.append([(rid, gap)])
    return sum(max(g for _, g in group) for group in groups)


def _min_additional(
    statuses: list[RequirementStatus],
    gaps: list[int],
    comp: _Compiled,
    plans: list[_Topic],
    *,
    today: dt.date,
    warnings: list[str],
) -> Decimal:
    """The least new credit that closes every gap still closable.

    New credit is dated today or later, may carry any accepted type and the topics
    needed, so one hour can close the total, a type minimum and several shareable
    mandates at once. Mandates that may not share need hours of their own, and
    mandates kept outside the total come on top of it. Minimums of past years cannot
    be made up and are left out.
    """
    inside = 0
    topic_in: list[tuple[str, int]] = []
    topic_out: list[tuple[str, int]] = []
    outside_ids = {p.req.id for p in plans if not p.req.counts_toward_total}
    annual_future = 0
    course_missing = False
    for s, gap in zip(statuses, gaps, strict=True):
        if s.kind == "topic":
            if s.required is None and not s.met:
                course_missing = True
            if gap:
                (topic_out if s.id in outside_ids else topic_in).append((s.id, gap))
        elif s.kind == "annual_min":
            if gap and s.deadline is not None and s.deadline.year >= today.year:
                annual_future += gap
        elif gap:
            inside = max(inside, gap)
    inside = max(inside, annual_future, _cover(topic_in, comp.conflicts))
    if course_missing:
        warnings.append("a required course of no stated length is missing")
    return _dec(inside + _cover(topic_out, comp.conflicts))


__all__ = [
    "Credit",
    "Licence",
    "LicenceStatus",
    "Reason",
    "RequirementStatus",
    "evaluate",
]
