"""Forms of the designation pages. They shape the input; the services decide.

- credit types of the provider: switched on, the provider's ID, the rule's options
  (credits.provider_types);
- an activity's designation of one type, its withdrawal, the claim window
  (credits.designation, credits.setup).
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cmeconf.credits import provider_types
from cmeconf.credits.designation import may_be_pending, needs_uan
from cmeconf.credits.models import Designation, ProviderCreditType
from cmeconf.credits.types import CreditRule
from cmeconf.registration.identifiers import ABMS_BOARDS

OPTION_PREFIX = "option_"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class CreditTypeForm(forms.Form):
    """One credit type of the provider: on or off, the provider's ID, the rule's options."""

    enabled = forms.BooleanField(label=_("Switched on"), required=False)
    identifier = forms.CharField(
        label=_("Your provider ID for this credit"),
        required=False,
        max_length=50,
        help_text=_(
            "Where the accreditor gave you a separate number for it, such as the ACPE provider "
            "number that begins each UAN."
        ),
    )

    def __init__(self, *args, rule: CreditRule, setting: ProviderCreditType | None, **kwargs):
        self.rule = rule
        stored = provider_types.typed_options(rule, setting.options if setting else {})
        initial = {
            "enabled": bool(setting and setting.enabled),
            "identifier": setting.identifier if setting else "",
        }
        for opt in rule.options:
            initial[OPTION_PREFIX + opt.key] = stored.get(opt.key, "")
        kwargs.setdefault("initial", initial)
        kwargs.setdefault("prefix", rule.code)
        super().__init__(*args, **kwargs)
        for opt in rule.options:
            kind = provider_types.option_kind(opt)
            default = opt.default
            if isinstance(default, bool):
                default = _("yes") if default else _("no")
            help_text = _("Default: %(default)s. Source: %(source)s.") % {
                "default": default,
                "source": opt.source,
            }
            if kind == "choice":
                field: forms.Field = forms.ChoiceField(
                    label=opt.label,
                    required=False,
                    choices=[("", _("Default")), *provider_types.option_choices(opt)],
                    help_text=help_text,
                )
            elif kind == "bool":
                # A checkbox cannot say "use the default": yes or no, starting from the default.
                field = forms.ChoiceField(
                    label=opt.label,
                    required=False,
                    choices=[("", _("Default")), ("yes", _("Yes")), ("no", _("No"))],
                    help_text=help_text,
                )
                value = stored.get(opt.key)
                self.initial[OPTION_PREFIX + opt.key] = (
                    "" if value is None else "yes" if value else "no"
                )
            elif kind == "int":
                field = forms.IntegerField(label=opt.label, required=False, help_text=help_text)
            elif kind == "decimal":
                field = forms.DecimalField(label=opt.label, required=False, help_text=help_text)
            else:
                field = forms.CharField(
                    label=opt.label,
                    required=False,
                    max_length=provider_types.MAX_TEXT_OPTION,
                    help_text=help_text,
                )
            self.fields[OPTION_PREFIX + opt.key] = field

    @property
    def option_fields(self) -> list:
        return [self[name] for name in self.fields if name.startswith(OPTION_PREFIX)]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        options = {}
        for opt in self.rule.options:
            value = data.get(OPTION_PREFIX + opt.key)
            if provider_types.option_kind(opt) == "bool":
                value = {"yes": True, "no": False}.get(value)
            options[opt.key] = value
        return {
            "enabled": data["enabled"],
            "identifier": data.get("identifier", ""),
            "options": options,
        }

    def field_map(self) -> dict[str, str]:
        """Service error keys (option keys) to this form's fields."""
        return {opt.key: OPTION_PREFIX + opt.key for opt in self.rule.options}


class DesignationForm(forms.Form):
    """Designate one credit type, or change its designation (lower it, with a reason)."""

    maximum = forms.DecimalField(
        label=_("Maximum"),
        required=False,
        min_value=0,
        max_digits=6,
        decimal_places=2,
        help_text=_("Leave empty to designate what the program supports."),
    )
    lowered_reason = forms.CharField(
        label=_("Why lower than the program supports"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        *args,
        rule: CreditRule,
        designation: Designation | None = None,
        **kwargs,
    ):
        self.rule = rule
        kwargs.setdefault("prefix", rule.code)
        if designation is not None:
            kwargs.setdefault(
                "initial",
                {
                    "maximum": designation.maximum,
                    "lowered_reason": designation.lowered_reason,
                    "uan": designation.uan,
                    "board": designation.board,
                    "approval_pending": designation.approval_pending,
                },
            )
        super().__init__(*args, **kwargs)
        if rule.per_board:
            self.fields["board"] = forms.ChoiceField(
                label=_("Certifying board"),
                choices=[("", "—"), *((code, f"{code}: {n}") for code, n in ABMS_BOARDS.items())],
                help_text=_("MOC points are designated per board; add one designation per board."),
            )
            if designation is not None:
                # A board's designation is changed where it is listed, not moved to another board.
                self.fields["board"].widget = forms.HiddenInput()
        if needs_uan(rule):
            self.fields["uan"] = forms.CharField(
                label=_("UAN (Universal Activity Number)"),
                max_length=22,
                help_text=_(
                    "As 0000-0000-00-000-L00-P: your ACPE number, 0000 or 9999, year, "
                    "sequence, L and the topic code, P or T."
                ),
            )
        if may_be_pending(rule):
            self.fields["approval_pending"] = forms.BooleanField(
                label=_("Approval pending (the review panel has not approved it yet)"),
                required=False,
            )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "maximum": data.get("maximum"),
            "lowered_reason": data.get("lowered_reason", ""),
            "board": data.get("board", ""),
            "uan": data.get("uan", ""),
            "approval_pending": data.get("approval_pending", False),
        }


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why withdraw it"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class ClaimWindowForm(forms.Form):
    claims_open_at = forms.DateTimeField(
        label=_("Claims open"),
        required=False,
        widget=DateTimeLocalInput(),
        help_text=_("Empty: when the last session for credit ends."),
    )
    claims_close_at = forms.DateTimeField(
        label=_("Claims close"),
        required=False,
        widget=DateTimeLocalInput(),
        help_text=_("Empty: claims stay open."),
    )
    evaluation_required = forms.BooleanField(
        label=_("Learners complete the evaluation before they claim"), required=False
    )
