"""A clinician's credits from a CSV file: every row checked, then all written or none.

Learners keep their certificates in spreadsheets or export them from another
tracker. One file becomes one ``CreditImport`` with its ``ExternalCredit`` rows.
Counting a credit twice would make a learner look compliant when they are not, so
the same file is refused a second time (until every credit it brought was removed),
and so is a row repeating a credit the learner already recorded (a re-exported file
with a few new rows added); services.credit_key says when two credits are the same.

The columns are described in docs/api/licensure.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cmeconf.licensure import services, topics, vocabulary
from cmeconf.licensure.models import CreditImport, ExternalCredit

MAX_ROWS = 5_000
MAX_BYTES = 2 * 1024 * 1024

COLUMNS = (
    "title",
    "provider",
    "completed_on",
    "credit_type",
    "amount",
    "credits",
    "topics",
    "approvals",
    "format",
)
TITLE_LENGTH = ExternalCredit._meta.get_field("title").max_length
PROVIDER_LENGTH = ExternalCredit._meta.get_field("provider_name").max_length

# Items of a list cell: topics and approvals may be split by ; , or |.
_LIST_SPLIT = re.compile(r"[;,|]")
# Designations of a credits cell ("AMA_PRA_1=1.5; AOA_2A=1.5"): the comma may be a decimal one.
_CREDITS_SPLIT = re.compile(r"[;|]")
_DECIMAL_COMMA = re.compile(r"^\d+,\d+$")


@dataclass(frozen=True)
class RowError:
    row: int  # 1 for the first row under the header; 0 for the file itself
    column: str
    message: str


class CreditImportError(Exception):
    """Nothing was imported; ``errors`` names every problem found."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = list(errors)
        super().__init__(self.summary())

    def summary(self) -> str:
        first = self.errors[0] if self.errors else None
        if first is None:
            return _("Nothing was imported.")
        where = (
            _("the file")
            if first.row == 0
            else _("row %(row)s, %(column)s") % {"row": first.row, "column": first.column}
        )
        return _("Nothing was imported: %(count)s problem(s), first in %(where)s: %(message)s") % {
            "count": len(self.errors),
            "where": where,
            "message": first.message,
        }

    def __str__(self) -> str:
        return self.summary()


@dataclass
class _Row:
    number: int
    title: str
    provider_name: str
    completed_on: dt.date
    amounts: dict[str, str]
    topics: list[str]
    approvals: list[str]
    format: str

    def key(self) -> tuple:
        return services.credit_key(self.title, self.completed_on, self.amounts)


def parse_date(text: str) -> dt.date | None:
    """YYYY-MM-DD, or MM/DD/YYYY as US spreadsheets write it."""
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def topic_codes(values: list[str]) -> tuple[list[str], list[str]]:
    """(licensure topic codes, unknown values): codes as they are, program topic slugs mapped."""
    codes: list[str] = []
    unknown: list[str] = []
    for value in values:
        if value in vocabulary.TOPICS:
            mapped = [value]
        elif value.lower() in topics.FROM_PROGRAM:
            mapped = sorted(topics.FROM_PROGRAM[value.lower()])
        elif value.lower() in vocabulary.TOPICS:
            mapped = [value.lower()]
        else:
            unknown.append(value)
            continue
        codes.extend(c for c in mapped if c not in codes)
    return codes, unknown


def _items(cell: str, split: re.Pattern = _LIST_SPLIT) -> list[str]:
    return [item.strip() for item in split.split(cell) if item.strip()]


def _amount_text(text: str) -> str:
    text = text.strip()
    return text.replace(",", ".") if _DECIMAL_COMMA.match(text) else text


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CreditImportError(
            [RowError(0, "", _("The file is not UTF-8 text. Save it as CSV UTF-8 and try again."))]
        ) from None


def _delimiter(text: str) -> str:
    # The header decides: spreadsheets set to a decimal comma write ; between cells.
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _header(cells: list[str]) -> tuple[list[str], list[RowError]]:
    names = [re.sub(r"[\s\-]+", "_", c.strip().lower()) for c in cells]
    errors = []
    unknown = [n for n in names if n and n not in COLUMNS]
    if unknown:
        errors.append(
            RowError(
                0,
                ", ".join(unknown),
                _("Unknown columns: %(names)s. The columns are: %(known)s.")
                % {"names": ", ".join(unknown), "known": ", ".join(COLUMNS)},
            )
        )
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if repeated:
        errors.append(
            RowError(
                0,
                ", ".join(repeated),
                _("Columns named twice: %(names)s.") % {"names": ", ".join(repeated)},
            )
        )
    missing = [n for n in ("title", "completed_on") if n not in names]
    if missing:
        errors.append(
            RowError(
                0,
                ", ".join(missing),
                _("Missing columns: %(names)s.") % {"names": ", ".join(missing)},
            )
        )
    has_pair = "credit_type" in names and "amount" in names
    if "credits" not in names and not has_pair:
        errors.append(
            RowError(
                0,
                "credits",
                _("Give the credit in a credits column, or in credit_type and amount columns."),
            )
        )
    elif ("credit_type" in names) != ("amount" in names):
        column = "amount" if "credit_type" in names else "credit_type"
        errors.append(
            RowError(
                0,
                column,
                _("credit_type and amount go together: add the %(name)s column.")
                % {"name": column},
            )
        )
    return names, errors


def _amounts(number: int, cell: dict[str, str], errors: list[RowError]) -> dict[str, str] | None:
    """The row's {credit type: amount}, or None (with errors added) when wrong."""
    listed = cell.get("credits", "").strip()
    single_type = cell.get("credit_type", "").strip()
    single_amount = cell.get("amount", "").strip()
    if listed and (single_type or single_amount):
        errors.append(
            RowError(
                number,
                "credits",
                _("Give the credit either in credits or in credit_type and amount, not both."),
            )
        )
        return None
    raw: dict[str, str] = {}
    if listed:
        column = "credits"
        for item in _items(listed, _CREDITS_SPLIT):
            code, sep, value = item.partition("=")
            code = code.strip().upper()
            if not sep or not code or not value.strip():
                errors.append(
                    RowError(
                        number,
                        column,
                        _("Write each designation as TYPE=amount (AMA_PRA_1=1.5); got %(item)s.")
                        % {"item": item},
                    )
                )
                return None
            if code in raw:
                errors.append(
                    RowError(number, column, _("%(code)s is named twice.") % {"code": code})
                )
                return None
            raw[code] = _amount_text(value)
    elif single_type or single_amount:
        column = "amount"
        if not single_type:
            errors.append(RowError(number, "credit_type", _("Give the credit type.")))
            return None
        if not single_amount:
            errors.append(RowError(number, "amount", _("Give the amount of credit.")))
            return None
        raw[single_type.upper()] = _amount_text(single_amount)
    else:
        errors.append(RowError(number, "credits", _("Give the credit type and amount.")))
        return None
    unknown = [code for code in raw if code not in vocabulary.CREDIT_TYPES]
    if unknown:
        errors.append(
            RowError(
                number,
                "credits" if listed else "credit_type",
                _("Unknown credit type %(codes)s.") % {"codes": ", ".join(unknown)},
            )
        )
        return None
    try:
        return services.parse_amounts(raw)
    except ValidationError as exc:
        for message in exc.message_dict.get("amounts", exc.messages):
            errors.append(RowError(number, column, message))
        return None


def _row(number: int, cell: dict[str, str], today: dt.date, errors: list[RowError]) -> _Row | None:
    found = len(errors)
    title = " ".join(cell.get("title", "").split())
    if not title:
        errors.append(RowError(number, "title", _("Give the activity's title.")))
    elif len(title) > TITLE_LENGTH:
        errors.append(
            RowError(number, "title", _("At most %(n)s characters.") % {"n": TITLE_LENGTH})
        )
    provider_name = " ".join(cell.get("provider", "").split())
    if len(provider_name) > PROVIDER_LENGTH:
        errors.append(
            RowError(number, "provider", _("At most %(n)s characters.") % {"n": PROVIDER_LENGTH})
        )
    raw_date = cell.get("completed_on", "").strip()
    completed_on = parse_date(raw_date) if raw_date else None
    if not raw_date:
        errors.append(RowError(number, "completed_on", _("Give the completion date.")))
    elif completed_on is None:
        errors.append(
            RowError(
                number,
                "completed_on",
                _("Write the date as YYYY-MM-DD (or MM/DD/YYYY); got %(value)s.")
                % {"value": raw_date},
            )
        )
    elif completed_on > today:
        errors.append(RowError(number, "completed_on", _("The completion date is in the future.")))
    amounts = _amounts(number, cell, errors)
    topic_list, unknown_topics = topic_codes(_items(cell.get("topics", "")))
    approvals = [a.upper() for a in _items(cell.get("approvals", ""))]
    fmt = cell.get("format", "").strip().lower()
    problems = services.credit_problems(topics=unknown_topics, approvals=approvals, format=fmt)
    for column, message in problems.items():
        errors.append(RowError(number, column, message))
    if len(errors) > found or amounts is None or completed_on is None:
        return None
    return _Row(number, title, provider_name, completed_on, amounts, topic_list, approvals, fmt)


def _parse(text: str, today: dt.date) -> tuple[list[_Row], list[RowError]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = next(reader)
    except StopIteration:
        header = []
    except csv.Error as exc:
        return [], [RowError(0, "", _("The file is not valid CSV: %(e)s") % {"e": exc})]
    if not any(c.strip() for c in header):
        return [], [RowError(0, "", _("The file is empty: it needs a header row, then rows."))]
    names, errors = _header(header)
    if errors:
        return [], errors
    rows: list[_Row] = []
    count = 0
    try:
        for number, cells in enumerate(reader, start=1):
            if not any(c.strip() for c in cells):
                continue  # blank lines between rows
            count += 1
            if count > MAX_ROWS:
                return [], [
                    RowError(
                        0,
                        "",
                        _("The file has more than %(n)s rows: split it into smaller files.")
                        % {"n": MAX_ROWS},
                    )
                ]
            if len(cells) > len(names) and any(c.strip() for c in cells[len(names) :]):
                errors.append(
                    RowError(
                        number,
                        "",
                        _("The row has more cells than the header has columns."),
                    )
                )
                continue
            cell = {name: value for name, value in zip(names, cells, strict=False) if name}
            row = _row(number, cell, today, errors)
            if row is not None:
                rows.append(row)
    except csv.Error as exc:
        errors.append(RowError(reader.line_num, "", _("Not valid CSV: %(e)s") % {"e": exc}))
    if not count and not errors:
        errors.append(RowError(0, "", _("The file has a header row but no credits.")))
    return rows, errors


def _check_repeats(person, rows: list[_Row], errors: list[RowError]) -> None:
    existing = services.recorded_keys(person)
    seen: dict[tuple, int] = {}
    for row in rows:
        key = row.key()
        if key in existing:
            message = _("%(recorded)s Remove the row.") % {
                "recorded": services.already_recorded_message()
            }
            errors.append(RowError(row.number, "title", message))
        elif key in seen:
            errors.append(
                RowError(
                    row.number,
                    "title",
                    _("This row repeats row %(row)s (same title, date and credit).")
                    % {"row": seen[key]},
                )
            )
        else:
            seen[key] = row.number


def _file_seen(person, digest: str) -> RowError | None:
    earlier = CreditImport.objects.filter(person=person, sha256=digest).first()
    if earlier is None:
        return None
    return RowError(
        0,
        "",
        _("This file was already imported (as %(name)s on %(date)s).")
        % {
            "name": earlier.filename,
            "date": timezone.localtime(earlier.imported_at).date().isoformat(),
        },
    )


def check_size(size: int) -> None:
    """Refuse a file over the limit before reading it."""
    if size > MAX_BYTES:
        raise CreditImportError(
            [RowError(0, "", _("The file is larger than 2 MB: split it into smaller files."))]
        )


def import_credits_csv(person, data: bytes, *, filename: str) -> CreditImport:
    """All rows or none (one transaction); the same file twice is refused.

    Raises CreditImportError naming every problem (row 0: the file itself). Writes
    one CreditImport and an ExternalCredit per row, each pointing at the import.
    """
    check_size(len(data))
    digest = hashlib.sha256(data).hexdigest()
    if seen := _file_seen(person, digest):
        raise CreditImportError([seen])
    rows, errors = _parse(_decode(data), timezone.localdate())
    if any(e.row == 0 for e in errors):
        raise CreditImportError(errors)
    _check_repeats(person, rows, errors)
    if errors:
        raise CreditImportError(sorted(errors, key=lambda e: e.row))
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = CreditImport.objects.create(
                    person=person, filename=filename[-200:], sha256=digest, rows=len(rows)
                )
        except IntegrityError:
            # The same file sent twice at once: the other request imported it.
            raise CreditImportError(
                [RowError(0, "", _("This file was already imported."))]
            ) from None
        ExternalCredit.objects.bulk_create(
            ExternalCredit(
                person=person,
                title=row.title,
                provider_name=row.provider_name,
                completed_on=row.completed_on,
                amounts=row.amounts,
                topics=row.topics,
                approvals=row.approvals,
                format=row.format,
                source_import=record,
            )
            for row in rows
        )
    return record
