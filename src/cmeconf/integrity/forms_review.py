"""Forms of the reviewer's page. They only shape the input: the rules are in review.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cmeconf.integrity.choices import ExclusionException, MitigationMethod


def _blank(choices) -> list[tuple[str, str]]:
    return [("", _("Choose…")), *choices]


class DecideForm(forms.Form):
    relevant = forms.TypedChoiceField(
        label=_("Relevant to the content this person controls?"),
        choices=[("yes", _("Relevant")), ("no", _("Not relevant"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason for the decision.")},
    )


class MitigateForm(forms.Form):
    method = forms.ChoiceField(label=_("Method"), choices=_blank(MitigationMethod.choices))
    details = forms.CharField(
        label=_("Details"),
        required=False,
        help_text=_('Needed for "other method".'),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    peer_name = forms.CharField(
        label=_("Peer reviewer"),
        required=False,
        max_length=200,
        help_text=_("Needed for peer review."),
    )
    peer_review_date = forms.DateField(
        label=_("Date of the peer review"),
        required=False,
        help_text=_("Needed for peer review."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class ExceptionForm(forms.Form):
    exception = forms.ChoiceField(label=_("Exception"), choices=_blank(ExclusionException.choices))
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason the exception applies.")},
    )


FORMS: dict[str, type[forms.Form]] = {
    "decide": DecideForm,
    "mitigate": MitigateForm,
    "exception": ExceptionForm,
}


def make(kind: str, relationship_id: int, data=None) -> forms.Form:
    """A form for one relationship; ids carry the relationship so the page's ids stay unique."""
    return FORMS[kind](data, auto_id=f"id_{kind}{relationship_id}_%s")
