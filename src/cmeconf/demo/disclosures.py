"""Disclosures and their review for the demo: most people have none, some have a few.

Everyone in control of content discloses before the activities are approved, and
the COI reviewer decides relevance and mitigates, as a provider would, so that
the demo shows both "no relevant financial relationships" and mitigated ones.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from cmeconf.accounts.models import User
from cmeconf.integrity import review, roster, services
from cmeconf.integrity.models import IneligibleCompany

SHARE_WITH_RELATIONSHIPS = 0.2
NATURES = ("consultant", "speaker", "advisor", "researcher", "stock", "royalties")
RELEVANT_REASONS = (
    "The company markets a therapy discussed in the session.",
    "The talk covers a drug class in which the company has products.",
)
NOT_RELEVANT_REASONS = (
    "The company's products are for another organ system than the session's topic.",
    "The session covers inpatient care; the company's products are for ambulatory use.",
)
PEERS = ("Dr. Maria Alvarez", "Dr. Samuel Okoye", "Dr. Helen Park", "Dr. Thomas Weber")


def disclose(rng: random.Random, people: list[User], *, with_relationships: bool = True) -> None:
    """A submitted disclosure for each person; a fifth of them list relationships."""
    companies = list(IneligibleCompany.objects.order_by("name"))
    today = timezone.localdate()
    for person in people:
        rels = []
        if with_relationships and companies and rng.random() < SHARE_WITH_RELATIONSHIPS:
            for company in rng.sample(companies, rng.randint(1, 2)):
                rels.append(
                    {
                        "company": company,
                        "nature": rng.choice(NATURES),
                        "start_date": today - dt.timedelta(days=rng.randint(60, 900)),
                        "end_date": None,
                    }
                )
        services.submit_disclosure(person, by=person, attested=True, relationships=rels)


def review_activity(rng: random.Random, activity, reviewer: User) -> None:
    """Decide every relationship in scope; mitigate the relevant ones."""
    for member in roster.content_controllers(activity):
        disclosure = member.disclosure
        if disclosure is None:
            continue
        for rel in disclosure.relationships.all():
            relevant = rng.random() < 0.6
            reasons = RELEVANT_REASONS if relevant else NOT_RELEVANT_REASONS
            decision = review.decide_relevance(
                activity, rel, reviewer=reviewer, relevant=relevant, reason=rng.choice(reasons)
            )
            if not relevant:
                continue
            if rng.random() < 0.5:
                review.mitigate(
                    decision,
                    by=reviewer,
                    method="peer_review_content",
                    peer_name=rng.choice(PEERS),
                    peer_review_date=timezone.localdate(),
                )
            else:
                review.mitigate(decision, by=reviewer, method="attest")
