"""The provider's credit types: who may switch them on, IDs and options, the audit trail."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cmeconf.activities.models import Activity
from cmeconf.common.models import AuditEntry
from cmeconf.credits import designation, provider_types
from cmeconf.credits.models import Designation, ProviderCreditType
from cmeconf.credits.types import REGISTRY, CreditRule, Option
from tests.credits.designation_fixtures import AMA, accredit, day_one
from tests.factories import ActivityFactory


class _WithOptions(CreditRule):
    """A rule with one option of each kind, to check the validation by the default's type."""

    code = "TEST_OPTIONS"
    label = "Options under test"
    options = (
        Option("cap", "Daily cap", Decimal("6"), "[E1] UNCONFIRMED"),
        Option("steps", "Steps per hour", 4, "[M1]"),
        Option("with_evaluation", "Count the evaluation", True, "[N1]"),
        Option("note", "Note", "", "-"),
    )


def choice(provider, code=AMA):
    return next(c for c in provider_types.choices(provider) if c.rule.code == code)


def test_a_type_is_offered_only_with_a_current_accreditation(provider):
    assert not choice(provider).allowed
    accreditation = accredit(provider, valid_until=timezone.localdate() - dt.timedelta(days=1))
    assert not choice(provider).allowed
    accreditation.valid_until = None
    accreditation.save()
    assert choice(provider).allowed
    assert not choice(provider).enabled


def test_a_state_society_accreditation_allows_ama_credit(provider):
    accredit(provider, "STATE")
    assert choice(provider).allowed


def test_switching_on_without_the_accreditation_is_refused(provider, admin_user):
    with pytest.raises(ValidationError) as exc:
        provider_types.configure(provider, AMA, by=admin_user, enabled=True)
    assert "accredited by ACCME or JA or STATE" in exc.value.messages[0]
    assert not ProviderCreditType.objects.exists()


def test_switching_on_and_off_is_audited(provider, admin_user):
    accredit(provider)
    setting = provider_types.configure(
        provider, AMA, by=admin_user, enabled=True, identifier=" 0001234 "
    )
    assert (setting.enabled, setting.identifier) == (True, "0001234")
    assert provider_types.enabled_settings(provider) == [setting]
    provider_types.configure(provider, AMA, by=admin_user, enabled=False, identifier="0001234")
    actions = list(
        AuditEntry.objects.filter(provider_id=provider.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["credit.type_switched_on", "credit.type_switched_off"]
    assert provider_types.enabled_settings(provider) == []


def test_an_unknown_type_is_refused(provider, admin_user):
    with pytest.raises(ValidationError):
        provider_types.configure(provider, "NOPE", by=admin_user, enabled=True)


def test_a_type_designated_by_an_activity_not_yet_ended_stays_on(provider, activity, admin_user):
    accredit(provider)
    provider_types.configure(provider, AMA, by=admin_user, enabled=True)
    day_one(activity)
    designation.designate(activity, AMA, by=admin_user)
    with pytest.raises(ValidationError) as exc:
        provider_types.configure(provider, AMA, by=admin_user, enabled=False)
    assert activity.title in exc.value.messages[0]
    assert ProviderCreditType.objects.get().enabled


def test_a_past_activity_does_not_keep_a_type_on(provider, admin_user):
    accredit(provider)
    provider_types.configure(provider, AMA, by=admin_user, enabled=True)
    past = ActivityFactory(
        provider=provider,
        start_date=timezone.localdate() - dt.timedelta(days=40),
        end_date=timezone.localdate() - dt.timedelta(days=39),
    )
    Designation.objects.create(
        activity=past,
        credit_type=AMA,
        computed_maximum=Decimal("7.00"),
        computed_minutes=420,
        maximum=Decimal("7.00"),
        designated_by=admin_user,
        designated_at=timezone.now() - dt.timedelta(days=60),
    )
    setting = provider_types.configure(provider, AMA, by=admin_user, enabled=False)
    assert setting.enabled is False


def test_changing_the_id_drops_the_cached_pages_of_designating_activities(
    provider, activity, admin_user
):
    accredit(provider)
    provider_types.configure(provider, AMA, by=admin_user, enabled=True)
    day_one(activity)
    designation.designate(activity, AMA, by=admin_user)
    before = Activity.objects.get(pk=activity.pk).program_version
    provider_types.configure(provider, AMA, by=admin_user, enabled=True, identifier="X-1")
    assert Activity.objects.get(pk=activity.pk).program_version == before + 1
    assert AuditEntry.objects.filter(action="credit.type_changed").count() == 1


def test_options_are_checked_against_the_type_of_their_default():
    rule = _WithOptions()
    cleaned = provider_types.clean_options(
        rule, {"cap": "8", "steps": "2", "with_evaluation": False, "note": "  ok  "}
    )
    assert cleaned == {"cap": "8", "steps": 2, "with_evaluation": False, "note": "ok"}
    assert provider_types.typed_options(rule, cleaned)["cap"] == Decimal("8")
    with pytest.raises(ValidationError) as exc:
        provider_types.clean_options(
            rule, {"cap": "lots", "steps": "1.5", "with_evaluation": "maybe", "colour": "red"}
        )
    found = exc.value.message_dict
    assert set(found) == {"cap", "steps", "with_evaluation", "options"}
    assert "number" in found["cap"][0] and "whole number" in found["steps"][0]


def test_an_empty_option_is_not_stored_so_the_default_applies():
    assert provider_types.clean_options(_WithOptions(), {"cap": "", "steps": None}) == {}


def test_registered_types_options_round_trip(provider, admin_user):
    """Every registered type with options stores its defaults and reads them back typed."""
    checked = 0
    for code, rule in REGISTRY.items():
        if not rule.options:
            continue
        accredit_for = sorted(rule.accreditors)[:1]
        for accreditor in accredit_for:
            if not provider.accreditations.filter(accreditor=accreditor).exists():
                accredit(provider, accreditor)
        given = {o.key: o.default for o in rule.options}
        setting = provider_types.configure(
            provider, code, by=admin_user, enabled=True, options=given
        )
        typed = provider_types.typed_options(rule, setting.options)
        for o in rule.options:
            assert typed.get(o.key, o.default) == o.default, (code, o.key)
        checked += 1
    if not checked:
        pytest.skip("no registered credit type has options yet")


def test_an_option_that_is_a_choice_takes_only_its_choices(provider, admin_user):
    rule = next(
        (r for r in REGISTRY.values() if any(provider_types.option_choices(o) for o in r.options)),
        None,
    )
    if rule is None:
        pytest.skip("no registered credit type has an option with choices")
    option = next(o for o in rule.options if provider_types.option_choices(o))
    accredit(provider, sorted(rule.accreditors)[0])
    with pytest.raises(ValidationError) as exc:
        provider_types.configure(
            provider, rule.code, by=admin_user, enabled=True, options={option.key: "bogus"}
        )
    assert option.key in exc.value.message_dict
    allowed = provider_types.option_choices(option)[-1][0]
    setting = provider_types.configure(
        provider, rule.code, by=admin_user, enabled=True, options={option.key: allowed}
    )
    assert setting.options == {option.key: allowed}


@pytest.mark.parametrize("value", ["Infinity", "-Infinity", "NaN", "1e30", "9" * 40, "-1", "25"])
def test_the_ecmec_daily_cap_is_a_bounded_number(provider, admin_user, value):
    """The daily cap is configurable [E1][E2], within 0 to 24: never a crash."""
    accredit(provider, "EACCME")
    with pytest.raises(ValidationError) as exc:
        provider_types.configure(
            provider, "ECMEC", by=admin_user, enabled=True, options={"daily_cap": value}
        )
    assert exc.value.message_dict["daily_cap"]
    setting = provider_types.configure(
        provider, "ECMEC", by=admin_user, enabled=True, options={"daily_cap": "6"}
    )
    assert setting.options == {"daily_cap": 6}


@pytest.mark.parametrize(
    "given, key",
    [
        ({"cap": "Infinity"}, "cap"),
        ({"cap": "1e30"}, "cap"),
        ({"cap": "-0.5"}, "cap"),
        ({"steps": "1e30"}, "steps"),
        ({"steps": "-2"}, "steps"),
        ({"steps": Decimal("1E+50")}, "steps"),
    ],
)
def test_number_options_are_finite_and_never_negative(given, key):
    with pytest.raises(ValidationError) as exc:
        provider_types.clean_options(_WithOptions(), given)
    assert "number" in exc.value.message_dict[key][0]


def test_ancc_evaluation_allowance_and_moc_ratio_are_bounded(provider, admin_user):
    accredit(provider, "ANCC")
    with pytest.raises(ValidationError) as exc:
        provider_types.configure(
            provider, "ANCC", by=admin_user, enabled=True, options={"evaluation_minutes": "1e9"}
        )
    assert "from 0 to 240" in exc.value.message_dict["evaluation_minutes"][0]
    accredit(provider, "ACCME")
    with pytest.raises(ValidationError) as exc:
        provider_types.configure(
            provider, "ABMS_MOC", by=admin_user, enabled=True, options={"points_per_credit": "2"}
        )
    assert "from 0 to 1" in exc.value.message_dict["points_per_credit"][0]
