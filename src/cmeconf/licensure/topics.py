"""The program's shared topic tags, as the licensure rules name the same subjects.

Sessions carry the shared topics of the program (activities migration 0003);
requirement sets name mandated subjects in their own vocabulary
(vocabulary.TOPICS). A session on "Pain management and opioid prescribing" meets
mandates on either.
"""

from __future__ import annotations

from collections.abc import Iterable

# Shared topic slug -> licensure topic tags.
FROM_PROGRAM: dict[str, frozenset[str]] = {
    slug: frozenset(tags)
    for slug, tags in {
        "pain-management-opioids": ["pain_management", "opioid_prescribing"],
        "substance-use-disorders": ["substance_use_disorder", "addiction"],
        "implicit-bias": ["implicit_bias"],
        "cultural-competency": ["cultural_competency"],
        "medical-errors": ["medical_errors"],
        "patient-safety": ["patient_safety"],
        "risk-management": ["risk_management"],
        "domestic-violence": ["domestic_violence"],
        "human-trafficking": ["human_trafficking"],
        "child-abuse": ["child_abuse_reporting"],
        "end-of-life-care": ["end_of_life", "palliative_care"],
        "hiv-aids": ["hiv_aids"],
        "infection-control": ["infection_control"],
        "suicide-prevention": ["suicide_prevention"],
        "ethics": ["ethics", "professional_responsibility"],
        "alzheimers-dementia": ["dementia", "dementia_care"],
        "geriatrics": ["geriatrics"],
        "controlled-substances": ["controlled_substance_prescribing"],
        "laws-and-rules": ["laws_and_rules"],
        "quality-improvement": ["quality_improvement"],
        "health-equity": ["health_equity"],
    }.items()
}


def licensure_topics(program_slugs: Iterable[str]) -> frozenset[str]:
    """The licensure topic tags a session with these shared topics carries."""
    tags: set[str] = set()
    for slug in program_slugs:
        tags |= FROM_PROGRAM.get(slug, frozenset())
    return frozenset(tags)


def program_topics(tags: Iterable[str]) -> frozenset[str]:
    """The shared topic slugs that carry any of these licensure topic tags."""
    wanted = set(tags)
    return frozenset(slug for slug, mapped in FROM_PROGRAM.items() if mapped & wanted)
