"""Commercial support (Standard 4): supporters, agreements, the ledger and the accounting."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cmeconf.api.serializers.fields import StrictInputMixin
from cmeconf.api.serializers.integrity import CompanyChoiceField, CompanyRefSerializer
from cmeconf.api.serializers.integrity_fields import NamedChoiceField, PersonNameField
from cmeconf.integrity.choices import ExpenseCategory, LedgerEntryKind, SupportKind
from cmeconf.integrity.models import CommercialSupporter, SupportAgreement
from cmeconf.integrity.support import PARTIES, agreement_status


def _amount(value) -> str | None:
    return None if value is None else f"{value:.2f}"


@extend_schema_field(
    {
        "oneOf": [{"type": "string", "pattern": r"^-?\d+(\.\d+)?$"}, {"type": "number"}],
        "description": 'An amount of money, to the cent at most: "1500.00" or 1500.',
    }
)
class MoneyInputField(serializers.Field):
    """An amount as the client sent it; the support services read it and say what is wrong.

    A string keeps the digits exactly; a JSON number is accepted too.
    """

    default_error_messages = {"invalid": _("Enter the amount as a number.")}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, str | int | float):
            self.fail("invalid")
        return data

    def to_representation(self, value) -> str | None:
        return _amount(value)


class MoneyField(serializers.DecimalField):
    """An amount as read back: a string with two decimals."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("read_only", True)
        super().__init__(max_digits=14, decimal_places=2, **kwargs)


# --- supporters --------------------------------------------------------------------------------


class SupporterSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    company = CompanyRefSerializer()
    contact_name = serializers.CharField()
    contact_email = serializers.CharField()
    created = serializers.DateTimeField()


class SupporterWriteSerializer(StrictInputMixin, serializers.Serializer):
    """A company of the registry as the provider's supporter; again: updates the contact."""

    company = CompanyChoiceField()
    contact_name = serializers.CharField(required=False, default="", allow_blank=True)
    contact_email = serializers.CharField(required=False, default="", allow_blank=True)


class SupporterRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="company.name")


# --- agreements --------------------------------------------------------------------------------


class AgreementStatusSerializer(serializers.Serializer):
    signed = serializers.BooleanField(help_text="Signed by both parties.")
    late = serializers.BooleanField(
        help_text="A signature is dated after the activity's first day [A15]."
    )
    problems = serializers.ListField(child=serializers.CharField())
    label = serializers.CharField()


class AgreementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    supporter = SupporterRefSerializer()
    reference = serializers.CharField()
    kind = NamedChoiceField(SupportKind.choices, enum_name="SupportKindEnum")
    amount = MoneyField(allow_null=True, help_text="Cash support only.")
    currency = serializers.CharField()
    in_kind_description = serializers.CharField()
    purpose = serializers.CharField()
    terms = serializers.CharField()
    joint_provider_recipient = serializers.CharField()
    joins_existing = serializers.BooleanField()
    provider_signatory = serializers.CharField()
    provider_signed_on = serializers.DateField(allow_null=True)
    supporter_signatory = serializers.CharField()
    supporter_signed_on = serializers.DateField(allow_null=True)
    status = serializers.SerializerMethodField()
    created = serializers.DateTimeField()
    updated = serializers.DateTimeField()

    @extend_schema_field(AgreementStatusSerializer)
    def get_status(self, agreement: SupportAgreement) -> dict:
        return AgreementStatusSerializer(agreement_status(agreement)).data


class AgreementWriteSerializer(StrictInputMixin, serializers.Serializer):
    """The terms of an agreement; on PATCH only the fields sent change."""

    supporter = serializers.PrimaryKeyRelatedField(
        queryset=CommercialSupporter.objects.none(),
        help_text="The id of one of the provider's supporters.",
    )
    kind = NamedChoiceField(SupportKind.choices, enum_name="SupportKindEnum")
    purpose = serializers.CharField(allow_blank=True)
    terms = serializers.CharField(allow_blank=True)
    amount = MoneyInputField(required=False, allow_null=True)
    currency = serializers.CharField(required=False, help_text="Three letters, e.g. USD.")
    in_kind_description = serializers.CharField(required=False, allow_blank=True)
    joint_provider_recipient = serializers.CharField(required=False, allow_blank=True)
    joins_existing = serializers.BooleanField(required=False)
    reference = serializers.CharField(required=False, allow_blank=True)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        activity = self.context.get("activity")
        if activity is not None:
            self.fields["supporter"].queryset = CommercialSupporter.objects.filter(
                provider_id=activity.provider_id
            ).select_related("company")


class SignatureSerializer(StrictInputMixin, serializers.Serializer):
    """One party's signature of the agreement [A15]."""

    party = NamedChoiceField([(p, p) for p in PARTIES], enum_name="SigningPartyEnum")
    signatory = serializers.CharField(allow_blank=True, help_text="Who signed for that party.")
    signed_on = serializers.DateField(help_text="Not in the future.")


# --- ledger ------------------------------------------------------------------------------------


class LedgerEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = NamedChoiceField(LedgerEntryKind.choices, enum_name="LedgerEntryKindEnum")
    date = serializers.DateField()
    amount = MoneyField()
    agreement = serializers.IntegerField(source="agreement_id", allow_null=True)
    supporter = serializers.SerializerMethodField()
    category = serializers.CharField(help_text="What an expense paid for; empty for receipts.")
    payee = serializers.CharField()
    description = serializers.CharField()
    recorded_by = PersonNameField()
    recorded_at = serializers.DateTimeField()
    voided = serializers.SerializerMethodField(help_text="Voided entries count in no total.")
    voided_at = serializers.DateTimeField(allow_null=True)
    voided_by = PersonNameField()
    void_reason = serializers.CharField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_supporter(self, entry) -> str | None:
        return entry.agreement.supporter.company.name if entry.agreement_id else None

    @extend_schema_field(serializers.BooleanField())
    def get_voided(self, entry) -> bool:
        return entry.voided_at is not None


class LedgerWriteSerializer(StrictInputMixin, serializers.Serializer):
    """A receipt from a supporter or an expense paid from commercial support [A11]."""

    kind = NamedChoiceField(LedgerEntryKind.choices, enum_name="LedgerEntryKindEnum")
    date = serializers.DateField()
    amount = MoneyInputField()
    agreement = serializers.PrimaryKeyRelatedField(
        queryset=SupportAgreement.objects.none(),
        required=False,
        allow_null=True,
        default=None,
        help_text="The agreement the money came in under or is spent from.",
    )
    category = NamedChoiceField(
        ExpenseCategory.choices,
        enum_name="ExpenseCategoryEnum",
        required=False,
        allow_blank=True,
        default="",
        help_text="What an expense paid for. Learners' travel, lodging, honoraria and personal "
        "expenses are refused [A11].",
    )
    payee = serializers.CharField(required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        activity = self.context.get("activity")
        if activity is not None:
            # Another activity's agreement reaches the service, which says why it refuses it.
            self.fields["agreement"].queryset = SupportAgreement.objects.filter(
                activity__provider_id=activity.provider_id
            )


class VoidSerializer(StrictInputMixin, serializers.Serializer):
    """Why a ledger entry is voided; it stays in the ledger."""

    reason = serializers.CharField(allow_blank=True, help_text="Why the entry is voided.")


# --- the accounting report ---------------------------------------------------------------------


class CategoryAmountSerializer(serializers.Serializer):
    category = serializers.CharField()
    label = serializers.CharField()
    amount = MoneyField()


class AgreementAccountSerializer(serializers.Serializer):
    agreement = serializers.IntegerField(source="agreement.pk")
    supporter = serializers.CharField()
    reference = serializers.CharField(source="agreement.reference")
    kind = NamedChoiceField(SupportKind.choices, enum_name="SupportKindEnum")
    committed = MoneyField(allow_null=True)
    received = MoneyField()
    spent = MoneyField()
    spent_by_category = CategoryAmountSerializer(many=True)
    balance = MoneyField()
    status = AgreementStatusSerializer()


class InKindItemSerializer(serializers.Serializer):
    supporter = serializers.CharField()
    description = serializers.CharField()
    status = AgreementStatusSerializer()


class AccountingReportSerializer(serializers.Serializer):
    """Committed, received, spent and the balance per agreement and in all [A11]; in-kind
    support by its nature, without a dollar estimate [A22]."""

    currency = serializers.CharField()
    committed = MoneyField()
    received = MoneyField()
    spent = MoneyField()
    balance = MoneyField()
    spent_by_category = CategoryAmountSerializer(many=True)
    unallocated_spent = MoneyField(help_text="Expenses that name no agreement.")
    unallocated_by_category = CategoryAmountSerializer(many=True)
    agreements = AgreementAccountSerializer(many=True)
    in_kind = InKindItemSerializer(many=True)
    problems = serializers.ListField(child=serializers.CharField())
