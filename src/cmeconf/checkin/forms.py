"""Forms of the check-in pages: the station, the search fallback and the kiosk's code."""

from __future__ import annotations

import datetime as dt
import secrets

from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cmeconf.activities.models import Session
from cmeconf.checkin.choices import ScanKind
from cmeconf.registration.badge_tokens import badge_code
from cmeconf.registration.choices import RegistrationStatus
from cmeconf.registration.models import Registration

ENTRY = "entry"
DIRECTIONS = [(ScanKind.IN, _("In (arriving)")), (ScanKind.OUT, _("Out (leaving)"))]
# Wrong codes typed for one e-mail before the kiosk stops trying: a code cannot be guessed.
KIOSK_MAX_FAILURES = 5
KIOSK_FAILURE_WINDOW = 15 * 60


def scheduled_sessions(activity) -> list[Session]:
    """The activity's scheduled sessions, today's (in the activity's time zone) first."""
    sessions = list(
        Session.objects.filter(activity=activity, start__isnull=False, end__isnull=False)
        .select_related("room")
        .order_by("start", "id")
    )
    today = timezone.localdate(timezone=activity.tz)
    return sorted(sessions, key=lambda s: s.start.astimezone(activity.tz).date() != today)


def _session_label(session: Session, tz) -> str:
    start = timezone.localtime(session.start, tz)
    end = timezone.localtime(session.end, tz)
    room = f" · {session.room.name}" if session.room_id else ""
    when = f"{date_format(start, 'D j M H:i')}-{date_format(end, 'H:i')}"
    return f"{when} {session.title}{room}"


class StationForm(forms.Form):
    """Where this scanner stands: the entrance, or the door of one session."""

    station = forms.ChoiceField(label=_("Station"))
    direction = forms.ChoiceField(
        label=_("Scans at a session door"),
        choices=DIRECTIONS,
        initial=ScanKind.IN,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Only for a session: check people in as they arrive, or out as they leave."),
    )

    def __init__(self, *args, activity, sessions: list[Session] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.activity = activity
        self.sessions = {
            s.code: s for s in (sessions if sessions is not None else scheduled_sessions(activity))
        }
        today = timezone.localdate(timezone=activity.tz)
        todays, later = [], []
        for s in self.sessions.values():
            label = _session_label(s, activity.tz)
            is_today = s.start.astimezone(activity.tz).date() == today
            (todays if is_today else later).append((s.code, label))
        choices: list = [(ENTRY, _("Entry to the conference"))]
        if todays:
            choices.append((_("Sessions today"), todays))
        if later:
            choices.append((_("Other sessions"), later))
        self.fields["station"].choices = choices

    def clean(self):
        data = super().clean()
        station = data.get("station")
        if station == ENTRY:
            # The entrance has no direction: whatever came with it does not matter.
            self._errors.pop("direction", None)
        if station and station != ENTRY:
            data["session"] = self.sessions[station]
            data["kind"] = data.get("direction") or ScanKind.IN
        elif station:
            data["session"] = None
            data["kind"] = ScanKind.ENTRY
        return data


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name or e-mail"),
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class KioskCodeForm(forms.Form):
    """A learner types their e-mail and the code printed under their badge's QR code."""

    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    code = forms.CharField(
        label=_("The 6-letter code under the QR code"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, activity, **kwargs):
        super().__init__(*args, **kwargs)
        self.activity = activity
        self.registration: Registration | None = None
        self.too_many_attempts = False

    def _failures_key(self, email: str) -> str:
        return f"cmeconf:kiosk-failures:{self.activity.pk}:{email.lower()}"

    def clean(self):
        """Find the registration; no match leaves `registration` None and says nothing more."""
        data = super().clean()
        email, code = data.get("email"), (data.get("code") or "").strip().upper()
        if not email or not code:
            return data
        key = self._failures_key(email)
        if cache.get(key, 0) >= KIOSK_MAX_FAILURES:
            self.too_many_attempts = True
            return data
        self.registration = find_by_badge_code(self.activity, email, code)
        if self.registration is None:
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, KIOSK_FAILURE_WINDOW)
        return data


def find_by_badge_code(activity, email: str, code: str) -> Registration | None:
    """The registration of `email` at `activity` whose badge code is `code`, or None.

    Only registrations whose badge was issued have a code. A live registration
    wins over a cancelled one of the same person, so that the scan says what
    counts now.
    """
    candidates = (
        Registration.objects.filter(activity=activity, person__email__iexact=email.strip())
        .exclude(badge_key="")
        .select_related("person")
        .order_by("-created", "-id")
    )
    matches = [r for r in candidates if secrets.compare_digest(badge_code(r), code.upper())]
    for reg in matches:
        if reg.status != RegistrationStatus.CANCELLED:
            return reg
    return matches[0] if matches else None


def parse_scan_time(value) -> dt.datetime | None:
    """The scanner's clock reading (ISO 8601 with a time zone); None when the scan has none."""
    if value in (None, ""):
        return None
    try:
        return dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(
            {"scanned_at": _("Give the scan time as an ISO 8601 date and time.")}
        ) from None
