"""Creating providers and managing their teams, each change audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from cmeconf.common import audit
from cmeconf.providers.models import Accreditation, Provider, Team

PROVIDER_FIELDS = (
    "name",
    "slug",
    "contact_email",
    "contact_phone",
    "website",
    "address",
    "time_zone",
)
TEAM_FIELDS = ("name", "all_activities", "permissions")


@transaction.atomic
def create_provider(*, by, **fields: Any) -> Provider:
    """Create a provider. Side effects: audit "provider.created"."""
    provider = Provider(**fields)
    provider.full_clean()
    provider.save()
    audit.record(
        "provider.created",
        actor=by,
        obj=provider,
        provider_id=provider.pk,
        after=audit.snapshot(provider, fields),
    )
    return provider


@transaction.atomic
def update_provider(provider: Provider, *, by, **fields: Any) -> Provider:
    """Change a provider's details. Side effects: audit "provider.updated"."""
    before = audit.snapshot(provider, fields)
    for name, value in fields.items():
        setattr(provider, name, value)
    provider.full_clean()
    provider.save()
    audit.record(
        "provider.updated",
        actor=by,
        obj=provider,
        provider_id=provider.pk,
        before=before,
        after=audit.snapshot(provider, fields),
    )
    return provider


@transaction.atomic
def set_accreditation(provider: Provider, *, by, accreditor: str, identifier: str,
                      valid_until=None) -> Accreditation:  # fmt: skip
    """Record or change the provider's accreditation by one accreditor.

    Side effects: audit "accreditation.set".
    """
    acc = Accreditation.objects.filter(provider=provider, accreditor=accreditor).first()
    before = audit.snapshot(acc, ("identifier", "valid_until")) if acc else None
    acc = acc or Accreditation(provider=provider, accreditor=accreditor)
    acc.identifier = identifier
    acc.valid_until = valid_until
    acc.full_clean()
    acc.save()
    audit.record(
        "accreditation.set",
        actor=by,
        obj=acc,
        provider_id=provider.pk,
        before=before,
        after=audit.snapshot(acc, ("accreditor", "identifier", "valid_until")),
    )
    return acc


@transaction.atomic
def remove_accreditation(provider: Provider, *, by, accreditor: str) -> None:
    """Remove the provider's accreditation by one accreditor (lapsed or recorded by mistake).

    Side effects: audit "accreditation.removed" with what it was.
    """
    acc = Accreditation.objects.filter(provider=provider, accreditor=accreditor).first()
    if acc is None:
        raise ValidationError(_("This provider has no accreditation by that accreditor."))
    audit.record(
        "accreditation.removed",
        actor=by,
        obj=acc,
        provider_id=provider.pk,
        before=audit.snapshot(acc, ("accreditor", "identifier", "valid_until")),
    )
    acc.delete()


@transaction.atomic
def create_team(provider: Provider, *, by, activities=(), **fields: Any) -> Team:
    """Create a team. Side effects: audit "team.created"."""
    team = Team(provider=provider, **fields)
    team.full_clean(exclude=["provider"])
    try:
        with transaction.atomic():
            team.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"name": _("This provider already has a team of that name.")}
        ) from exc
    _set_activities(team, activities)
    audit.record(
        "team.created",
        actor=by,
        obj=team,
        provider_id=provider.pk,
        after=audit.snapshot(team, fields) | {"activities": [a.pk for a in activities]},
    )
    return team


def _someone_manages_teams(provider: Provider) -> bool:
    teams = Team.objects.filter(provider=provider, all_activities=True, members__is_active=True)
    return any("teams" in (t.permissions or []) for t in teams.distinct())


LOCKOUT_MESSAGE = _lazy(
    "At least one active person must keep the “teams” permission for all activities, "
    "or nobody could manage this provider's teams."
)


def _set_activities(team: Team, activities) -> None:
    activities = list(activities)
    if any(a.provider_id != team.provider_id for a in activities):
        raise ValidationError({"activities": _("A team can only cover its provider's activities.")})
    team.activities.set(activities)


@transaction.atomic
def update_team(team: Team, *, by, activities=None, **fields: Any) -> Team:
    """Change a team's name, scope or permissions. Side effects: audit "team.updated"."""
    managed = _someone_manages_teams(team.provider)
    before = audit.snapshot(team, fields)
    for name, value in fields.items():
        setattr(team, name, value)
    team.full_clean(exclude=["provider"])
    team.save()
    after = audit.snapshot(team, fields)
    if activities is not None:
        before["activities"] = sorted(team.activities.values_list("pk", flat=True))
        _set_activities(team, activities)
        after["activities"] = sorted(a.pk for a in activities)
    if managed and not _someone_manages_teams(team.provider):
        # Raising inside the atomic block undoes the change.
        raise ValidationError({"permissions": LOCKOUT_MESSAGE})
    audit.record(
        "team.updated", actor=by, obj=team, provider_id=team.provider_id, before=before, after=after
    )
    return team


@transaction.atomic
def add_member(team: Team, user, *, by) -> None:
    """Add a person to a team. Side effects: audit "team.member_added"."""
    if team.members.filter(pk=user.pk).exists():
        return
    team.members.add(user)
    audit.record(
        "team.member_added",
        actor=by,
        obj=team,
        provider_id=team.provider_id,
        after={"member": user.pk, "email": user.email},
    )


@transaction.atomic
def remove_member(team: Team, user, *, by) -> None:
    """Remove a person from a team, unless that locks everyone out of team management.

    Side effects: audit "team.member_removed".
    """
    managed = _someone_manages_teams(team.provider)
    team.members.remove(user)
    if managed and not _someone_manages_teams(team.provider):
        raise ValidationError(LOCKOUT_MESSAGE)
    audit.record(
        "team.member_removed",
        actor=by,
        obj=team,
        provider_id=team.provider_id,
        before={"member": user.pk, "email": user.email},
    )
