"""The staff refund form. It shapes the input; the rules are in refunds.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class RefundForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount to refund"),
        max_digits=10,
        decimal_places=2,
        min_value=0,
        help_text=_("Up to what was paid. The cancellation policy's amount is filled in."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with the refund and in the audit trail."),
    )
