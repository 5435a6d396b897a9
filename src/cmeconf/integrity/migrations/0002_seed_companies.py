"""Seed the registry with well-known ineligible companies [A2].

Names, kinds, web sites and aliases (former names, acquired companies, operating
subsidiaries) as of 2025. Staff add the rest through the registry or a CSV import.
"""

import re
import unicodedata

from django.db import migrations

# A frozen copy of cmeconf.integrity.companies.normalize as it was when this migration was
# written: a migration must give the same result forever, even if the module changes.
# tests/integrity/test_companies.py checks that the two still agree on the seeded names.
_LEGAL_SUFFIXES = frozenset(
    {
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "co",
        "company",
        "llc",
        "llp",
        "ltd",
        "limited",
        "plc",
        "ag",
        "sa",
        "gmbh",
        "nv",
        "bv",
        "se",
        "lp",
        "as",
        "spa",
        "pty",
        "holding",
        "holdings",
    }
)


def normalize(name):
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ")
    text = re.sub(r"\ba/s\b", "as", text)
    text = re.sub(r"[.'\u2019]", "", text)
    words = re.sub(r"[\W_]+", " ", text).split()
    end = len(words)
    while end > 1 and (words[end - 1] in _LEGAL_SUFFIXES or words[end - 1] == "and"):
        end -= 1
    if end == 1 and words[0] == "and":
        end = len(words)
    return " ".join(words[:end])[:200]


# (name, kind, website, aliases)
COMPANIES = [
    # Pharmaceutical and biotechnology companies
    ("Pfizer Inc.", "pharmaceutical", "https://www.pfizer.com", ["Wyeth", "Hospira", "Seagen"]),
    (
        "Johnson & Johnson",
        "pharmaceutical",
        "https://www.jnj.com",
        [
            "Janssen",
            "Janssen Pharmaceuticals",
            "Johnson & Johnson Innovative Medicine",
            "Johnson & Johnson MedTech",
            "DePuy Synthes",
            "Ethicon",
        ],
    ),
    (
        "Merck & Co., Inc.",
        "pharmaceutical",
        "https://www.merck.com",
        ["MSD", "Merck Sharp & Dohme"],
    ),
    ("Merck KGaA", "pharmaceutical", "https://www.merckgroup.com", ["EMD Serono"]),
    ("AbbVie Inc.", "pharmaceutical", "https://www.abbvie.com", ["Allergan", "Pharmacyclics"]),
    ("Bristol-Myers Squibb Company", "pharmaceutical", "https://www.bms.com", ["BMS", "Celgene"]),
    ("Eli Lilly and Company", "pharmaceutical", "https://www.lilly.com", ["Lilly"]),
    ("Amgen Inc.", "pharmaceutical", "https://www.amgen.com", ["Horizon Therapeutics"]),
    (
        "Gilead Sciences, Inc.",
        "pharmaceutical",
        "https://www.gilead.com",
        ["Gilead", "Kite Pharma"],
    ),
    (
        "AstraZeneca PLC",
        "pharmaceutical",
        "https://www.astrazeneca.com",
        ["Alexion Pharmaceuticals", "MedImmune"],
    ),
    (
        "Novartis AG",
        "pharmaceutical",
        "https://www.novartis.com",
        ["Novartis Pharmaceuticals Corporation"],
    ),
    ("Sandoz Group AG", "pharmaceutical", "https://www.sandoz.com", ["Sandoz"]),
    (
        "Roche Holding AG",
        "pharmaceutical",
        "https://www.roche.com",
        ["F. Hoffmann-La Roche Ltd", "Genentech", "Roche Diagnostics"],
    ),
    ("Sanofi", "pharmaceutical", "https://www.sanofi.com", ["Sanofi-Aventis", "Genzyme"]),
    ("GSK plc", "pharmaceutical", "https://www.gsk.com", ["GlaxoSmithKline", "ViiV Healthcare"]),
    ("Novo Nordisk A/S", "pharmaceutical", "https://www.novonordisk.com", []),
    ("Bayer AG", "pharmaceutical", "https://www.bayer.com", []),
    ("Boehringer Ingelheim", "pharmaceutical", "https://www.boehringer-ingelheim.com", []),
    (
        "Takeda Pharmaceutical Company Limited",
        "pharmaceutical",
        "https://www.takeda.com",
        ["Takeda", "Shire"],
    ),
    ("Astellas Pharma Inc.", "pharmaceutical", "https://www.astellas.com", ["Astellas"]),
    ("Daiichi Sankyo Company, Limited", "pharmaceutical", "https://www.daiichisankyo.com", []),
    ("Eisai Co., Ltd.", "pharmaceutical", "https://www.eisai.com", []),
    ("Otsuka Pharmaceutical Co., Ltd.", "pharmaceutical", "https://www.otsuka.co.jp", []),
    ("Biogen Inc.", "pharmaceutical", "https://www.biogen.com", []),
    (
        "Regeneron Pharmaceuticals, Inc.",
        "pharmaceutical",
        "https://www.regeneron.com",
        ["Regeneron"],
    ),
    ("Vertex Pharmaceuticals Incorporated", "pharmaceutical", "https://www.vrtx.com", []),
    ("Alnylam Pharmaceuticals, Inc.", "pharmaceutical", "https://www.alnylam.com", ["Alnylam"]),
    ("Incyte Corporation", "pharmaceutical", "https://www.incyte.com", []),
    (
        "Teva Pharmaceutical Industries Ltd.",
        "pharmaceutical",
        "https://www.tevapharm.com",
        ["Teva"],
    ),
    ("Viatris Inc.", "pharmaceutical", "https://www.viatris.com", ["Mylan"]),
    ("Moderna, Inc.", "pharmaceutical", "https://www.modernatx.com", []),
    ("BioNTech SE", "pharmaceutical", "https://www.biontech.com", []),
    ("CSL Limited", "pharmaceutical", "https://www.csl.com", ["CSL Behring", "CSL Seqirus"]),
    ("UCB S.A.", "pharmaceutical", "https://www.ucb.com", []),
    ("Jazz Pharmaceuticals plc", "pharmaceutical", "https://www.jazzpharma.com", []),
    # Medical device and equipment manufacturers
    ("Medtronic plc", "device", "https://www.medtronic.com", ["Covidien"]),
    ("Abbott Laboratories", "device", "https://www.abbott.com", ["Abbott", "St. Jude Medical"]),
    ("Boston Scientific Corporation", "device", "https://www.bostonscientific.com", []),
    ("Stryker Corporation", "device", "https://www.stryker.com", []),
    ("Becton, Dickinson and Company", "device", "https://www.bd.com", ["BD", "C. R. Bard"]),
    ("Baxter International Inc.", "device", "https://www.baxter.com", ["Baxter"]),
    (
        "Zimmer Biomet Holdings, Inc.",
        "device",
        "https://www.zimmerbiomet.com",
        ["Zimmer", "Biomet"],
    ),
    ("Edwards Lifesciences Corporation", "device", "https://www.edwards.com", []),
    ("Intuitive Surgical, Inc.", "device", "https://www.intuitive.com", ["Intuitive"]),
    ("Siemens Healthineers AG", "device", "https://www.siemens-healthineers.com", []),
    (
        "GE HealthCare Technologies Inc.",
        "device",
        "https://www.gehealthcare.com",
        ["GE HealthCare"],
    ),
    ("Koninklijke Philips N.V.", "device", "https://www.philips.com", ["Philips"]),
    ("Dexcom, Inc.", "device", "https://www.dexcom.com", []),
    ("Insulet Corporation", "device", "https://www.insulet.com", []),
    ("ResMed Inc.", "device", "https://www.resmed.com", []),
    ("Hologic, Inc.", "device", "https://www.hologic.com", []),
    ("Teleflex Incorporated", "device", "https://www.teleflex.com", []),
    ("Olympus Corporation", "device", "https://www.olympus-global.com", []),
    ("Smith & Nephew plc", "device", "https://www.smith-nephew.com", ["Smith+Nephew"]),
    # Distributors of healthcare products
    ("McKesson Corporation", "distributor", "https://www.mckesson.com", []),
    ("Cencora, Inc.", "distributor", "https://www.cencora.com", ["AmerisourceBergen"]),
    ("Cardinal Health, Inc.", "distributor", "https://www.cardinalhealth.com", []),
    ("Henry Schein, Inc.", "distributor", "https://www.henryschein.com", []),
    ("Owens & Minor, Inc.", "distributor", "https://www.owens-minor.com", []),
    ("Medline Industries, LP", "distributor", "https://www.medline.com", ["Medline"]),
    # Pharmacy benefit managers
    ("CVS Caremark", "pbm", "https://www.caremark.com", ["Caremark"]),
    ("Express Scripts", "pbm", "https://www.express-scripts.com", []),
    ("Optum Rx", "pbm", "https://www.optumrx.com", ["OptumRx"]),
    # Dietary supplements
    ("Herbalife Ltd.", "supplement", "https://www.herbalife.com", ["Herbalife Nutrition"]),
    ("Pharmavite LLC", "supplement", "https://www.pharmavite.com", []),
    ("Amway Corp.", "supplement", "https://www.amway.com", ["Nutrilite"]),
    ("GNC", "supplement", "https://www.gnc.com", ["General Nutrition Centers"]),
    # Laboratories with proprietary tests
    (
        "Exact Sciences Corporation",
        "laboratory",
        "https://www.exactsciences.com",
        ["Genomic Health"],
    ),
    ("Myriad Genetics, Inc.", "laboratory", "https://www.myriad.com", ["Myriad"]),
    ("Guardant Health, Inc.", "laboratory", "https://www.guardanthealth.com", ["Guardant"]),
    ("Natera, Inc.", "laboratory", "https://www.natera.com", []),
    ("Foundation Medicine, Inc.", "laboratory", "https://www.foundationmedicine.com", []),
]


def seed(apps, schema_editor):
    Company = apps.get_model("integrity", "IneligibleCompany")
    Alias = apps.get_model("integrity", "CompanyAlias")
    taken = set(Company.objects.values_list("key", flat=True))
    taken |= set(Alias.objects.values_list("key", flat=True))
    for name, kind, website, aliases in COMPANIES:
        key = normalize(name)
        if key in taken:
            # Already there (added by hand before this migration ran): keep theirs.
            continue
        taken.add(key)
        company = Company.objects.create(name=name, key=key, kind=kind, website=website)
        for alias in aliases:
            alias_key = normalize(alias)
            if alias_key not in taken:
                taken.add(alias_key)
                Alias.objects.create(company=company, name=alias, key=alias_key)


def unseed(apps, schema_editor):
    Company = apps.get_model("integrity", "IneligibleCompany")
    keys = [normalize(name) for name, _kind, _website, _aliases in COMPANIES]
    # Companies named in a disclosure stay: the disclosures must keep their meaning.
    Company.objects.filter(key__in=keys, relationships__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("integrity", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
