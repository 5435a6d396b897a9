"""Integrity's items of the planning checklist (Standards 3, 4 and 5).

Registered with activities.hooks.register_checklist. Nothing is decided here that
roster, gate, learner or support do not already decide: the items sort their
answers under the criteria an accreditor checks.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cmeconf.activities.checklist import APPROVE, PUBLISH, ChecklistItem
from cmeconf.activities.rules import schedule_warnings
from cmeconf.integrity import gate, learner, roster, rules, services

# Shown on the checklist with each open item; the rest are on the pages it links to.
MAX_DETAILS = 3


def _summary(problems: list[str]) -> str:
    shown = problems[:MAX_DETAILS]
    more = len(problems) - len(shown)
    if more:
        shown.append(_("and %(n)s more.") % {"n": more})
    return " ".join(shown)


def items(activity) -> list[ChecklistItem]:
    members = roster.content_controllers(activity)
    invalid, excluded = [], []
    for m in members:
        name = m.person.full_name or m.person.email
        # m.blockers = the record's validity [A5][A17][A18], then owners/employees [A6][A7b].
        validity = rules.role_blockers(services.facts(m.disclosure), m.role_start)
        invalid += [f"{name}: {b}" for b in validity]
        excluded += [f"{name}: {b}" for b in m.blockers if b not in validity]
    review_problems = gate.review_findings(activity, members)
    pending = learner.pending_lines(activity, members) if members else []
    ancillary = [w.message for w in schedule_warnings(activity) if w.kind == "ancillary"]
    support = _support_problems(activity)
    n = len(members)

    return [
        # Everyone in control of content discloses, covering the 24 months before the role.
        ChecklistItem(
            "disclosures",
            _("Disclosures of everyone in control of content"),
            "Std 3 [A5][A18]",
            bool(members) and not invalid,
            _summary(invalid)
            if invalid
            else (
                ngettext(
                    "One person, with a valid disclosure covering 24 months.",
                    "%(n)s people, each with a valid disclosure covering 24 months.",
                    n,
                )
                % {"n": n}
                if members
                else _("Nobody in control of content is named yet: add planners and faculty.")
            ),
            APPROVE,
        ),
        # Owners and employees of ineligible companies are excluded unless excepted.
        ChecklistItem(
            "owners_employees",
            _("Owners and employees excluded or excepted"),
            "Std 3 [A7b]",
            not excluded,
            _summary(excluded)
            if excluded
            else _("None in control of content without an exception."),
            APPROVE,
        ),
        # Every relationship reviewed; each relevant one mitigated before the role starts.
        ChecklistItem(
            "mitigation",
            _("Relevant relationships mitigated"),
            "Std 3 [A6]",
            not review_problems,
            _summary(review_problems)
            if review_problems
            else _("Every relationship reviewed; every relevant one mitigated."),
            APPROVE,
        ),
        # Learners are told about everyone, including "no relevant relationships".
        ChecklistItem(
            "learner_disclosure",
            _("Disclosure to learners generated"),
            "Std 3 [A11]",
            bool(members) and not pending,
            _summary(pending)
            if pending
            else (
                ngettext("Ready for the one person.", "Ready for all %(n)s people.", n) % {"n": n}
                if members
                else _("Nobody in control of content is named yet.")
            ),
            PUBLISH,
        ),
        # Ancillary activities stay 30 minutes away from accredited education.
        ChecklistItem(
            "ancillary",
            _("No ancillary activity within 30 minutes of education"),
            "Std 5 [A12]",
            not ancillary,
            _summary(ancillary) if ancillary else _("The schedule keeps them apart."),
            PUBLISH,
        ),
        # Written agreements, signed by provider and supporter before the activity.
        ChecklistItem(
            "commercial_support",
            _("Commercial support agreements signed before the start"),
            "Std 4 [A15]",
            not support,
            _summary(support) if support else _("No commercial support, or all in order."),
            PUBLISH,
        ),
    ]


def _support_problems(activity) -> list[str]:
    from cmeconf.integrity.support import support_problems

    return support_problems(activity)
