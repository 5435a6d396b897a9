"""Staff pages of a provider: its details, accreditations and teams. Thin: services decide."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cmeconf.accounts.services import find_or_create_person
from cmeconf.providers import services
from cmeconf.providers.access import staff_required
from cmeconf.providers.forms import (
    AccreditationForm,
    MemberForm,
    ProviderForm,
    TeamForm,
    add_service_errors,
)
from cmeconf.providers.models import Provider, Team
from cmeconf.providers.permissions import Permission


def _context(request, provider: Provider, section: str) -> dict:
    return {"provider": provider, "provider_perms": request.perms, "section": section}


@staff_required(Permission.TEAMS)
def provider_settings(request: HttpRequest, provider: Provider) -> HttpResponse:
    """The provider's details and its accreditations; two forms, each saved on its own."""
    form = ProviderForm(initial=ProviderForm.initial_for(provider))
    acc_form = AccreditationForm()
    if request.method == "POST" and request.POST.get("form") == "accreditation":
        acc_form = AccreditationForm(request.POST)
        if acc_form.is_valid():
            try:
                services.set_accreditation(provider, by=request.user, **acc_form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(acc_form, exc)
            else:
                messages.success(request, _("The accreditation was saved."))
                return redirect("staff:provider_settings", provider.slug)
    elif request.method == "POST" and request.POST.get("form") == "remove_accreditation":
        try:
            services.remove_accreditation(
                provider, by=request.user, accreditor=request.POST.get("accreditor", "")
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The accreditation was removed."))
        return redirect("staff:provider_settings", provider.slug)
    elif request.method == "POST":
        form = ProviderForm(request.POST, initial=ProviderForm.initial_for(provider))
        if form.is_valid():
            try:
                services.update_provider(provider, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                provider.refresh_from_db()
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The provider's details were saved."))
                return redirect("staff:provider_settings", provider.slug)
    return render(
        request,
        "staff/provider_settings.html",
        _context(request, provider, "settings")
        | {
            "form": form,
            "acc_form": acc_form,
            "accreditations": provider.accreditations.all(),
        },
        status=400 if form.errors or acc_form.errors else 200,
    )


@staff_required(Permission.TEAMS)
def teams(request: HttpRequest, provider: Provider) -> HttpResponse:
    team_list = (
        Team.objects.filter(provider=provider)
        .prefetch_related("members", "activities")
        .order_by("name")
    )
    return render(
        request,
        "staff/teams.html",
        _context(request, provider, "teams")
        | {
            "teams": [
                (team, [Permission(p).label for p in team.permissions if p in Permission.values])
                for team in team_list
            ]
        },
    )


@staff_required(Permission.TEAMS)
def team_create(request: HttpRequest, provider: Provider) -> HttpResponse:
    form = TeamForm(request.POST or None, provider=provider)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.create_team(provider, by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The team was created; now add its members."))
            return redirect("staff:team", provider.slug, team.pk)
    return render(
        request,
        "staff/team_form.html",
        _context(request, provider, "teams") | {"form": form, "team": None},
        status=400 if form.errors else 200,
    )


def _team_page(request, provider, team, *, form=None, member_form=None) -> HttpResponse:
    form = form or TeamForm(
        provider=provider,
        initial={
            "name": team.name,
            "permissions": team.permissions,
            "all_activities": "1" if team.all_activities else "0",
            "activities": list(team.activities.all()),
        },
    )
    member_form = member_form or MemberForm()
    return render(
        request,
        "staff/team_form.html",
        _context(request, provider, "teams")
        | {
            "form": form,
            "team": team,
            "members": team.members.order_by("last_name", "first_name"),
            "member_form": member_form,
        },
        status=400 if form.errors or member_form.errors else 200,
    )


@staff_required(Permission.TEAMS)
def team_edit(request: HttpRequest, provider: Provider, pk: int) -> HttpResponse:
    team = get_object_or_404(Team, provider=provider, pk=pk)
    if request.method != "POST":
        return _team_page(request, provider, team)
    form = TeamForm(request.POST, provider=provider)
    if form.is_valid():
        try:
            services.update_team(team, by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            team.refresh_from_db()
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The team was saved."))
            return redirect("staff:team", provider.slug, team.pk)
    return _team_page(request, provider, team, form=form)


@require_POST
@staff_required(Permission.TEAMS)
def team_member_add(request: HttpRequest, provider: Provider, pk: int) -> HttpResponse:
    """Add an existing account by e-mail, or make one for a person who has none yet."""
    team = get_object_or_404(Team, provider=provider, pk=pk)
    form = MemberForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                person, created = find_or_create_person(by=request.user, **form.person_kwargs())
                services.add_member(team, person, by=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if created:
                text = _(
                    "%(name)s was added to the team with a new account for %(email)s, "
                    "which has no password yet: they set one from the login page."
                )
            else:
                text = _("%(name)s was added to the team.")
            messages.success(request, text % {"name": person.full_name, "email": person.email})
            return redirect("staff:team", provider.slug, team.pk)
    return _team_page(request, provider, team, member_form=form)


@require_POST
@staff_required(Permission.TEAMS)
def team_member_remove(request: HttpRequest, provider: Provider, pk: int, user_pk: int):
    team = get_object_or_404(Team, provider=provider, pk=pk)
    person = get_object_or_404(team.members.all(), pk=user_pk)
    services.remove_member(team, person, by=request.user)
    messages.success(request, _("%(name)s was removed from the team.") % {"name": person.full_name})
    return redirect("staff:team", provider.slug, team.pk)
