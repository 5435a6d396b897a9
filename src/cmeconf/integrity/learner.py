"""What learners are told about the financial relationships of the people on a page.

Generated, never typed [A6][A11]: company names and the nature of each relevant,
mitigated relationship with the statement that all were mitigated, and "no
relevant financial relationships" for everyone else. Each version shown is kept
(LearnerDisclosureVersion).
"""

from __future__ import annotations

import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cmeconf.integrity import review, roster, rules
from cmeconf.integrity.choices import DisclosureState, RelationshipNature
from cmeconf.integrity.models import LearnerDisclosureVersion


def lines(activity, person_ids: list[int]) -> dict[int, str]:
    """The line learners see about each of these people, for this activity."""
    wanted = set(person_ids)
    members = roster.content_controllers(activity, only=wanted)
    in_scope = {
        m.person.pk: m.relationships_in_scope()
        for m in members
        if m.disclosure is not None and m.disclosure.state == DisclosureState.SUBMITTED
    }
    decisions = review.latest_decisions(activity, [r for rels in in_scope.values() for r in rels])
    result: dict[int, str] = {}
    for m in members:
        name = m.person.display_name
        rels = in_scope.get(m.person.pk)
        if rels is None:
            # Publication waits for clearance, but faculty can be added afterwards.
            result[m.person.pk] = _("%(name)s: disclosure not yet available.") % {"name": name}
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
            result[m.person.pk] = _("%(name)s: disclosure under review.") % {"name": name}
        else:
            result[m.person.pk] = rules.learner_disclosure(name, shown).text
    return result


def lines_shown(activity, scope: str, person_ids: list[int]) -> dict[int, str]:
    """`lines`, keeping a record of this version as shown on `scope` if it is new."""
    found = lines(activity, person_ids)
    ordered = [found[pk] for pk in sorted(found)]
    digest = hashlib.sha256(json.dumps(ordered).encode()).hexdigest()
    try:
        with transaction.atomic():
            LearnerDisclosureVersion.objects.get_or_create(
                activity=activity,
                scope=scope,
                digest=digest,
                defaults={"lines": ordered, "first_shown": timezone.now()},
            )
    except IntegrityError:
        pass  # shown by another request at the same moment: already kept
    return found
