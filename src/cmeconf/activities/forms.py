"""Forms of the activity staff pages. They turn input into service arguments; services decide."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cmeconf.accounts.rules import Profession
from cmeconf.activities.choices import (
    ActivityKind,
    Delivery,
    EducationalNeed,
    FacultyRole,
    GapSource,
    IntendedChange,
    PlanningRoleKind,
    RoomKind,
    SessionFormat,
)
from cmeconf.activities.services.planning_review import amendment_required
from cmeconf.activities.services.program import topics_for
from cmeconf.providers.forms import PersonForm, time_zone_choices

# Re-exported so that activity views import one module for their forms.
from cmeconf.providers.forms import add_service_errors as add_service_errors

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def reason_field() -> forms.CharField:
    return forms.CharField(
        label=_("Reason for this change"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "This activity is approved: the change is kept as an amendment with this reason."
        ),
        error_messages={
            "required": _("Give the reason for this change: the activity is approved.")
        },
    )


class ReasonMixin:
    """Adds a required "Reason for this change" once the activity's changes are amendments."""

    def add_reason(self, activity) -> None:
        if activity is not None and amendment_required(activity):
            self.fields["reason"] = reason_field()

    @property
    def reason(self) -> str:
        return self.cleaned_data.get("reason", "") if hasattr(self, "cleaned_data") else ""


class ReasonForm(ReasonMixin, forms.Form):
    """Only the reason: for removals, which have nothing else to ask."""

    def __init__(self, *args, activity, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_reason(activity)


class ActivityForm(ReasonMixin, forms.Form):
    slug = forms.SlugField(
        label=_("Short name"),
        max_length=60,
        help_text=_("Used in the web address, for example annual-2027. It cannot change later."),
    )
    title = forms.CharField(label=_("Title"), max_length=250)
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    delivery = forms.ChoiceField(label=_("Delivery"), choices=Delivery.choices)
    start_date = forms.DateField(label=_("First day"), widget=DATE)
    end_date = forms.DateField(label=_("Last day"), widget=DATE)
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        help_text=_("Where the activity takes place; the program is shown in this time zone."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    venue_name = forms.CharField(label=_("Venue"), max_length=200, required=False)
    venue_address = forms.CharField(
        label=_("Venue address"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    target_professions = forms.MultipleChoiceField(
        label=_("Target professions"),
        choices=Profession.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    target_specialties = forms.CharField(
        label=_("Target specialties"),
        required=False,
        help_text=_("Separate them with commas, for example: cardiology, internal medicine."),
    )
    joint_provider = forms.CharField(
        label=_("Joint provider"),
        max_length=200,
        required=False,
        help_text=_("The non-accredited organisation this activity is jointly provided with."),
    )

    def __init__(self, *args, editing: bool = False, activity=None, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["slug"]
        self.add_reason(activity)

    @classmethod
    def initial_for(cls, activity) -> dict:
        names = [n for n in cls.base_fields if n not in ("slug", "target_specialties")]
        initial = {name: getattr(activity, name) for name in names}
        initial["target_specialties"] = ", ".join(activity.target_specialties or [])
        return initial

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The last day cannot be before the first day."))
        return data

    def clean_target_specialties(self) -> list[str]:
        value = self.cleaned_data["target_specialties"]
        return [part.strip() for part in value.split(",") if part.strip()]

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class PlanningForm(ReasonMixin, forms.Form):
    practice_gap = forms.CharField(
        label=_("Professional practice gap"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The difference between current and best practice that this activity closes."),
    )
    gap_sources = forms.MultipleChoiceField(
        label=_("Sources of the gap"),
        choices=GapSource.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    gap_evidence = forms.CharField(
        label=_("Evidence and references"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    educational_needs = forms.MultipleChoiceField(
        label=_("Educational needs"),
        choices=EducationalNeed.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    needs_description = forms.CharField(
        label=_("What learners need"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    intended_change = forms.MultipleChoiceField(
        label=_("Designed to change"),
        choices=IntendedChange.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    evaluation_plan = forms.CharField(
        label=_("How change will be analysed"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "How the activity will measure the change it was designed for, for example a "
            "follow-up survey of practice at three months (Criterion 11)."
        ),
    )
    objectives = forms.CharField(
        label=_("Learning objectives"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One objective per line, for example: Choose a first-line therapy for ..."),
    )

    PLANNING_FIELDS = (
        "practice_gap",
        "gap_sources",
        "gap_evidence",
        "educational_needs",
        "needs_description",
        "intended_change",
        "evaluation_plan",
    )

    def __init__(self, *args, activity=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_reason(activity)

    @classmethod
    def initial_for(cls, planning, objectives: list[str]) -> dict:
        initial = {name: getattr(planning, name) for name in cls.PLANNING_FIELDS}
        initial["objectives"] = "\n".join(objectives)
        return initial

    def planning_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.PLANNING_FIELDS}

    def objective_list(self) -> list[str]:
        return _lines(self.cleaned_data["objectives"])


# Service field -> form field, for the errors a session service raises.
SESSION_FIELD_MAP = {"start": "start_time", "end": "end_time"}


class SessionForm(ReasonMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=250)
    format = forms.ChoiceField(label=_("Format"), choices=SessionFormat.choices)
    track = forms.ModelChoiceField(
        label=_("Track"), queryset=None, required=False, empty_label=_("No track")
    )
    room = forms.ModelChoiceField(
        label=_("Room"), queryset=None, required=False, empty_label=_("No room yet")
    )
    day = forms.DateField(label=_("Day"), required=False, widget=DATE)
    start_time = forms.TimeField(label=_("Starts at"), required=False, widget=TIME)
    end_time = forms.TimeField(label=_("Ends at"), required=False, widget=TIME)
    credit_eligible = forms.BooleanField(
        label=_("Eligible for credit"),
        required=False,
        help_text=_("Breaks, meals, exhibits and industry sessions never carry credit."),
    )
    capacity = forms.IntegerField(
        label=_("Seats"),
        required=False,
        min_value=1,
        help_text=_("For workshops with limited seats; leave empty otherwise."),
    )
    abstract = forms.CharField(
        label=_("Abstract"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    objectives = forms.CharField(
        label=_("Learning objectives"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One objective per line."),
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Licensure mandates (for example opioid prescribing) are met through these."),
    )

    def __init__(self, *args, activity, **kwargs):
        super().__init__(*args, **kwargs)
        self.activity = activity
        self.fields["room"].queryset = activity.rooms.all()
        self.fields["track"].queryset = activity.tracks.all()
        self.fields["topics"].queryset = topics_for(activity)
        self.fields["day"].help_text = _("Leave day and times empty to keep it unscheduled.")
        self.add_reason(activity)

    @classmethod
    def initial_for(cls, session) -> dict:
        initial = {
            "title": session.title,
            "format": session.format,
            "track": session.track_id,
            "room": session.room_id,
            "credit_eligible": session.credit_eligible,
            "capacity": session.capacity,
            "abstract": session.abstract,
            "objectives": session.objectives,
            "topics": list(session.topics.all()),
        }
        if session.start and session.end:
            tz = session.activity.tz
            start, end = session.start.astimezone(tz), session.end.astimezone(tz)
            initial |= {"day": start.date(), "start_time": start.time(), "end_time": end.time()}
        return initial

    def clean(self):
        data = super().clean()
        parts = {name: data.get(name) for name in ("day", "start_time", "end_time")}
        given = [name for name, value in parts.items() if value is not None]
        if given and len(given) < 3 and not any(n in self.errors for n in parts):
            for name in parts:
                if parts[name] is None:
                    self.add_error(name, _("Give a day, a start and an end time, or none of them."))
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        start = end = None
        if data.get("day") and data.get("start_time") and data.get("end_time"):
            tz = self.activity.tz
            start = dt.datetime.combine(data["day"], data["start_time"], tzinfo=tz)
            end = dt.datetime.combine(data["day"], data["end_time"], tzinfo=tz)
        return {
            "title": data["title"],
            "format": data["format"],
            "track": data["track"],
            "room": data["room"],
            "start": start,
            "end": end,
            "credit_eligible": data["credit_eligible"],
            "capacity": data["capacity"],
            "abstract": data["abstract"],
            "objectives": "\n".join(_lines(data["objectives"])),
            "topics": list(data["topics"]),
            "reason": self.reason,
        }


class FacultyForm(ReasonMixin, PersonForm):
    role = forms.ChoiceField(
        label=_("Role"), choices=FacultyRole.choices, initial=FacultyRole.SPEAKER
    )

    def __init__(self, *args, activity=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_reason(activity)


class PlannerForm(ReasonMixin, PersonForm):
    role = forms.ChoiceField(
        label=_("Role"), choices=PlanningRoleKind.choices, initial=PlanningRoleKind.PLANNER
    )

    def __init__(self, *args, activity=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_reason(activity)


class RoomForm(ReasonMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    capacity = forms.IntegerField(label=_("Seats"), required=False, min_value=1)
    description = forms.CharField(
        label=_("Where"),
        max_length=200,
        required=False,
        help_text=_("For example: level 2, west wing."),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=RoomKind.choices,
        initial=RoomKind.ROOM,
        help_text=_("A virtual stage streams sessions online; the same Standard 5 gaps apply."),
    )
    order = forms.IntegerField(
        label=_("Position"),
        min_value=0,
        initial=0,
        help_text=_("Rooms are shown in this order, lowest first."),
    )

    def __init__(self, *args, activity=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_reason(activity)

    @classmethod
    def initial_for(cls, room) -> dict:
        return {name: getattr(room, name) for name in cls.base_fields}


class TrackForm(ReasonMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    color = forms.RegexField(
        label=_("Colour"),
        regex=r"^#[0-9a-fA-F]{6}$",
        initial="#2b6cb0",
        widget=forms.TextInput(attrs={"type": "color"}),
        error_messages={"invalid": _("Choose a colour, like #2b6cb0.")},
    )
    order = forms.IntegerField(
        label=_("Position"),
        min_value=0,
        initial=0,
        help_text=_("Tracks are shown in this order, lowest first."),
    )

    def __init__(self, *args, activity=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_reason(activity)

    @classmethod
    def initial_for(cls, track) -> dict:
        return {name: getattr(track, name) for name in cls.base_fields}


class MoveForm(ReasonMixin, forms.Form):
    """Where a session goes in the grid; used by the drag-and-drop endpoint and its fallback."""

    day = forms.DateField(label=_("Day"), widget=DATE)
    time = forms.TimeField(label=_("Starts at"), widget=TIME)
    room = forms.ModelChoiceField(
        label=_("Room"), queryset=None, required=False, empty_label=_("No room")
    )
    minutes = forms.IntegerField(
        label=_("Length in minutes"),
        required=False,
        min_value=5,
        max_value=24 * 60,
        help_text=_("Needed only for a session that has no length yet."),
    )

    def __init__(self, *args, activity, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.activity = activity
        self.session = session
        self.fields["room"].queryset = activity.rooms.all()
        if session.is_scheduled:
            del self.fields["minutes"]
        self.add_reason(activity)

    def clean(self):
        data = super().clean()
        if "minutes" in self.fields and not data.get("minutes") and "minutes" not in self.errors:
            self.add_error("minutes", _("Say how long the session lasts."))
        return data

    @property
    def start(self) -> dt.datetime:
        data = self.cleaned_data
        return dt.datetime.combine(data["day"], data["time"], tzinfo=self.activity.tz)


class SessionFilterForm(forms.Form):
    day = forms.TypedChoiceField(label=_("Day"), required=False, coerce=dt.date.fromisoformat)
    track = forms.ModelChoiceField(
        label=_("Track"), queryset=None, required=False, empty_label=_("All tracks")
    )
    format = forms.ChoiceField(label=_("Format"), required=False)
    unscheduled = forms.BooleanField(label=_("Only unscheduled"), required=False)

    def __init__(self, *args, activity, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].choices = [("", _("All days"))] + [
            (day.isoformat(), date_format(day, "D j M Y")) for day in activity.days
        ]
        self.fields["track"].queryset = activity.tracks.all()
        self.fields["format"].choices = [("", _("All formats")), *SessionFormat.choices]


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), required=False)

    def __init__(self, *args, actions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("All actions"))] + [(a, a) for a in actions]


class TransitionForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)
