"""Standard 2: learner data reaches ineligible companies only with explicit opt-in [A4]."""

from __future__ import annotations

import pytest
from django import forms
from django.urls import reverse

from cmeconf.activities.choices import ActivityState
from cmeconf.common.models import AuditEntry
from cmeconf.integrity import consent
from cmeconf.integrity.consent import ConsentField, consent_design_problems
from cmeconf.integrity.models import SharingConsent
from tests.factories import ActivityFactory, UserFactory

pytestmark = pytest.mark.django_db


class RegistrationLike(forms.Form):
    """The shape a registration form takes: a name, and the consent box beside it."""

    name = forms.CharField()

    def __init__(self, *args, activity, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["share"] = ConsentField(activity)


def test_worked_example_21_consent_required_to_register_is_non_compliant():
    assert consent_design_problems(required=True, initial=False, visible=True)


def test_worked_example_21_optional_visible_unticked_box_is_ok():
    assert consent_design_problems(required=False, initial=False, visible=True) == []


def test_worked_example_21_pre_ticked_box_is_non_compliant():
    assert consent_design_problems(required=False, initial=True, visible=True)


def test_consent_buried_in_terms_is_non_compliant():
    assert consent_design_problems(required=False, initial=False, visible=False)


def test_the_consent_field_passes_its_own_rule_and_registration_works_without_it():
    activity = ActivityFactory()
    form = RegistrationLike({"name": "Ada Lovelace"}, activity=activity)
    field = form.fields["share"]
    assert (
        consent_design_problems(required=field.required, initial=bool(field.initial), visible=True)
        == []
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["share"] is False
    assert "checked" not in str(RegistrationLike(activity=activity)["share"])
    assert activity.title in field.label


def test_give_twice_counts_once_and_withdraw_keeps_the_history():
    learner, activity = UserFactory(), ActivityFactory()
    first = consent.give_consent(learner, activity, source="registration")
    assert consent.give_consent(learner, activity, source="account") == first
    assert consent.has_consent(learner, activity)
    assert list(consent.consenting_people(activity)) == [learner]

    assert consent.withdraw_consent(learner, activity) == first
    assert not consent.has_consent(learner, activity)
    assert list(consent.consenting_people(activity)) == []
    assert consent.withdraw_consent(learner, activity) is None

    again = consent.give_consent(learner, activity, source="account")
    assert again != first
    assert SharingConsent.objects.filter(person=learner).count() == 2
    first.refresh_from_db()
    assert first.withdrawn_at is not None and first.wording == again.wording
    actions = list(
        AuditEntry.objects.filter(activity_id=activity.pk, action__startswith="consent.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["consent.given", "consent.withdrawn", "consent.given"]


def test_consent_is_per_activity():
    learner = UserFactory()
    one, other = ActivityFactory(), ActivityFactory()
    consent.give_consent(learner, one, source="account")
    assert consent.has_consent(learner, one)
    assert not consent.has_consent(learner, other)


def test_sharing_page_needs_a_login(client):
    activity = ActivityFactory()
    url = reverse("sharing:activity", args=[activity.provider.slug, activity.slug])
    response = client.get(url)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_sharing_page_starts_unticked_and_saving_unticked_shares_nothing(client):
    learner, activity = UserFactory(), ActivityFactory()
    client.force_login(learner)
    url = reverse("sharing:activity", args=[activity.provider.slug, activity.slug])
    page = client.get(url).content.decode()
    assert 'name="share"' in page and "checked" not in page.split('name="share"')[1][:80]
    client.post(url, {})
    assert not consent.has_consent(learner, activity)


def test_learner_opts_in_and_withdraws_on_the_page(client):
    learner, activity = UserFactory(), ActivityFactory()
    client.force_login(learner)
    url = reverse("sharing:activity", args=[activity.provider.slug, activity.slug])
    assert client.post(url, {"share": "on"}).status_code == 302
    assert consent.has_consent(learner, activity)
    listing = client.get(reverse("sharing:list")).content.decode()
    assert activity.title in listing and "Sharing now" in listing

    client.post(url, {"action": "withdraw"})
    assert not consent.has_consent(learner, activity)
    assert "Withdrawn" in client.get(reverse("sharing:list")).content.decode()


def test_one_learner_never_sees_anothers_consents(client):
    learner, other, activity = UserFactory(), UserFactory(), ActivityFactory()
    consent.give_consent(other, activity, source="account")
    client.force_login(learner)
    assert activity.title not in client.get(reverse("sharing:list")).content.decode()
    url = reverse("sharing:activity", args=[activity.provider.slug, activity.slug])
    assert "You agreed" not in client.get(url).content.decode()


def test_unpublished_activity_has_no_sharing_page(client):
    activity = ActivityFactory(state=ActivityState.PLANNING)
    client.force_login(UserFactory())
    url = reverse("sharing:activity", args=[activity.provider.slug, activity.slug])
    assert client.get(url).status_code == 404
