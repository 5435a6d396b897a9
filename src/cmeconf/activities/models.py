"""Activities, their planning record and their program."""

from __future__ import annotations

import datetime as dt
import secrets
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cmeconf.activities.choices import (
    PUBLIC_STATES,
    ActivityKind,
    ActivityState,
    Delivery,
    FacultyRole,
    PlanningRoleKind,
    RoomKind,
    SessionFormat,
)
from cmeconf.providers.models import Provider, validate_time_zone

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


# Staff URLs put activity slugs beside these provider pages (/staff/<provider>/<slug>/).
RESERVED_ACTIVITY_SLUGS = frozenset({"settings", "teams", "activities", "new"})


def validate_activity_slug(value: str) -> None:
    if value.lower() in RESERVED_ACTIVITY_SLUGS:
        raise ValidationError(_("“%(slug)s” is reserved; choose another."), params={"slug": value})


def new_session_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


class Activity(models.Model):
    """One accredited educational activity."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="activities")
    slug = models.SlugField(_("short name"), max_length=60, validators=[validate_activity_slug])
    title = models.CharField(_("title"), max_length=250)
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    description = models.TextField(_("description"), blank=True)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="America/New_York", validators=[validate_time_zone]
    )
    delivery = models.CharField(
        _("delivery"), max_length=20, choices=Delivery.choices, default=Delivery.IN_PERSON
    )
    venue_name = models.CharField(_("venue"), max_length=200, blank=True)
    venue_address = models.TextField(_("venue address"), blank=True)
    target_professions = models.JSONField(_("target professions"), default=list, blank=True)
    target_specialties = models.JSONField(_("target specialties"), default=list, blank=True)
    joint_provider = models.CharField(
        _("joint provider"),
        max_length=200,
        blank=True,
        help_text=_("The non-accredited organisation this activity is jointly provided with."),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=ActivityState.choices, default=ActivityState.DRAFT
    )
    # Bumped by every change to what the public program shows; cache keys carry it.
    program_version = models.PositiveIntegerField(default=1, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Planners' roles start when planning does: their disclosures must cover the 24
    # months before it [A5][A18]. Set by the "start planning" step.
    planning_started_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-start_date", "title"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.UniqueConstraint(fields=["provider", "slug"], name="unique_activity_slug"),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="activity_ends_after_start",
                violation_error_message=_("The last day cannot be before the first day."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("public:activity", args=[self.provider.slug, self.slug])

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def is_public(self) -> bool:
        return self.state in PUBLIC_STATES

    @property
    def days(self) -> list[dt.date]:
        n = (self.end_date - self.start_date).days + 1
        return [self.start_date + dt.timedelta(days=i) for i in range(n)]

    def local_bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """First and last instant of the activity, in its own time zone."""
        start = dt.datetime.combine(self.start_date, dt.time.min, tzinfo=self.tz)
        end = dt.datetime.combine(self.end_date + dt.timedelta(days=1), dt.time.min, tzinfo=self.tz)
        return start, end


class PlanningRecord(models.Model):
    """What the accreditor asks for before planning starts: gap, needs, change."""

    activity = models.OneToOneField(Activity, on_delete=models.CASCADE, related_name="planning")
    practice_gap = models.TextField(
        _("professional practice gap"),
        blank=True,
        help_text=_("The difference between current and best practice that this activity closes."),
    )
    gap_sources = models.JSONField(_("sources of the gap"), default=list, blank=True)
    gap_evidence = models.TextField(_("evidence and references"), blank=True)
    educational_needs = models.JSONField(_("educational needs"), default=list, blank=True)
    needs_description = models.TextField(_("what learners need"), blank=True)
    intended_change = models.JSONField(_("intended change"), default=list, blank=True)
    evaluation_plan = models.TextField(
        _("how change will be analysed"),
        blank=True,
        help_text=_("How the activity will measure the change it was designed for (Criterion 11)."),
    )
    updated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Planning record of {self.activity}"


class LearningObjective(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="objectives")
    text = models.CharField(_("objective"), max_length=500)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text


class PlanningRole(models.Model):
    """Planners and course directors: they control content too."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="planners")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="planning_roles"
    )
    role = models.CharField(_("role"), max_length=20, choices=PlanningRoleKind.choices)
    added_on = models.DateField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "person", "role"], name="unique_planning_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"


class Room(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("name"), max_length=100)
    capacity = models.PositiveIntegerField(_("seats"), null=True, blank=True)
    description = models.CharField(_("where"), max_length=200, blank=True)
    # A virtual stage is a room online: Standard 5 keeps ancillary items 30 minutes
    # away from accredited education on a stage just as in a hall [A12].
    kind = models.CharField(
        _("kind"), max_length=10, choices=RoomKind.choices, default=RoomKind.ROOM
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "name"], name="unique_room_name")
        ]

    def __str__(self) -> str:
        return self.name


class Track(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="tracks")
    name = models.CharField(_("name"), max_length=100)
    color = models.CharField(_("colour"), max_length=7, default="#2b6cb0")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "name"], name="unique_track_name")
        ]

    def __str__(self) -> str:
        return self.name


class Topic(models.Model):
    """A topic tag. Licensure mandates (opioids, implicit bias, ...) are met through these.

    Topics without a provider form the shared vocabulary every provider uses.
    """

    provider = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.CASCADE, related_name="topics"
    )
    slug = models.SlugField(max_length=60)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "slug"], name="unique_topic_slug"),
            models.UniqueConstraint(
                fields=["slug"], condition=models.Q(provider=None), name="unique_shared_topic"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Session(models.Model):
    """One item of the program: a lecture, a panel, a workshop, a break."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="sessions")
    code = models.CharField(max_length=6, unique=True, default=new_session_code, editable=False)
    title = models.CharField(_("title"), max_length=250)
    format = models.CharField(_("format"), max_length=20, choices=SessionFormat.choices)
    abstract = models.TextField(_("abstract"), blank=True)
    objectives = models.TextField(
        _("learning objectives"), blank=True, help_text=_("One objective per line.")
    )
    track = models.ForeignKey(
        Track, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    room = models.ForeignKey(
        Room, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    start = models.DateTimeField(_("start"), null=True, blank=True)
    end = models.DateTimeField(_("end"), null=True, blank=True)
    credit_eligible = models.BooleanField(_("eligible for credit"), default=True)
    capacity = models.PositiveIntegerField(
        _("seats"), null=True, blank=True, help_text=_("For workshops with limited seats.")
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="sessions")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start", "room__order", "title"]
        indexes = [models.Index(fields=["activity", "start"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__isnull=True)
                | models.Q(end__isnull=True)
                | models.Q(end__gt=models.F("start")),
                name="session_ends_after_start",
                violation_error_message=_("The session must end after it starts."),
            ),
            models.CheckConstraint(
                condition=models.Q(start__isnull=True, end__isnull=True)
                | models.Q(start__isnull=False, end__isnull=False),
                name="session_start_and_end_together",
                violation_error_message=_("Give both a start and an end, or neither."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "public:session", args=[self.activity.provider.slug, self.activity.slug, self.code]
        )

    @property
    def is_scheduled(self) -> bool:
        return self.start is not None

    @property
    def minutes(self) -> int:
        if not self.start or not self.end:
            return 0
        return int((self.end - self.start).total_seconds() // 60)

    @property
    def objective_list(self) -> list[str]:
        return [line.strip() for line in self.objectives.splitlines() if line.strip()]


class SessionFaculty(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="faculty")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="faculty_roles"
    )
    role = models.CharField(
        _("role"), max_length=20, choices=FacultyRole.choices, default=FacultyRole.SPEAKER
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name_plural = _("faculty")
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="one_role_per_session")
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"


class Bookmark(models.Model):
    """A session in a learner's personal agenda."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmarks"
    )
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="bookmarks")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "session"], name="unique_bookmark")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.session_id}"


class ReviewComment(models.Model):
    """A comment on the planning record, kept with the activity's state when made."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="review_comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_comments"
    )
    body = models.TextField(_("comment"))
    activity_state = models.CharField(max_length=20, choices=ActivityState.choices)
    created = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.author} on {self.activity} at {self.created:%Y-%m-%d %H:%M}"


class Amendment(models.Model):
    """A change made after approval: what changed, why, who and when. Never edited."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="amendments")
    summary = models.CharField(_("what changed"), max_length=300)
    reason = models.TextField(_("reason"))
    changes = models.JSONField(_("before and after"), default=dict, blank=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="amendments"
    )
    made_at = models.DateTimeField()
    activity_state = models.CharField(max_length=20, choices=ActivityState.choices)

    class Meta:
        ordering = ["-made_at", "-id"]

    def __str__(self) -> str:
        return f"{self.summary} ({self.made_at:%Y-%m-%d})"
