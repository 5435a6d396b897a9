"""Rules about people: identifiers and professions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Profession(models.TextChoices):
    PHYSICIAN = "physician", _("Physician")
    NURSE = "nurse", _("Nurse")
    PHARMACIST = "pharmacist", _("Pharmacist")
    PHARMACY_TECHNICIAN = "pharmacy_technician", _("Pharmacy technician")
    PHYSICIAN_ASSISTANT = "physician_assistant", _("Physician assistant")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    OTHER = "other", _("Other")


# Common post-nominal credentials, offered as suggestions; people may write others.
CREDENTIALS = (
    "MD",
    "DO",
    "MBBS",
    "PhD",
    "RN",
    "BSN",
    "MSN",
    "NP",
    "APRN",
    "CRNA",
    "PharmD",
    "RPh",
    "CPhT",
    "PA-C",
    "PsyD",
    "LCSW",
    "MPH",
    "FACP",
    "FACC",
    "FAAP",
)

SPECIALTIES = (
    "Allergy and Immunology",
    "Anesthesiology",
    "Cardiology",
    "Critical Care Medicine",
    "Dermatology",
    "Emergency Medicine",
    "Endocrinology",
    "Family Medicine",
    "Gastroenterology",
    "Geriatric Medicine",
    "Hematology",
    "Hospital Medicine",
    "Infectious Disease",
    "Internal Medicine",
    "Nephrology",
    "Neurology",
    "Obstetrics and Gynecology",
    "Oncology",
    "Ophthalmology",
    "Orthopaedic Surgery",
    "Otolaryngology",
    "Pain Medicine",
    "Pathology",
    "Pediatrics",
    "Physical Medicine and Rehabilitation",
    "Psychiatry",
    "Pulmonary Medicine",
    "Radiology",
    "Rheumatology",
    "General Surgery",
    "Urology",
    "Pharmacy Practice",
    "Nursing Practice",
    "Other",
)


def npi_is_valid(npi: str) -> bool:
    """A US National Provider Identifier: 10 digits with a Luhn check digit.

    The check runs over the digits prefixed by 80840, as CMS specifies
    ("Requirements for NPI Check Digit", CMS, 2005).
    """
    if len(npi) != 10 or not npi.isdigit():
        return False
    digits = [int(c) for c in "80840" + npi]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0
