"""Commercial support for the demo meeting: a cash grant and in-kind equipment.

Both agreements are signed by the provider and the supporter well before the
meeting, as Standard 4 expects, and the ledger shows the grant received and how
it was spent, none of it on learners' travel or lodging [A11][A15].
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from cmeconf.accounts.models import User
from cmeconf.activities.models import Activity
from cmeconf.integrity import companies, consent, support
from cmeconf.integrity.choices import ExpenseCategory, LedgerEntryKind, SupportKind
from cmeconf.integrity.models import SharingConsent

GRANT = Decimal("25000.00")
EXPENSES = (
    # (days before today or the meeting, whichever is earlier; category, payee, what, amount)
    (40, ExpenseCategory.AUDIOVISUAL, "Lakeside AV Services", "Session recording and streaming",
     Decimal("12400.00")),
    (30, ExpenseCategory.FACULTY_TRAVEL, "Faculty travel (12 speakers)", "Economy airfare",
     Decimal("8150.00")),
    (20, ExpenseCategory.LEARNER_FEES, "ACCP registration", "Lower fee for all learners",
     Decimal("4000.00")),
)  # fmt: skip


def add(activity: Activity, logins: dict[str, User]) -> None:
    planner = logins["planner"]
    director = logins["director"]
    start = activity.start_date
    today = timezone.localdate()

    def before(days: int) -> dt.date:
        # Signatures and payments lie in the past, whenever the demo is built.
        return min(start, today) - dt.timedelta(days=days)

    grant_company = companies.find_company("Medtronic")
    kind_company = companies.find_company("GE HealthCare")
    if grant_company is None or kind_company is None:
        return  # the registry was emptied by an import: no supporters to show
    grant = support.create_agreement(
        activity,
        by=planner,
        supporter=support.add_supporter(
            activity.provider,
            company=grant_company,
            by=planner,
            contact_name="Medical Education Grants Office",
            contact_email="grants@medtronic.example",
        ),
        kind=SupportKind.CASH,
        amount=GRANT,
        reference="MDT-2027-0142",
        purpose="Independent educational grant for the annual scientific meeting.",
        terms=(
            "The provider alone selects content, faculty and educational methods. The grant "
            "pays for education-related costs only; it never pays learners' travel, lodging, "
            "honoraria or personal expenses. The provider reports how the grant was spent."
        ),
    )
    equipment = support.create_agreement(
        activity,
        by=planner,
        supporter=support.add_supporter(
            activity.provider,
            company=kind_company,
            by=planner,
            contact_name="Education Loan Program",
            contact_email="education@gehealthcare.example",
        ),
        kind=SupportKind.IN_KIND,
        in_kind_description="Loan of 12 point-of-care ultrasound systems for the workshops",
        reference="GEHC-EDU-2027-07",
        purpose="Equipment for the hands-on point-of-care ultrasound workshops.",
        terms=(
            "The equipment is used for hands-on practice only; no product promotion in the "
            "workshops. The supporter has no say in the content or the faculty."
        ),
    )
    for agreement, days in ((grant, 120), (equipment, 90)):
        signed = before(days)
        support.sign_agreement(
            agreement,
            by=director,
            party="provider",
            signatory=f"{director.display_name}, Director of CME",
            signed_on=signed,
        )
        support.sign_agreement(
            agreement,
            by=planner,
            party="supporter",
            signatory=agreement.supporter.contact_name,
            signed_on=signed + dt.timedelta(days=3),
        )
    support.record_entry(
        activity,
        by=director,
        kind=LedgerEntryKind.RECEIPT,
        date=before(60),
        amount=GRANT,
        agreement=grant,
        payee=grant.supporter.company.name,
        description="Grant payment received",
    )
    for days, category, payee, description, amount in EXPENSES:
        support.record_entry(
            activity,
            by=director,
            kind=LedgerEntryKind.EXPENSE,
            date=before(days),
            amount=amount,
            agreement=grant,
            category=category,
            payee=payee,
            description=description,
        )


CONSENTING_SHARE = 0.3


def consents(rng, activity: Activity, physician: User, learners: list[User]) -> int:
    """Some learners agree to share their details with the companies; most do not [A4]."""
    consent.give_consent(physician, activity, source="registration")
    wording = consent.consent_wording(activity)
    now = timezone.now()
    rows = [
        SharingConsent(
            person=learner, activity=activity, wording=wording, source="registration", given_at=now
        )
        for learner in learners
        if rng.random() < CONSENTING_SHARE
    ]
    SharingConsent.objects.bulk_create(rows, batch_size=500)
    return len(rows) + 1
