"""The integrity app's models, one module per concern."""

from cmeconf.integrity.models.consent import SharingConsent
from cmeconf.integrity.models.disclosure import (
    CompanyAlias,
    Disclosure,
    DisclosureReminder,
    FinancialRelationship,
    IneligibleCompany,
    LearnerDisclosureVersion,
    Mitigation,
    OwnerEmployeeException,
    RelevanceDecision,
)
from cmeconf.integrity.models.support import CommercialSupporter, LedgerEntry, SupportAgreement

__all__ = [
    "CommercialSupporter",
    "CompanyAlias",
    "Disclosure",
    "DisclosureReminder",
    "FinancialRelationship",
    "IneligibleCompany",
    "LearnerDisclosureVersion",
    "LedgerEntry",
    "Mitigation",
    "OwnerEmployeeException",
    "RelevanceDecision",
    "SharingConsent",
    "SupportAgreement",
]
