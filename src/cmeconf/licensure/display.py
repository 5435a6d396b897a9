"""How the engine's requirement statuses read to a learner, on the pages and in the e-mails."""

from __future__ import annotations

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from cmeconf.licensure import engine


def requirement_label(status: engine.RequirementStatus) -> str:
    """The data names a minimum or a cap by its credit types ("formal", "Category II"), and the
    engine the total by its unit: say which kind of requirement each is."""
    label = capfirst(status.label)
    lowered = status.label.lower()
    if status.kind == "total":
        return _("Total CME")
    if status.kind == "credit_type_min" and "minimum" not in lowered:
        return _("Minimum: %(label)s") % {"label": label}
    if status.kind == "credit_type_cap" and "cap" not in lowered and "at most" not in lowered:
        return _("Limit: %(label)s") % {"label": label}
    return label
