"""The shared topic vocabulary: the subjects licensing boards mandate, and common clinical areas."""

from django.db import migrations

TOPICS = [
    ("pain-management-opioids", "Pain management and opioid prescribing"),
    ("substance-use-disorders", "Substance use disorders"),
    ("implicit-bias", "Implicit bias"),
    ("cultural-competency", "Cultural and linguistic competency"),
    ("medical-errors", "Prevention of medical errors"),
    ("patient-safety", "Patient safety"),
    ("risk-management", "Risk management"),
    ("domestic-violence", "Domestic violence"),
    ("human-trafficking", "Human trafficking"),
    ("child-abuse", "Child abuse recognition and reporting"),
    ("elder-abuse", "Elder abuse"),
    ("end-of-life-care", "End-of-life and palliative care"),
    ("hiv-aids", "HIV/AIDS"),
    ("infection-control", "Infection control"),
    ("suicide-prevention", "Suicide prevention"),
    ("ethics", "Medical ethics and professionalism"),
    ("alzheimers-dementia", "Alzheimer's disease and dementia"),
    ("geriatrics", "Geriatric medicine"),
    ("controlled-substances", "Controlled substance prescribing"),
    ("laws-and-rules", "Laws and rules of practice"),
    ("cardiology", "Cardiovascular disease"),
    ("oncology", "Oncology"),
    ("diabetes", "Diabetes and endocrinology"),
    ("infectious-disease", "Infectious disease"),
    ("pulmonology", "Pulmonary and critical care"),
    ("nephrology", "Kidney disease"),
    ("neurology", "Neurology"),
    ("mental-health", "Mental health"),
    ("pediatrics", "Pediatrics"),
    ("womens-health", "Women's health"),
    ("quality-improvement", "Quality improvement"),
    ("telehealth", "Telehealth"),
    ("health-equity", "Health equity"),
    ("artificial-intelligence", "Artificial intelligence in medicine"),
]


def forward(apps, schema_editor):
    Topic = apps.get_model("activities", "Topic")
    for slug, name in TOPICS:
        Topic.objects.get_or_create(provider=None, slug=slug, defaults={"name": name})


def backward(apps, schema_editor):
    Topic = apps.get_model("activities", "Topic")
    Topic.objects.filter(provider=None, slug__in=[s for s, _ in TOPICS]).delete()


class Migration(migrations.Migration):
    dependencies = [("activities", "0002_initial")]

    operations = [migrations.RunPython(forward, backward)]
