"""The registry of credit types: one module per type, each with one `RULE`.

`REGISTRY` maps a credit type's code to its rule, in the order pages list them.
"""

from __future__ import annotations

from cmeconf.credits.types import ama
from cmeconf.credits.types.base import CreditRule, Option, StatementContext

REGISTRY: dict[str, CreditRule] = {rule.code: rule for rule in (ama.RULE,)}


def rule(code: str) -> CreditRule:
    """The rule of a credit type; KeyError for a code nobody registered."""
    return REGISTRY[code]


__all__ = ["REGISTRY", "CreditRule", "Option", "StatementContext", "rule"]
