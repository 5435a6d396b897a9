from cmeconf.providers.permissions import permission_set, staff_activities
from tests.factories import ActivityFactory, ProviderFactory, TeamFactory, UserFactory


def test_permissions_union_of_teams_applying_to_the_activity(db):
    provider = ProviderFactory()
    a1, a2 = ActivityFactory(provider=provider), ActivityFactory(provider=provider)
    user = UserFactory()
    TeamFactory(provider=provider, all_activities=True, permissions=["reports"], members=[user])
    TeamFactory(
        provider=provider,
        all_activities=False,
        activities=[a1],
        permissions=["program", "credit"],
        members=[user],
    )
    assert permission_set(user, provider) == {"reports"}
    assert permission_set(user, provider, a1) == {"reports", "program", "credit"}
    user2 = UserFactory()
    TeamFactory(
        provider=provider,
        all_activities=False,
        activities=[a2],
        permissions=["program"],
        members=[user2],
    )
    assert permission_set(user2, provider, a1) == set()
    assert list(staff_activities(user2, provider)) == [a2]


def test_no_permissions_at_another_provider(db):
    user = UserFactory()
    TeamFactory(members=[user])
    other = ProviderFactory()
    assert permission_set(user, other) == set()
    assert permission_set(UserFactory(), other, ActivityFactory(provider=other)) == set()


def test_the_last_team_manager_cannot_be_removed_or_demoted(db):
    import pytest
    from django.core.exceptions import ValidationError

    from cmeconf.providers import services

    provider = ProviderFactory()
    boss, helper = UserFactory(), UserFactory()
    office = TeamFactory(provider=provider, permissions=["teams", "program"], members=[boss])
    desk = TeamFactory(provider=provider, permissions=["registration"], members=[helper])
    with pytest.raises(ValidationError, match="nobody could manage"):
        services.remove_member(office, boss, by=boss)
    assert office.members.filter(pk=boss.pk).exists()
    with pytest.raises(ValidationError, match="nobody could manage"):
        services.update_team(office, by=boss, permissions=["program"])
    office.refresh_from_db()
    assert "teams" in office.permissions
    services.remove_member(desk, helper, by=boss)  # others may leave
    services.add_member(office, helper, by=boss)
    services.remove_member(office, boss, by=helper)  # someone else still manages
    assert list(office.members.all()) == [helper]
