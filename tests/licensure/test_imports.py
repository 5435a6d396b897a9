"""Credits from CSV: every problem named by row and column, all rows or none, nothing twice."""

from __future__ import annotations

import pytest

from cmeconf.licensure import imports, services
from cmeconf.licensure.imports import CreditImportError, RowError, import_credits_csv
from cmeconf.licensure.models import CreditImport, ExternalCredit
from tests.factories import UserFactory
from tests.licensure.factories import ExternalCreditFactory, in_days

pytestmark = pytest.mark.django_db

DAY = in_days(-40).isoformat()
US_DAY = in_days(-41).strftime("%m/%d/%Y")


def csv_bytes(*lines: str, bom: bool = False) -> bytes:
    text = "\r\n".join(lines) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode()


def errors_of(person, data: bytes) -> list[RowError]:
    with pytest.raises(CreditImportError) as caught:
        import_credits_csv(person, data, filename="credits.csv")
    return caught.value.errors


@pytest.fixture
def person(db):
    return UserFactory()


def test_imports_every_row_with_its_designations_topics_and_the_import(person):
    data = csv_bytes(
        "Title,Provider,Completed_On,Credits,Topics,Approvals,Format",
        f'Opioid prescribing update,State Society,{DAY},"AMA_PRA_1=1.5; AOA_2A=1.5",'
        "pain-management-opioids,,live",
        f"Ethics at the bedside,,{US_DAY},AMA_PRA_1=2,ethics;professional_responsibility,,",
    )
    record = import_credits_csv(person, data, filename="my-credits.csv")
    assert (record.filename, record.rows, record.person) == ("my-credits.csv", 2, person)
    credits = {c.title: c for c in ExternalCredit.objects.filter(person=person)}
    opioid = credits["Opioid prescribing update"]
    assert opioid.amounts == {"AMA_PRA_1": "1.50", "AOA_2A": "1.50"}
    assert sorted(opioid.topics) == ["opioid_prescribing", "pain_management"]
    assert (opioid.provider_name, opioid.format, opioid.source_import) == (
        "State Society",
        "live",
        record,
    )
    ethics = credits["Ethics at the bedside"]
    assert ethics.completed_on == in_days(-41)
    assert ethics.amounts == {"AMA_PRA_1": "2.00"}
    assert ethics.topics == ["ethics", "professional_responsibility"]


def test_single_type_columns_semicolons_bom_and_a_decimal_comma(person):
    data = csv_bytes(
        "title;completed_on;credit_type;amount",
        f"Herzinsuffizienz;{DAY};ama_pra_1;1,5",
        bom=True,
    )
    record = import_credits_csv(person, data, filename="export.csv")
    credit = record.credits.get()
    assert (credit.title, credit.amounts) == ("Herzinsuffizienz", {"AMA_PRA_1": "1.50"})


def test_collects_every_row_error_and_writes_nothing(person):
    data = csv_bytes(
        "title,completed_on,credit_type,amount,topics,format",
        f"Good row,{DAY},AMA_PRA_1,1,,",
        f",{DAY},AMA_PRA_1,1,,",
        f"Future,{in_days(5).isoformat()},AMA_PRA_1,1,,",
        "Bad date,31.12.2024,AMA_PRA_1,1,,",
        f"Bad type,{DAY},AMA_PRA_9,1,,",
        f"Bad amount,{DAY},AMA_PRA_1,1.255,,",
        f"Bad topic,{DAY},AMA_PRA_1,1,astrology,podcast",
    )
    errors = errors_of(person, data)
    found = {(e.row, e.column) for e in errors}
    assert found == {
        (2, "title"),
        (3, "completed_on"),
        (4, "completed_on"),
        (5, "credit_type"),
        (6, "amount"),
        (7, "topics"),
        (7, "format"),
    }
    assert "future" in next(e.message for e in errors if e.row == 3)
    assert "astrology" in next(e.message for e in errors if e.column == "topics")
    assert not ExternalCredit.objects.filter(person=person).exists()
    assert not CreditImport.objects.exists()


def test_the_same_file_twice_is_refused_on_row_zero(person):
    data = csv_bytes("title,completed_on,credits", f"Once,{DAY},AMA_PRA_1=1")
    import_credits_csv(person, data, filename="a.csv")
    errors = errors_of(person, data)
    assert [(e.row, e.column) for e in errors] == [(0, "")]
    assert "already imported" in errors[0].message
    assert ExternalCredit.objects.filter(person=person).count() == 1
    # Another person may import the same file.
    other = UserFactory()
    assert import_credits_csv(other, data, filename="a.csv").rows == 1


def test_a_row_repeating_a_recorded_credit_is_refused(person):
    ExternalCreditFactory(
        person=person,
        title="Sepsis  update",
        completed_on=in_days(-40),
        amounts={"AMA_PRA_1": "1.00"},
    )
    data = csv_bytes(
        "title,completed_on,credits",
        f"sepsis update,{DAY},AMA_PRA_1=1",
        f"New one,{DAY},AMA_PRA_1=1",
        f"New one,{DAY},AMA_PRA_1=1.00",
        f"Sepsis update,{DAY},AMA_PRA_1=2",
    )
    errors = errors_of(person, data)
    assert [(e.row, e.column) for e in errors] == [(1, "title"), (3, "title")]
    assert "already recorded" in errors[0].message
    assert "repeats row 2" in errors[1].message
    assert ExternalCredit.objects.filter(person=person).count() == 1


def test_unknown_and_missing_columns_are_named(person):
    errors = errors_of(person, csv_bytes("title,date,credits,notes", f"X,{DAY},AMA_PRA_1=1,"))
    assert errors[0].row == 0
    assert errors[0].column == "date, notes"
    assert "date, notes" in errors[0].message
    assert any(e.column == "completed_on" and "Missing" in e.message for e in errors)
    errors = errors_of(person, csv_bytes("title,completed_on", f"X,{DAY}"))
    assert [(e.row, e.column) for e in errors] == [(0, "credits")]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (csv_bytes("title,completed_on,credits"), "no credits"),
        (
            "title,completed_on,credits\r\nCaf\xe9,2024-01-01,AMA_PRA_1=1\r\n".encode("latin-1"),
            "UTF-8",
        ),
    ],
)
def test_broken_files_are_refused_as_a_whole(person, data, words):
    errors = errors_of(person, data)
    assert [e.row for e in errors] == [0]
    assert words in errors[0].message


def test_limits_on_rows_and_size(person, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    lines = [f"Row {n},{DAY},AMA_PRA_1=1" for n in range(4)]
    errors = errors_of(person, csv_bytes("title,completed_on,credits", *lines))
    assert [e.row for e in errors] == [0]
    assert "more than 3 rows" in errors[0].message
    errors = errors_of(person, b"x" * (imports.MAX_BYTES + 1))
    assert "2 MB" in errors[0].message


def test_credits_and_single_type_in_one_row_is_an_error(person):
    data = csv_bytes(
        "title,completed_on,credits,credit_type,amount",
        f"Both,{DAY},AMA_PRA_1=1,AMA_PRA_1,1",
        f"Broken pair,{DAY},AMA_PRA_1 1.5,,",
    )
    errors = errors_of(person, data)
    assert [(e.row, e.column) for e in errors] == [(1, "credits"), (2, "credits")]
    assert "TYPE=amount" in errors[1].message


def test_the_error_summarises_in_one_line(person):
    with pytest.raises(CreditImportError) as caught:
        import_credits_csv(
            person, csv_bytes("title,completed_on,credits", f",{DAY},AMA_PRA_1=1"), filename="x"
        )
    text = str(caught.value)
    assert "\n" not in text
    assert "row 1, title" in text


def test_the_example_file_imports(person):
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "docs/licensure/credits-example.csv"
    record = import_credits_csv(person, example.read_bytes(), filename=example.name)
    assert record.rows == ExternalCredit.objects.filter(person=person).count() >= 3


def test_a_file_whose_credits_were_all_removed_can_be_imported_again(person):
    data = csv_bytes(
        "title,completed_on,credit_type,amount",
        f"Ethics,{DAY},AMA_PRA_1,1",
        f"Pain,{DAY},AMA_PRA_1,2",
    )
    record = import_credits_csv(person, data, filename="a.csv")
    first, second = ExternalCredit.objects.filter(source_import=record)
    services.delete_credit(first)
    # One credit of the file is still on record: the file would count it twice.
    assert CreditImport.objects.filter(pk=record.pk).exists()
    assert "already imported" in errors_of(person, data)[0].message
    services.delete_credit(second)
    assert not CreditImport.objects.filter(pk=record.pk).exists()
    assert import_credits_csv(person, data, filename="a.csv").rows == 2
