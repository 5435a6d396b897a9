"""The statements a designation prints, built from the activity and its provider.

Pages, certificates and exports all take their statements from here, so the
exact wording of each rule (in its credit type's module) is written once.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from cmeconf.credits.models import Designation, ProviderCreditType
from cmeconf.credits.types import (
    JA_ORDER,
    CreditRule,
    StatementContext,
    joint_accreditation_statement,
    rule,
)


def format_label(activity) -> str:
    """The learning format, as the designation statement names it [M4][M12].

    Every activity kind on the platform is live (a conference, course, series or
    internet live course); recordings become enduring material with their own
    designation.
    """
    return "live activity"


def provider_options(provider, credit_type: str) -> dict:
    setting = ProviderCreditType.objects.filter(provider=provider, credit_type=credit_type).first()
    return dict(setting.options) if setting else {}


def statement_context(designation: Designation, options: dict | None = None) -> StatementContext:
    activity = designation.activity
    provider = activity.provider
    return StatementContext(
        provider_name=provider.name,
        activity_title=activity.title,
        format_label=format_label(activity),
        maximum=designation.maximum,
        joint_provider=activity.joint_provider,
        board=designation.board,
        uan=designation.uan,
        approval_pending=designation.approval_pending,
        options=provider_options(provider, designation.credit_type) if options is None else options,
    )


# Credit a jointly accredited provider designates under its Joint Accreditation [J5]:
# the JA statement stands in for each accreditor's own [J3][J1].
JOINTLY_ACCREDITED_TYPES = frozenset(
    {"AMA_PRA_1", "ABMS_MOC", "ANCC", "ACPE", "ACPE_TECH", "AAPA_1", "IPCE"}
)


def joint_statement(provider) -> str:
    """The provider's Joint Accreditation statement; "" when it is not jointly accredited."""
    today = timezone.localdate()
    accredited = (
        provider.accreditations.filter(accreditor="JA")
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .exists()
    )
    if not accredited:
        return ""
    order = provider_options(provider, "IPCE").get(JA_ORDER.key) or JA_ORDER.default
    try:
        return joint_accreditation_statement(provider.name, order)
    except ValueError:
        return joint_accreditation_statement(provider.name)


def pair(credit_rule: CreditRule, ctx: StatementContext, *, joint: str = "") -> list[str]:
    """[accreditation statement, designation statement]; `joint` is the provider's JA
    statement, which replaces the accreditation statement of the types JA covers (not
    the AAPA "not yet approved" wording, which says something else)."""
    accreditation = credit_rule.accreditation_statement(ctx)
    if joint and credit_rule.code in JOINTLY_ACCREDITED_TYPES and not ctx.approval_pending:
        accreditation = joint
    return [accreditation, credit_rule.designation_statement(ctx)]


def statements(designation: Designation) -> list[str]:
    """[accreditation statement, designation statement] of one designation."""
    credit_rule = rule(designation.credit_type)
    ctx = statement_context(designation)
    return pair(credit_rule, ctx, joint=joint_statement(designation.activity.provider))
