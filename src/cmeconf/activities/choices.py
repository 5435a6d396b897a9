"""The vocabularies of activities and their program."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityKind(models.TextChoices):
    CONFERENCE = "conference", _("Conference")
    COURSE = "course", _("Course")
    RSS = "rss", _("Regularly scheduled series")
    INTERNET_LIVE = "internet_live", _("Internet live course")


class Delivery(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    VIRTUAL = "virtual", _("Virtual")
    HYBRID = "hybrid", _("Hybrid")


class ActivityState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PLANNING = "planning", _("Planning")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed")


# States in which an activity and its program are visible to the public.
PUBLIC_STATES = (ActivityState.PUBLISHED, ActivityState.COMPLETED, ActivityState.CLOSED)


class GapSource(models.TextChoices):
    LITERATURE = "literature", _("Peer-reviewed literature")
    GUIDELINES = "guidelines", _("Clinical practice guidelines")
    QUALITY_DATA = "quality_data", _("Quality or outcomes data")
    LEARNER_SURVEY = "learner_survey", _("Survey of learners")
    PRIOR_EVALUATIONS = "prior_evaluations", _("Evaluations of earlier activities")
    EXPERT_OPINION = "expert_opinion", _("Expert opinion or faculty input")
    REGULATORY = "regulatory", _("Regulatory or licensure requirement")
    PUBLIC_HEALTH = "public_health", _("Public health data")


class EducationalNeed(models.TextChoices):
    KNOWLEDGE = "knowledge", _("Knowledge")
    COMPETENCE = "competence", _("Competence")
    PERFORMANCE = "performance", _("Performance")


class IntendedChange(models.TextChoices):
    COMPETENCE = "competence", _("Competence")
    PERFORMANCE = "performance", _("Performance")
    PATIENT_OUTCOMES = "patient_outcomes", _("Patient outcomes")


class SessionFormat(models.TextChoices):
    LECTURE = "lecture", _("Lecture")
    CASE = "case", _("Case presentation")
    PANEL = "panel", _("Panel discussion")
    WORKSHOP = "workshop", _("Workshop / hands-on")
    SYMPOSIUM = "symposium", _("Symposium")
    KEYNOTE = "keynote", _("Keynote")
    POSTER = "poster", _("Poster session")
    DISCUSSION = "discussion", _("Q&A / discussion")
    BREAK = "break", _("Break")
    MEAL = "meal", _("Meal")
    EXHIBIT = "exhibit", _("Exhibit time")
    INDUSTRY = "industry", _("Non-accredited industry session")
    ADVERTISING = "advertising", _("Advertising / promotion")


class RoomKind(models.TextChoices):
    ROOM = "room", _("Room")
    VIRTUAL_STAGE = "stage", _("Virtual stage")


# Formats that can never carry credit: ACCME excludes time not spent in
# accredited education (breaks, meals, exhibits, promotional industry sessions).
NON_EDUCATIONAL_FORMATS = frozenset(
    {
        SessionFormat.BREAK,
        SessionFormat.MEAL,
        SessionFormat.EXHIBIT,
        SessionFormat.INDUSTRY,
        SessionFormat.ADVERTISING,
    }
)
# Formats with no faculty: nobody presents a coffee break.
NO_FACULTY_FORMATS = frozenset(
    {SessionFormat.BREAK, SessionFormat.MEAL, SessionFormat.EXHIBIT, SessionFormat.ADVERTISING}
)


class FacultyRole(models.TextChoices):
    SPEAKER = "speaker", _("Speaker")
    MODERATOR = "moderator", _("Moderator")
    PANELIST = "panelist", _("Panelist")
    FACILITATOR = "facilitator", _("Facilitator")


class PlanningRoleKind(models.TextChoices):
    COURSE_DIRECTOR = "course_director", _("Course director")
    PLANNER = "planner", _("Planner")
    REVIEWER = "reviewer", _("Content reviewer")
