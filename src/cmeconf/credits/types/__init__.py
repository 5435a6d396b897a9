"""The registry of credit types: one module per type, each with one `RULE`.

`REGISTRY` maps a credit type's code to its rule, in the order pages list them:
physicians' credit first, then the other professions', the team's, the boards',
the non-US systems and, last, the certificate of participation.
"""

from __future__ import annotations

from cmeconf.credits.types import (
    aapa,
    acpe,
    ama,
    ancc,
    aoa,
    eaccme,
    ipce,
    moc,
    participation,
    rcpsc,
)
from cmeconf.credits.types.base import CreditRule, Option, StatementContext
from cmeconf.credits.types.ja import JA_ORDER, joint_accreditation_statement

REGISTRY: dict[str, CreditRule] = {
    rule.code: rule
    for rule in (
        ama.RULE,
        aoa.RULE,
        ancc.RULE,
        acpe.RULE,
        acpe.TECH_RULE,
        aapa.RULE,
        ipce.RULE,
        moc.RULE,
        rcpsc.RULE,
        eaccme.RULE,
        participation.RULE,
    )
}


def rule(code: str) -> CreditRule:
    """The rule of a credit type; KeyError for a code nobody registered."""
    return REGISTRY[code]


__all__ = [
    "JA_ORDER",
    "REGISTRY",
    "CreditRule",
    "Option",
    "StatementContext",
    "joint_accreditation_statement",
    "rule",
]
