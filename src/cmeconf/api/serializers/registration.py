"""Registration: the options learners choose from, registrations, sign-ups, staff set-up.

Reading serializers take what the views computed (prices, seats, amounts paid); writing
ones only shape the input, and registration.services and registration.setup say what is
wrong with it.
"""

from __future__ import annotations

from rest_framework import serializers

from cmeconf.accounts.rules import Profession
from cmeconf.api.serializers.fields import ActivityDateTimeField, StrictInputMixin
from cmeconf.api.serializers.integrity_fields import NamedChoiceField, PersonNameField
from cmeconf.registration.choices import (
    AttendanceMode,
    PaymentMethod,
    PaymentStatus,
    QuestionKind,
    QuestionPurpose,
    RegistrationStatus,
    SignupStatus,
)
from cmeconf.registration.identifiers import IDENTIFIERS, credit_type_choices
from cmeconf.registration.models import RegistrationType
from cmeconf.registration.services import MANUAL_METHODS


def _status(choices, enum_name: str, **kwargs) -> NamedChoiceField:
    return NamedChoiceField(choices, enum_name=enum_name, **kwargs)


class MoneyField(serializers.DecimalField):
    """An amount as read back: a string with two decimals."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("read_only", True)
        super().__init__(max_digits=12, decimal_places=2, **kwargs)


def money_input(**kwargs) -> serializers.DecimalField:
    """An amount sent by the client: a number or a string, to the cent at most."""
    return serializers.DecimalField(max_digits=10, decimal_places=2, **kwargs)


# --- the options: what a learner chooses from ---------------------------------------------------


class TierRefSerializer(serializers.Serializer):
    label = serializers.CharField()
    amount = MoneyField()
    available_until = ActivityDateTimeField(allow_null=True)


class OptionTypeSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Send this as registration_type to register.")
    name = serializers.CharField()
    description = serializers.CharField()
    mode = _status(AttendanceMode.choices, "AttendanceModeEnum")
    professions = serializers.ListField(
        child=serializers.ChoiceField(Profession.choices), help_text="Empty: everyone."
    )
    price = TierRefSerializer(
        allow_null=True,
        help_text="The price tier that applies now; null when the type is free or no longer "
        "on sale.",
    )
    on_sale = serializers.BooleanField(help_text="False once every price tier has passed.")
    seats_left = serializers.IntegerField(
        allow_null=True, help_text="Null: no limit. 0: registering puts you on the waiting list."
    )


class QuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    help_text = serializers.CharField()
    kind = _status(QuestionKind.choices, "QuestionKindEnum")
    choices = serializers.ListField(child=serializers.CharField())
    required = serializers.BooleanField()
    purpose = _status(QuestionPurpose.choices, "QuestionPurposeEnum")


class WorkshopOptionSerializer(serializers.Serializer):
    code = serializers.CharField(source="session.code")
    title = serializers.CharField(source="session.title")
    start = ActivityDateTimeField(source="session.start")
    end = ActivityDateTimeField(source="session.end")
    capacity = serializers.IntegerField(source="session.capacity")
    seats_left = serializers.IntegerField()


class IdentifierRefSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The key to send under identifiers.")
    label = serializers.CharField()


class CreditTypeOptionSerializer(serializers.Serializer):
    """A credit type offered, and the clinician identifiers claiming it needs."""

    code = serializers.CharField(help_text="Send this under credit_types to claim it.")
    label = serializers.CharField()
    required = IdentifierRefSerializer(many=True)
    optional = IdentifierRefSerializer(many=True)
    reason = serializers.CharField(help_text="Why the identifiers are asked; empty if none are.")


class RegistrationOptionsSerializer(serializers.Serializer):
    """What the registration form offers, as it stands now."""

    state = serializers.ChoiceField(
        ["not_yet_open", "open", "closed"], help_text="Whether registration is open now."
    )
    opens_at = ActivityDateTimeField(allow_null=True)
    closes_at = ActivityDateTimeField(allow_null=True)
    currency = serializers.CharField()
    seats_left = serializers.IntegerField(allow_null=True, help_text="Null: no overall limit.")
    cancellation_deadline = ActivityDateTimeField(allow_null=True)
    refund_percent = serializers.IntegerField(
        help_text="Refunded of what was paid when cancelling before the deadline."
    )
    credit_types = CreditTypeOptionSerializer(
        many=True, help_text="The credit types learners may claim."
    )
    types = OptionTypeSerializer(many=True)
    questions = QuestionSerializer(many=True)
    workshops = WorkshopOptionSerializer(
        many=True, help_text="Scheduled sessions with limited seats, to sign up for."
    )


# --- a registration ----------------------------------------------------------------------------


class TypeRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    mode = _status(AttendanceMode.choices, "AttendanceModeEnum")


class SignupSerializer(serializers.Serializer):
    session = serializers.CharField(source="session.code", help_text="The session's code.")
    title = serializers.CharField(source="session.title")
    start = ActivityDateTimeField(source="session.start", allow_null=True)
    end = ActivityDateTimeField(source="session.end", allow_null=True)
    status = _status(SignupStatus.choices, "SignupStatusEnum")
    offer_expires_at = ActivityDateTimeField(
        allow_null=True, help_text="Until when an offered seat may be accepted."
    )
    created = ActivityDateTimeField()
    cancelled_at = ActivityDateTimeField(allow_null=True)


class _RegistrationBase(serializers.Serializer):
    id = serializers.IntegerField()
    status = _status(RegistrationStatus.choices, "RegistrationStatusEnum")
    registration_type = TypeRefSerializer()
    price_label = serializers.CharField()
    price = MoneyField()
    discount = MoneyField()
    amount_due = MoneyField(help_text="Price less discount.")
    paid = MoneyField(source="paid_total", help_text="Payments received.")
    balance = MoneyField(help_text="What is still to pay.")
    currency = serializers.CharField()
    promo_code = serializers.CharField(source="promo_code.code", allow_null=True, default=None)
    group = serializers.CharField(source="group.name", allow_null=True, default=None)
    created = ActivityDateTimeField()
    confirmed_at = ActivityDateTimeField(allow_null=True)
    waitlisted_at = ActivityDateTimeField(allow_null=True)
    offer_expires_at = ActivityDateTimeField(
        allow_null=True, help_text="Until when an offered seat may be accepted."
    )
    cancelled_at = ActivityDateTimeField(allow_null=True)


class AnswerSerializer(serializers.Serializer):
    question = serializers.IntegerField(help_text="The question's id.")
    label = serializers.CharField(help_text="The question as asked; empty once removed.")
    answer = serializers.JSONField(help_text="Text, a choice, a list of choices, or true/false.")


def credit_types_field(**kwargs) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(),
        help_text="Codes of the offered credit types the learner will claim (see "
        "registration/options/).",
        **kwargs,
    )


def identifiers_field(**kwargs) -> serializers.DictField:
    return serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        help_text="The clinician identifiers the chosen credit types need, by name: "
        + ", ".join(IDENTIFIERS)
        + ".",
        **kwargs,
    )


class MyRegistrationSerializer(_RegistrationBase):
    """Your own registration, with your workshop sign-ups."""

    answers = AnswerSerializer(many=True, source="answer_list")
    credit_types = credit_types_field()
    identifiers = serializers.DictField(
        child=serializers.JSONField(), help_text="The identifiers you gave, by name."
    )
    workshops = SignupSerializer(many=True, source="live_signups")


class RegisterSerializer(StrictInputMixin, serializers.Serializer):
    """Register yourself: a seat if one is free, otherwise a place on the waiting list."""

    registration_type = serializers.SlugRelatedField(
        slug_field="code",
        queryset=RegistrationType.objects.none(),
        help_text="The code of a registration type (see registration/options/).",
        error_messages={"does_not_exist": "There is no registration type “{value}” here."},
    )
    promo_code = serializers.CharField(required=False, allow_blank=True, default="")
    answers = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        default=dict,
        help_text="Answers keyed by question id: text, one choice, a list of choices, or "
        "true/false.",
    )
    credit_types = credit_types_field(required=False, default=list)
    identifiers = identifiers_field(required=False, default=dict)
    share_with_companies = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Optional consent to share your contact details with the activity's "
        "exhibitors and commercial supporters; never a condition of registering.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        activity = self.context.get("activity")
        if activity is not None:
            self.fields["registration_type"].queryset = RegistrationType.objects.filter(
                activity=activity
            )


class IdentifiersSerializer(StrictInputMixin, serializers.Serializer):
    """The credit types to claim and their identifiers; both replace what was given."""

    credit_types = credit_types_field()
    identifiers = identifiers_field(required=False, default=dict)


class CancelSerializer(StrictInputMixin, serializers.Serializer):
    reason = serializers.CharField(
        allow_blank=False, max_length=300, help_text="Why the registration is cancelled."
    )


# --- staff: registrants ------------------------------------------------------------------------


class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="full_name")
    email = serializers.EmailField()
    credentials = serializers.CharField()
    profession = serializers.CharField()


class RegistrantSerializer(_RegistrationBase):
    person = PersonRefSerializer()
    checked_in_at = ActivityDateTimeField(allow_null=True)


class PaymentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    method = _status(PaymentMethod.choices, "PaymentMethodEnum")
    status = _status(PaymentStatus.choices, "PaymentStatusEnum")
    amount = MoneyField()
    currency = serializers.CharField()
    reference = serializers.CharField()
    created = ActivityDateTimeField()
    paid_at = ActivityDateTimeField(allow_null=True)
    recorded_by = PersonNameField()


class RegistrantDetailSerializer(RegistrantSerializer):
    registered_by = PersonNameField()
    answers = AnswerSerializer(many=True, source="answer_list")
    credit_types = credit_types_field()
    identifiers = serializers.DictField(
        child=serializers.JSONField(), help_text="The identifiers given, by name."
    )
    payments = PaymentSerializer(many=True, source="payment_list")
    workshops = SignupSerializer(many=True, source="live_signups")


class RegistrantFilterSerializer(StrictInputMixin, serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Words of the name or e-mail."
    )
    status = _status(RegistrationStatus.choices, "RegistrationStatusEnum", required=False)
    type = serializers.SlugRelatedField(
        slug_field="code",
        queryset=RegistrationType.objects.none(),
        required=False,
        help_text="The code of a registration type.",
        error_messages={"does_not_exist": "There is no registration type “{value}” here."},
    )
    paid = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="true: nothing left to pay; false: something still to pay.",
    )
    limit = serializers.IntegerField(required=False, min_value=1)
    offset = serializers.IntegerField(required=False, min_value=0)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        activity = self.context.get("activity")
        if activity is not None:
            self.fields["type"].queryset = RegistrationType.objects.filter(activity=activity)


class ManualPaymentSerializer(StrictInputMixin, serializers.Serializer):
    """Money received by invoice (bank transfer) or on site."""

    method = _status(
        [(m, PaymentMethod(m).label) for m in MANUAL_METHODS], "ManualPaymentMethodEnum"
    )
    amount = money_input(help_text="At most what is still to pay.")
    reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class GroupMemberSerializer(StrictInputMixin, serializers.Serializer):
    email = serializers.EmailField(help_text="The e-mail address of the person's account.")
    registration_type = serializers.CharField(help_text="The code of a registration type.")


class GroupSerializer(StrictInputMixin, serializers.Serializer):
    """People registered together by a coordinator; all of them, or none."""

    name = serializers.CharField(allow_blank=True, max_length=200)
    coordinator = serializers.EmailField(
        required=False,
        help_text="The e-mail address of the coordinator's account; you when not given.",
    )
    people = GroupMemberSerializer(many=True, allow_empty=True)


class GroupResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    coordinator = PersonNameField()
    registrations = RegistrantSerializer(many=True)


# --- staff: set-up ------------------------------------------------------------------------------


class SetupSerializer(StrictInputMixin, serializers.Serializer):
    """How the activity takes registrations; on PATCH only the fields sent change."""

    opens_at = ActivityDateTimeField(required=False, allow_null=True)
    closes_at = ActivityDateTimeField(required=False, allow_null=True)
    capacity = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=2_147_483_647,
        help_text="Seats in all; null for no overall limit.",
    )  # fmt: skip
    currency = serializers.CharField(required=False, max_length=3)
    cancellation_deadline = ActivityDateTimeField(required=False, allow_null=True)
    refund_percent = serializers.IntegerField(required=False, min_value=0, max_value=100)
    offer_hours = serializers.IntegerField(
        required=False, min_value=1, max_value=32_767,
        help_text="Hours a person from the waiting list has to accept a freed seat.",
    )  # fmt: skip
    credit_types = serializers.ListField(
        child=NamedChoiceField(credit_type_choices(), enum_name="CreditTypeEnum"),
        required=False,
        help_text="The credit types learners may claim.",
    )
    reminder_days = serializers.IntegerField(
        required=False, min_value=0, max_value=32_767,
        help_text="Days before the start to e-mail a reminder; 0 sends none.",
    )  # fmt: skip


class PriceTierSerializer(StrictInputMixin, serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    label = serializers.CharField(max_length=60)
    amount = money_input(min_value=0)
    available_until = ActivityDateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The last moment this price is offered; null for the price once the dated "
        "ones have passed.",
    )


class TypeSerializer(StrictInputMixin, serializers.Serializer):
    """A registration type; on PATCH only the fields sent change."""

    id = serializers.IntegerField(read_only=True)
    code = serializers.SlugField(max_length=40, help_text="Short name, such as member-physician.")
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True)
    mode = _status(AttendanceMode.choices, "AttendanceModeEnum", required=False)
    professions = serializers.ListField(
        child=serializers.ChoiceField(Profession.choices),
        required=False,
        help_text="Empty: everyone.",
    )
    capacity = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=2_147_483_647,
        help_text="Seats of this type; null: limited only by the seats in all.",
    )  # fmt: skip
    is_active = serializers.BooleanField(required=False, help_text="Open for registration.")
    order = serializers.IntegerField(required=False, min_value=0, max_value=2_147_483_647)
    prices = PriceTierSerializer(many=True, read_only=True)
    seats_left = serializers.IntegerField(read_only=True, allow_null=True)


class PromoSerializer(StrictInputMixin, serializers.Serializer):
    """A promo code; on PATCH only the fields sent change."""

    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(max_length=40, help_text="Not case sensitive: kept in capitals.")
    percent_off = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=32_767
    )
    amount_off = money_input(required=False, allow_null=True)
    registration_types = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        required=False,
        queryset=RegistrationType.objects.none(),
        help_text="Codes of the types it is valid for; none: every type.",
    )
    max_uses = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=2_147_483_647
    )
    valid_until = ActivityDateTimeField(required=False, allow_null=True)
    is_active = serializers.BooleanField(required=False)
    used = serializers.IntegerField(
        read_only=True, help_text="Registrations, not cancelled, that used it."
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        activity = self.context.get("activity")
        if activity is not None:
            self.fields[
                "registration_types"
            ].child_relation.queryset = RegistrationType.objects.filter(activity=activity)


class QuestionWriteSerializer(StrictInputMixin, serializers.Serializer):
    label = serializers.CharField(allow_blank=True, max_length=300)
    kind = _status(QuestionKind.choices, "QuestionKindEnum")
    help_text = serializers.CharField(required=False, allow_blank=True, max_length=300)
    choices = serializers.ListField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text="For one choice or several choices: at least two.",
    )
    required = serializers.BooleanField(required=False)
    purpose = _status(QuestionPurpose.choices, "QuestionPurposeEnum", required=False)
