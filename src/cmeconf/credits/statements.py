"""The statements a designation prints, built from the activity and its provider.

Pages, certificates and exports all take their statements from here, so the
exact wording of each rule (in its credit type's module) is written once.
"""

from __future__ import annotations

from cmeconf.credits.models import Designation, ProviderCreditType
from cmeconf.credits.types import StatementContext, rule


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


def statements(designation: Designation) -> list[str]:
    """[accreditation statement, designation statement] of one designation."""
    credit_rule = rule(designation.credit_type)
    ctx = statement_context(designation)
    return [credit_rule.accreditation_statement(ctx), credit_rule.designation_statement(ctx)]
