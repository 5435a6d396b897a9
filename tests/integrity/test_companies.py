import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from cmeconf.common.models import AuditEntry
from cmeconf.integrity.choices import CompanyKind
from cmeconf.integrity.companies import (
    add_alias,
    add_company,
    find_company,
    import_companies_csv,
    normalize,
    search_companies,
)
from cmeconf.integrity.models import CompanyAlias, IneligibleCompany
from tests.factories import UserFactory

seed_migration = importlib.import_module("cmeconf.integrity.migrations.0002_seed_companies")


@pytest.fixture
def staff(db):
    return UserFactory(email="cme@acp.example", first_name="Cam", last_name="Office")


@pytest.fixture
def zentavo(staff):
    return add_company(
        by=staff,
        name="Zentavo Therapeutics, Inc.",
        kind=CompanyKind.PHARMACEUTICAL,
        website="https://zentavo.example",
        aliases=["Qorvane Biopharma", "Zentavo"],
    )


@pytest.mark.parametrize(
    "name",
    ["Pfizer Inc.", "Pfizer", "PFIZER, INC", "Pfizer Incorporated", "Pfizer Ltd", "Pfizer   Inc"],
)
def test_spellings_of_one_company_share_a_key(name):
    assert normalize(name) == "pfizer"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Abbott Laboratories", "abbott laboratories"),
        ("Merck & Co., Inc.", "merck"),
        ("Merck and Co", "merck"),
        ("Merck KGaA", "merck kgaa"),
        ("Sanofi S.A.", "sanofi"),
        ("Koninklijke Philips N.V.", "koninklijke philips"),
        ("Novo Nordisk A/S", "novo nordisk"),
        ("Roche Holding AG", "roche"),
        ("F. Hoffmann-La Roche Ltd", "f hoffmann la roche"),
        ("Eli Lilly and Company", "eli lilly"),
        ("Boehringer-Ingelheim GmbH", "boehringer ingelheim"),
        ("Laboratoires Servier SAS Société", "laboratoires servier sas societe"),
        ("Dr. Reddy\u2019s Laboratories", "dr reddys laboratories"),
        ("Smith & Nephew plc", "smith and nephew"),
        ("The Company", "the"),
        ("Company", "company"),
        ("Corp. Inc.", "corp"),
        ("", ""),
        ("  ,. ", ""),
    ],
)
def test_normalize_keeps_the_name_and_drops_legal_forms(name, key):
    assert normalize(name) == key


def test_find_company_by_name_or_alias_in_one_query(zentavo, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert find_company("ZENTAVO THERAPEUTICS") == zentavo
    assert find_company("Zentavo Therapeutics Incorporated") == zentavo
    assert find_company("Qorvane Biopharma Ltd.") == zentavo
    assert find_company("zentavo") == zentavo
    assert find_company("Qorvane") is None
    assert find_company("") is None


def test_add_company_keeps_aliases_and_writes_the_audit(staff, zentavo):
    assert zentavo.key == "zentavo therapeutics"
    assert zentavo.kind == "pharmaceutical"
    assert sorted(zentavo.aliases.values_list("name", "key")) == [
        ("Qorvane Biopharma", "qorvane biopharma"),
        ("Zentavo", "zentavo"),
    ]
    entry = AuditEntry.objects.get(action="integrity.company.added", object_id=str(zentavo.pk))
    assert entry.actor == staff
    assert entry.after["name"] == "Zentavo Therapeutics, Inc."
    assert entry.after["aliases"] == ["Qorvane Biopharma", "Zentavo"]


def test_add_company_drops_an_alias_that_repeats_the_name(staff):
    company = add_company(
        by=staff, name="Lumeris Devices", kind="device", aliases=["LUMERIS DEVICES INC", " "]
    )
    assert company.aliases.count() == 0


def test_add_company_refuses_a_known_name_and_says_which_company(staff, zentavo):
    with pytest.raises(ValidationError) as exc:
        add_company(by=staff, name="Zentavo Therapeutics LLC", kind="pharmaceutical")
    assert exc.value.message_dict == {
        "name": [
            '"Zentavo Therapeutics LLC" matches Zentavo Therapeutics, Inc., already in '
            "the registry."
        ]
    }
    with pytest.raises(ValidationError) as exc:
        add_company(
            by=staff, name="Orbelle Health", kind="device", aliases=["Qorvane Biopharma Corp"]
        )
    assert exc.value.message_dict == {
        "aliases": [
            '"Qorvane Biopharma Corp" matches Zentavo Therapeutics, Inc. (as its alias '
            '"Qorvane Biopharma"), already in the registry.'
        ]
    }
    assert not IneligibleCompany.objects.filter(key="orbelle health").exists()


def test_add_company_refuses_an_unknown_kind_and_an_empty_name(staff):
    with pytest.raises(ValidationError) as exc:
        add_company(by=staff, name="Orbelle Health", kind="bakery")
    assert list(exc.value.message_dict) == ["kind"]
    with pytest.raises(ValidationError) as exc:
        add_company(by=staff, name=" , ", kind="device")
    assert exc.value.message_dict == {"name": ["Enter the company's name."]}


def test_add_alias(staff, zentavo):
    alias = add_alias(zentavo, by=staff, name="Zentavo Pharma GmbH")
    assert (alias.key, alias.company) == ("zentavo pharma", zentavo)
    assert find_company("Zentavo Pharma") == zentavo
    entry = AuditEntry.objects.get(action="integrity.company.alias_added")
    assert entry.after == {"alias": "Zentavo Pharma GmbH", "key": "zentavo pharma"}
    with pytest.raises(ValidationError) as exc:
        add_alias(zentavo, by=staff, name="zentavo pharma")
    assert "matches Zentavo Therapeutics, Inc." in exc.value.message_dict["name"][0]


def test_search_puts_prefix_matches_first_and_has_no_n_plus_1(
    staff, zentavo, django_assert_num_queries
):
    add_company(by=staff, name="Vireo Zentavo Labs", kind="laboratory", aliases=["VZL", "VZ Lab"])
    add_company(by=staff, name="Amzentavo Supplements", kind="supplement")
    with django_assert_num_queries(2):
        found = search_companies("zentavo")
        aliases = {c.name: sorted(a.name for a in c.aliases.all()) for c in found}
    assert [c.name for c in found] == [
        "Zentavo Therapeutics, Inc.",
        "Amzentavo Supplements",
        "Vireo Zentavo Labs",
    ]
    assert aliases["Vireo Zentavo Labs"] == ["VZ Lab", "VZL"]
    # By alias, accents and case folded.
    assert [c.name for c in search_companies("QORVÂNE")] == ["Zentavo Therapeutics, Inc."]
    assert len(search_companies("zentavo", limit=1)) == 1
    assert search_companies("  ") == []


GOOD_CSV = """\ufeffName,Kind,Website,Aliases
Orbelle Health Inc.,device,orbelle.example,Orbelle|Orbelle Medical Systems
Calyx Nutrition,Manufacturer or seller of dietary supplements,,
"Tessmer Labs, LLC",LABORATORY,https://tessmer.example,

Brightwell Rx,pbm,,Brightwell Pharmacy Benefits
"""


def test_csv_import_creates_every_company(staff):
    result = import_companies_csv(GOOD_CSV, by=staff)
    assert result.ok
    assert (result.created, result.already_present, result.errors) == (4, 0, [])
    orbelle = find_company("Orbelle Medical Systems")
    assert (orbelle.name, orbelle.kind, orbelle.website) == (
        "Orbelle Health Inc.",
        "device",
        "https://orbelle.example",
    )
    assert find_company("Calyx Nutrition").kind == "supplement"
    assert find_company("Tessmer Labs").kind == "laboratory"
    assert find_company("Brightwell Pharmacy Benefits").name == "Brightwell Rx"
    assert AuditEntry.objects.filter(action="integrity.company.added").count() == 4
    summary = AuditEntry.objects.get(action="integrity.companies.imported")
    assert summary.after == {"created": 4, "already_present": 0}


def test_csv_import_twice_skips_what_is_already_present(staff):
    import_companies_csv(GOOD_CSV, by=staff)
    again = import_companies_csv(
        GOOD_CSV + "Norvik Medical,device,,\n",
        by=staff,
    )
    assert (again.ok, again.created, again.already_present) == (True, 1, 4)
    assert (
        IneligibleCompany.objects.filter(key__in=["orbelle health", "norvik medical"]).count() == 2
    )


BAD_CSV = """name,kind,website,aliases
Orbelle Health,device,,
,pharmaceutical,,
Calyx Nutrition,bakery,,
Tessmer Labs,laboratory,not a url,
ORBELLE HEALTH INC,device,,
Zentavo Therapeutics,pharmaceutical,,
Zentavo Pharma,device,,Qorvane Biopharma
Ruvane Biologics,pharmaceutical,,Tessmer Labs LLC
"""


def test_csv_import_reports_every_bad_row_and_imports_nothing(staff, zentavo):
    before = IneligibleCompany.objects.count()
    result = import_companies_csv(BAD_CSV, by=staff)
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [
        (3, "name"),
        (4, "kind"),
        (5, "website"),
        (6, "name"),
        (9, "aliases"),
    ]
    assert [e.message for e in result.errors] == [
        "The name is empty.",
        'Unknown kind "bakery". Use one of: agency, development, device, distributor, '
        "laboratory, other, pbm, pharmaceutical, supplement.",
        '"not a url" is not a web address.',
        '"ORBELLE HEALTH INC" is the same company as "Orbelle Health" in row 2.',
        '"Tessmer Labs LLC" is the same company as "Tessmer Labs" in row 5.',
    ]
    assert str(result.errors[0]) == "Row 3, column name: The name is empty."
    assert IneligibleCompany.objects.count() == before
    assert not AuditEntry.objects.filter(action="integrity.companies.imported").exists()


def test_csv_import_reports_clashes_with_the_registry(staff, zentavo):
    text = (
        "name,kind\n"
        "Orbelle Health,device\n"
        "Zentavo Therapeutics,device\n"  # known, but another kind
        "Qorvane Biopharma,pharmaceutical\n"  # an alias of a known company, same kind: present
        "Ruvane Biologics,pharmaceutical\n"
    )
    text_aliases = "name,kind,aliases\nRuvane Biologics,pharmaceutical,Zentavo Inc\n"
    result = import_companies_csv(text, by=staff)
    assert [str(e) for e in result.errors] == [
        'Row 3, column kind: "Zentavo Therapeutics" is already in the registry as Zentavo '
        "Therapeutics, Inc., of another kind (Pharmaceutical or biotechnology company)."
    ]
    result = import_companies_csv(text_aliases, by=staff)
    assert [str(e) for e in result.errors] == [
        'Row 2, column aliases: "Zentavo Inc" is already in the registry (Zentavo '
        "Therapeutics, Inc.)."
    ]
    assert find_company("Orbelle Health") is None
    assert find_company("Ruvane Biologics") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ["Row 1: The file is empty; the first row must name the columns."]),
        (
            "company,kind\nX,device\n",
            [
                'Row 1, column company: Unknown column "company". The columns are: name, kind, '
                "website, aliases.",
                "Row 1, column name: The header has no column name.",
            ],
        ),
        (
            "name,kind\nOrbelle,device,extra\n",
            ["Row 2: This row has 3 cells, the header has 2 columns."],
        ),
    ],
)
def test_csv_import_checks_the_shape_of_the_file(staff, text, expected):
    result = import_companies_csv(text, by=staff)
    assert [str(e) for e in result.errors] == expected
    assert result.created == 0


def test_command_imports_and_prints_the_count(staff, tmp_path, capsys):
    path = tmp_path / "companies.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")
    call_command("import_companies", str(path), "--by", "CME@acp.example")
    assert capsys.readouterr().out == "Imported 4 companies; 0 already present.\n"
    entry = AuditEntry.objects.filter(action="integrity.company.added").first()
    assert entry.actor == staff


def test_command_prints_the_errors_and_fails(db, tmp_path, capsys):
    path = tmp_path / "companies.csv"
    path.write_text(BAD_CSV, encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("import_companies", str(path))
    assert exc.value.returncode == 1
    assert str(exc.value) == f"Nothing imported: 5 error(s) in {path}."
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "Row 3, column name: The name is empty."
    assert len(err) == 5
    assert find_company("Orbelle Health") is None


def test_command_exit_code_in_a_process(db, tmp_path):
    # call_command raises; the real command line must turn that into a non-zero exit code.
    path = tmp_path / "companies.csv"
    path.write_text("name,kind\n,device\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        from django.core.management import ManagementUtility

        ManagementUtility(["manage.py", "import_companies", str(path)]).execute()
    assert exc.value.code == 1


def test_command_refuses_an_unknown_account_and_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="No account"):
        call_command("import_companies", str(tmp_path / "x.csv"), "--by", "nobody@example.org")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_companies", str(tmp_path / "missing.csv"))


def test_seeded_companies(db):
    # Transactional tests elsewhere may have flushed the rows the migration wrote; seeding
    # again is a no-op when they are there and brings them back when they are not.
    seed_migration.seed(apps, None)
    pfizer = find_company("Pfizer Inc.")
    assert (pfizer.name, pfizer.kind) == ("Pfizer Inc.", "pharmaceutical")
    assert find_company("Wyeth") == pfizer
    assert find_company("MSD").name == "Merck & Co., Inc."
    assert find_company("EMD Serono").name == "Merck KGaA"
    assert find_company("Express Scripts").kind == "pbm"
    assert find_company("AmerisourceBergen").name == "Cencora, Inc."
    assert IneligibleCompany.objects.count() >= 60
    kinds = set(IneligibleCompany.objects.values_list("kind", flat=True))
    assert {"pharmaceutical", "device", "distributor", "pbm", "supplement", "laboratory"} <= kinds
    assert CompanyAlias.objects.filter(company=pfizer).count() == 3


def test_seed_uses_the_same_keys_as_normalize():
    names = [
        text
        for name, _kind, _website, aliases in seed_migration.COMPANIES
        for text in (name, *aliases)
    ]
    assert [seed_migration.normalize(n) for n in names] == [normalize(n) for n in names]
    assert len({normalize(n) for n in names}) == len(names)
    kinds = {choice.value for choice in CompanyKind}
    assert {kind for _name, kind, _website, _aliases in seed_migration.COMPANIES} <= kinds
