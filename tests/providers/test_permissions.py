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
