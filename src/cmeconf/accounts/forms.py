"""Account forms: validate input, then the views call the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from cmeconf.accounts import services
from cmeconf.accounts.models import User
from cmeconf.accounts.rules import CREDENTIALS, SPECIALTIES
from cmeconf.common.mail import send_templated_email


def _model_field(name: str, **kwargs: Any) -> forms.Field:
    # The model's own form field carries its label, length limit and validators (the NPI check).
    return User._meta.get_field(name).formfield(**kwargs)


class CountryField(forms.CharField):
    """A two-letter ISO 3166 code, stored upper case."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 2)
        kwargs.setdefault("min_length", 2)
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"autocomplete": "country", "pattern": "[A-Za-z]{2}", "class": "input--short"}
        )

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        if value and not value.isalpha():
            raise forms.ValidationError(_("Enter the two-letter country code, such as US or CA."))
        return value.upper()


def _suggestions(field: forms.Field, list_id: str, autocomplete: str = "off") -> None:
    field.widget.attrs.update({"list": list_id, "autocomplete": autocomplete})


class ProfileFieldsMixin:
    """Widgets and suggestions shared by the sign-up and profile forms."""

    def _tune(self) -> None:
        f = self.fields
        if "credentials" in f:
            _suggestions(f["credentials"], "credential-suggestions")
        if "specialty" in f:
            _suggestions(f["specialty"], "specialty-suggestions")
        if "first_name" in f:
            f["first_name"].widget.attrs["autocomplete"] = "given-name"
        if "last_name" in f:
            f["last_name"].widget.attrs["autocomplete"] = "family-name"
        if "institution" in f:
            f["institution"].widget.attrs["autocomplete"] = "organization"
        if "region" in f:
            f["region"].widget.attrs["autocomplete"] = "address-level1"
        if "npi" in f:
            f["npi"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        if "country" in f:
            f["country"].help_text = _("Two-letter code, for example US, CA or GB.")


class SignUpForm(ProfileFieldsMixin, forms.Form):
    first_name = _model_field("first_name")
    last_name = _model_field("last_name")
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("You log in with it; we send your certificates there."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    profession = _model_field("profession", required=True)
    credentials = _model_field("credentials")
    specialty = _model_field("specialty")
    country = CountryField(label=_("Country"), required=False)
    region = _model_field("region")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tune()
        choices = [c for c in self.fields["profession"].choices if c[0]]
        self.fields["profession"].choices = [("", _("Choose your profession")), *choices]

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            probe = User(
                email=data.get("email", ""),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
            )
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data

    def profile(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in services.SIGN_UP_FIELDS}


class ProfileForm(ProfileFieldsMixin, forms.Form):
    first_name = _model_field("first_name")
    last_name = _model_field("last_name")
    credentials = _model_field("credentials")
    profession = _model_field("profession")
    specialty = _model_field("specialty")
    institution = _model_field("institution")
    npi = _model_field("npi")
    country = CountryField(label=_("Country"), required=False)
    region = _model_field("region")
    bio = _model_field("bio")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tune()
        self.fields["bio"].widget.attrs["rows"] = 6
        self.fields["npi"].label = _("NPI (US National Provider Identifier)")
        self.fields["npi"].help_text = _("10 digits; leave empty if you have none.")

    @classmethod
    def initial_for(cls, user: User) -> dict[str, Any]:
        return {name: getattr(user, name) for name in cls.base_fields}


class EmailAuthenticationForm(auth_forms.AuthenticationForm):
    """Log in with the e-mail address, whatever its letter case."""

    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": _(
            "The e-mail address and password do not match an account. Check them and try "
            "again; the password is case-sensitive."
        ),
    }

    def clean_username(self) -> str:
        return (self.cleaned_data.get("username") or "").strip().lower()


class CodeForm(forms.Form):
    """A code from the authenticator app, or one of the backup codes."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6-digit code from your authenticator app, or one of your backup codes."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "class": "input--code",
            }
        ),
    )


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Reset links by the task queue, also for accounts made by staff without a password."""

    def get_users(self, email: str):
        # Django skips accounts without a usable password; here those are the faculty
        # named by staff, and this link is how they set their first password.
        return User.objects.filter(email__iexact=email.strip(), is_active=True).iterator()

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        send_templated_email(
            to_email,
            subject_template_name,
            email_template_name,
            context,
            html_template=html_email_template_name,
            from_email=from_email,
        )


class SetPasswordForm(auth_forms.SetPasswordForm):
    """The new password is saved by the service, which writes the audit record."""

    reason = "reset"

    def save(self, commit: bool = True) -> User:
        services.set_password(
            self.user, self.cleaned_data["new_password1"], by=self.user, reason=self.reason
        )
        return self.user


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    reason = "changed"

    def save(self, commit: bool = True) -> User:
        services.set_password(
            self.user, self.cleaned_data["new_password1"], by=self.user, reason=self.reason
        )
        return self.user


SUGGESTIONS = (("credential-suggestions", CREDENTIALS), ("specialty-suggestions", SPECIALTIES))
