"""Account pages: sign-up, login with an optional second factor, profile, password, API token.

Thin: the forms validate, the services change things, `twofactor` checks codes.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from cmeconf.accounts import forms, services, twofactor
from cmeconf.accounts.models import User

# The half-finished login of a person who still owes a code: their id, the backend
# that checked the password, where to go afterwards, when it started, failed tries.
PENDING_KEY = "cmeconf_pending_login"
PENDING_SECONDS = 10 * 60
PENDING_MAX_FAILURES = 5
SHOW_ONCE_KEY = "cmeconf_show_once"
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _with_next(url: str, target: str) -> str:
    return f"{url}?{urlencode({'next': target})}" if target else url


def verified_required(view: Callable) -> Callable:
    """Logged in, and, for a person who uses two-factor, with a code entered in this session."""

    @functools.wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if twofactor.needs_verification(request.user):
            return redirect(_with_next(reverse("accounts:login_code"), request.get_full_path()))
        return view(request, *args, **kwargs)

    return wrapper


def _show_once(request: HttpRequest, **values: Any) -> None:
    # Secrets (a new API key, backup codes) survive one redirect, then are gone.
    request.session[SHOW_ONCE_KEY] = values


def _pop_shown_once(request: HttpRequest) -> dict[str, Any]:
    return request.session.pop(SHOW_ONCE_KEY, None) or {}


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


# Sign-up and login --------------------------------------------------------------------------


@sensitive_post_parameters("password1", "password2")
@never_cache
@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    next_url = _safe_next(request, reverse("accounts:profile"))
    form = forms.SignUpForm(request.POST or None)
    taken_email = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.sign_up(
                email=data["email"],
                password=data["password1"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                **form.profile(),
            )
        except ValidationError as exc:
            if any(e.code == "email_taken" for e in exc.error_dict.get("email", [])):
                taken_email = data["email"]
            form.add_error(None, exc)
        else:
            auth_login(request, user, backend=BACKEND)
            messages.success(
                request,
                _("Welcome, %(name)s. Your account is ready.")
                % {"name": user.first_name or user.email},
            )
            return redirect(next_url)
    return render(
        request,
        "accounts/sign_up.html",
        {
            "form": form,
            "next": request.POST.get("next") or request.GET.get("next", ""),
            "taken_email": taken_email,
            "suggestions": forms.SUGGESTIONS,
        },
    )


class LoginView(auth_views.LoginView):
    """Password first; a person with two-factor then owes a code before being logged in."""

    form_class = forms.EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: forms.EmailAuthenticationForm) -> HttpResponse:
        user = form.get_user()
        if not twofactor.has_two_factor(user):
            return super().form_valid(form)
        self.request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": getattr(user, "backend", BACKEND),
            "next": self.get_success_url(),
            "started": time.time(),
            "failures": 0,
        }
        return HttpResponseRedirect(reverse("accounts:login_code"))


def _pending_user(request: HttpRequest) -> tuple[dict[str, Any] | None, User | None]:
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("started", 0) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None, None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    return pending, user


def _backup_code_message(request: HttpRequest, user: User) -> None:
    left = twofactor.backup_codes_left(user)
    messages.warning(
        request,
        ngettext(
            "You used a backup code; %(count)d is left. You can make new ones on the "
            "two-factor page.",
            "You used a backup code; %(count)d are left. You can make new ones on the "
            "two-factor page.",
            left,
        )
        % {"count": left},
    )


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """The second step of a login, or confirming an existing session that has no code yet."""
    if request.user.is_authenticated:
        user, pending = request.user, None
        target = _safe_next(request, settings.LOGIN_REDIRECT_URL)
        if not twofactor.needs_verification(user):
            return redirect(target)
    else:
        pending, user = _pending_user(request)
        if user is None:
            messages.info(request, _("Please log in again."))
            return redirect("accounts:login")
        target = pending["next"]
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = twofactor.verify_code(user, form.cleaned_data["code"])
        if device is not None:
            if pending is not None:
                del request.session[PENDING_KEY]
                user.backend = pending["backend"]
                # django_otp marks the session as verified on login when this is set.
                user.otp_device = device
                auth_login(request, user, backend=pending["backend"])
            else:
                django_otp.login(request, device)
            if isinstance(device, StaticDevice):
                _backup_code_message(request, user)
            return redirect(target)
        if pending is not None:
            pending["failures"] += 1
            if pending["failures"] >= PENDING_MAX_FAILURES:
                del request.session[PENDING_KEY]
                messages.error(request, _("Too many wrong codes. Please log in again."))
                return redirect("accounts:login")
            request.session[PENDING_KEY] = pending
        form.add_error(
            "code",
            _(
                "That code is not right, or was already used. Wait for the next code in your "
                "app and try again."
            ),
        )
    return render(
        request,
        "accounts/login_code.html",
        {"form": form, "next": target if pending is None else "", "pending": pending is not None},
    )


class LogoutView(auth_views.LogoutView):
    pass


# Password reset and change ------------------------------------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    form_class = forms.PasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def get_initial(self) -> dict[str, Any]:
        return {"email": self.request.GET.get("email", "")}

    def form_valid(self, form: forms.PasswordResetForm) -> HttpResponse:
        # Links in e-mails use the configured public address, not the Host header.
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = forms.SetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = forms.PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form: forms.PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is changed."))
        return response


password_change = verified_required(PasswordChangeView.as_view())


# Profile ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = forms.ProfileForm(request.POST)
        if form.is_valid():
            try:
                changed = services.update_profile(user, by=user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if changed:
                    messages.success(request, _("Your profile is saved."))
                else:
                    messages.info(request, _("Nothing was changed."))
                return redirect("accounts:profile")
    else:
        form = forms.ProfileForm(initial=forms.ProfileForm.initial_for(user))
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "suggestions": forms.SUGGESTIONS,
            "two_factor": twofactor.has_two_factor(user),
            "has_password": user.has_usable_password(),
            "active_tab": "profile",
        },
    )


# API token ----------------------------------------------------------------------------------


@verified_required
@require_http_methods(["GET", "POST"])
def api_token(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            token = services.create_api_token(user, by=user)
            _show_once(request, api_key=token.key)
            messages.success(request, _("Your new API token is ready. Copy it now."))
        elif action == "revoke" and services.revoke_api_token(user, by=user):
            messages.success(request, _("Your API token is revoked; it no longer works."))
        return redirect("accounts:api_token")
    shown = _pop_shown_once(request)
    response = render(
        request,
        "accounts/api_token.html",
        {
            "token": services.api_token(user),
            "new_key": shown.get("api_key"),
            "active_tab": "api_token",
        },
    )
    return _no_store(response)


# Two-factor ---------------------------------------------------------------------------------


@sensitive_post_parameters("code")
@verified_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    user = request.user
    enabled = twofactor.has_two_factor(user)
    form = forms.CodeForm(request.POST or None)
    if not enabled:
        # While setting up there are no backup codes yet.
        form.fields["code"].help_text = _("Six digits, without spaces.")
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "start" and not enabled:
            services.start_two_factor(user, by=user)
            return redirect("accounts:two_factor")
        if action == "confirm" and not enabled:
            device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
            if device is None:
                return redirect("accounts:two_factor")
            if form.is_valid():
                codes = services.confirm_two_factor(device, form.cleaned_data["code"], by=user)
                if codes is not None:
                    # This session has just proved the code; it needs no second prompt.
                    django_otp.login(request, device)
                    twofactor.remember_in_session(request, True)
                    _show_once(request, backup_codes=codes)
                    messages.success(request, _("Two-factor authentication is on."))
                    return redirect("accounts:two_factor")
                form.add_error(
                    "code",
                    _(
                        "That code is not right. Check the time on your phone "
                        "and enter the code your app shows now."
                    ),
                )
        elif action == "backup_codes" and enabled:
            _show_once(request, backup_codes=services.new_backup_codes(user, by=user))
            messages.success(request, _("New backup codes are ready; the old ones no longer work."))
            return redirect("accounts:two_factor")
        elif action == "disable" and enabled:
            if form.is_valid():
                if twofactor.verify_code(user, form.cleaned_data["code"]) is not None:
                    services.disable_two_factor(user, by=user)
                    twofactor.remember_in_session(request, False)
                    messages.success(request, _("Two-factor authentication is off."))
                    return redirect("accounts:two_factor")
                form.add_error("code", _("That code is not right, or was already used."))
        else:
            return redirect("accounts:two_factor")
    shown = _pop_shown_once(request)
    context: dict[str, Any] = {
        "enabled": enabled,
        "form": form,
        "backup_codes": shown.get("backup_codes"),
        "active_tab": "two_factor",
    }
    if enabled:
        context["backup_codes_left"] = twofactor.backup_codes_left(user)
    else:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is not None:
            context.update(
                device=device,
                qr_code=twofactor.qr_code_data_uri(device),
                secret=twofactor.secret_for_reading(device),
                issuer=twofactor.issuer(),
            )
    return _no_store(render(request, "accounts/two_factor.html", context))
