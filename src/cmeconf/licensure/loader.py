"""Read requirement-set files, check them, and build rules.RequirementSet objects.

A file is checked in three passes: JSON syntax, the JSON Schema
(``data/requirement-set.schema.json``), then meaning (references resolve, codes are
in the vocabulary, dates are real, ids are unique). Every problem of every file is
collected before anything is raised, so one run of ``cmeconf check_requirements``
shows a maintainer everything to fix, each with its file, line, column and JSON path.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from cmeconf.licensure import vocabulary
from cmeconf.licensure.rules import (
    AppliesIf,
    CarryOver,
    CreditTypeRule,
    Cycle,
    Jurisdiction,
    Proration,
    ProrationStep,
    Recurrence,
    RequirementSet,
    Source,
    TopicRequirement,
    Total,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
SCHEMA_PATH = DATA_DIR / "requirement-set.schema.json"
SHIPPED_DIR = DATA_DIR / "requirements"

JsonPath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int
    column: int
    path: str  # e.g. "$.topic_requirements[2].hours"
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.path}: {self.message}"


class RequirementDataError(ValueError):
    """One or more requirement-set files are broken; ``problems`` lists every one."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def format_path(path: JsonPath) -> str:
    """``("a", 2, "b")`` -> ``$.a[2].b``."""
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


# --- where each value starts in the text -------------------------------------------------

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def value_offsets(text: str) -> dict[JsonPath, int]:
    """Map the path of every value in a valid JSON text to the offset where it starts.

    json.loads keeps no positions, so this walks the text once more. It relies on
    the text having parsed already and skips no validation of its own.
    """
    offsets: dict[JsonPath, int] = {}

    def skip(i: int) -> int:
        return _WS.match(text, i).end()  # type: ignore[union-attr]

    def walk(i: int, path: JsonPath) -> int:
        i = skip(i)
        offsets[path] = i
        char = text[i]
        if char == "{":
            i = skip(i + 1)
            if text[i] == "}":
                return i + 1
            while True:
                key, i = json.decoder.scanstring(text, skip(i) + 1)
                i = skip(i) + 1  # the colon
                i = skip(walk(i, (*path, key)))
                if text[i] == "}":
                    return i + 1
                i += 1  # the comma
        if char == "[":
            i = skip(i + 1)
            if text[i] == "]":
                return i + 1
            index = 0
            while True:
                i = skip(walk(i, (*path, index)))
                index += 1
                if text[i] == "]":
                    return i + 1
                i += 1
        _value, end = _DECODER.raw_decode(text, i)
        return end

    walk(0, ())
    return offsets


def line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of an offset."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


# --- checking ---------------------------------------------------------------------------


@functools.cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def _real_date(value: Any) -> bool:
    if not isinstance(value, str):
        return True  # the schema reports the type
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _meaning_problems(data: dict[str, Any], stem: str) -> Iterator[tuple[JsonPath, str]]:
    """What the schema cannot say: references, vocabularies, real dates, unique ids."""
    if data["id"] != stem:
        yield ("id",), f"id {data['id']!r} does not match the file name {stem}.json"
    sources = [s["id"] for s in data["sources"]]
    yield from _duplicates(sources, "sources", "source id")
    source_ids = set(sources)
    topic_ids = [t["id"] for t in data["topic_requirements"]]
    yield from _duplicates(topic_ids, "topic_requirements", "topic requirement id")
    rule_ids = [r["id"] for r in data["credit_type_rules"]]
    yield from _duplicates(rule_ids, "credit_type_rules", "credit type rule id")

    def refs(path: JsonPath, values: list[str]) -> Iterator[tuple[JsonPath, str]]:
        for i, ref in enumerate(values):
            if ref not in source_ids:
                yield (*path, i), f"source_ref {ref!r} names no source of this set"

    def codes(path: JsonPath, values: list[str] | None, vocab: dict[str, Any], what: str):
        for i, code in enumerate(values or ()):
            if code not in vocab:
                yield (*path, i), f"unknown {what} {code!r} (not in vocabulary)"

    def one(path: JsonPath, value: str | None, vocab: dict[str, Any], what: str):
        if value is not None and value not in vocab:
            yield path, f"unknown {what} {value!r} (not in vocabulary)"

    def dates(path: JsonPath, obj: dict[str, Any], keys: Iterable[str]):
        for key in keys:
            if not _real_date(obj.get(key)):
                yield (*path, key), f"{obj[key]!r} is not a real date"

    yield from dates((), data, ("version", "effective_from", "effective_until"))
    cycle = data["cycle"]
    yield from one(("cycle", "anchor"), cycle["anchor"], vocabulary.CYCLE_ANCHORS, "cycle anchor")
    yield from dates(("cycle",), cycle, ("fixed_end",))
    if cycle["example"]:
        keys = ("expires", "window_start", "window_end")
        yield from dates(("cycle", "example"), cycle["example"], keys)
    total = data["total"]
    yield from one(("total", "unit"), total["unit"], vocabulary.UNITS, "unit")
    credit_types = vocabulary.CREDIT_TYPES
    yield from codes(
        ("total", "counted_credit_types"),
        total["counted_credit_types"],
        credit_types,
        "credit type",
    )
    yield from refs(("total", "source_refs"), total["source_refs"])
    for i, rule in enumerate(data["credit_type_rules"]):
        path = ("credit_type_rules", i)
        yield from codes((*path, "credit_types"), rule["credit_types"], credit_types, "credit type")
        yield from refs((*path, "source_refs"), rule["source_refs"])
        if all(rule[k] is None for k in ("min", "max", "max_fraction_of_total")) and (
            rule["min_per_calendar_year"] is None
        ):
            yield path, "a credit type rule needs a min, max, max_fraction_of_total or per-year min"
    known_topic_ids = set(topic_ids)
    for i, topic in enumerate(data["topic_requirements"]):
        path: JsonPath = ("topic_requirements", i)
        yield from codes((*path, "topics_any"), topic["topics_any"], vocabulary.TOPICS, "topic")
        yield from codes(
            (*path, "credit_types_allowed"),
            topic["credit_types_allowed"],
            credit_types,
            "credit type",
        )
        yield from codes(
            (*path, "approvals_required"),
            topic["approvals_required"],
            vocabulary.APPROVALS,
            "approval",
        )
        yield from codes(
            (*path, "formats_allowed"), topic["formats_allowed"], vocabulary.FORMATS, "format"
        )
        yield from refs((*path, "source_refs"), topic["source_refs"])
        ways = ("hours", "hours_fraction_of_total", "hours_per_year")
        amounts = [k for k in ways if topic[k] is not None]
        if len(amounts) > 1:
            yield path, f"give only one of {', '.join(amounts)}"
        for key in ("may_share_with", "may_not_share_with"):
            for j, other in enumerate(topic[key]):
                if other not in known_topic_ids:
                    yield (*path, key, j), f"{other!r} names no topic requirement of this set"
                elif other == topic["id"]:
                    yield (*path, key, j), "a topic requirement cannot overlap itself"
        both = set(topic["may_share_with"]) & set(topic["may_not_share_with"])
        if both:
            yield path, f"{', '.join(sorted(both))} listed as both shareable and not shareable"
        recurrence = topic["recurrence"]
        rec_path = (*path, "recurrence")
        kinds = vocabulary.RECURRENCE_KINDS
        yield from one((*rec_path, "kind"), recurrence["kind"], kinds, "recurrence kind")
        anchors = vocabulary.RECURRENCE_ANCHORS
        yield from one(
            (*rec_path, "anchor"), recurrence.get("anchor"), anchors, "recurrence anchor"
        )
        yield from one(
            (*rec_path, "alt_anchor"), recurrence.get("alt_anchor"), anchors, "recurrence anchor"
        )
        yield from dates(rec_path, recurrence, ("fixed_start", "deadline_date"))
        if recurrence.get("anchor") == "fixed" and "fixed_start" not in recurrence:
            yield rec_path, "anchor 'fixed' needs fixed_start"
        applies = topic["applies_if"]
        if applies:
            yield from codes(
                (*path, "applies_if", "conditions"),
                applies["conditions"],
                vocabulary.CONDITIONS,
                "condition",
            )
            licences = set(data["license_types"])
            for j, licence in enumerate(applies["license_types"]):
                if licence not in licences:
                    yield (
                        (*path, "applies_if", "license_types", j),
                        (f"{licence!r} is not a licence type of this set"),
                    )
    proration = data["proration"]
    kinds = vocabulary.PRORATION_KINDS
    yield from one(("proration", "kind"), proration["kind"], kinds, "proration kind")
    yield from refs(("proration", "source_refs"), proration["source_refs"])
    for j, tid in enumerate(proration["topics_still_due"]):
        if tid not in known_topic_ids:
            yield (
                ("proration", "topics_still_due", j),
                (f"{tid!r} names no topic requirement of this set"),
            )
    yield from refs(("carry_over", "source_refs"), data["carry_over"]["source_refs"])
    if data["late_completion"]:
        yield from refs(("late_completion", "source_refs"), data["late_completion"]["source_refs"])
    for i, source in enumerate(data["sources"]):
        yield from dates(("sources", i), source, ("as_of",))


def _duplicates(ids: list[str], list_key: str, what: str) -> Iterator[tuple[JsonPath, str]]:
    seen: set[str] = set()
    for i, value in enumerate(ids):
        if value in seen:
            yield (list_key, i, "id"), f"duplicate {what} {value!r}"
        seen.add(value)


def _check_file(path: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Parse and check one file; return its data (None if unusable) and its problems."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(name, 1, 1, "$", f"cannot read the file: {exc}")]
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [Problem(name, exc.lineno, exc.colno, "$", f"invalid JSON: {exc.msg}")]
    offsets = value_offsets(text)

    def problem(json_path: JsonPath, message: str) -> Problem:
        # A path to a missing key points at the nearest enclosing value that exists.
        known = json_path
        while known not in offsets:
            known = known[:-1]
        line, column = line_column(text, offsets[known])
        return Problem(name, line, column, format_path(json_path), message)

    errors = sorted(_validator().iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    problems = [problem(tuple(e.absolute_path), e.message) for e in errors]
    if problems:
        return None, problems
    problems = [problem(p, m) for p, m in _meaning_problems(data, path.stem)]
    return (None if problems else data), problems


def load_requirement_sets(paths: Iterable[Path]) -> dict[str, RequirementSet]:
    """Check the files and build their requirement sets, by id.

    Raises RequirementDataError listing every problem of every file.
    """
    problems: list[Problem] = []
    found: dict[str, tuple[Path, dict[str, Any]]] = {}
    for path in sorted(Path(p) for p in paths):
        data, file_problems = _check_file(path)
        problems += file_problems
        if data is None:
            continue
        if data["id"] in found:
            first = found[data["id"]][0]
            text = path.read_text(encoding="utf-8")
            line, column = line_column(text, value_offsets(text)[("id",)])
            message = f"duplicate requirement set id {data['id']!r} (also in {first})"
            problems.append(Problem(str(path), line, column, "$.id", message))
            continue
        found[data["id"]] = (path, data)
    if problems:
        raise RequirementDataError(problems)
    return {set_id: build_requirement_set(data) for set_id, (_path, data) in found.items()}


def shipped_paths() -> list[Path]:
    return sorted(SHIPPED_DIR.glob("*.json"))


@functools.cache
def load_shipped() -> dict[str, RequirementSet]:
    """The requirement sets shipped with cmeconf, checked once per process."""
    return load_requirement_sets(shipped_paths())


# --- building the typed model -------------------------------------------------------------


def _decimal(value: int | float | None) -> Decimal | None:
    # str() first, so 0.3 becomes Decimal("0.3") and not its binary approximation.
    return None if value is None else Decimal(str(value))


def _date(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def build_requirement_set(data: dict[str, Any]) -> RequirementSet:
    """Turn one checked file's data into a RequirementSet."""
    cycle = data["cycle"]
    example = cycle["example"]
    total = data["total"]
    proration = data["proration"]
    carry = data["carry_over"]
    late = data["late_completion"] or {}
    return RequirementSet(
        id=data["id"],
        version=data["version"],
        jurisdiction=Jurisdiction(**data["jurisdiction"]),
        regulator=data["regulator"],
        profession=data["profession"],
        license_types=frozenset(data["license_types"]),
        confidence=data["confidence"],
        cycle=Cycle(
            length_months=cycle["length_months"],
            anchor=cycle["anchor"],
            anchor_confirmed=cycle["anchor_confirmed"],
            anchor_detail=cycle["anchor_detail"],
            window_rule=cycle["window_rule"],
            fixed_end=_date(cycle["fixed_end"]),
            example=(
                None
                if example is None
                else (
                    dt.date.fromisoformat(example["expires"]),
                    dt.date.fromisoformat(example["window_start"]),
                    dt.date.fromisoformat(example["window_end"]),
                )
            ),
        ),
        total=Total(
            amount=_decimal(total["amount"]),
            unit=total["unit"],
            counted_credit_types=frozenset(total["counted_credit_types"]),
            source_refs=tuple(total["source_refs"]),
            notes=total["notes"],
            confirmed=total["confirmed"],
            confidence_note=total["confidence_note"],
        ),
        credit_type_rules=tuple(_credit_type_rule(r) for r in data["credit_type_rules"]),
        topic_requirements=tuple(_topic(t) for t in data["topic_requirements"]),
        proration=Proration(
            kind=proration["kind"],
            rule=proration["rule"],
            steps=tuple(
                ProrationStep(s["licensed_less_than_months"], Decimal(str(s["total"])))
                for s in proration["steps"]
            ),
            topics_still_due=frozenset(proration["topics_still_due"]),
            confirmed=proration["confirmed"],
            source_refs=tuple(proration["source_refs"]),
            confidence_note=proration["confidence_note"],
        ),
        carry_over=CarryOver(
            allowed=carry["allowed"],
            max_amount=_decimal(carry["max_amount"]),
            to_periods=carry["to_periods"],
            total_only=carry["total_only"],
            restrictions=tuple(carry["restrictions"]),
            detail=carry["detail"],
            source_refs=tuple(carry["source_refs"]),
        ),
        sources={s["id"]: _source(s) for s in data["sources"]},
        effective_from=_date(data["effective_from"]),
        effective_until=_date(data["effective_until"]),
        late_completion_days=late.get("days"),
        late_completion=late.get("detail", ""),
        equivalents=tuple(data["equivalents"]),
        exemptions=tuple(data["exemptions"]),
        extras={key: "\n".join(lines) for key, lines in data["extras"].items()},
        unconfirmed=tuple(data["unconfirmed"]),
        notes=data["notes"],
    )


def _source(data: dict[str, Any]) -> Source:
    return Source(
        id=data["id"],
        title=data["title"],
        url=data["url"],
        as_of=_date(data["as_of"]),
        as_of_text=data["as_of_text"],
        kind=data["kind"],
        as_of_basis=data["as_of_basis"],
    )


def _credit_type_rule(data: dict[str, Any]) -> CreditTypeRule:
    return CreditTypeRule(
        id=data["id"],
        label=data["label"],
        credit_types=frozenset(data["credit_types"]),
        min=_decimal(data["min"]),
        max=_decimal(data["max"]),
        max_fraction_of_total=_decimal(data["max_fraction_of_total"]),
        min_per_calendar_year=_decimal(data["min_per_calendar_year"]),
        rule=data["rule"],
        confirmed=data["confirmed"],
        confidence_note=data["confidence_note"],
        source_refs=tuple(data["source_refs"]),
    )


def _topic(data: dict[str, Any]) -> TopicRequirement:
    rec = data["recurrence"]
    applies = data["applies_if"]
    allowed = data["credit_types_allowed"]
    return TopicRequirement(
        id=data["id"],
        label=data["label"],
        topics_any=frozenset(data["topics_any"]),
        hours=_decimal(data["hours"]),
        hours_fraction_of_total=_decimal(data["hours_fraction_of_total"]),
        hours_per_year=_decimal(data["hours_per_year"]),
        hours_text=data["hours_text"],
        credit_types_allowed=None if allowed is None else frozenset(allowed),
        counts_toward_total=data["counts_toward_total"],
        recurrence=Recurrence(
            kind=rec["kind"],
            n=rec.get("n"),
            years=rec.get("years"),
            offset=rec.get("offset"),
            anchor=rec.get("anchor"),
            fixed_start=_date(rec.get("fixed_start")),
            alt_anchor=rec.get("alt_anchor"),
            deadline_years_after_licensure=rec.get("deadline_years_after_licensure"),
            deadline_renewal=rec.get("deadline_renewal"),
            deadline_date=_date(rec.get("deadline_date")),
            window_years=rec.get("window_years"),
            detail=rec.get("detail", ""),
        ),
        applies_if=(
            None
            if applies is None
            else AppliesIf(
                conditions=frozenset(applies["conditions"]),
                specialties=frozenset(applies["specialties"]),
                exclude_specialties=frozenset(applies["exclude_specialties"]),
                license_types=frozenset(applies["license_types"]),
                text=applies["text"],
            )
        ),
        may_share_with=frozenset(data["may_share_with"]),
        may_not_share_with=frozenset(data["may_not_share_with"]),
        approvals_required=frozenset(data["approvals_required"]),
        provider_restriction=data["provider_restriction"],
        formats_allowed=frozenset(data["formats_allowed"]),
        format_restriction=data["format_restriction"],
        confirmed=data["confirmed"],
        confidence_note=data["confidence_note"],
        source_refs=tuple(data["source_refs"]),
        notes=data["notes"],
    )
