"""Forms of the staff registration pages. They shape the input; the rules are in setup.py
and services.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cmeconf.accounts.rules import Profession
from cmeconf.registration.choices import (
    AttendanceMode,
    PaymentMethod,
    QuestionKind,
    QuestionPurpose,
    RegistrationStatus,
)
from cmeconf.registration.identifiers import credit_type_choices
from cmeconf.registration.models import RegistrationType


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _when(label, help_text="") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, required=False, widget=DateTimeLocalInput(), help_text=help_text
    )


class SetupForm(forms.Form):
    opens_at = _when(_("Registration opens"), _("Empty: open now."))
    closes_at = _when(_("Registration closes"), _("Empty: open until the activity."))
    capacity = forms.IntegerField(
        label=_("Seats in all"), required=False, min_value=0, help_text=_("Empty: no limit.")
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="USD")
    cancellation_deadline = _when(_("Free cancellation until"))
    refund_percent = forms.IntegerField(
        label=_("Refund before the deadline (%)"), min_value=0, max_value=100, initial=100
    )
    offer_hours = forms.IntegerField(
        label=_("Hours to accept a freed seat"),
        min_value=1,
        max_value=32767,
        initial=48,
        help_text=_("How long a person from the waiting list has to take an offered seat."),
    )
    reminder_days = forms.IntegerField(
        label=_("Reminder e-mail, days before the start"),
        min_value=0,
        max_value=60,
        initial=3,
        help_text=_("0: no reminder."),
    )
    credit_types = forms.MultipleChoiceField(
        label=_("Credit types offered"),
        choices=credit_type_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Learners tick those they will claim; we ask them for the identifiers each needs "
            "(board ID for MOC, NABP e-Profile ID for pharmacy) and say why."
        ),
    )


class TypeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    code = forms.SlugField(
        label=_("Short name"),
        max_length=40,
        help_text=_("Letters, digits and hyphens, such as member-physician."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    mode = forms.ChoiceField(
        label=_("Attendance"), choices=AttendanceMode.choices, widget=forms.RadioSelect
    )
    professions = forms.MultipleChoiceField(
        label=_("For professions"),
        choices=Profession.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: everyone."),
    )
    capacity = forms.IntegerField(
        label=_("Seats"),
        required=False,
        min_value=0,
        help_text=_("Empty: limited only by the seats in all."),
    )
    is_active = forms.BooleanField(label=_("Open for registration"), required=False, initial=True)


class TierForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=60)
    amount = forms.DecimalField(label=_("Price"), max_digits=10, decimal_places=2, min_value=0)
    available_until = _when(_("Until"), _("Empty for the price once earlier ones have passed."))


class PromoForm(forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=40, help_text=_("Not case sensitive: stored in capitals.")
    )
    percent_off = forms.IntegerField(label=_("Percent off"), required=False, min_value=1)
    amount_off = forms.DecimalField(
        label=_("Amount off"), required=False, max_digits=10, decimal_places=2
    )
    registration_types = forms.ModelMultipleChoiceField(
        label=_("For registration types"),
        queryset=RegistrationType.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every type."),
    )
    max_uses = forms.IntegerField(label=_("Uses at most"), required=False, min_value=1)
    valid_until = _when(_("Valid until"))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, activity, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registration_types"].queryset = RegistrationType.objects.filter(
            activity=activity
        )


class QuestionForm(forms.Form):
    label = forms.CharField(label=_("Question"), max_length=300)
    help_text = forms.CharField(label=_("Help"), max_length=300, required=False)
    kind = forms.ChoiceField(label=_("Kind of answer"), choices=QuestionKind.choices)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line; only for one choice or several choices."),
    )
    required = forms.BooleanField(label=_("Required"), required=False)
    purpose = forms.ChoiceField(
        label=_("Purpose"), choices=QuestionPurpose.choices, initial=QuestionPurpose.OTHER
    )

    def clean_choices(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["choices"].splitlines() if line.strip()]


class RegistrantFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or e-mail"), required=False, max_length=200)
    type = forms.ModelChoiceField(
        label=_("Type"),
        queryset=RegistrationType.objects.none(),
        required=False,
        empty_label=_("All types"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *RegistrationStatus.choices],
    )

    def __init__(self, *args, activity, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].queryset = RegistrationType.objects.filter(activity=activity)


class PaidForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Paid by"),
        choices=[
            (PaymentMethod.INVOICE, PaymentMethod.INVOICE.label),
            (PaymentMethod.ON_SITE, PaymentMethod.ON_SITE.label),
        ],
    )
    amount = forms.DecimalField(label=_("Amount"), max_digits=10, decimal_places=2)
    reference = forms.CharField(label=_("Reference"), max_length=200, required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)
