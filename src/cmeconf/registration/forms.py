"""The learner's registration form: validates the input, then calls services.register.

The rules (prices, seats, promo codes, answers) live in the services and pricing; the
form only shows them and puts the service's errors next to the fields they concern.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dates import MONTHS as MONTH_NAMES
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cmeconf.integrity.consent import ConsentField
from cmeconf.providers.forms import add_service_errors
from cmeconf.registration import identifiers as ids
from cmeconf.registration import services
from cmeconf.registration.choices import QuestionKind
from cmeconf.registration.models import Question, Registration, RegistrationType
from cmeconf.registration.pricing import current_tier

YES_NO = (("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No")))


def type_label(reg_type: RegistrationType, currency: str, now: dt.datetime) -> str:
    """The type as a learner chooses it: name, price now, and seats left or the waiting list."""
    parts = [reg_type.name]
    tier = current_tier(reg_type, now)
    if tier is not None:
        if tier.amount > 0:
            parts.append(f"{tier.label}: {tier.amount} {currency}")
        else:
            parts.append(_("free of charge"))
    elif reg_type.prices.all():
        parts.append(_("no longer on sale"))
    else:
        parts.append(_("free of charge"))
    left = services.seats_left(reg_type.activity, reg_type)
    if left == 0:
        parts.append(_("full: you join the waiting list"))
    elif left is not None:
        parts.append(_("%(n)s seats left") % {"n": left})
    return " · ".join(str(p) for p in parts)


class TypeChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, currency: str, now: dt.datetime, **kwargs) -> None:
        self.currency = currency
        self.now = now
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: RegistrationType) -> str:
        return type_label(obj, self.currency, self.now)


def _question_field(q: Question) -> forms.Field:
    common = {"label": q.label, "help_text": q.help_text, "required": q.required}
    if q.kind == QuestionKind.CHOICE:
        return forms.ChoiceField(
            choices=[(c, c) for c in q.choices], widget=forms.RadioSelect, **common
        )
    if q.kind == QuestionKind.MULTIPLE:
        return forms.MultipleChoiceField(
            choices=[(c, c) for c in q.choices], widget=forms.CheckboxSelectMultiple, **common
        )
    if q.kind == QuestionKind.YES_NO:
        # Two radio buttons: a single required checkbox could only ever say yes.
        return forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect, **common)
    return forms.CharField(max_length=1000, **common)


MONTHS = [("", "—")] + [(str(m), name) for m, name in MONTH_NAMES.items()]
DAYS = [("", "—")] + [(str(d), str(d)) for d in range(1, 32)]


def _identifier_field(name: str, person) -> forms.Field:
    label = ids.IDENTIFIER_LABELS[name]
    if name == "licence_state":
        states = [("", "—")] + [(s, s) for s in sorted(ids.US_STATES)]
        return forms.ChoiceField(label=label, choices=states, required=False)
    if name == "abms_board":
        boards = [("", "—")] + [(code, f"{code}: {n}") for code, n in ids.ABMS_BOARDS.items()]
        return forms.ChoiceField(label=label, choices=boards, required=False)
    if name == "birth_month":
        return forms.ChoiceField(label=label, choices=MONTHS, required=False)
    if name == "birth_day":
        return forms.ChoiceField(label=label, choices=DAYS, required=False)
    initial = getattr(person, "npi", "") if name == "npi" else ""
    return forms.CharField(label=label, max_length=20, required=False, initial=initial)


class CreditIdentifiersMixin:
    """The credit types offered and, for those that need them, the clinician identifiers.

    Every identifier field carries the credit types that ask for it, so the page
    can show it only when one of them is ticked; the service decides what is
    required.
    """

    def add_credit_fields(self, activity, person, initial_types=(), initial_ids=None) -> None:
        setup = activity.registration_setup
        self.offered = [c for c in setup.credit_types if c in ids.CREDIT_TYPES]
        self.needs = ids.needs_for(self.offered)
        if not self.offered:
            return
        self.fields["credit_types"] = forms.MultipleChoiceField(
            label=_("Credit you will claim"),
            choices=ids.credit_type_choices(self.offered),
            widget=forms.CheckboxSelectMultiple,
            required=False,
            initial=list(initial_types),
            help_text=_("Tick what you will claim; we ask only for what it needs."),
        )
        self.asked_by: dict[str, list[str]] = {}
        for need in self.needs:
            for name in need.fields:
                self.asked_by.setdefault(name, []).append(need.credit_type)
        for name in ids.IDENTIFIERS:
            if name in self.asked_by:
                field = _identifier_field(name, person)
                if initial_ids and name in initial_ids:
                    field.initial = str(initial_ids[name])
                self.fields[name] = field

    def identifier_fields(self) -> list:
        return [
            (self[name], " ".join(self.asked_by[name]))
            for name in ids.IDENTIFIERS
            if name in self.fields
        ]

    def chosen_credit_types(self) -> list[str]:
        return list(self.cleaned_data.get("credit_types") or [])

    def identifiers(self) -> dict:
        chosen = set(self.chosen_credit_types())
        wanted = {n for n, by in getattr(self, "asked_by", {}).items() if chosen & set(by)}
        # Fields of credit types not ticked are ignored, not refused: the page hid them.
        return {n: self.cleaned_data.get(n, "") for n in wanted if self.cleaned_data.get(n)}


class RegistrationForm(CreditIdentifiersMixin, forms.Form):
    """Registration type, promo code, the activity's questions and the optional consent [A4]."""

    promo_code = forms.CharField(
        label=gettext_lazy("Promo code"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("If you were given one. Leave empty otherwise."),
    )

    def __init__(self, *args, activity, person, now: dt.datetime | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.activity = activity
        self.person = person
        self.now = now or timezone.now()
        setup = activity.registration_setup
        types = RegistrationType.objects.filter(activity=activity, is_active=True).prefetch_related(
            "prices"
        )
        self.fields["registration_type"] = TypeChoiceField(
            queryset=types,
            currency=setup.currency,
            now=self.now,
            widget=forms.RadioSelect,
            empty_label=None,
            label=_("Registration type"),
            error_messages={"required": _("Choose a registration type.")},
        )
        self.questions = list(Question.objects.filter(activity=activity))
        for q in self.questions:
            self.fields[f"question_{q.pk}"] = _question_field(q)
        self.add_credit_fields(activity, person)
        # Optional, unticked, and in plain sight, never a condition of registering [A4].
        self.fields["share_with_companies"] = ConsentField(activity)
        self.order_fields(["registration_type", "promo_code"])

    def answers(self) -> dict:
        """The answers keyed by question id, in the shapes services.register expects."""
        result: dict = {}
        for q in self.questions:
            value = self.cleaned_data.get(f"question_{q.pk}")
            if value in (None, "", []):
                continue
            if q.kind == QuestionKind.YES_NO:
                value = value == "yes"
            result[str(q.pk)] = value
        return result

    def question_fields(self) -> list:
        return [self[f"question_{q.pk}"] for q in self.questions]

    def submit(self, *, by) -> Registration | None:
        """Register through the service; its errors land next to their fields, None then."""
        try:
            return services.register(
                self.activity,
                self.person,
                registration_type=self.cleaned_data["registration_type"],
                by=by,
                answers=self.answers(),
                promo_code=self.cleaned_data.get("promo_code", ""),
                share_with_companies=self.cleaned_data.get("share_with_companies", False),
                credit_types=self.chosen_credit_types(),
                identifiers=self.identifiers(),
                now=self.now,
            )
        except ValidationError as e:
            add_service_errors(self, e)
            return None


class IdentifiersForm(CreditIdentifiersMixin, forms.Form):
    """Change the credit types and identifiers after registering."""

    def __init__(self, *args, registration: Registration, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.registration = registration
        self.add_credit_fields(
            registration.activity,
            registration.person,
            initial_types=registration.credit_types,
            initial_ids=registration.identifiers,
        )

    def submit(self, *, by) -> Registration | None:
        try:
            return services.update_identifiers(
                self.registration,
                by=by,
                credit_types=self.chosen_credit_types(),
                identifiers=self.identifiers(),
            )
        except ValidationError as e:
            add_service_errors(self, e)
            return None


class GroupForm(forms.Form):
    """A coordinator's group: a name, the type for everyone, and the list of people."""

    name = forms.CharField(
        label=gettext_lazy("Group name"),
        max_length=200,
        help_text=gettext_lazy("Your department or hospital, as the organisers should see it."),
    )
    people = forms.CharField(
        label=gettext_lazy("People"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy(
            "One person per line: e-mail, first name, last name, and optionally the short "
            "name of a registration type (otherwise the one chosen above)."
        ),
    )

    def __init__(self, *args, activity, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.activity = activity
        setup = activity.registration_setup
        now = timezone.now()
        types = RegistrationType.objects.filter(activity=activity, is_active=True)
        self.fields["registration_type"] = TypeChoiceField(
            queryset=types,
            currency=setup.currency,
            now=now,
            required=False,
            label=_("Registration type for everyone"),
            help_text=_("Short names: %(codes)s.") % {"codes": ", ".join(t.code for t in types)},
        )
        self.order_fields(["name", "registration_type", "people"])

    def submit(self, *, by):
        from cmeconf.registration.group import register_list

        try:
            return register_list(
                self.activity,
                coordinator=by,
                name=self.cleaned_data["name"],
                text=self.cleaned_data["people"],
                default_type=self.cleaned_data.get("registration_type"),
                by=by,
            )
        except ValidationError as e:
            add_service_errors(self, e)
            return None
