"""Who may call each endpoint of this part of the API; rows join the coverage check.

Credit: the provider's credit types (credit for all activities), an activity's credit and
claims (read: credit or reports; change: credit), the learner's own claim, transcript and
certificates. The world of tests/api/test_permissions.py, plus designations and claims on
each activity, including the other provider's.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from tests.api import test_permissions as base
from tests.api.test_permissions import (
    PERMS,
    everyone,
    policy,
    public_read,
    some_write,
)

A = base.A  # hidden (draft)
P = base.P  # published
READ = ("credit", "reports")
MY = everyone(200) | {"anonymous": 401}
NOT_MINE = everyone(404) | {"anonymous": 401}
# The provider's settings: teams with credit for all activities; other members 403.
PROVIDER_CREDIT = policy(allowed=200, anonymous=401, outsiders=404, lacking=403,
                         perms=("credit",)) | {"limited": 403}  # fmt: skip
# A learner's claim page exists only on a public activity.
DRAFT_CLAIM = everyone(404) | {"anonymous": 401}


def hidden_read(*perms) -> dict:
    return policy(allowed=200, anonymous=404, outsiders=404, lacking=403, perms=perms)


# (method, url, body, {person: expected status}); see tests/api/test_permissions.py.
MATRIX: list = [
    ("get", "/api/v1/providers/acp/credit-types/", None, PROVIDER_CREDIT),
    ("put", "/api/v1/providers/acp/credit-types/PARTICIPATION/", {"enabled": True},
     PROVIDER_CREDIT),
    ("patch", "/api/v1/providers/acp/credit-types/PARTICIPATION/", {"identifier": "P-1"},
     PROVIDER_CREDIT),
    ("get", "/api/v1/providers/bsoc/credit-types/", None,
     everyone(404) | {"anonymous": 401, "other_admin": 200}),
    # A hidden activity.
    ("get", f"{A}/credit/", None, hidden_read(*READ)),
    ("put", f"{A}/credit/window/", {}, some_write(200, "credit")),
    ("post", f"{A}/designations/", {"credit_type": "ABMS_MOC", "board": "ABIM"},
     some_write(201, "credit")),
    ("patch", f"{A}/designations/{{designation}}/", {"approval_pending": False},
     some_write(200, "credit")),
    ("delete", f"{A}/designations/{{spare_designation}}/?reason=Not+needed", None,
     some_write(204, "credit")),
    ("post", f"{A}/designations/recompute/", None, some_write(200, "credit")),
    ("get", f"{A}/claims/", None, hidden_read(*READ)),
    ("get", f"{A}/claims/{{claim}}/", None, hidden_read(*READ)),
    # No attendance behind the claim: the service refuses the amount, after the check of who.
    ("post", f"{A}/claims/{{claim}}/correct/", {"amount": "1.00", "reason": "Typo."},
     some_write(400, "credit")),
    ("post", f"{A}/claims/{{claim}}/recompute/", {"reason": "Late report."},
     some_write(400, "credit")),
    ("post", f"{A}/claims/{{claim}}/withdraw/", {"reason": "Duplicate."},
     some_write(200, "credit")),
    ("get", f"{A}/me/claim/", None, DRAFT_CLAIM),
    ("post", f"{A}/me/claim/", {"choices": [], "attest": True}, DRAFT_CLAIM),
    # A published activity: its credit records stay with its teams.
    ("get", f"{P}/credit/", None, public_read(*READ)),
    ("put", f"{P}/credit/window/", {}, some_write(200, "credit", hidden=False)),
    ("get", f"{P}/claims/", None, public_read(*READ)),
    ("get", f"{P}/claims/{{p_claim}}/", None, public_read(*READ)),
    ("post", f"{P}/claims/{{p_claim}}/withdraw/", {"reason": "Duplicate."},
     some_write(200, "credit", hidden=False)),
    # The learner's own claim: everyone signed in sees their options; nobody is registered
    # and claiming has not opened, so a claim is refused with the reasons.
    ("get", f"{P}/me/claim/", None, MY),
    ("post", f"{P}/me/claim/", {"choices": [], "attest": True},
     everyone(400) | {"anonymous": 401}),
    ("post", f"{P}/me/claims/{{p_claim}}/withdraw/", None, NOT_MINE | {"learner": 200}),
    # The other provider's records through this provider's URLs: never found.
    ("get", f"{P}/claims/{{b_claim}}/", None,
     policy(allowed=404, anonymous=401, outsiders=403, lacking=403, perms=READ)),
    ("patch", f"{P}/designations/{{b_designation}}/", {"approval_pending": False},
     some_write(404, "credit", hidden=False)),
    ("post", f"{P}/me/claims/{{b_claim}}/withdraw/", None, NOT_MINE),
    # Your own records.
    ("get", "/api/v1/me/transcript/", None, MY),
    ("get", "/api/v1/me/certificates/", None, MY),
]  # fmt: skip

world = base.world


@pytest.fixture
def credit_world(world):
    """AMA and MOC switched on for both providers, an AMA designation and a claim on each
    activity."""
    from cmeconf.activities.models import Activity
    from cmeconf.credits import designation as designations
    from cmeconf.credits.models import Claim, ClaimStatus
    from cmeconf.providers.models import Provider
    from tests.credits.designation_fixtures import accredit, switch_on
    from tests.factories import UserFactory

    people, ids = world
    ids = dict(ids)
    for slug in ("acp", "bsoc"):
        provider = Provider.objects.get(slug=slug)
        accredit(provider)
        switch_on(provider)  # AMA
        switch_on(provider, "ABMS_MOC")
    for prefix, provider, slug in (("", "acp", "draft-2027"), ("p_", "acp", "annual-2027"),
                                   ("b_", "bsoc", "annual-2027")):  # fmt: skip
        activity = Activity.objects.select_related("provider").get(
            provider__slug=provider, slug=slug
        )
        by = people["other_admin" if provider == "bsoc" else "credit"]
        designation = designations.designate(activity, "AMA_PRA_1", by=by)
        person = people["learner"] if prefix == "p_" else UserFactory()
        now = timezone.now()
        claim = Claim.objects.create(
            activity=activity, person=person, designation=designation,
            credit_type="AMA_PRA_1", status=ClaimStatus.CLAIMED, measured_minutes=60,
            amount=Decimal("1.00"), sessions={}, attested_at=now, attestation="I attest.",
            created=now,
        )  # fmt: skip
        ids |= {f"{prefix}designation": designation.pk, f"{prefix}claim": claim.pk}
        if prefix == "":
            ids["spare_designation"] = _spare(activity, by)
    return people, ids


def _spare(activity, by) -> int:
    """A designation nobody claimed, for the withdrawal row (a type the matrix does not POST)."""
    from cmeconf.credits.models import Designation

    return Designation.objects.create(
        activity=activity, credit_type="AOA_1A", computed_maximum=Decimal("1.00"),
        computed_minutes=60, maximum=Decimal("1.00"), designated_by=by,
        designated_at=timezone.now(),
    ).pk  # fmt: skip


@pytest.mark.parametrize(
    ("method", "url", "body", "expected"),
    [pytest.param(*row, id=f"{row[0]}-{row[1]}") for row in MATRIX],
)
def test_credit_permission_matrix(credit_world, method, url, body, expected):
    base.test_permission_matrix(credit_world, method, url, body, expected)


def test_every_person_of_the_matrix_is_named():
    for _method, _url, _body, expected in MATRIX:
        assert set(expected) == {"anonymous", "learner", "other_admin", "limited", *PERMS}
