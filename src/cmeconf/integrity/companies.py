"""The registry of ineligible companies [A2]: matching names, adding companies, CSV import.

A company is found by its *key* (see `normalize`), over its name and its aliases, so that
"Pfizer Inc.", "PFIZER, INC" and "Pfizer" are the same company and a disclosure names one
registry entry whatever spelling the person typed.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.utils.translation import gettext as _

from cmeconf.common import audit
from cmeconf.integrity.choices import CompanyKind
from cmeconf.integrity.models import CompanyAlias, IneligibleCompany

# Legal forms that say nothing about which company it is. Only stripped from the end of
# a name, so "Company" inside a name stays. KGaA is deliberately absent: "Merck KGaA"
# (Darmstadt) and "Merck & Co." (Rahway) are different companies and must not meet.
LEGAL_SUFFIXES = frozenset(
    {
        "inc", "incorporated", "corp", "corporation", "co", "company", "llc", "llp", "ltd",
        "limited", "plc", "ag", "sa", "gmbh", "nv", "bv", "se", "lp", "as", "spa", "pty",
        "holding", "holdings",
    }
)  # fmt: skip
NAME_MAX_LENGTH = IneligibleCompany._meta.get_field("name").max_length
KEY_MAX_LENGTH = IneligibleCompany._meta.get_field("key").max_length
_KIND_VALUES = {choice.value for choice in CompanyKind}


def normalize(name: str) -> str:
    """The matching key of a company name.

    Folds case and accents, treats "&" as "and", drops punctuation and extra whitespace,
    then removes legal forms (Inc, Ltd, GmbH, S.A., ...) and a dangling "and" from the end
    ("Merck & Co., Inc." -> "merck"). A name made only of legal words keeps them, so that
    the key is never empty for a non-empty name.
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ")
    # Dots and apostrophes join letters ("S.A." -> "sa", "Reddy's" -> "reddys"); "A/S" is
    # the Danish legal form. Any other punctuation separates words.
    text = re.sub(r"\ba/s\b", "as", text)
    text = re.sub(r"[.'\u2019]", "", text)
    words = re.sub(r"[\W_]+", " ", text).split()
    end = len(words)
    while end > 1 and (words[end - 1] in LEGAL_SUFFIXES or words[end - 1] == "and"):
        end -= 1
    if end == 1 and words[0] == "and":
        end = len(words)
    return " ".join(words[:end])[:KEY_MAX_LENGTH]


def find_company(name: str) -> IneligibleCompany | None:
    """The company whose name or one of whose aliases has the same key as `name`. One query."""
    key = normalize(name)
    if not key:
        return None
    return (
        IneligibleCompany.objects.filter(Q(key=key) | Q(aliases__key=key))
        .distinct()
        .order_by("name")
        .first()
    )


def search_companies(text: str, limit: int = 20) -> list[IneligibleCompany]:
    """Companies for a picker: name or alias containing `text`, those starting with it first.

    Matching uses the keys, so accents, case and legal forms do not matter. The aliases
    are prefetched (two queries in all, whatever the number of results).
    """
    key = normalize(text)
    if not key or limit <= 0:
        return []
    alias_contains = CompanyAlias.objects.filter(company=OuterRef("pk"), key__contains=key)
    alias_starts = CompanyAlias.objects.filter(company=OuterRef("pk"), key__startswith=key)
    return list(
        IneligibleCompany.objects.filter(Q(key__contains=key) | Exists(alias_contains))
        .annotate(
            rank=Case(
                When(Q(key__startswith=key) | Exists(alias_starts), then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "name")
        .prefetch_related("aliases")[:limit]
    )


def _registry_matches(keys: Iterable[str]) -> dict[str, str]:
    """For each key already in the registry, a phrase naming the company it belongs to."""
    keys = list(dict.fromkeys(k for k in keys if k))
    found: dict[str, str] = {}
    # Chunks keep the number of query parameters within what every database accepts.
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        for company in IneligibleCompany.objects.filter(key__in=chunk):
            found[company.key] = _("%(company)s, already in the registry") % {
                "company": company.name
            }
        for alias in CompanyAlias.objects.filter(key__in=chunk).select_related("company"):
            found[alias.key] = _(
                '%(company)s (as its alias "%(alias)s"), already in the registry'
            ) % {"company": alias.company.name, "alias": alias.name}
    return found


def _company_keys(keys: Iterable[str]) -> dict[str, IneligibleCompany]:
    """The company each key (name or alias) belongs to, for the keys in the registry."""
    keys = list(dict.fromkeys(k for k in keys if k))
    owners: dict[str, IneligibleCompany] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        companies = IneligibleCompany.objects.filter(
            Q(key__in=chunk) | Q(aliases__key__in=chunk)
        ).distinct()
        for company in companies.prefetch_related("aliases"):
            for k in [company.key, *(a.key for a in company.aliases.all())]:
                if k in chunk:
                    owners[k] = company
    return owners


def _clean_aliases(name_key: str, aliases: Iterable[str]) -> list[tuple[str, str]]:
    """(alias, key) pairs without blanks and without repeats of the name or of each other."""
    seen = {name_key}
    pairs = []
    for alias in aliases:
        alias = " ".join(alias.split())
        key = normalize(alias)
        if key and key not in seen:
            seen.add(key)
            pairs.append((alias, key))
    return pairs


def _create(
    *, by, name: str, key: str, kind: str, website: str, aliases: list[tuple[str, str]]
) -> IneligibleCompany:
    company = IneligibleCompany(name=name, kind=kind, website=website)
    company.key = key
    company.full_clean(exclude=["key"])
    company.save()
    CompanyAlias.objects.bulk_create(
        CompanyAlias(company=company, name=alias, key=alias_key) for alias, alias_key in aliases
    )
    after = audit.snapshot(company, ("name", "key", "kind", "website"))
    after["aliases"] = [alias for alias, _key in aliases]
    audit.record("integrity.company.added", actor=by, obj=company, after=after)
    return company


@transaction.atomic
def add_company(
    *, by, name: str, kind: str, website: str = "", aliases: Iterable[str] = ()
) -> IneligibleCompany:
    """Add a company to the registry, with its aliases.

    Refuses (ValidationError by field) a name or alias whose key is already a company's
    name or alias, naming that company. An alias equal to the name, or repeated, is
    dropped. Side effects: audit "integrity.company.added".
    """
    name = " ".join(name.split())
    key = normalize(name)
    if not key:
        raise ValidationError({"name": _("Enter the company's name.")})
    pairs = _clean_aliases(key, aliases)
    matches = _registry_matches([key, *(k for _a, k in pairs)])
    errors: dict[str, list[str]] = {}
    if key in matches:
        errors["name"] = [
            _('"%(name)s" matches %(match)s.') % {"name": name, "match": matches[key]}
        ]
    for alias, alias_key in pairs:
        if alias_key in matches:
            errors.setdefault("aliases", []).append(
                _('"%(name)s" matches %(match)s.') % {"name": alias, "match": matches[alias_key]}
            )
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return _create(by=by, name=name, key=key, kind=kind, website=website, aliases=pairs)
    except IntegrityError as exc:
        # Someone added the same name between the check and the insert.
        raise ValidationError(
            {"name": _('"%(name)s" was just added by someone else.') % {"name": name}}
        ) from exc


@transaction.atomic
def add_alias(company: IneligibleCompany, *, by, name: str) -> CompanyAlias:
    """Give a company another name. Refuses a name whose key is already in the registry.

    Side effects: audit "integrity.company.alias_added".
    """
    name = " ".join(name.split())
    key = normalize(name)
    if not key:
        raise ValidationError({"name": _("Enter the alias.")})
    matches = _registry_matches([key])
    if key in matches:
        raise ValidationError(
            {"name": _('"%(name)s" matches %(match)s.') % {"name": name, "match": matches[key]}}
        )
    alias = CompanyAlias(company=company, name=name)
    alias.key = key
    alias.full_clean(exclude=["key"])
    try:
        with transaction.atomic():
            alias.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"name": _('"%(name)s" was just added by someone else.') % {"name": name}}
        ) from exc
    audit.record(
        "integrity.company.alias_added",
        actor=by,
        obj=company,
        after={"alias": name, "key": key},
    )
    return alias


# --- CSV import ----------------------------------------------------------------------------

CSV_COLUMNS = ("name", "kind", "website", "aliases")
REQUIRED_COLUMNS = ("name", "kind")
ALIAS_SEPARATOR = "|"


@dataclass(frozen=True)
class RowError:
    """One problem in an import file. Row 1 is the header, as a spreadsheet numbers it."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.column:
            return _("Row %(row)s, column %(column)s: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class ImportResult:
    created: int = 0
    already_present: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    number: int
    name: str
    key: str
    kind: str
    website: str
    aliases: list[tuple[str, str]]


def _kind_lookup() -> dict[str, str]:
    lookup = {}
    for choice in CompanyKind:
        lookup[choice.value.casefold()] = choice.value
        lookup[str(choice.label).casefold()] = choice.value
    return lookup


def _website(value: str) -> str:
    """A web address, https:// added when the file gives a bare domain ("pfizer.com")."""
    if value and "://" not in value:
        value = "https://" + value
    URLValidator(schemes=["http", "https"])(value)
    return value


def _parse(file_text: str, errors: list[RowError]) -> list[_Row]:
    reader = csv.reader(io.StringIO(file_text.lstrip("\ufeff")))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        header = []
    header = [h.strip().casefold() for h in header]
    if not any(header):
        errors.append(RowError(1, "", _("The file is empty; the first row must name the columns.")))
        return []
    for column in header:
        if column not in CSV_COLUMNS:
            errors.append(
                RowError(
                    1,
                    column,
                    _('Unknown column "%(column)s". The columns are: %(columns)s.')
                    % {"column": column, "columns": ", ".join(CSV_COLUMNS)},
                )
            )
    for column in REQUIRED_COLUMNS:
        if column not in header:
            errors.append(
                RowError(1, column, _("The header has no column %(column)s.") % {"column": column})
            )
    if len(set(header)) != len(header):
        errors.append(RowError(1, "", _("A column is named twice in the header.")))
    if errors:
        return []

    kinds = _kind_lookup()
    rows: list[_Row] = []
    number = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(
                RowError(number + 1, "", _("This row cannot be read (%(error)s).") % {"error": exc})
            )
            break
        number += 1
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            errors.append(
                RowError(
                    number,
                    "",
                    _("This row has %(cells)s cells, the header has %(columns)s columns.")
                    % {"cells": len(cells), "columns": len(header)},
                )
            )
            continue
        values = dict(zip(header, (c.strip() for c in cells), strict=False))
        row_errors = len(errors)

        name = " ".join(values.get("name", "").split())
        key = normalize(name)
        if not key:
            errors.append(RowError(number, "name", _("The name is empty.")))
        elif len(name) > NAME_MAX_LENGTH:
            errors.append(
                RowError(
                    number,
                    "name",
                    _("The name is longer than %(max)s characters.") % {"max": NAME_MAX_LENGTH},
                )
            )

        raw_kind = values.get("kind", "")
        kind = kinds.get(" ".join(raw_kind.split()).casefold(), "")
        if not raw_kind:
            errors.append(RowError(number, "kind", _("The kind is empty.")))
        elif not kind:
            errors.append(
                RowError(
                    number,
                    "kind",
                    _('Unknown kind "%(kind)s". Use one of: %(kinds)s.')
                    % {"kind": raw_kind, "kinds": ", ".join(sorted(_KIND_VALUES))},
                )
            )

        website = values.get("website", "")
        if website:
            try:
                website = _website(website)
            except ValidationError:
                errors.append(
                    RowError(
                        number,
                        "website",
                        _('"%(website)s" is not a web address.') % {"website": website},
                    )
                )

        aliases = [a for a in values.get("aliases", "").split(ALIAS_SEPARATOR) if a.strip()]
        for alias in aliases:
            if len(" ".join(alias.split())) > NAME_MAX_LENGTH:
                errors.append(
                    RowError(
                        number,
                        "aliases",
                        _('The alias "%(alias)s" is longer than %(max)s characters.')
                        % {"alias": alias.strip()[:40] + "…", "max": NAME_MAX_LENGTH},
                    )
                )

        if len(errors) == row_errors:
            rows.append(_Row(number, name, key, kind, website, _clean_aliases(key, aliases)))
        elif key:
            # Still take part in the duplicate check, so a second copy is reported too.
            rows.append(_Row(number, name, key, "", website, _clean_aliases(key, aliases)))
    return rows


def _check_duplicates(rows: list[_Row], errors: list[RowError]) -> None:
    first_seen: dict[str, tuple[int, str]] = {}
    for row in rows:
        for column, text, key in [("name", row.name, row.key)] + [
            ("aliases", alias, alias_key) for alias, alias_key in row.aliases
        ]:
            if key in first_seen:
                other_row, other_text = first_seen[key]
                errors.append(
                    RowError(
                        row.number,
                        column,
                        _('"%(name)s" is the same company as "%(other)s" in row %(row)s.')
                        % {"name": text, "other": other_text, "row": other_row},
                    )
                )
            else:
                first_seen[key] = (row.number, text)


def _check_registry(rows: list[_Row], errors: list[RowError]) -> list[_Row]:
    """Report rows that clash with the registry; return the rows to create.

    A row that repeats a company exactly (its name is that company's name or alias, the
    kind is the same, and every alias of the row is already that company's) is "already
    present" and skipped, so that importing the same file twice changes nothing. Any other
    overlap is an error: the registry is never changed by guesswork.
    """
    owners = _company_keys(k for row in rows for k in [row.key, *(a[1] for a in row.aliases)])
    new_rows = []
    for row in rows:
        company = owners.get(row.key)
        if company is not None:
            others = {k for _a, k in row.aliases if owners.get(k) is not company}
            if row.kind == company.kind and not others:
                continue
            if row.kind != company.kind:
                message = _(
                    '"%(name)s" is already in the registry as %(company)s, of another kind '
                    "(%(kind)s)."
                ) % {"name": row.name, "company": company.name, "kind": company.get_kind_display()}
                errors.append(RowError(row.number, "kind", message))
            else:
                errors.append(
                    RowError(
                        row.number,
                        "aliases",
                        _(
                            '"%(name)s" is already in the registry as %(company)s, which lacks '
                            "some of these aliases; add them to that company instead."
                        )
                        % {"name": row.name, "company": company.name},
                    )
                )
            continue
        clash = False
        for alias, alias_key in row.aliases:
            if alias_key in owners:
                clash = True
                errors.append(
                    RowError(
                        row.number,
                        "aliases",
                        _('"%(alias)s" is already in the registry (%(company)s).')
                        % {"alias": alias, "company": owners[alias_key].name},
                    )
                )
        if not clash:
            new_rows.append(row)
    return new_rows


def import_companies_csv(file_text: str, *, by) -> ImportResult:
    """Import companies from CSV text (columns name, kind, website, aliases; header required).

    Every row is checked first and every problem reported with its row and column; when
    there is any, nothing is imported. Otherwise all new companies are created in one
    transaction. Side effects: audit "integrity.company.added" per company and
    "integrity.companies.imported" once.
    """
    result = ImportResult()
    rows = _parse(file_text, result.errors)
    _check_duplicates(rows, result.errors)
    if result.errors:
        result.errors.sort(
            key=lambda e: (e.row, CSV_COLUMNS.index(e.column) if e.column in CSV_COLUMNS else -1)
        )
        return result
    new_rows = _check_registry(rows, result.errors)
    if result.errors:
        return result
    try:
        with transaction.atomic():
            for row in new_rows:
                _create(
                    by=by,
                    name=row.name,
                    key=row.key,
                    kind=row.kind,
                    website=row.website,
                    aliases=row.aliases,
                )
            audit.record(
                "integrity.companies.imported",
                actor=by,
                after={"created": len(new_rows), "already_present": len(rows) - len(new_rows)},
            )
    except IntegrityError:
        result.errors.append(
            RowError(
                0, "", _("The registry changed while importing; nothing was imported. Try again.")
            )
        )
        return result
    except ValidationError as exc:
        # The checks above cover every field; this guards a model rule added later.
        result.errors.append(RowError(0, "", "; ".join(exc.messages)))
        return result
    result.created = len(new_rows)
    result.already_present = len(rows) - len(new_rows)
    return result
