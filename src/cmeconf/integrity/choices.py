"""Vocabularies of the ACCME Standards for Integrity and Independence (2020).

Source keys in brackets refer to the references of the accreditation rules
(docs/users/integrity.md lists them): [A2] ineligible companies, [A5] natures
of financial relationships, [A6][A7b] owners and employees and their exceptions.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

# The standard's own definition [A2], shown wherever people choose a company.
INELIGIBLE_COMPANY_DEFINITION = _(
    "An ineligible company is one whose primary business is producing, marketing, selling, "
    "re-selling, or distributing healthcare products used by or on patients."
)


class CompanyKind(models.TextChoices):
    """Kinds of business the standard names as ineligible [A2]."""

    PHARMACEUTICAL = "pharmaceutical", _("Pharmaceutical or biotechnology company")
    DEVICE = "device", _("Medical device or equipment manufacturer")
    DISTRIBUTOR = "distributor", _("Distributor of healthcare products")
    PBM = "pbm", _("Pharmacy benefit manager")
    SUPPLEMENT = "supplement", _("Manufacturer or seller of dietary supplements")
    LABORATORY = "laboratory", _("Laboratory or compounding pharmacy with proprietary products")
    DEVELOPMENT = "development", _("Company with products in regulatory approval")
    AGENCY = "agency", _("Advertising or marketing agency of an ineligible company")
    OTHER = "other", _("Other producer or seller of healthcare products")


class RelationshipNature(models.TextChoices):
    """Natures of financial relationships the standard lists [A5]."""

    EMPLOYEE = "employee", _("Employee")
    RESEARCHER = (
        "researcher",
        _("Researcher (including research funding as principal investigator)"),
    )
    CONSULTANT = "consultant", _("Consultant")
    ADVISOR = "advisor", _("Advisor (advisory board)")
    SPEAKER = "speaker", _("Speaker (speakers' bureau)")
    CONTRACTOR = "contractor", _("Independent contractor (including contracted research)")
    ROYALTIES = "royalties", _("Royalties or patent beneficiary")
    EXECUTIVE = "executive", _("Executive role")
    OWNER = "owner", _("Owner (ownership interest other than publicly traded stock)")
    STOCK = "stock", _("Individual stocks or stock options")
    OTHER = "other", _("Other financial relationship")


# Owners and employees are excluded from controlling content [A6][A7b]; an executive
# role is employment by another name. Royalty and patent beneficiaries are not owners
# or employees [A10]; publicly traded stock makes no one an owner (derived from [A5]:
# individual stocks are disclosed as such).
OWNER_EMPLOYEE_NATURES = frozenset(
    {RelationshipNature.EMPLOYEE, RelationshipNature.EXECUTIVE, RelationshipNature.OWNER}
)


class ExclusionException(models.TextChoices):
    """The three exceptions to the exclusion of owners and employees [A6][A7b]."""

    UNRELATED = (
        "unrelated",
        _("The content is not related to the business lines or products of the employer"),
    )
    BASIC_SCIENCE = (
        "basic_science",
        _(
            "Basic science, pre-clinical research, drug discovery or research methods, "
            "with no recommendations on patient care"
        ),
    )
    DEVICE_TECHNICIAN = (
        "device_technician",
        _(
            "Teaching the safe and proper use of a device, without recommending whether or "
            "when to use it"
        ),
    )


class DisclosureState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    REFUSED = "refused", _("Refused to disclose")


class MitigationMethod(models.TextChoices):
    """Ways to mitigate a relevant relationship, by role [A7]; "change of role" from the issue."""

    DIVEST = "divest", _("Divested the relationship")
    RECUSE = "recuse", _("Recused from planning decisions about the related content")
    PEER_REVIEW_PLANNING = "peer_review_planning", _("Peer review of planning decisions")
    PEER_REVIEW_CONTENT = "peer_review_content", _("Peer review of the content")
    ATTEST = (
        "attest",
        _("Attested that recommendations are evidence-based and free of commercial bias"),
    )
    CHANGE_ROLE = "change_role", _("Changed role so as not to control the related content")
    OTHER = "other", _("Other method (described)")


# Methods that need the name of a peer and the date of the review, to be verifiable.
PEER_REVIEW_METHODS = frozenset(
    {MitigationMethod.PEER_REVIEW_PLANNING, MitigationMethod.PEER_REVIEW_CONTENT}
)


class SupportKind(models.TextChoices):
    """Commercial support is money or goods and services [A11][A22]."""

    CASH = "cash", _("Cash (monetary)")
    IN_KIND = "in_kind", _("In kind (equipment, supplies, services)")


class LedgerEntryKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    EXPENSE = "expense", _("Expense")


class ExpenseCategory(models.TextChoices):
    """What commercial support paid for. Learner categories are forbidden [A11]."""

    FACULTY_HONORARIA = "faculty_honoraria", _("Faculty honoraria")
    FACULTY_TRAVEL = "faculty_travel", _("Faculty travel and lodging")
    VENUE = "venue", _("Venue and rooms")
    AUDIOVISUAL = "audiovisual", _("Audiovisual and streaming")
    CATERING = "catering", _("Catering")
    MATERIALS = "materials", _("Educational materials")
    STAFF = "staff", _("Provider staff and management")
    LEARNER_FEES = "learner_fees", _("Lower registration fees for all learners")
    OTHER = "other", _("Other")
    LEARNER_TRAVEL = "learner_travel", _("Learners' travel")
    LEARNER_LODGING = "learner_lodging", _("Learners' lodging")
    LEARNER_HONORARIA = "learner_honoraria", _("Learners' honoraria")
    LEARNER_PERSONAL = "learner_personal", _("Learners' personal expenses")


# Commercial support may not pay learners' travel, lodging, honoraria or personal
# expenses; it may lower the cost for all learners [A11].
FORBIDDEN_SUPPORT_EXPENSES = frozenset(
    {
        ExpenseCategory.LEARNER_TRAVEL,
        ExpenseCategory.LEARNER_LODGING,
        ExpenseCategory.LEARNER_HONORARIA,
        ExpenseCategory.LEARNER_PERSONAL,
    }
)
