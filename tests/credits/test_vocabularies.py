"""One registry of credit types: registration and licensure know every code of it."""

from cmeconf.credits.types import REGISTRY
from cmeconf.licensure import vocabulary
from cmeconf.registration import identifiers


def test_registration_offers_the_registry():
    assert list(identifiers.CREDIT_TYPES) == list(REGISTRY)


def test_licensure_understands_every_credit_claimed_here():
    assert set(REGISTRY) <= set(vocabulary.CREDIT_TYPES)


def test_every_type_that_reports_to_a_third_party_asks_for_identifiers():
    for code, rule in REGISTRY.items():
        if rule.claim_needs:
            assert code in identifiers.NEEDS, code
