"""The staff pages of credit designation and the statements on the public activity page.

Who may: credit staff change, credit or reports staff read; other providers' staff,
learners and anonymous visitors are refused (404 or the login page); team members
without either permission get 403.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from cmeconf.common.models import AuditEntry
from cmeconf.credits import designation as services
from cmeconf.credits.models import CreditSetup, Designation, ProviderCreditType
from cmeconf.providers.permissions import Permission
from tests.credits.designation_fixtures import AMA, accredit, day_one, switch_on
from tests.factories import ActivityFactory, ProviderFactory, TeamFactory, UserFactory

AMA_DESIGNATION = (
    "American College of Practitioners designates this live activity for a maximum of "
    "7.00 <em>AMA PRA Category 1 Credits™</em>. Physicians should claim only the credit "
    "commensurate with the extent of their participation in the activity."
)
ACCME = (
    "American College of Practitioners is accredited by the Accreditation Council for "
    "Continuing Medical Education (ACCME) to provide continuing medical education for "
    "physicians."
)


@pytest.fixture
def world(provider, activity):
    accredit(provider)
    switch_on(provider)
    day_one(activity)
    return activity


def member(provider, *perms, **team):
    user = UserFactory()
    TeamFactory(provider=provider, members=[user], permissions=list(perms), **team)
    return user


def page(activity, name="credit", *args) -> str:
    return reverse(f"staff:{name}", args=[activity.provider.slug, activity.slug, *args])


def text(response) -> str:
    return response.content.decode()


# --- who may ---------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    response = client.get(page(world))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(page(world, "credit_designate", AMA), {})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Designation.objects.exists()


def test_learners_and_other_providers_staff_are_refused(client, world, learner):
    other = ProviderFactory(slug="other")
    ActivityFactory(provider=other, slug=world.slug)  # the same slug at another provider
    outsider = member(other, *Permission.values)
    for person in (learner, outsider):
        client.force_login(person)
        assert client.get(page(world)).status_code == 404
        assert client.post(page(world, "credit_designate", AMA), {}).status_code == 404
        assert client.post(page(world, "credit_window"), {}).status_code == 404
        assert (
            client.get(reverse("staff:provider_credit_types", args=[world.provider.slug]))
        ).status_code == 404
    assert not Designation.objects.exists()


def test_staff_without_credit_or_reports_get_403(client, world):
    client.force_login(member(world.provider, Permission.PROGRAM, Permission.REGISTRATION))
    assert client.get(page(world)).status_code == 403
    assert client.post(page(world, "credit_designate", AMA), {}).status_code == 403


def test_reports_staff_read_but_do_not_change(client, world):
    client.force_login(member(world.provider, Permission.REPORTS))
    response = client.get(page(world))
    assert response.status_code == 200
    body = text(response)
    assert "The program supports a maximum of <strong>7.00</strong> (420 minutes)." in body
    assert "only credit staff change it" in body
    assert page(world, "credit_designate", AMA) not in body
    for url in (
        page(world, "credit_designate", AMA),
        page(world, "credit_window"),
        page(world, "credit_recompute"),
    ):
        assert client.post(url, {}).status_code == 403
    assert not Designation.objects.exists()
    assert not CreditSetup.objects.exists()  # reading creates nothing


def test_credit_staff_for_another_activity_only_are_refused(client, world):
    elsewhere = ActivityFactory(provider=world.provider, slug="winter")
    user = member(world.provider, Permission.CREDIT, all_activities=False, activities=[elsewhere])
    client.force_login(user)
    assert client.get(page(world)).status_code == 404
    assert client.get(page(elsewhere)).status_code == 200


def test_the_provider_page_needs_credit_for_all_activities(client, world):
    url = reverse("staff:provider_credit_types", args=[world.provider.slug])
    client.force_login(
        member(world.provider, Permission.CREDIT, all_activities=False, activities=[world])
    )
    assert client.get(url).status_code == 403
    client.force_login(member(world.provider, Permission.REPORTS))
    assert client.get(url).status_code == 403
    client.force_login(member(world.provider, Permission.CREDIT))
    assert client.get(url).status_code == 200


# --- the activity's credit page --------------------------------------------------------------


def test_the_page_shows_the_minutes_behind_the_computation(client, world, admin_user):
    client.force_login(admin_user)
    body = text(client.get(page(world)))
    minutes = re.search(r'<dl class="stats" id="credit-minutes">(.*?)</dl>', body, re.S).group(1)
    figures = re.findall(r"<dt>(.*?)</dt><dd>(\d+)</dd>", minutes)
    assert figures == [
        ("Minutes that carry credit", "420"),
        ("Sessions for credit", "4"),
        ("Parallel minutes counted once", "0"),
        ("Breaks, meals, exhibits, industry (left out)", "120"),
        ("Sessions marked not for credit (left out)", "0"),
    ]
    # The statements as designating would print them.
    assert AMA_DESIGNATION in body and ACCME in body


def test_designate_from_the_page(client, world, admin_user):
    client.force_login(admin_user)
    response = client.post(page(world, "credit_designate", AMA), {f"{AMA}-new-maximum": ""})
    assert response.status_code == 302
    d = Designation.objects.get()
    assert (d.maximum, d.designated_by) == (Decimal("7.00"), admin_user)
    assert AuditEntry.objects.filter(action="credit.designate", actor=admin_user).exists()


def test_lowering_without_a_reason_shows_the_error(client, world, admin_user):
    client.force_login(admin_user)
    response = client.post(page(world, "credit_designate", AMA), {f"{AMA}-new-maximum": "6.00"})
    assert response.status_code == 400
    assert "Say why the maximum is lower than the 7.00 the program supports." in text(response)
    assert not Designation.objects.exists()
    response = client.post(
        page(world, "credit_designate", AMA),
        {f"{AMA}-new-maximum": "6.00", f"{AMA}-new-lowered_reason": "Panel Q&A <b>excluded</b>"},
    )
    assert response.status_code == 302
    body = text(client.get(page(world)))
    # What staff typed is shown as text, never as HTML.
    assert "Panel Q&amp;A &lt;b&gt;excluded&lt;/b&gt;" in body
    assert "The program now supports up to 7.00." in body


def test_above_the_computation_is_refused_on_the_page(client, world, admin_user):
    client.force_login(admin_user)
    response = client.post(page(world, "credit_designate", AMA), {f"{AMA}-new-maximum": "9.00"})
    assert response.status_code == 400
    assert "cannot be more than the 7.00 the program supports" in text(response)


def test_withdraw_from_the_page(client, world, admin_user):
    d = services.designate(world, AMA, by=admin_user)
    client.force_login(admin_user)
    response = client.post(page(world, "credit_withdraw", d.pk), {f"withdraw-{d.pk}-reason": ""})
    assert response.status_code == 400
    response = client.post(
        page(world, "credit_withdraw", d.pk), {f"withdraw-{d.pk}-reason": "Not offered."}
    )
    assert response.status_code == 302
    assert not Designation.objects.exists()


def test_another_activitys_designation_cannot_be_withdrawn_here(client, world, admin_user):
    other = ActivityFactory(provider=world.provider, slug="winter")
    day_one(other)
    d = services.designate(other, AMA, by=admin_user)
    client.force_login(admin_user)
    response = client.post(page(world, "credit_withdraw", d.pk), {f"withdraw-{d.pk}-reason": "x"})
    assert response.status_code == 404
    assert Designation.objects.filter(pk=d.pk).exists()


def test_the_claim_window_form(client, world, admin_user):
    client.force_login(admin_user)
    response = client.post(
        page(world, "credit_window"),
        {
            "claims_open_at": "2027-04-16T18:00",
            "claims_close_at": "2027-04-16T17:00",
            "evaluation_required": "on",
        },
    )
    assert response.status_code == 400
    assert "Claims must close after they open." in text(response)
    response = client.post(
        page(world, "credit_window"),
        {"claims_open_at": "2027-04-16T18:00", "claims_close_at": "2027-06-15T23:59"},
    )
    assert response.status_code == 302
    saved = CreditSetup.objects.get(activity=world)
    # Typed in the activity's time zone (New York, daylight time: UTC-4).
    assert saved.claims_open_at.isoformat() == "2027-04-16T22:00:00+00:00"
    assert saved.evaluation_required is False


def test_check_against_the_program_lowers_what_it_no_longer_supports(client, world, admin_user):
    services.designate(world, AMA, by=admin_user)
    world.sessions.get(title="Closing lectures").delete()
    client.force_login(admin_user)
    response = client.post(page(world, "credit_recompute"))
    assert response.status_code == 302
    assert Designation.objects.get().maximum == Decimal("5.25")
    assert AuditEntry.objects.get(action="credit.recompute").actor == admin_user


# --- the provider's credit types -------------------------------------------------------------


def test_switch_a_type_on_from_the_provider_page(client, provider, admin_user):
    accredit(provider)
    url = reverse("staff:provider_credit_types", args=[provider.slug])
    client.force_login(admin_user)
    body = text(client.get(url))
    assert "AMA PRA Category 1 Credit™" in body and "not accredited" in body
    response = client.post(
        url, {"credit_type": AMA, f"{AMA}-enabled": "on", f"{AMA}-identifier": "0001234"}
    )
    assert response.status_code == 302
    setting = ProviderCreditType.objects.get(provider=provider, credit_type=AMA)
    assert (setting.enabled, setting.identifier) == (True, "0001234")


def test_a_type_without_the_accreditation_cannot_be_switched_on_from_the_page(
    client, provider, admin_user
):
    url = reverse("staff:provider_credit_types", args=[provider.slug])
    client.force_login(admin_user)
    response = client.post(url, {"credit_type": AMA, f"{AMA}-enabled": "on"})
    assert response.status_code == 400
    assert "can be switched on only by a provider accredited by" in text(response)
    assert not ProviderCreditType.objects.exists()


# --- the public activity page ----------------------------------------------------------------


def test_the_activity_page_shows_the_exact_statements(client, world, admin_user):
    url = world.get_absolute_url()
    assert "Accreditation and credit" not in text(client.get(url))
    services.designate(world, AMA, by=admin_user)
    body = text(client.get(url))  # the cached page is dropped with the designation
    assert f'<p class="credit-statement">{ACCME}</p>' in body
    assert f'<p class="credit-statement">{AMA_DESIGNATION}</p>' in body
    services.designate(world, AMA, by=admin_user, maximum="6.00", lowered_reason="Shorter.")
    body = text(client.get(url))
    assert "for a maximum of 6.00 <em>AMA PRA Category 1 Credits™</em>" in body
    assert "7.00" not in body


def test_names_in_statements_are_escaped(client, world, admin_user):
    world.provider.name = "Heart & <Lung> Society"
    world.provider.save()
    services.designate(world, AMA, by=admin_user)
    body = text(client.get(world.get_absolute_url()))
    assert "Heart &amp; &lt;Lung&gt; Society designates this live activity" in body


def test_the_page_says_moc_waits_for_the_evaluation(client, world, admin_user):
    """[B3]: MOC points need the evaluation whatever the claim window says."""
    switch_on(world.provider, "ABMS_MOC")
    client.force_login(admin_user)
    body = text(client.get(page(world)))
    moc = re.search(r'id="credit-ABMS_MOC">(.*?)</section>', body, re.S).group(1)
    assert "only after completing the evaluation" in moc
    ama = re.search(r'id="credit-AMA_PRA_1">(.*?)</section>', body, re.S).group(1)
    assert "only after completing the evaluation" not in ama
