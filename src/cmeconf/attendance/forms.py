"""Forms of the staff attendance pages. They shape the input; attendance.services decides."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from cmeconf.attendance.choices import AttendanceSource
from cmeconf.attendance.models import AttendanceInterval
from cmeconf.providers.forms import time_zone_choices
from cmeconf.registration.choices import RegistrationStatus
from cmeconf.registration.models import Registration

# Participant reports are a few hundred kilobytes for a thousand learners; this leaves
# ample room while keeping a wrong upload (a video, an archive) out of memory.
MAX_REPORT_BYTES = 5 * 1024 * 1024

REPORT_SOURCES = [
    (AttendanceSource.ZOOM.value, _("Zoom (meeting participants or webinar attendee report)")),
    (AttendanceSource.TEAMS.value, _("Microsoft Teams (attendance report)")),
]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Name or e-mail"), required=False, max_length=200)


class ImportForm(forms.Form):
    source = forms.ChoiceField(
        label=_("Report from"),
        choices=REPORT_SOURCES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether the report is from Zoom or Teams.")},
    )
    report = forms.FileField(
        label=_("Report file (CSV)"),
        help_text=_("The file as Zoom or Teams exported it."),
        error_messages={
            "required": _("Choose the report file to import."),
            "empty": _("The file is empty."),
        },
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone of the report's times"),
        choices=time_zone_choices,
        help_text=_(
            "Zoom writes times in the Zoom account's time zone, Teams in that of the person "
            "who downloaded the report."
        ),
    )

    def __init__(self, *args, activity, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].initial = activity.time_zone

    def clean_report(self):
        report = self.cleaned_data["report"]
        if report.size > MAX_REPORT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB: is it the participant report?")
                % {"mb": MAX_REPORT_BYTES // (1024 * 1024)}
            )
        return report

    def service_kwargs(self) -> dict:
        report = self.cleaned_data["report"]
        return {
            "source": self.cleaned_data["source"],
            "filename": report.name,
            "content": report.read(),
            "tz": zoneinfo.ZoneInfo(self.cleaned_data["time_zone"]),
        }


class AdjustForm(forms.Form):
    """Add time a source missed. Field names match add_adjustment's errors (start, end, reason)."""

    email = forms.EmailField(
        label=_("Learner's e-mail"),
        help_text=_("A registrant of this activity, or a learner already listed here."),
    )
    start = forms.DateTimeField(label=_("From"), widget=DateTimeLocalInput())
    end = forms.DateTimeField(label=_("To"), widget=DateTimeLocalInput())
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with the time added and in the audit trail."),
        error_messages={"required": _("Give the reason for the adjustment.")},
    )

    def __init__(self, *args, session, **kwargs):
        self.session = session
        super().__init__(*args, **kwargs)
        if session.start and not self.is_bound:
            self.fields["start"].initial = session.start
            self.fields["end"].initial = session.end

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        person = get_user_model().objects.filter(email__iexact=email).first()
        if person is not None and self._may_attend(person):
            self.person = person
            return email
        raise forms.ValidationError(
            _("Nobody with this e-mail is registered for this activity or listed at this session.")
        )

    def _may_attend(self, person) -> bool:
        # Anyone an import already matched counts too: reports match any account.
        registered = (
            Registration.objects.filter(activity_id=self.session.activity_id, person=person)
            .exclude(status=RegistrationStatus.CANCELLED)
            .exists()
        )
        return (
            registered
            or AttendanceInterval.objects.filter(session=self.session, person=person).exists()
        )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"start": data["start"], "end": data["end"], "reason": data["reason"]}


class VoidForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for removing this time"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The time stays on record, marked as removed, with this reason."),
        error_messages={"required": _("Give the reason for removing this attendance.")},
    )
