"""The demo physician's licences and outside credit, so the licensure dashboard shows real gaps.

A California and a Texas licence, both due after the annual meeting, and a few
credits from elsewhere: some count, one is too old, one is of a kind neither board
accepts. The meeting's sessions on ethics, pain management and end-of-life care
then fill some of the gaps.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cmeconf.accounts.models import User
from cmeconf.licensure import services
from cmeconf.licensure.models import BoardCertification, Licence


def add(physician: User, *, meeting_starts: dt.date) -> int:
    """Licences, a board certification and credits for the demo physician; returns the credits."""
    today = timezone.localdate()
    Licence.objects.create(
        person=physician,
        requirement_set="US-CA-MD",
        license_type="MD",
        number="A 98765",
        issued_on=dt.date(2009, 7, 1),
        birth_month=9,
        birth_day=14,
        specialties=["internal medicine"],
        conditions=["direct_patient_care", "dea_registration"],
    )
    Licence.objects.create(
        person=physician,
        requirement_set="US-TX-MD-DO",
        license_type="MD",
        number="Q4411",
        issued_on=dt.date(2015, 2, 1),
        # Board-assigned: a few months after the meeting, so its sessions still count.
        expires_on=meeting_starts + dt.timedelta(days=140),
        specialties=["internal medicine"],
        conditions=["direct_patient_care"],
    )
    BoardCertification.objects.create(
        person=physician,
        board="ABIM",
        specialty="Internal Medicine",
        certificate_number="246810",
        certified_on=dt.date(2012, 8, 20),
        in_moc=True,
    )
    credits = [
        ("Heart Failure Update", "Midwest Cardiology Society", 40, {"AMA_PRA_1": "8"}, []),
        ("Sepsis Bundle Review", "St. Luke's Hospital", 75, {"AMA_PRA_1": "4"}, ["patient_safety"]),
        (
            "Safe Opioid Prescribing Online",
            "Pain Medicine Academy",
            120,
            {"AMA_PRA_1": "2", "AOA_2A": "2"},
            ["opioid_prescribing", "pain_management"],
        ),
        ("Hospital Grand Rounds (series)", "St. Luke's Hospital", 30, {"AMA_PRA_2": "6"}, []),
        ("Diabetes Technology Course", "Endocrine Institute", 1200, {"AMA_PRA_1": "10"}, []),
    ]
    for title, provider, days_ago, amounts, topics in credits:
        services.add_credit(
            physician,
            title=title,
            provider_name=provider,
            completed_on=today - dt.timedelta(days=days_ago),
            amounts=amounts,
            topics=topics,
        )
    return len(credits)
