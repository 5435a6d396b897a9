"""Which credit types a provider offers: switching them on and off, its IDs and options.

- A provider may switch a credit type on only while it holds an accreditation
  that lets it award that credit (the rule's `accreditors`, e.g. ACCME, a state
  society or Joint Accreditation for AMA PRA Category 1 Credit™ [M3]); an
  accreditation whose "accredited until" date has passed does not count. A
  rule without accreditors (the certificate of participation) is open to every
  provider.
- The provider's ID for the type (the ACPE provider number at the start of each
  UAN [P1][P2] ...) and the options each rule leaves open (ANCC rounding [N1],
  the ECMEC daily cap [E1][E3] ...) are kept on `ProviderCreditType`. Options are
  checked against the type of their documented default: a number where the
  default is a number, yes/no where it is yes/no; numbers are finite, never
  negative and within the option's bounds (the ECMEC daily cap 0 to 24 ...).
- A type stays switched on while an activity that has not ended yet designates it,
  so that no published designation loses the setting it rests on.
- Every change goes to the audit trail; activities whose statements it changes
  get a new program version (their cached public pages are dropped).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cmeconf.common import audit
from cmeconf.credits.models import Designation, ProviderCreditType
from cmeconf.credits.types import REGISTRY, CreditRule, Option
from cmeconf.providers.models import Provider

SETTING_FIELDS = ("enabled", "identifier", "options")
MAX_TEXT_OPTION = 200
# Number options without a stated maximum stay below this (no option means more).
MAX_NUMBER_OPTION = Decimal(1000)


def rule_of(code: str) -> CreditRule:
    """The rule of a registered credit type; a ValidationError for an unknown code."""
    try:
        return REGISTRY[code]
    except KeyError:
        raise ValidationError(
            _("“%(code)s” is not a credit type this platform knows.") % {"code": code}
        ) from None


def current_accreditors(provider: Provider, today: dt.date | None = None) -> set[str]:
    """The accreditors whose accreditation of the provider holds today."""
    today = today or timezone.localdate()
    return {
        accreditor
        for accreditor, until in provider.accreditations.values_list("accreditor", "valid_until")
        if until is None or until >= today
    }


def open_to_everyone(credit_rule: CreditRule) -> bool:
    """The certificate of participation needs no accreditation."""
    return credit_rule.code == "PARTICIPATION" or not credit_rule.accreditors


def may_switch_on(
    provider: Provider, credit_rule: CreditRule, accreditors: set[str] | None = None
) -> bool:
    if open_to_everyone(credit_rule):
        return True
    held = current_accreditors(provider) if accreditors is None else accreditors
    return bool(held & credit_rule.accreditors)


@dataclass(frozen=True)
class TypeChoice:
    """One registered credit type as the provider's credit-type page lists it."""

    rule: CreditRule
    allowed: bool
    setting: ProviderCreditType | None

    @property
    def enabled(self) -> bool:
        return self.allowed and self.setting is not None and self.setting.enabled

    @property
    def accreditor_list(self) -> list[str]:
        return sorted(self.rule.accreditors)


def choices(provider: Provider) -> list[TypeChoice]:
    """Every registered type, in the registry's order, with what the provider may do with it."""
    held = current_accreditors(provider)
    settings = {s.credit_type: s for s in ProviderCreditType.objects.filter(provider=provider)}
    return [
        TypeChoice(rule=r, allowed=may_switch_on(provider, r, held), setting=settings.get(code))
        for code, r in REGISTRY.items()
    ]


def enabled_settings(provider: Provider) -> list[ProviderCreditType]:
    """The provider's switched-on types that it may still award, in the registry's order."""
    return [c.setting for c in choices(provider) if c.enabled]


def option_choices(option: Option) -> tuple[tuple[str, str], ...]:
    """The allowed values of an option that is a choice (a rounding ...); empty otherwise."""
    return tuple(getattr(option, "choices", ()) or ())


def option_kind(option: Option) -> str:
    """How an option's value is typed: one of its choices, else by its default's type."""
    if option_choices(option):
        return "choice"
    default = option.default
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, int):
        return "int"
    if isinstance(default, Decimal | float):
        return "decimal"
    return "text"


def _bounded_number(option: Option, value: Any, message: str) -> Decimal:
    """A finite number within the option's bounds (never negative, at most
    `MAX_NUMBER_OPTION` where the option sets no maximum); ValueError with a message."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(message) from None
    if not number.is_finite():
        raise ValueError(message)
    low = getattr(option, "minimum", None)
    high = getattr(option, "maximum", None)
    low = Decimal(0) if low is None else Decimal(low)
    high = MAX_NUMBER_OPTION if high is None else Decimal(high)
    if number < low or number > high:
        raise ValueError(_("Give a number from %(low)s to %(high)s.") % {"low": low, "high": high})
    return number


def _clean_option(option: Option, value: Any) -> Any:
    """The value as stored (JSON): raises ValueError with a message when it does not fit."""
    kind = option_kind(option)
    if kind == "choice":
        allowed = [value for value, _label in option_choices(option)]
        if value not in allowed:
            raise ValueError(_("Choose one of: %(allowed)s.") % {"allowed": ", ".join(allowed)})
        return value
    if kind == "bool":
        if isinstance(value, bool):
            return value
        raise ValueError(_("Choose yes or no."))
    if kind == "int":
        if isinstance(value, bool):
            raise ValueError(_("Give a whole number."))
        number = _bounded_number(option, value, _("Give a whole number."))
        if number != number.to_integral_value():
            raise ValueError(_("Give a whole number."))
        return int(number)
    if kind == "decimal":
        if isinstance(value, bool):
            raise ValueError(_("Give a number."))
        number = _bounded_number(option, value, _("Give a number, such as 1.5."))
        # JSON has no decimals: stored as text, read back by typed_options.
        return float(number) if isinstance(option.default, float) else str(number)
    text = str(value).strip()
    if len(text) > MAX_TEXT_OPTION:
        raise ValueError(_("Keep it to %(n)s characters or fewer.") % {"n": MAX_TEXT_OPTION})
    return text


def clean_options(credit_rule: CreditRule, given: Mapping[str, Any]) -> dict[str, Any]:
    """The options as stored, each checked against its type; errors keyed by option key.

    A value left empty (None or "") is not stored, so that the documented default applies.
    """
    known = {opt.key: opt for opt in credit_rule.options}
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for key, value in given.items():
        option = known.get(key)
        if option is None:
            errors.setdefault("options", []).append(
                _("%(label)s has no option “%(key)s”.") % {"label": credit_rule.label, "key": key}
            )
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        try:
            cleaned[key] = _clean_option(option, value)
        except ValueError as exc:
            errors[key] = [str(exc)]
    if errors:
        raise ValidationError(errors)
    return cleaned


def typed_options(credit_rule: CreditRule, stored: Mapping[str, Any]) -> dict[str, Any]:
    """Stored options back in the type of their defaults (decimals come back as Decimal)."""
    typed: dict[str, Any] = {}
    for opt in credit_rule.options:
        if opt.key not in stored:
            continue
        value = stored[opt.key]
        if isinstance(opt.default, Decimal) and not isinstance(value, Decimal):
            try:
                value = Decimal(str(value))
            except InvalidOperation:
                continue
        typed[opt.key] = value
    return typed


def options_for(provider: Provider, code: str) -> dict[str, Any]:
    """The provider's options for a type, typed; empty where it set none."""
    setting = ProviderCreditType.objects.filter(provider=provider, credit_type=code).first()
    if setting is None or code not in REGISTRY:
        return {}
    return typed_options(REGISTRY[code], setting.options or {})


def _live_designations(provider: Provider, code: str):
    """Designations of the type on activities that have not ended yet."""
    return Designation.objects.filter(
        activity__provider=provider,
        credit_type=code,
        activity__end_date__gte=timezone.localdate(),
    ).select_related("activity")


def _bump_activities_showing(provider: Provider, code: str) -> None:
    from cmeconf.activities.services.activities import bump_program_version

    seen: set[int] = set()
    for designation in Designation.objects.filter(
        activity__provider=provider, credit_type=code
    ).select_related("activity", "activity__provider"):
        if designation.activity_id not in seen:
            seen.add(designation.activity_id)
            bump_program_version(designation.activity)


@transaction.atomic
def configure(
    provider: Provider,
    code: str,
    *,
    by,
    enabled: bool,
    identifier: str = "",
    options: Mapping[str, Any] | None = None,
) -> ProviderCreditType:
    """Switch a credit type on or off for the provider and set its ID and options.

    Raises ValidationError when the provider holds no accreditation for the type
    (switching on), when an activity that has not ended designates it (switching
    off), or for an option of the wrong kind (by option key).
    Side effects: audit "credit.type_switched_on", "credit.type_switched_off" or
    "credit.type_changed"; activities designating the type get a new program version.
    """
    credit_rule = rule_of(code)
    setting = (
        ProviderCreditType.objects.select_for_update()
        .filter(provider=provider, credit_type=code)
        .first()
    )
    if enabled and not may_switch_on(provider, credit_rule):
        raise ValidationError(
            _(
                "%(label)s can be switched on only by a provider accredited by %(who)s; "
                "add the accreditation in the provider settings first."
            )
            % {"label": credit_rule.label, "who": " or ".join(sorted(credit_rule.accreditors))}
        )
    if not enabled and setting is not None and setting.enabled:
        live = list(_live_designations(provider, code)[:5])
        if live:
            raise ValidationError(
                _(
                    "%(label)s is designated for activities that have not ended yet (%(titles)s); "
                    "withdraw those designations before switching it off."
                )
                % {"label": credit_rule.label, "titles": ", ".join(d.activity.title for d in live)}
            )
    identifier = (identifier or "").strip()
    if len(identifier) > 50:
        raise ValidationError({"identifier": _("Keep the ID to 50 characters or fewer.")})
    cleaned = (
        clean_options(credit_rule, options)
        if options is not None
        else dict(setting.options)
        if setting
        else {}
    )
    before = audit.snapshot(setting, SETTING_FIELDS) if setting else None
    if setting is None:
        if not enabled:
            # Nothing to switch off: nothing recorded either.
            return ProviderCreditType(provider=provider, credit_type=code, enabled=False)
        setting = ProviderCreditType(provider=provider, credit_type=code)
    setting.enabled = enabled
    setting.identifier = identifier
    setting.options = cleaned
    after = audit.snapshot(setting, SETTING_FIELDS)
    if before == after:
        return setting
    setting.save()
    if before is None or (enabled and not before["enabled"]):
        action = "credit.type_switched_on"
    elif not enabled and before["enabled"]:
        action = "credit.type_switched_off"
    else:
        action = "credit.type_changed"
    audit.record(
        action,
        actor=by,
        obj=setting,
        before=before,
        after=after | {"credit_type": code},
        provider_id=provider.pk,
    )
    if before is not None and (
        before["identifier"] != after["identifier"] or before["options"] != after["options"]
    ):
        _bump_activities_showing(provider, code)
    return setting
