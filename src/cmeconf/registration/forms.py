"""The learner's registration form: validates the input, then calls services.register.

The rules (prices, seats, promo codes, answers) live in the services and pricing; the
form only shows them and puts the service's errors next to the fields they concern.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cmeconf.integrity.consent import ConsentField
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


class RegistrationForm(forms.Form):
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
                now=self.now,
            )
        except ValidationError as e:
            for field, messages in e.message_dict.items():
                target = field if field in self.fields else None
                for message in messages:
                    self.add_error(target, message)
            return None
