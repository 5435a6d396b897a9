"""Forms of the provider's staff pages. They validate input; services make the changes."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from cmeconf.providers.models import Accreditor
from cmeconf.providers.permissions import Permission


def add_service_errors(
    form: forms.BaseForm, exc: ValidationError, field_map: dict[str, str] | None = None
) -> None:
    """Put the errors of a service's ValidationError next to the form's fields.

    `field_map` renames model fields to form fields (a session's `end` is the
    form's `end_time`). An error about a field the form does not show, and an
    error without a field, goes to the top of the form so that none is lost.
    """
    field_map = field_map or {}
    if not hasattr(exc, "error_dict"):
        for error in exc.error_list:
            form.add_error(None, error)
        return
    for field, errors in exc.error_dict.items():
        for error in errors:
            form.add_error(_target_field(form, field, error, field_map), error)


def _target_field(form, field: str, error: ValidationError, field_map: dict) -> str | None:
    field = field_map.get(field, field)
    if field != NON_FIELD_ERRORS and field in form.fields:
        return field
    # A unique constraint over several fields (provider + slug) reports without a
    # field; the person can only fix the one the form shows.
    check = (getattr(error, "params", None) or {}).get("unique_check") or ()
    for name in reversed(check):
        name = field_map.get(name, name)
        if name in form.fields:
            return name
    return None


def time_zone_choices() -> list[tuple[str, str]]:
    return [(tz, tz.replace("_", " ")) for tz in sorted(zoneinfo.available_timezones())]


class ProviderForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=50, required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    address = forms.CharField(
        label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)

    FIELDS = ("name", "contact_email", "contact_phone", "website", "address", "time_zone")

    @classmethod
    def initial_for(cls, provider) -> dict:
        return {name: getattr(provider, name) for name in cls.FIELDS}


class AccreditationForm(forms.Form):
    accreditor = forms.ChoiceField(label=_("Accreditor"), choices=Accreditor.choices)
    identifier = forms.CharField(
        label=_("Provider ID"),
        max_length=50,
        help_text=_("The ID the accreditor gave the provider."),
    )
    valid_until = forms.DateField(
        label=_("Accredited until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    permissions = forms.MultipleChoiceField(
        label=_("Permissions"),
        choices=Permission.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("What the team's members may do. Every member sees the activities covered."),
    )
    all_activities = forms.TypedChoiceField(
        label=_("Activities"),
        choices=[
            ("1", _("All activities of the provider, also future ones")),
            ("0", _("Only the activities chosen below")),
        ],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    activities = forms.ModelMultipleChoiceField(
        label=_("Chosen activities"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, provider, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activities"].queryset = provider.activities.order_by("-start_date", "title")

    def clean(self):
        data = super().clean()
        if data.get("all_activities") is False and not data.get("activities"):
            self.add_error(
                "activities",
                _("Choose at least one activity, or let the team cover all activities."),
            )
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "permissions": sorted(data["permissions"]),
            "all_activities": data["all_activities"],
            "activities": [] if data["all_activities"] else list(data["activities"]),
        }


class PersonForm(forms.Form):
    """Someone named by e-mail: an existing account, or a new one made for them."""

    email = forms.EmailField(label=_("E-mail address"))
    first_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        required=False,
        help_text=_("Needed only when the person has no account yet."),
    )
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)

    def person_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "email": data["email"],
            "first_name": data["first_name"],
            "last_name": data["last_name"],
        }


class MemberForm(PersonForm):
    pass
