"""Forms of the commercial support pages. They shape the input; the rules are in support.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cmeconf.integrity.choices import (
    FORBIDDEN_SUPPORT_EXPENSES,
    ExpenseCategory,
    LedgerEntryKind,
    SupportKind,
)
from cmeconf.integrity.forms import COMPANY_LIST_ID, DateInput, registry_company
from cmeconf.integrity.models import CommercialSupporter, IneligibleCompany, SupportAgreement


class SupporterForm(forms.Form):
    company = forms.CharField(
        label=_("Ineligible company"),
        max_length=200,
        widget=forms.TextInput(
            attrs={"list": COMPANY_LIST_ID, "autocomplete": "off", "class": "company-input"}
        ),
        help_text=_("Start typing and choose the company from the registry."),
    )
    contact_name = forms.CharField(label=_("Contact name"), max_length=200, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)

    def clean_company(self) -> IneligibleCompany:
        return registry_company(
            self.cleaned_data["company"],
            gettext(
                "“%(name)s” is not in the registry of ineligible companies. Only an ineligible "
                "company gives commercial support; money from others (hospitals, insurers, "
                "universities, publishers) is not commercial support. If it is an ineligible "
                "company missing from the registry, add it to the registry first."
            ),
        )


class SupporterChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: CommercialSupporter) -> str:
        return obj.company.name


class AgreementForm(forms.Form):
    supporter = SupporterChoiceField(
        label=_("Supporter"),
        queryset=CommercialSupporter.objects.none(),
        empty_label=_("Choose…"),
    )
    reference = forms.CharField(
        label=_("Reference"),
        max_length=60,
        required=False,
        help_text=_("Your own number for the agreement, if you have one."),
    )
    kind = forms.ChoiceField(
        label=_("Kind of support"), choices=SupportKind.choices, widget=forms.RadioSelect
    )
    amount = forms.DecimalField(
        label=_("Amount"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("Cash support only."),
    )
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        initial="USD",
        help_text=_("Three-letter code, e.g. USD."),
    )
    in_kind_description = forms.CharField(
        label=_("In-kind support given"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("In-kind support only: the equipment, supplies or services, by their nature."),
    )
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 2}))
    terms = forms.CharField(
        label=_("Terms and conditions"), widget=forms.Textarea(attrs={"rows": 5})
    )
    joint_provider_recipient = forms.CharField(
        label=_("Joint provider receiving the funds"),
        max_length=200,
        required=False,
        help_text=_("Only when a joint provider, not you, receives the support."),
    )
    joins_existing = forms.BooleanField(
        label=_(
            "The supporter joins an agreement already in place, accepting its terms and amount"
        ),
        required=False,
    )

    def __init__(self, *args: Any, provider, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supporter"].queryset = CommercialSupporter.objects.filter(
            provider=provider
        ).select_related("company")

    @classmethod
    def initial_from(cls, agreement: SupportAgreement) -> dict[str, Any]:
        return {name: getattr(agreement, name) for name in cls.base_fields} | {
            "supporter": agreement.supporter_id
        }

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["amount"] = data.get("amount")
        return data


class SignForm(forms.Form):
    signatory = forms.CharField(label=_("Signed by"), max_length=200)
    signed_on = forms.DateField(label=_("Signed on"), widget=DateInput())

    @classmethod
    def make(cls, party: str, data=None) -> SignForm:
        # The prefix keeps the two forms of one page apart, and their ids unique.
        return cls(data, prefix=party)


def _category_choices() -> list:
    allowed = [(c.value, c.label) for c in ExpenseCategory if c not in FORBIDDEN_SUPPORT_EXPENSES]
    forbidden = [(c.value, c.label) for c in ExpenseCategory if c in FORBIDDEN_SUPPORT_EXPENSES]
    return [
        ("", _("Choose… (expenses only)")),
        (_("Allowed"), allowed),
        # Listed so that choosing one explains the rule instead of hiding it [A11].
        (_("Never paid from commercial support"), forbidden),
    ]


class AgreementChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: SupportAgreement) -> str:
        label = obj.supporter.company.name
        if obj.reference:
            label += f" ({obj.reference})"
        return f"{label} · {obj.get_kind_display()}"


class EntryForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Entry"), choices=LedgerEntryKind.choices, widget=forms.RadioSelect
    )
    date = forms.DateField(label=_("Date"), widget=DateInput())
    amount = forms.DecimalField(label=_("Amount"), max_digits=12, decimal_places=2)
    agreement = AgreementChoiceField(
        label=_("Agreement"),
        queryset=SupportAgreement.objects.none(),
        required=False,
        empty_label=_("None (expense paid from the activity's support as a whole)"),
        help_text=_("A receipt always names its agreement."),
    )
    category = forms.ChoiceField(label=_("Paid for"), choices=_category_choices, required=False)
    payee = forms.CharField(label=_("Paid to / received from"), max_length=200, required=False)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)

    def __init__(self, *args: Any, activity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = SupportAgreement.objects.filter(
            activity=activity
        ).select_related("supporter__company")


class VoidForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        error_messages={"required": _("Say why the entry is voided.")},
    )

    @classmethod
    def make(cls, entry_id: int, data=None) -> VoidForm:
        return cls(data, auto_id=f"id_void{entry_id}_%s")
