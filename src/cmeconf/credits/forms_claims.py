"""Forms of the claim pages. They shape the input; `credits.claims` decides."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cmeconf.credits.claims import ClaimChoice, ClaimOptions

MONTHS = [
    ("", "—"),
    *[
        (str(i), name)
        for i, name in enumerate(
            [
                _("January"),
                _("February"),
                _("March"),
                _("April"),
                _("May"),
                _("June"),
                _("July"),
                _("August"),
                _("September"),
                _("October"),
                _("November"),
                _("December"),
            ],
            start=1,
        )
    ],
]


class ClaimForm(forms.Form):
    """One checkbox and one amount per credit type the learner may claim, then the
    identifiers those types need, the consent to report and the attestation."""

    def __init__(self, *args, options: ClaimOptions, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = options
        self.offers = [o for o in options.offers if o.claimable]
        for offer in self.offers:
            self.fields[f"claim_{offer.key}"] = forms.BooleanField(
                label=_("Claim %(label)s") % {"label": offer.label},
                required=False,
                initial=True,
            )
            self.fields[f"amount_{offer.key}"] = forms.DecimalField(
                label=_("Amount of %(unit)s") % {"unit": offer.unit_plural},
                required=False,
                max_digits=6,
                decimal_places=2,
                initial=offer.supported,
                help_text=_("From %(least)s to %(most)s, in steps of %(step)s.")
                % {
                    "least": f"{offer.least:.2f}",
                    "most": f"{offer.supported:.2f}",
                    "step": f"{offer.step:.2f}",
                },
                widget=forms.NumberInput(
                    attrs={
                        "step": str(offer.step),
                        "min": str(offer.least),
                        "max": str(offer.supported),
                    }
                ),
            )
        prefill = options.prefill
        needed = options.needed
        if "board_id" in needed:
            self.fields["board_id"] = forms.CharField(
                label=_("Board ID"),
                required=False,
                max_length=20,
                initial=prefill.get("board_id", ""),
            )
        if "nabp_eprofile_id" in needed:
            self.fields["nabp_eprofile_id"] = forms.CharField(
                label=_("NABP e-Profile ID"),
                required=False,
                max_length=12,
                initial=prefill.get("nabp_eprofile_id", ""),
            )
        if "birth_month" in needed:
            self.fields["birth_month"] = forms.TypedChoiceField(
                label=_("Birth month"),
                choices=MONTHS,
                coerce=int,
                empty_value=None,
                required=False,
                initial=str(prefill.get("birth_month", "")),
            )
            self.fields["birth_day"] = forms.TypedChoiceField(
                label=_("Birth day"),
                choices=[("", "—")] + [(str(d), str(d)) for d in range(1, 32)],
                coerce=int,
                empty_value=None,
                required=False,
                initial=str(prefill.get("birth_day", "")),
            )
        if options.needs_consent:
            self.fields["consent_to_report"] = forms.BooleanField(
                label=_(
                    "I allow the provider to report this credit for me, with the identifiers "
                    "above, to my certifying board through ACCME or to NABP's CPE Monitor."
                ),
                required=False,
            )
        self.fields["attest"] = forms.BooleanField(
            label=_("I confirm the attestation above."), required=False
        )

    def offer_fields(self):
        """(offer, checkbox, amount) for the template."""
        return [(o, self[f"claim_{o.key}"], self[f"amount_{o.key}"]) for o in self.offers]

    def field_map(self) -> dict[str, str]:
        """The service's error keys (a choice's key) to this form's field names."""
        return {o.key: f"amount_{o.key}" for o in self.offers}

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        choices = [
            ClaimChoice(o.designation.credit_type, o.designation.board, data.get(f"amount_{o.key}"))
            for o in self.offers
            if data.get(f"claim_{o.key}")
        ]
        return {
            "choices": choices,
            "attest": bool(data.get("attest")),
            "board_id": data.get("board_id", "") or "",
            "nabp_eprofile_id": data.get("nabp_eprofile_id", "") or "",
            "birth_month": data.get("birth_month"),
            "birth_day": data.get("birth_day"),
            "consent_to_report": bool(data.get("consent_to_report")),
        }


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Learner's name or e-mail"), required=False, max_length=200)
    include_withdrawn = forms.BooleanField(label=_("Show withdrawn claims too"), required=False)


class CorrectForm(forms.Form):
    amount = forms.DecimalField(label=_("New amount"), max_digits=6, decimal_places=2, min_value=0)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with the correction and in the audit trail."),
        error_messages={"required": _("Give the reason for the correction.")},
    )


class RecomputeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: attendance added after the scanner at Hall B failed."),
        error_messages={"required": _("Give the reason for recomputing.")},
    )


class StaffWithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason for withdrawing this claim.")},
    )
