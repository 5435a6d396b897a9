"""Forms of the disclosure pages. They read and check input; services record the disclosure."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cmeconf.integrity import companies
from cmeconf.integrity.choices import RelationshipNature
from cmeconf.integrity.models import IneligibleCompany

COMPANY_LIST_ID = "ineligible-companies"
MAX_RELATIONSHIPS = 50


def registry_company(typed: str, unknown: str) -> IneligibleCompany:
    """The registry's company for a typed name, or a ValidationError with close names.

    `unknown` is the message for a name the registry does not know, with %(name)s.
    """
    name = " ".join(typed.split())
    company = companies.find_company(name)
    if company is None:
        close = [c.name for c in companies.search_companies(name, limit=5)]
        message = unknown % {"name": name}
        if close:
            message += " " + gettext("Did you mean: %(names)s?") % {"names": ", ".join(close)}
        raise ValidationError(message, code="unknown_company")
    return company


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class RelationshipForm(forms.Form):
    """One financial relationship: the company is typed and matched against the registry."""

    company = forms.CharField(
        label=_("Ineligible company"),
        max_length=200,
        widget=forms.TextInput(
            attrs={"list": COMPANY_LIST_ID, "autocomplete": "off", "class": "company-input"}
        ),
        help_text=_("Start typing and choose the company from the registry."),
    )
    nature = forms.ChoiceField(
        label=_("Nature of the relationship"),
        choices=[("", _("Choose…")), *RelationshipNature.choices],
    )
    start_date = forms.DateField(label=_("From"), widget=DateInput())
    end_date = forms.DateField(
        label=_("Until"),
        widget=DateInput(),
        required=False,
        help_text=_("Leave empty and tick “ongoing” if it continues."),
    )
    ongoing = forms.BooleanField(label=_("Ongoing"), required=False)

    def clean_company(self) -> IneligibleCompany:
        return registry_company(
            self.cleaned_data["company"],
            gettext(
                "“%(name)s” is not an ineligible company in the registry. Choose the company "
                "from the list; relationships with other organisations (hospitals, insurers, "
                "universities, publishers) need not be disclosed. If it is an ineligible "
                "company missing from the registry, tell the organisers so that they add it."
            ),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        end, ongoing = data.get("end_date"), data.get("ongoing")
        if ongoing and end:
            self.add_error(
                "end_date", gettext("Either give the end date or tick “ongoing”, not both.")
            )
        elif not ongoing and end is None and "end_date" not in self.errors:
            self.add_error("end_date", gettext("Give the end date, or tick “ongoing”."))
        return data

    def relationship(self) -> dict[str, Any]:
        """What submit_disclosure expects of one relationship."""
        data = self.cleaned_data
        return {
            "company": data["company"],
            "nature": data["nature"],
            "start_date": data["start_date"],
            "end_date": None if data.get("ongoing") else data.get("end_date"),
        }


class BaseRelationshipFormSet(forms.BaseFormSet):
    def initial_form_count(self) -> int:
        # Rows carried over by "add another" are shown filled in, but once posted every
        # row is new input: a row blanked out by the person is dropped, not "required".
        if self.is_bound:
            return 0
        return super().initial_form_count()

    def filled_forms(self) -> list[RelationshipForm]:
        """Rows the person filled in and did not remove; blank spare rows are ignored."""
        return [
            form
            for form in self.forms
            if form.has_changed() and not (self.can_delete and self._should_delete_form(form))
        ]


RelationshipFormSet = forms.formset_factory(
    RelationshipForm,
    formset=BaseRelationshipFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_RELATIONSHIPS,
    absolute_max=MAX_RELATIONSHIPS,
    validate_max=True,
)


class DisclosureForm(forms.Form):
    """Either no relationships, or the rows of the formset; and the attestation."""

    NONE = "none"
    SOME = "some"

    answer = forms.ChoiceField(
        label=_("In the past 24 months"),
        widget=forms.RadioSelect,
        choices=[
            (
                NONE,
                _(
                    "I have had no financial relationships with ineligible companies in the "
                    "past 24 months"
                ),
            ),
            (SOME, _("I have had the financial relationships listed below")),
        ],
        error_messages={"required": _("Say whether you have had financial relationships.")},
    )
    attested = forms.BooleanField(
        required=True,
        error_messages={"required": _("Please confirm the attestation to submit.")},
    )

    def __init__(self, *args: Any, attestation: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attested"].label = attestation

    def check_rows(self, formset: BaseRelationshipFormSet) -> None:
        """The answer and the rows must agree: nothing is guessed from a contradiction."""
        answer = self.cleaned_data.get("answer")
        filled = formset.filled_forms()
        if answer == self.NONE and filled:
            self.add_error(
                "answer",
                gettext(
                    "You said you had no financial relationships but listed %(count)s below: "
                    "remove them or choose the second answer."
                )
                % {"count": len(filled)},
            )
        elif answer == self.SOME and not filled:
            self.add_error(
                "answer", gettext("List at least one relationship, or choose the first answer.")
            )


def add_relationship_errors(
    formset: BaseRelationshipFormSet, rows: list[RelationshipForm], exc: ValidationError
) -> list[str]:
    """Put the service's "Relationship N: ..." messages on row N; return those left over.

    The service numbers the relationships it was given (`rows`, in order), not the
    rows of the page, which may include blank or removed ones.
    """
    left: list[str] = []
    messages = exc.message_dict.get("relationships", []) if hasattr(exc, "error_dict") else []
    for message in messages:
        for n, form in enumerate(rows, start=1):
            prefix = gettext("Relationship %(n)s: ") % {"n": n}
            if message.startswith(prefix):
                text = message[len(prefix) :]
                form.add_error(None, text[:1].upper() + text[1:])
                break
        else:
            left.append(message)
    return left
