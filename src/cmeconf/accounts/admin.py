"""The Django admin for people. Changes go through the services, so they are audited."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cmeconf.accounts import services, twofactor
from cmeconf.accounts.models import User


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's own login checks only the password, so people with two-factor log in
    on the site's login page (which asks for the code) and come back."""

    def clean_username(self) -> str:
        return (self.cleaned_data.get("username") or "").strip().lower()

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        if twofactor.has_two_factor(user):
            raise forms.ValidationError(
                _(
                    "Your account uses two-factor authentication: log in on the site's login "
                    "page, which asks for your code, then open the admin again."
                ),
                code="two_factor",
            )


admin.site.login_form = AdminLoginForm


class PersonChangeForm(forms.ModelForm):
    class Meta:
        model = User
        fields = (
            "email",
            *services.PROFILE_FIELDS,
            *services.ACCOUNT_FIELDS[1:],
            "groups",
            "user_permissions",
        )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if services.email_in_use(email, exclude=self.instance.pk):
            raise services.email_taken_error().error_dict["email"][0]
        return email

    def validate_unique(self) -> None:
        # clean_email checks the address case-insensitively; the model's check is exact.
        return None


class PersonAddForm(PersonChangeForm):
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name")


@admin.register(User)
class PersonAdmin(UserAdmin):
    form = PersonChangeForm
    add_form = PersonAddForm
    add_form_template = None
    list_display = ("email", "first_name", "last_name", "profession", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff", "is_superuser", "profession")
    search_fields = ("email", "first_name", "last_name", "npi")
    ordering = ("last_name", "first_name")
    fieldsets = (
        (None, {"fields": ("email", "password_state", "two_factor_state")}),
        (
            _("Profile"),
            {
                "fields": (
                    ("first_name", "last_name"),
                    "credentials",
                    "profession",
                    "specialty",
                    "institution",
                    "npi",
                    ("country", "region"),
                    "bio",
                )
            },
        ),
        (
            _("Access"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "fields": ("email", "first_name", "last_name"),
                "description": _(
                    "The person gets no password here: they set one with “Set your password” "
                    "on the login page."
                ),
            },
        ),
    )

    actions = ["turn_off_two_factor"]

    @admin.action(description=_("Turn two-factor off (lost phone and backup codes)"))
    def turn_off_two_factor(self, request: HttpRequest, queryset: Any) -> None:
        people = [p for p in queryset if twofactor.has_two_factor(p)]
        for person in people:
            services.disable_two_factor(person, by=request.user)
        self.message_user(
            request,
            _("Two-factor is off for %(count)d people; they log in with the password alone.")
            % {"count": len(people)},
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = ("password_state", "two_factor_state", "last_login", "date_joined")
        if not request.user.is_superuser:
            # Only a superuser hands out admin rights.
            fields += ("is_staff", "is_superuser", "groups", "user_permissions")
        return fields

    @admin.display(description=_("password"))
    def password_state(self, obj: User) -> str:
        return _("set") if obj.has_usable_password() else _("not set (invited or not yet chosen)")

    @admin.display(description=_("two-factor"))
    def two_factor_state(self, obj: User) -> str:
        return _("on") if twofactor.has_two_factor(obj) else _("off")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # People are referred to by registrations, claims and the audit trail: deactivate instead.
        return False

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        raise PermissionDenied(
            "People set their own password with the e-mail link of “Set your password”."
        )

    def save_model(self, request: HttpRequest, obj: User, form: forms.ModelForm, change: bool):
        if not change:
            created = services.create_account(
                email=obj.email,
                password=None,
                first_name=obj.first_name,
                last_name=obj.last_name,
                by=request.user,
            )
            obj.pk, obj.password, obj.date_joined = (
                created.pk,
                created.password,
                created.date_joined,
            )
            obj._state.adding = False
            return
        changed = set(form.changed_data)
        # The form has already copied the new values onto obj; the services compare with the row.
        original = User.objects.get(pk=obj.pk)
        services.update_profile(
            original,
            by=request.user,
            **{f: getattr(obj, f) for f in services.PROFILE_FIELDS if f in changed},
        )
        services.update_account(
            original,
            by=request.user,
            **{f: getattr(obj, f) for f in services.ACCOUNT_FIELDS if f in changed},
        )
