"""What learners are told about the financial relationships of the people on a page.

Generated, never typed [A6][A11]: company names and the nature of each relevant,
mitigated relationship with the statement that all were mitigated, and "no
relevant financial relationships" for everyone else. Commercial supporters are
named the same way, with the nature of in-kind support, never logos or amounts
[A21][A22]. Each version shown is kept (LearnerDisclosureVersion) per place it is
shown [A3b]: "session:<code>" (session page), "activity" (activity page),
"handout", "slide", "slide:<code>" and "stage:<code>" (virtual stage).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from enum import StrEnum

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cmeconf.activities.choices import NON_EDUCATIONAL_FORMATS
from cmeconf.activities.schedule import cached, faculty_name
from cmeconf.integrity import review, roster, rules
from cmeconf.integrity.choices import DisclosureState, RelationshipNature, SupportKind
from cmeconf.integrity.models import LearnerDisclosureVersion, SupportAgreement


class Standing(StrEnum):
    """Where a person's line stands: only the first two are final."""

    NONE = "no_relevant_relationships"
    MITIGATED = "mitigated"
    UNDER_REVIEW = "under_review"
    NOT_AVAILABLE = "not_available"


@dataclass(frozen=True)
class PersonLine:
    person_id: int
    name: str
    roles: tuple[str, ...]
    text: str
    standing: Standing

    @property
    def final(self) -> bool:
        return self.standing in (Standing.NONE, Standing.MITIGATED)


@dataclass(frozen=True)
class SupporterLine:
    company: str
    text: str


@dataclass(frozen=True)
class ActivityDisclosure:
    """The disclosure learners see for an activity, or for one session of it.

    `digest` identifies the version (people, statement and supporters): the same
    text carries the same digest on every page, handout and slide.
    """

    people: list[PersonLine]
    statement: str
    supporters: list[SupporterLine]
    supporters_intro: str
    generated: dt.datetime
    accredited: bool = True
    links: dict[str, str] = field(default_factory=dict)

    @property
    def shown(self) -> list[str]:
        """Every sentence learners see, in the order shown: what a kept version holds."""
        if not self.accredited:
            return [self.statement]
        return [
            self.statement,
            *(p.text for p in self.people),
            self.supporters_intro,
            *(s.text for s in self.supporters),
        ]

    @property
    def digest(self) -> str:
        return _digest(self.shown)


def _digest(shown: list[str]) -> str:
    return hashlib.sha256(json.dumps(shown).encode()).hexdigest()


# --- one line per person ---------------------------------------------------------------------


def _person_lines(activity, members: list[roster.Member]) -> dict[int, PersonLine]:
    """Each member's line, reading every decision in one query whatever their number."""
    in_scope = {
        m.person.pk: m.relationships_in_scope()
        for m in members
        if m.disclosure is not None and m.disclosure.state == DisclosureState.SUBMITTED
    }
    decisions = review.latest_decisions(activity, [r for rels in in_scope.values() for r in rels])
    result: dict[int, PersonLine] = {}
    for m in members:
        # The public name, never the e-mail address that display_name falls back to.
        name = faculty_name(m.person)
        roles = tuple(m.roles)
        rels = in_scope.get(m.person.pk)
        if rels is None:
            # Publication waits for clearance, but faculty can be added afterwards.
            text = _("%(name)s: disclosure not yet available.") % {"name": name}
            result[m.person.pk] = PersonLine(m.person.pk, name, roles, text, Standing.NOT_AVAILABLE)
            continue
        shown, pending = [], False
        for rel in rels:
            decision = decisions.get(rel.pk)
            state = review.status(decision, list(decision.mitigations.all()) if decision else [])
            if state in (review.Status.UNDECIDED, review.Status.UNMITIGATED):
                pending = True
            elif state == review.Status.MITIGATED:
                shown.append((rel.company.name, RelationshipNature(rel.nature).label))
        if pending:
            # Nothing about an undecided relationship reaches learners before review [A6].
            text = _("%(name)s: disclosure under review.") % {"name": name}
            result[m.person.pk] = PersonLine(m.person.pk, name, roles, text, Standing.UNDER_REVIEW)
        else:
            text = rules.learner_disclosure(name, shown).text
            standing = Standing.MITIGATED if shown else Standing.NONE
            result[m.person.pk] = PersonLine(m.person.pk, name, roles, text, standing)
    return result


def pending_lines(activity, members: list[roster.Member]) -> list[str]:
    """The lines that are not final yet: no disclosure available, or under review."""
    waiting = (Standing.NOT_AVAILABLE, Standing.UNDER_REVIEW)
    return [p.text for p in _person_lines(activity, members).values() if p.standing in waiting]


def lines(activity, person_ids: list[int]) -> dict[int, str]:
    """The line learners see about each of these people, for this activity."""
    members = roster.content_controllers(activity, only=set(person_ids))
    return {pk: line.text for pk, line in _person_lines(activity, members).items()}


def _keep(activity, scope: str, shown: list[str]) -> str:
    """Keep this version as shown on `scope` if it is new [A3b]; its digest."""
    digest = _digest(shown)
    try:
        with transaction.atomic():
            LearnerDisclosureVersion.objects.get_or_create(
                activity=activity,
                scope=scope,
                digest=digest,
                defaults={"lines": shown, "first_shown": timezone.now()},
            )
    except IntegrityError:
        pass  # shown by another request at the same moment: already kept
    return digest


def lines_shown(activity, scope: str, person_ids: list[int]) -> dict[int, str]:
    """`lines`, keeping a record of this version as shown on `scope` if it is new."""
    found = lines(activity, person_ids)
    _keep(activity, scope, [found[pk] for pk in sorted(found)])
    return found


# --- commercial supporters -------------------------------------------------------------------


def supporter_lines(activity) -> list[SupporterLine]:
    """One line per commercial supporter of the activity, in one query [A21][A22].

    The company's name and the nature of its support: "financial support" for cash,
    the agreement's description for in-kind. Never an amount, a logo, a contact or
    the agreement's terms: learners are told who supports the education, nothing
    that promotes [A6][A12].
    """
    agreements = (
        SupportAgreement.objects.filter(activity=activity)
        .select_related("supporter__company")
        .order_by("supporter__company__name", "id")
    )
    cash: dict[str, bool] = {}
    in_kind: dict[str, list[str]] = {}
    for a in agreements:
        company = a.supporter.company.name
        cash.setdefault(company, False)
        if a.kind == SupportKind.IN_KIND:
            natures = in_kind.setdefault(company, [])
            nature = " ".join(a.in_kind_description.split())
            if nature and nature not in natures:
                natures.append(nature)
        else:
            cash[company] = True
    result = []
    for company, gave_cash in cash.items():
        nature = "; ".join(in_kind.get(company, []))
        if company not in in_kind:
            text = _("%(company)s: financial support") % {"company": company}
        elif not nature:
            text = (
                _("%(company)s: financial support and in-kind support")
                if gave_cash
                else _("%(company)s: in-kind support")
            ) % {"company": company}
        else:
            text = (
                _("%(company)s: financial support and in-kind support (%(nature)s)")
                if gave_cash
                else _("%(company)s: in-kind support (%(nature)s)")
            ) % {"company": company, "nature": nature}
        result.append(SupporterLine(company, text))
    return result


def _supporters_intro(supporters: list[SupporterLine]) -> str:
    if supporters:
        return _("This activity receives commercial support from:")
    return _("This activity receives no commercial support.")


def _statement(people: list[PersonLine], *, of_session: bool = False) -> str:
    """The statement above the lines. That all relevant relationships were mitigated [A6]
    is said only when it is true of everyone listed; nobody listed is said plainly."""
    if not people:
        if of_session:
            return _("The faculty of this session and their disclosures are shown here once known.")
        return _(
            "The planners and faculty of this activity and their disclosures are shown here "
            "once known."
        )
    if all(p.final for p in people):
        said = (
            _(
                "Everyone in control of the content of this session disclosed all financial "
                "relationships with ineligible companies of the past 24 months."
            )
            if of_session
            else _(
                "Everyone in control of the content of this activity disclosed all financial "
                "relationships with ineligible companies of the past 24 months."
            )
        )
        return said + " " + _("All relevant financial relationships have been mitigated.")
    said = (
        _(
            "Everyone in control of the content of this session discloses all financial "
            "relationships with ineligible companies of the past 24 months."
        )
        if of_session
        else _(
            "Everyone in control of the content of this activity discloses all financial "
            "relationships with ineligible companies of the past 24 months."
        )
    )
    return (
        said
        + " "
        + _(
            "Relevant financial relationships listed below have been mitigated; disclosures "
            "marked as under review or not yet available are shown here once complete."
        )
    )


# --- whole activity, one session ---------------------------------------------------------------


def _links(activity, session=None) -> dict[str, str]:
    args = [activity.provider.slug, activity.slug]
    if session is not None:
        return {
            "slide": reverse("learner_disclosure:session_slide", args=[*args, session.code]),
            "stage": reverse("learner_disclosure:stage", args=[*args, session.code]),
        }
    return {
        "handout": reverse("learner_disclosure:handout", args=args),
        "slide": reverse("learner_disclosure:slide", args=args),
    }


def activity_disclosure(activity) -> ActivityDisclosure:
    """Everyone in control of the activity's content, each with their line, and its supporters.

    Planners and the faculty of every educational session, sorted by name, each once
    with all their roles [A5][A8]; a fixed number of queries whatever their number.
    """
    members = roster.content_controllers(activity)
    found = _person_lines(activity, members)
    people = [found[m.person.pk] for m in members]
    supporters = supporter_lines(activity)
    return ActivityDisclosure(
        people=people,
        statement=_statement(people),
        supporters=supporters,
        supporters_intro=_supporters_intro(supporters),
        generated=timezone.now(),
        links=_links(activity),
    )


def session_disclosure(session) -> ActivityDisclosure:
    """What learners see before one session starts: its faculty's lines and the supporters.

    A session outside the accredited education (not for credit, or promotional) carries
    no disclosure, as on its page; it says so instead.
    """
    activity = session.activity
    if not session.credit_eligible or session.format in NON_EDUCATIONAL_FORMATS:
        return ActivityDisclosure(
            people=[],
            statement=_("This session is not part of the accredited education."),
            supporters=[],
            supporters_intro="",
            generated=timezone.now(),
            accredited=False,
            links=_links(activity, session),
        )
    roles: dict[int, list[str]] = {}
    for f in session.faculty.order_by("order", "id"):
        roles.setdefault(f.person_id, []).append(f.get_role_display())
    members = roster.content_controllers(activity, only=set(roles))
    found = _person_lines(activity, members)
    # In the session's order, with their roles in this session: the slide is about it.
    people = [
        PersonLine(pk, found[pk].name, tuple(r), found[pk].text, found[pk].standing)
        for pk, r in roles.items()
        if pk in found
    ]
    supporters = supporter_lines(activity)
    return ActivityDisclosure(
        people=people,
        statement=_statement(people, of_session=True),
        supporters=supporters,
        supporters_intro=_supporters_intro(supporters),
        generated=timezone.now(),
        links=_links(activity, session),
    )


def keep_shown(activity, scope: str, disclosure: ActivityDisclosure) -> ActivityDisclosure:
    """Keep `disclosure` as shown on `scope` if this version is new there [A3b]."""
    _keep(activity, scope, disclosure.shown)
    return disclosure


def activity_disclosure_shown(activity, scope: str) -> ActivityDisclosure:
    """`activity_disclosure`, kept as shown on `scope`."""
    return keep_shown(activity, scope, activity_disclosure(activity))


def session_disclosure_shown(session, scope: str) -> ActivityDisclosure:
    """`session_disclosure`, kept as shown on `scope`."""
    return keep_shown(session.activity, scope, session_disclosure(session))


def activity_page_disclosure(activity) -> ActivityDisclosure:
    """The activity page's section, built once per program version (activities.hooks).

    The page is served to many; the disclosure changes only with a bump of the program
    version (disclosures, review decisions, support), which the cache key carries.
    """
    return cached(
        activity, "learner-disclosure", ("activity",),
        lambda: activity_disclosure_shown(activity, "activity"),
    )  # fmt: skip
