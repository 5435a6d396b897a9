"""The learner's forms: licences, board certifications, credits and a CSV of credits.

They validate what a person types and explain what is wrong in words; the rules
themselves (what a licence needs, which amounts are sane) live in services.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cmeconf.licensure import imports, services, vocabulary
from cmeconf.licensure.models import BoardCertification, ExternalCredit, Licence

# Credit rows on the credit form: a certificate rarely names more than three designations.
AMOUNT_ROWS = 3
# A CSV of credits larger than this is not one person's record.


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _choices(vocab: dict[str, str]) -> list[tuple[str, str]]:
    return [(code, label) for code, label in vocab.items()]


class LicenceForm(forms.ModelForm):
    requirement_set = forms.ChoiceField(label=gettext_lazy("Jurisdiction and profession"))
    specialties = forms.CharField(
        label=gettext_lazy("Specialties"),
        required=False,
        help_text=gettext_lazy("Separate several with commas, e.g. family medicine, pediatrics."),
    )
    conditions = forms.MultipleChoiceField(
        label=gettext_lazy("Your practice"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=_choices(vocabulary.CONDITIONS),
        help_text=gettext_lazy(
            "Some mandated topics apply only to some clinicians. Tick what holds for you."
        ),
    )

    class Meta:
        model = Licence
        fields = [
            "requirement_set",
            "license_type",
            "number",
            "issued_on",
            "expires_on",
            "renewal_number",
            "birth_month",
            "birth_day",
            "cycle_start",
            "specialties",
            "conditions",
        ]
        widgets = {
            "issued_on": DateInput(),
            "expires_on": DateInput(),
            "cycle_start": DateInput(),
        }
        help_texts = {
            "cycle_start": gettext_lazy(
                "Only where the board counts each licence's own cycle (Royal College MOC, "
                "German SHI physicians): the day your current cycle began."
            )
        }

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        self.fields["requirement_set"].choices = [("", "—"), *services.set_choices()]
        self.fields["conditions"].choices = self._condition_choices()
        if self.instance.pk:
            self.initial["specialties"] = ", ".join(self.instance.specialties)

    def _condition_choices(self) -> list[tuple[str, str]]:
        """When editing, only the conditions the licence's set depends on; else all of them.

        A submitted form accepts every known condition, so changing the set never turns a
        ticked box into an error.
        """
        rs = services.requirement_sets().get(self.instance.requirement_set or "")
        if self.is_bound or rs is None:
            return _choices(vocabulary.CONDITIONS)
        used = set(self.instance.conditions or ())
        for req in rs.topic_requirements:
            if req.applies_if is not None:
                used |= req.applies_if.conditions
        return [(c, label) for c, label in vocabulary.CONDITIONS.items() if c in used]

    def clean_specialties(self) -> list[str]:
        raw = self.cleaned_data.get("specialties") or ""
        return [s.strip() for s in raw.split(",") if s.strip()]

    def clean(self):
        data = super().clean()
        if "requirement_set" not in data or "license_type" not in data:
            return data
        problems = services.licence_problems(
            person=self.person,
            licence_id=self.instance.pk,
            requirement_set=data["requirement_set"],
            license_type=data["license_type"],
            conditions=data.get("conditions", []),
            expires_on=data.get("expires_on"),
            birth_month=data.get("birth_month"),
            birth_day=data.get("birth_day"),
            issued_on=data.get("issued_on"),
            cycle_start=data.get("cycle_start"),
        )
        for field, message in problems.items():
            self.add_error(field if field in self.fields else None, message)
        return data

    def save(self, commit: bool = True) -> Licence:
        """Save through the service; a copy saved meanwhile raises ValidationError by field."""
        self.instance.person = self.person
        if not commit:
            return super().save(commit=False)
        return services.save_licence(self.instance)


class BoardCertificationForm(forms.ModelForm):
    class Meta:
        model = BoardCertification
        fields = [
            "board",
            "specialty",
            "certificate_number",
            "certified_on",
            "expires_on",
            "in_moc",
        ]
        widgets = {"certified_on": DateInput(), "expires_on": DateInput()}

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person

    def clean(self):
        data = super().clean()
        problems = services.certification_problems(
            certified_on=data.get("certified_on"), expires_on=data.get("expires_on")
        )
        for field, message in problems.items():
            self.add_error(field, message)
        return data

    def save(self, commit: bool = True) -> BoardCertification:
        self.instance.person = self.person
        return super().save(commit)


class CreditForm(forms.Form):
    """One certificate: its designations as rows of credit type and amount."""

    title = forms.CharField(label=gettext_lazy("Activity title"), max_length=300)
    provider_name = forms.CharField(
        label=gettext_lazy("Accredited provider"), max_length=200, required=False
    )
    completed_on = forms.DateField(label=gettext_lazy("Completed on"), widget=DateInput())
    topics = forms.MultipleChoiceField(
        label=gettext_lazy("Topics covered"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=_choices(vocabulary.TOPICS),
        help_text=gettext_lazy("Tick a topic only if the certificate or program names it."),
    )
    approvals = forms.MultipleChoiceField(
        label=gettext_lazy("Special approvals"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=_choices(vocabulary.APPROVALS),
        help_text=gettext_lazy("A few mandates accept only courses with one of these approvals."),
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        required=False,
        choices=[("", "—"), *_choices(vocabulary.FORMATS)],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        type_choices = [("", "—"), *_choices(vocabulary.CREDIT_TYPES)]
        for i in range(1, AMOUNT_ROWS + 1):
            optional = i > 1
            self.fields[f"credit_type_{i}"] = forms.ChoiceField(
                label=_("Credit type %(n)s") % {"n": i},
                choices=type_choices,
                required=not optional,
            )
            self.fields[f"amount_{i}"] = forms.DecimalField(
                label=_("Amount %(n)s") % {"n": i},
                required=not optional,
                min_value=0,
                max_digits=6,
                decimal_places=2,
            )

    @property
    def amount_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"credit_type_{i}"], self[f"amount_{i}"]) for i in range(1, AMOUNT_ROWS + 1)]

    @property
    def other_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("title", "provider_name", "completed_on")]

    def clean(self):
        data = super().clean()
        amounts: dict[str, str] = {}
        for i in range(1, AMOUNT_ROWS + 1):
            code, amount = data.get(f"credit_type_{i}"), data.get(f"amount_{i}")
            if code and amount is None and f"amount_{i}" not in self.errors:
                self.add_error(f"amount_{i}", _("Give the amount of this credit type."))
            elif amount is not None and not code:
                self.add_error(f"credit_type_{i}", _("Choose the credit type of this amount."))
            elif code and amount is not None:
                if code in amounts:
                    self.add_error(f"credit_type_{i}", _("This credit type is already listed."))
                amounts[code] = str(amount)
        data["amounts"] = amounts
        return data

    def save(self, person) -> ExternalCredit | None:
        """Record the credit through the service; its objections become the form's errors."""
        data = self.cleaned_data
        try:
            return services.add_credit(
                person,
                title=data["title"],
                provider_name=data["provider_name"],
                completed_on=data["completed_on"],
                amounts=data["amounts"],
                topics=data["topics"],
                approvals=data["approvals"],
                format=data["format"],
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                target = "amount_1" if field == "amounts" else field
                for message in messages:
                    self.add_error(target if target in self.fields else None, message)
            return None


class CreditImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy("One credit a row, with a header row. At most 2 MB."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            imports.check_size(upload.size)  # before reading it, as the API does
        except imports.CreditImportError as exc:
            raise ValidationError([e.message for e in exc.errors]) from None
        return upload
