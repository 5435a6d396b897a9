"""The Joint Accreditation statement (section 2, section 6).

A jointly accredited provider shows the JA statement before each activity and on
the certificate when one is issued; the credits of all professions may share it
[J3][J1]. The current order of the three accreditors is UNCONFIRMED (the older
policy named ANCC, ACPE, ACCME [J6]), so it is a choice, `JA_ORDER`.
"""

from __future__ import annotations

from cmeconf.credits.types.base import Option

ACCME_FIRST = "ACCME_ACPE_ANCC"
ANCC_FIRST = "ANCC_ACPE_ACCME"

_ORDERS = {
    ACCME_FIRST: "the ACCME, ACPE, and ANCC",
    ANCC_FIRST: "the ANCC, ACPE, and ACCME",  # older policy [J6]
}

JA_ORDER = Option(
    key="ja_order",
    label="Order of the accreditors in the Joint Accreditation statement",
    default=ACCME_FIRST,
    source="[J6] UNCONFIRMED",
    choices=(
        (ACCME_FIRST, "ACCME, ACPE, ANCC"),
        (ANCC_FIRST, "ANCC, ACPE, ACCME (older policy)"),
    ),
)


def joint_accreditation_statement(provider_name: str, order: str = ACCME_FIRST) -> str:
    """The JA statement for a jointly accredited provider [J3][J6]."""
    if order not in _ORDERS:
        raise ValueError(f"unknown order {order!r}")
    return (
        f"In support of improving patient care, {provider_name} is jointly accredited by "
        f"{_ORDERS[order]}, to provide continuing education for the healthcare team."
    )
