"""An activity with everything the reports read: accreditations, designations, claims."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.utils import timezone

from cmeconf.activities.models import PlanningRecord
from cmeconf.credits.models import Claim, CreditSetup, Designation
from cmeconf.integrity.models import CommercialSupporter, SupportAgreement
from cmeconf.providers.models import Accreditation
from cmeconf.registration.models import Registration
from tests.factories import IneligibleCompanyFactory, UserFactory
from tests.registration.factories import RegistrationTypeFactory

EVENT_DAY = dt.date(2027, 4, 14)


def moment(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


@dataclass
class World:
    activity: object
    by: object
    designations: dict = field(default_factory=dict)
    people: dict = field(default_factory=dict)
    claims: dict = field(default_factory=dict)

    def designate(self, credit_type: str, maximum: str, *, board: str = "", uan: str = ""):
        d = Designation.objects.create(
            activity=self.activity,
            credit_type=credit_type,
            board=board,
            computed_maximum=Decimal(maximum),
            computed_minutes=int(Decimal(maximum) * 60),
            maximum=Decimal(maximum),
            uan=uan,
            designated_by=self.by,
            designated_at=moment(EVENT_DAY - dt.timedelta(days=60)),
        )
        self.designations[(credit_type, board)] = d
        return d

    def register(self, person, *, identifiers: dict | None = None):
        return Registration.objects.create(
            activity=self.activity,
            person=person,
            registration_type=self._type(),
            status="confirmed",
            registered_by=person,
            identifiers=identifiers or {},
            created=moment(EVENT_DAY - dt.timedelta(days=30)),
        )

    def _type(self):
        if not hasattr(self, "_reg_type"):
            self._reg_type = RegistrationTypeFactory(activity=self.activity)
        return self._reg_type

    def claim(
        self,
        person,
        credit_type: str,
        amount: str,
        *,
        board: str = "",
        on: dt.date = EVENT_DAY,
        consent: bool = True,
        board_id: str = "",
        epid: str = "",
        birth: tuple[int, int] | None = (3, 15),
        status: str = "claimed",
    ) -> Claim:
        claim = Claim.objects.create(
            activity=self.activity,
            person=person,
            designation=self.designations[(credit_type, board)],
            credit_type=credit_type,
            board=board,
            status=status,
            measured_minutes=int(Decimal(amount) * 60),
            amount=Decimal(amount),
            attested_at=moment(on, 15),
            attestation="I claim only the credit commensurate with my participation.",
            board_id=board_id,
            nabp_eprofile_id=epid,
            birth_month=birth[0] if birth else None,
            birth_day=birth[1] if birth else None,
            consent_to_report=consent,
            created=moment(on, 15),
        )
        self.claims[(person.email, credit_type, board)] = claim
        return claim


@pytest.fixture
def world(activity, admin_user):
    """Annual Meeting 2027 of the ACP, 14-16 April 2027 in Boston, jointly provided."""
    activity.venue_address = "1 Convention Way\nBoston, MA 02210"
    activity.joint_provider = "Boston Heart Society"
    activity.target_professions = ["physician", "nurse", "pharmacist"]
    activity.save()
    Accreditation.objects.create(
        provider=activity.provider, accreditor="ACCME", identifier="0001234"
    )
    PlanningRecord.objects.update_or_create(
        activity=activity, defaults={"intended_change": ["competence", "performance"]}
    )
    CreditSetup.objects.create(
        activity=activity,
        claims_open_at=moment(EVENT_DAY),
        claims_close_at=moment(dt.date(2027, 6, 30)),
    )
    w = World(activity=activity, by=admin_user)
    w.designate("AMA_PRA_1", "15.50")
    w.designate("ABMS_MOC", "15.50", board="ABIM")
    w.designate("ACPE", "12.00", uan="0798-0000-27-001-L01-P")
    w.designate("ANCC", "15.50")
    company = IneligibleCompanyFactory(name="Acme Pharma")
    supporter = CommercialSupporter.objects.create(provider=activity.provider, company=company)
    SupportAgreement.objects.create(
        activity=activity,
        supporter=supporter,
        kind="cash",
        amount=Decimal("12500.40"),
        purpose="Education grant",
        terms="Standard terms",
        created_by=admin_user,
    )
    devices = IneligibleCompanyFactory(name="Device Co")
    SupportAgreement.objects.create(
        activity=activity,
        supporter=CommercialSupporter.objects.create(provider=activity.provider, company=devices),
        kind="in_kind",
        in_kind_description="Ultrasound machines for the workshop",
        purpose="Hands-on workshop",
        terms="Standard terms",
        created_by=admin_user,
    )
    ann = UserFactory(email="ann@example.org", first_name="Ann", last_name="Able")
    bob = UserFactory(email="bob@example.org", first_name="Bob", last_name="Baker")
    cat = UserFactory(
        email="cat@example.org", first_name="Cat", last_name="Cole", profession="nurse"
    )
    dan = UserFactory(
        email="dan@example.org", first_name="Dan", last_name="Diaz", profession="pharmacist"
    )
    eve = UserFactory(email="eve@example.org", first_name="Eve", last_name="Ellis")
    w.people = {"ann": ann, "bob": bob, "cat": cat, "dan": dan, "eve": eve}
    w.register(ann, identifiers={"licence_state": "MA", "licence_number": "MD12345"})
    w.register(bob)
    w.register(cat, identifiers={"licence_state": "FL", "licence_number": "RN998877"})
    w.register(dan)
    # eve registered nothing: a walk-in whom staff recorded; she claimed.
    w.claim(ann, "AMA_PRA_1", "15.50")
    w.claim(ann, "ABMS_MOC", "15.50", board="ABIM", board_id="123456")
    w.claim(bob, "AMA_PRA_1", "12.00", consent=False)
    w.claim(bob, "ABMS_MOC", "12.00", board="ABIM", board_id="654321", consent=False)
    w.claim(cat, "ANCC", "15.50")
    w.claim(dan, "ACPE", "12.00", epid="1234567", birth=(2, 29))
    w.claim(eve, "AMA_PRA_1", "3.00", status="withdrawn")
    return w


@pytest.fixture
def fixed_today(monkeypatch):
    """Pin "today" for the deadline checks."""

    def pin(day: dt.date, hour: int = 12):
        now = dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)
        monkeypatch.setattr(timezone, "now", lambda: now)
        return now

    return pin
