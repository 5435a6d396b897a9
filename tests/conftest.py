import pytest
from django.core.cache import cache

from cmeconf.providers.permissions import ALL_PERMISSIONS
from tests.factories import ActivityFactory, ProviderFactory, TeamFactory, UserFactory


def _forget_everything() -> None:
    from cmeconf.activities import page_cache
    from cmeconf.api.authentication import RememberedTokenAuthentication
    from cmeconf.api.views import checkin
    from cmeconf.checkin import fast_scans

    cache.clear()
    page_cache.clear_local()
    # Per-process memories of tokens and scanner scopes: ids come again in the next test.
    RememberedTokenAuthentication._remembered.clear()
    checkin._SCANNER_SCOPES.clear()
    fast_scans.forget()


@pytest.fixture(autouse=True)
def _clear_cache():
    _forget_everything()
    yield
    _forget_everything()


@pytest.fixture
def provider(db):
    return ProviderFactory(slug="acp", name="American College of Practitioners")


@pytest.fixture
def activity(provider):
    return ActivityFactory(provider=provider, slug="annual-2027", title="Annual Meeting 2027")


@pytest.fixture
def admin_user(provider):
    """Member of a team with every permission for all of the provider's activities."""
    user = UserFactory(email="admin@acp.example")
    TeamFactory(
        provider=provider, name="CME office", members=[user], permissions=sorted(ALL_PERMISSIONS)
    )
    return user


@pytest.fixture
def learner(db):
    return UserFactory(email="learner@example.org", first_name="Lee", last_name="Learner")


def pytest_report_header(config):
    from tests.e2e.conftest import CHROMIUM

    if CHROMIUM:
        return f"browser tests: Chromium at {CHROMIUM}"
    return "browser tests: SKIPPED, no Chromium found (install Debian's chromium to run them)"
